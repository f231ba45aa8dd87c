# --scheme quintile shows the scores behind the segment: 5 scored customers, all values
# distinct except F (four with 1 order → 1; vip's 3 orders have 4 below → 5)
cmd: crm-import -q testdata/segment-orders.csv --customers testdata/segment-customers.csv -o "$T/s.crm" && crm-segment --as-of 2024-07-01 --scheme quintile "$T/s.crm" | cut -d, -f1,4-8
--- stdout
customer_id,segment,r,f,m,score
mal,New Customers,5,1,4,24
cf,,,,,
old,,,,,
can,,,,,
new30,New Customers,4,1,1,11
dorm181,Lost,1,1,2,12
dorm180,About To Sleep,2,1,3,17
vip,Potential Loyalist,3,5,5,38
