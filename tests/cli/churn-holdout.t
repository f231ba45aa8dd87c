# --calibration-end: summaries of orders up to 2024-06-30 only (heavy: x = 578 with t_x = T;
# at-end: one calibration purchase), actual_holdout = distinct purchase days after it, the
# horizon defaults to the holdout (184 days), once-last-day (first purchase in the holdout)
# is left out; the report groups by calibration frequency. Checked with mpmath and by hand.
cmd: crm-churn --params testdata/churn-params-day.csv --calibration-end 2024-06-30 --report $T/r.csv testdata/churn-edge.csv && cat $T/r.csv
stderr-empty
--- stdout
customer_id,x,t_x,T,p_alive,expected_purchases,prob_no_purchase,expected_avg_value,clv,churn_risk,actual_holdout
heavy,578,3468,3468,0.9986226,29.8541341,0.0013774,25.50,761.40,low,30
once-old,0,0,3468,1.0000000,0.0261600,0.9746236,30.00,0.78,low,0
twice-same-day,0,0,1517,1.0000000,0.0587657,0.9450320,30.00,1.76,low,0
free-repeat,1,151,546,0.3837551,0.1757577,0.8678312,30.00,5.27,high,0
at-end,0,0,29,1.0000000,1.3103381,0.4585852,30.00,39.31,low,1
calibration_x,customers,mean_actual,mean_predicted,total_actual,total_predicted,mae,rmse
0,3,0.3333333,0.4650880,1,1.3952639,0.1317546,0.1829823
1,1,0.0000000,0.1757577,0,0.1757577,0.1757577,0.1757577
2,0,,,,,,
3,0,,,,,,
4,0,,,,,,
5,0,,,,,,
6,0,,,,,,
7+,1,30.0000000,29.8541341,30,29.8541341,0.1458659,0.1458659
all,5,6.2000000,6.2850311,31,31.4251556,0.1433775,0.1747084
