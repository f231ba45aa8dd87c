# --method rules in days: at risk (high) when the days since the last purchase exceed
# k (2) x the customer's mean gap t_x/x; medium past the gap; one-time buyers against the
# floor (180 days; medium past 180/2). Rows checked by hand: heavy buys every 6 days, last
# 4 days before the end; free-repeat's gap is 151 days, 579 days ago.
cmd: crm-churn --method rules --unit day testdata/churn-edge.csv
stderr-empty
--- stdout
customer_id,x,t_x,T,recency,mean_gap,threshold,churn_risk,reason
heavy,608,3648,3652,4,6.0000000,12.0000000,low,last purchase 4 days ago: within the mean gap of 6.0 days
once-old,0,0,3652,3652,,180.0000000,high,single purchase 3652 days ago: over the floor of 180 days
twice-same-day,0,0,1701,1701,,180.0000000,high,single purchase 1701 days ago: over the floor of 180 days
free-repeat,1,151,730,579,151.0000000,302.0000000,high,no purchase for 579 days: over 2 x the mean gap of 151.0 days
at-end,1,213,213,0,213.0000000,426.0000000,low,last purchase 0 days ago: within the mean gap of 213.0 days
once-last-day,0,0,0,0,,180.0000000,low,single purchase 0 days ago: within 1/2 of the floor of 180 days
