# --period quarter, --tsv: 2023-Q4 is h alone; 2024-Q1 is a, b, d, f with nine paid orders of
# 1050.00 (262.50 per customer); h comes back in Q1 with 90.00.
cmd: crm-cohort --as-of 2024-04-01 --period quarter --tsv testdata/kpi-orders.csv
stderr-empty
--- stdout
cohort	period_index	period_start	cohort_size	active	retention	revenue	orders	cum_revenue_per_customer
2023-Q4	0	2023-10-01	1	1	1.0000000	10.00	1	10.00
2023-Q4	1	2024-01-01	1	1	1.0000000	90.00	1	100.00
2024-Q1	0	2024-01-01	4	4	1.0000000	1050.00	9	262.50
