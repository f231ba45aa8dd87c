# crm-cohort's long table on testdata/kpi-orders.csv as of 2024-04-01, computed by hand:
# cohorts by first paid order (c only refunded and e only cancelled are in none; g's order
# of 2024-04-01 is not before the as-of date); b's refund in February does not make b
# active; cumulative revenue per customer: 2024-01 (a, b) 350/2, 430/2, 570/2.
cmd: crm-cohort --as-of 2024-04-01 testdata/kpi-orders.csv
stderr-empty
--- stdout
cohort,period_index,period_start,cohort_size,active,retention,revenue,orders,cum_revenue_per_customer
2023-12,0,2023-12-01,1,1,1.0000000,10.00,1,10.00
2023-12,1,2024-01-01,1,0,0.0000000,0.00,0,10.00
2023-12,2,2024-02-01,1,0,0.0000000,0.00,0,10.00
2023-12,3,2024-03-01,1,1,1.0000000,90.00,1,100.00
2024-01,0,2024-01-01,2,2,1.0000000,350.00,3,175.00
2024-01,1,2024-02-01,2,1,0.5000000,80.00,1,215.00
2024-01,2,2024-03-01,2,2,1.0000000,140.00,2,285.00
2024-02,0,2024-02-01,1,1,1.0000000,180.00,2,180.00
2024-02,1,2024-03-01,1,0,0.0000000,0.00,0,180.00
2024-03,0,2024-03-01,1,1,1.0000000,300.00,1,300.00
