# SPEC 13.1: a WooCommerce export imports with its preset alone
cmd: crm-import --preset woocommerce testdata/exports/woocommerce-orders.csv -o "$T/w.crm" && crm-import --dump "$T/w.crm"
status: 0
stderr: 7 rows read, 7 orders written
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
4101,lena.kraus@example.de,2024-05-02 09:14:05,48.10,2,paid,EUR
4102,marc.dubois@example.fr,2024-05-02 11:40:51,24.50,1,paid,EUR
4103,+45 3355 0199,2024-05-03 16:02:33,12.00,1,pending,EUR
4104,lena.kraus@example.de,2024-05-04 08:21:10,0.00,1,refunded,EUR
4105,ana.silva@example.pt,2024-05-05 19:55:00,15.70,1,cancelled,EUR
4106,marc.dubois@example.fr,2024-05-06 07:30:12,75.00,1,paid,EUR
,marc.dubois@example.fr,2024-05-06 07:30:12,15.00,0,refunded,EUR
4107,ola@example.no,2024-05-06 10:03:44,15.70,1,cancelled,EUR
