# --period week: cohorts are named by their Monday; the default as-of date is the day after
# the latest order (2024-04-02), so g's order of Monday 2024-04-01 makes its own cohort.
cmd: crm-cohort --period week testdata/kpi-orders.csv | awk -F, '$2 == 0 || NR == 1' | cut -d, -f1-5
stderr-empty
--- stdout
cohort,period_index,period_start,cohort_size,active
2023-12-18,0,2023-12-18,1,1
2024-01-01,0,2024-01-01,1,1
2024-01-08,0,2024-01-08,1,1
2024-02-12,0,2024-02-12,1,1
2024-03-11,0,2024-03-11,1,1
2024-04-01,0,2024-04-01,1,1
