# BG/NBD with fixed parameters (in days) on edge cases: x in the hundreds and T in the
# thousands of days (heavy), t_x = T (at-end: last purchase on the last day), T = 0
# (once-last-day), two orders on one day are one purchase (twice-same-day, x = 0), a free
# repeat purchase (free-repeat: Gamma-Gamma population mean), a refund-only customer (no
# row). Expected values computed independently with mpmath (50 digits) from FHL 2005
# eqs. 10-11 and FHL 2005b eq. 5 (population mean p·γ/(q-1) = 30).
cmd: crm-churn --params testdata/churn-params-day.csv testdata/churn-edge.csv
stderr-empty
--- stdout
customer_id,x,t_x,T,p_alive,expected_purchases,prob_no_purchase,expected_avg_value,clv,churn_risk
heavy,608,3648,3652,0.9974609,14.7331412,0.0025395,25.50,375.75,low
once-old,0,0,3652,1.0000000,0.0122078,0.9879659,30.00,0.37,low
twice-same-day,0,0,1701,1.0000000,0.0259351,0.9748352,30.00,0.78,low
free-repeat,1,151,730,0.2899023,0.0509316,0.9546798,30.00,1.53,high
at-end,1,213,213,0.7894737,0.4249933,0.6942170,50.00,21.25,medium
once-last-day,0,0,0,1.0000000,1.4997380,0.4264014,30.00,44.99,low
