# quarters and ISO weeks: Q1 2024 has 10 orders by 5 customers, 4 of them new; the week of
# 2024-02-26 (W09) runs into March; weeks without orders are listed with empty ratios;
# --as-of mid-week ends the last period early
cmd: crm-segment --kpi --period quarter --as-of 2024-04-01 --window all testdata/kpi-orders.csv && crm-segment --kpi --period week --as-of 2024-03-02 --window 14 testdata/kpi-orders.csv
--- stdout
period,start,end,orders,paying_customers,new_customers,returning_customers,repeat_rate,revenue,avg_order_value,orders_per_customer,revenue_growth,customer_growth,refund_rate
2023-Q4,2023-10-01,2023-12-31,1,1,1,0,0.0000000,10.00,10.00,1.0000000,,,0.0000000
2024-Q1,2024-01-01,2024-03-31,10,5,4,1,0.2000000,1140.00,114.00,2.0000000,113.0000000,4.0000000,0.3000000
period,start,end,orders,paying_customers,new_customers,returning_customers,repeat_rate,revenue,avg_order_value,orders_per_customer,revenue_growth,customer_growth,refund_rate
2024-W07,2024-02-12,2024-02-18,1,1,1,0,0.0000000,120.00,120.00,1.0000000,,,1.0000000
2024-W08,2024-02-19,2024-02-25,0,0,0,0,,0.00,,,-1.0000000,-1.0000000,
2024-W09,2024-02-26,2024-03-01,2,2,0,2,1.0000000,100.00,50.00,1.0000000,,,0.0000000
