# --summary --by vip and --by segment (rule order, then Others and customers without
# paid orders in the window)
cmd: crm-import -q testdata/segment-orders.csv --customers testdata/segment-customers.csv -o "$T/s.crm" && crm-segment --as-of 2024-07-01 --summary --by vip "$T/s.crm" && crm-segment --as-of 2024-07-01 --summary --by segment "$T/s.crm"
--- stdout
vip,customers,share,revenue,revenue_share,avg_order_value
yes,1,0.1250000,10000.00,0.9157509,3333.33
no,7,0.8750000,920.00,0.0842491,230.00
segment,customers,share,revenue,revenue_share,avg_order_value
Champions,0,0.0000000,0.00,0.0000000,
Potential Loyalist,1,0.1250000,10000.00,0.9157509,3333.33
Loyal Customers,0,0.0000000,0.00,0.0000000,
Promising,0,0.0000000,0.00,0.0000000,
New Customers,2,0.2500000,550.00,0.0503663,275.00
Can't Lose Them,0,0.0000000,0.00,0.0000000,
At Risk,0,0.0000000,0.00,0.0000000,
Need Attention,0,0.0000000,0.00,0.0000000,
About To Sleep,1,0.1250000,300.00,0.0274725,300.00
Lost,1,0.1250000,70.00,0.0064103,70.00
Others,0,0.0000000,0.00,0.0000000,
(none),3,0.3750000,0.00,0.0000000,
