# `| head` ends quietly, also through the two-thread row printer
cmd: crm-import -q testdata/sample-orders.csv | crm-segment | head -2
stderr-empty
--- stdout
customer_id,class,vip,segment,r,f,m,score,recency_days,frequency,monetary_total
冯芳2,B,no,About To Sleep,2,3,1,15,140,3,147.99
