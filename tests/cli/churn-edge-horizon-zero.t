# --horizon 0: nothing expected, no purchase for sure, CLV 0 (also with discounting).
cmd: crm-churn --params testdata/churn-params-day.csv --horizon 0 --discount 0.1 testdata/churn-edge.csv
stderr-empty
--- stdout
customer_id,x,t_x,T,p_alive,expected_purchases,prob_no_purchase,expected_avg_value,clv,churn_risk
heavy,608,3648,3652,0.9974609,0.0000000,1.0000000,25.50,0.00,low
once-old,0,0,3652,1.0000000,0.0000000,1.0000000,30.00,0.00,low
twice-same-day,0,0,1701,1.0000000,0.0000000,1.0000000,30.00,0.00,low
free-repeat,1,151,730,0.2899023,0.0000000,1.0000000,30.00,0.00,high
at-end,1,213,213,0.7894737,0.0000000,1.0000000,50.00,0.00,medium
once-last-day,0,0,0,1.0000000,0.0000000,1.0000000,30.00,0.00,low
