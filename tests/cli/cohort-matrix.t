# --matrix --metric retention: one row per cohort, one column per period index, empty where
# the period has not started by the as-of date (the table of cohort-by-hand.t pivoted).
cmd: crm-cohort --as-of 2024-04-01 --matrix --metric retention testdata/kpi-orders.csv
stderr-empty
--- stdout
cohort,cohort_size,0,1,2,3
2023-12,1,1.0000000,0.0000000,0.0000000,1.0000000
2024-01,2,1.0000000,0.5000000,1.0000000,
2024-02,1,1.0000000,0.0000000,,
2024-03,1,1.0000000,,,
