# SPEC 13.1: a JD export (one row per item, order total on each) imports with its preset alone
cmd: crm-import --preset jd testdata/exports/jd-orders.csv -o "$T/j.crm" && crm-import --dump "$T/j.crm"
status: 0
stderr: 7 rows read, 5 orders written \(2 rows merged into orders\)
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
281734921035,jd_7f3a21c9,2024-06-18 00:03:12,149.70,3,paid,
281735550812,jd_51bb0e02,2024-06-18 09:41:55,59.90,1,paid,
281736002467,jd_0c44d7e8,2024-06-18 13:20:07,89.70,3,cancelled,
281736771093,jd_51bb0e02,2024-06-19 20:15:31,0.00,1,refunded,
281737100455,jd_7f3a21c9,2024-06-20 08:05:00,79.80,2,paid,
