# SPEC 13.1: Taobao/Tmall 买家账号 and 部分退款 (paid at what the buyer paid: 买家实际支付金额 is already net of 退款金额); a 退款成功 order is never revenue, so --net never drives a customer negative
cmd: crm-import --preset taobao testdata/exports/tmall-orders.csv -o "$T/t.crm" && crm-rfm --net --as-of 2024-07-01 "$T/t.crm" && crm-import --dump "$T/t.crm"
status: 0
stderr: 6 rows read, 6 orders written
--- stdout
customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier
tb_8823107,2024-06-10,2024-06-10,21,1,128.00,128.00,5,1,1,12,511,B
清风明月88,2024-06-11,2024-06-14,17,2,388.00,194.00,5,2,1,15,521,B
order_id,customer_id,order_time,amount,quantity,status,currency
3812204711590431522,tb_8823107,2024-06-10 21:14:02,128.00,1,paid,
3812204711590431523,清风明月88,2024-06-11 09:00:11,200.00,2,paid,
3812204711590431524,tb_8823107,2024-06-12 10:30:00,0.00,1,pending,
3812204711590431525,茶友小王,2024-06-13 15:20:00,99.00,1,cancelled,
3812204711590431526,清风明月88,2024-06-14 08:08:08,188.00,1,paid,
3812204711590431527,茶友小王,2024-06-15 19:45:00,0.00,1,refunded,
