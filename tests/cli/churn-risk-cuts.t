# --risk-cuts 0.3,0.9: high below 0.3, medium below 0.9, else low (p_alive as in
# churn-edge-bgnbd.t: 0.2899023 is high, 0.7894737 medium, 0.9974609 low).
cmd: crm-churn --risk-cuts 0.3,0.9 --params testdata/churn-params-day.csv testdata/churn-edge.csv | cut -d, -f1,5,10
stderr-empty
--- stdout
customer_id,p_alive,churn_risk
heavy,0.9974609,low
once-old,1.0000000,low
twice-same-day,1.0000000,low
free-repeat,0.2899023,high
at-end,0.7894737,medium
once-last-day,1.0000000,low
