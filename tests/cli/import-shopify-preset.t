# SPEC 13.1 must show: a multi-line Shopify export (guests, mixed-case e-mails, partially_refunded with Refunded Amount, -0400 offsets) imports with --preset shopify alone; net revenue right to the cent (anna: 67.64 + 97.20 - 32.40)
cmd: crm-import --preset shopify testdata/exports/shopify-orders.csv -o "$T/s.crm" && crm-rfm --net --as-of 2024-04-01 "$T/s.crm" && crm-import --dump "$T/s.crm"
status: 0
stderr: 11 rows read, 6 orders written \(3 rows merged into orders\), 0 rejected, 0 duplicates skipped; 2 guest order \(expected\)
stderr: 1 orders refunded in full .*1 partially refunded
--- stdout
customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier
anna.berg@example.com,2024-03-01,2024-03-05,27,2,132.44,66.22,5,2,1,15,521,B
dan@example.org,2024-03-11,2024-03-11,21,1,162.00,162.00,5,1,1,12,511,B
order_id,customer_id,order_time,amount,quantity,status,currency
#1001,anna.berg@example.com,2024-03-01 14:15:30,67.64,3,paid,USD
#1003,anna.berg@example.com,2024-03-05 22:39:55,97.20,2,paid,USD
,anna.berg@example.com,2024-03-05 22:39:55,32.40,0,refunded,USD
#1004,bo.chen@example.net,2024-03-07 13:11:58,0.00,1,refunded,USD
#1005,+1 305 555 0147,2024-03-08 18:30:00,37.40,1,pending,USD
#1006,bo.chen@example.net,2024-03-09 12:00:00,12.96,1,cancelled,USD
#1007,dan@example.org,2024-03-11 00:04:40,162.00,4,paid,USD
