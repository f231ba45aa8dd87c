# --summary: every class in tree order; revenue 10920.00 in all; G's average order value
# is 10000.00 / 3 orders; classes without paid orders have no average
cmd: crm-import -q testdata/segment-orders.csv --customers testdata/segment-customers.csv -o "$T/s.crm" && crm-segment --as-of 2024-07-01 --summary "$T/s.crm"
stderr-empty
--- stdout
class,customers,share,revenue,revenue_share,avg_order_value
malicious,1,0.1250000,500.00,0.0457875,500.00
no-order,2,0.2500000,0.00,0.0000000,
no-sale,1,0.1250000,0.00,0.0000000,
new,1,0.1250000,50.00,0.0045788,50.00
dormant,1,0.1250000,70.00,0.0064103,70.00
P,0,0.0000000,0.00,0.0000000,
G,1,0.1250000,10000.00,0.9157509,3333.33
S,0,0.0000000,0.00,0.0000000,
B,1,0.1250000,300.00,0.0274725,300.00
