# Pareto/NBD with fixed parameters (in days) on the edge cases of churn-edge-bgnbd.t: x in
# the hundreds and T in the thousands of days, t_x = T, T = 0, a free repeat purchase. p_alive,
# expected_purchases and prob_no_purchase computed independently with mpmath (20 digits):
# FHL's note, eqs. for P(alive) and E[Y(t)] through mpmath.hyp2f1 (α < β branch), and
# P(no purchase) by 2-D quadrature over the Gamma posteriors of λ and μ given alive.
cmd: crm-churn --params testdata/churn-params-pnbd-day.csv testdata/churn-edge.csv
stderr-empty
--- stdout
customer_id,x,t_x,T,p_alive,expected_purchases,prob_no_purchase,expected_avg_value,clv,churn_risk
heavy,608,3648,3652,0.9990928,14.5810808,0.0018898,25.50,371.87,low
once-old,0,0,3652,0.0227214,0.0002997,0.9997058,30.00,0.01,high
twice-same-day,0,0,1701,0.0524689,0.0014416,0.9986124,30.00,0.04,high
free-repeat,1,151,730,0.2038652,0.0342603,0.9700125,30.00,1.03,high
at-end,1,213,213,1.0000000,0.4475894,0.6795640,50.00,22.38,low
once-last-day,0,0,0,1.0000000,0.5250140,0.7088260,30.00,15.75,low
