# monthly KPIs on a hand-computed set (testdata/kpi-orders.csv). January: a (2 orders) and b
# are new, revenue 350.00 / 3 orders = 116.67, c's refund → 1/3; February: a returns, d is
# new (repeat rate 0.5), revenue -25.71 % on January, the cancelled order does not count;
# March: a, b and h return (h last bought in December), f is new; the order on the as-of
# day (April 1st) is not counted.
cmd: crm-segment --kpi --as-of 2024-04-01 --window all testdata/kpi-orders.csv
stderr-empty
--- stdout
period,start,end,orders,paying_customers,new_customers,returning_customers,repeat_rate,revenue,avg_order_value,orders_per_customer,revenue_growth,customer_growth,refund_rate
2023-12,2023-12-01,2023-12-31,1,1,1,0,0.0000000,10.00,10.00,1.0000000,,,0.0000000
2024-01,2024-01-01,2024-01-31,3,2,2,0,0.0000000,350.00,116.67,1.5000000,34.0000000,1.0000000,0.3333333
2024-02,2024-02-01,2024-02-29,3,2,1,1,0.5000000,260.00,86.67,1.5000000,-0.2571429,0.0000000,0.3333333
2024-03,2024-03-01,2024-03-31,4,4,1,3,0.7500000,530.00,132.50,1.0000000,1.0384615,1.0000000,0.2500000
