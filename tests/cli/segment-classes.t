# the class tree in its order (hand-checked): mal is blocked in the customers file
# (malicious although it paid), cf is known only from the customers file and old only
# before the window (no-order), can only cancelled (no-sale), new30's first paid order is
# 30 days old (new), dorm181 last paid 181 days ago (dormant), dorm180 180 days ago (graded:
# R2 F1 M2 = 13 → B), vip has 3 orders, 10 items, 10000.00 (VIP, G); fut ordered on the
# as-of day only and is not a customer yet. r,f,m,score are the seed scores of the tier;
# the segment comes from the quintile scores of the 5 scored customers.
cmd: crm-import -q testdata/segment-orders.csv --customers testdata/segment-customers.csv -o "$T/s.crm" && crm-segment --as-of 2024-07-01 "$T/s.crm"
stderr-empty
--- stdout
customer_id,class,vip,segment,r,f,m,score,recency_days,frequency,monetary_total
mal,malicious,no,New Customers,5,1,3,20,11,1,500.00
cf,no-order,no,,,,,,,0,0.00
old,no-order,no,,,,,,,0,0.00
can,no-sale,no,,,,,,,0,0.00
new30,new,no,New Customers,5,1,1,12,30,1,50.00
dorm181,dormant,no,Lost,2,1,1,9,181,1,70.00
dorm180,B,no,About To Sleep,2,1,2,13,180,1,300.00
vip,G,yes,Potential Loyalist,4,3,5,33,61,3,10000.00
