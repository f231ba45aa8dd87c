# MBG/NBD with fixed parameters on the edge cases of churn-edge-bgnbd.t: one-time buyers
# can be dead (p_alive < 1 at x = 0). Expected values from mpmath (Batislam, Denizel &
# Filiztekin 2007: P(alive) = 1/(1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)) and the 2F1 form).
cmd: sed 's/^bgnbd/mbgnbd/' testdata/churn-params-day.csv > $T/p.csv && crm-churn --params $T/p.csv testdata/churn-edge.csv
stderr-empty
--- stdout
customer_id,x,t_x,T,p_alive,expected_purchases,prob_no_purchase,expected_avg_value,clv,churn_risk
heavy,608,3648,3652,0.9974650,14.7334327,0.0025354,25.50,375.76,low
once-old,0,0,3652,0.2167642,0.0026483,0.9973914,30.00,0.08,high
twice-same-day,0,0,1701,0.2878788,0.0074788,0.9927556,30.00,0.22,high
free-repeat,1,151,730,0.3524753,0.0621793,0.9448978,30.00,1.87,high
at-end,1,213,213,0.8333333,0.4540059,0.6772291,50.00,22.70,low
once-last-day,0,0,0,0.7894737,1.2613570,0.5471590,30.00,37.84,medium
