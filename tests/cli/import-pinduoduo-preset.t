# SPEC 13.1: a Pinduoduo export imports with its preset alone
cmd: crm-import --preset pinduoduo testdata/exports/pinduoduo-orders.csv -o "$T/p.crm" && crm-import --dump "$T/p.crm"
status: 0
stderr: 5 rows read, 5 orders written
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
240611-083421975330127,151****3021,2024-06-11 08:34:21,34.90,1,paid,
240611-101155872100493,186****7710,2024-06-11 10:11:55,67.00,1,paid,
240612-090022114455601,151****3021,2024-06-12 09:00:22,36.90,1,paid,
240612-173300918273645,133****9090,2024-06-12 17:33:00,39.90,1,cancelled,
240613-204512336789012,186****7710,2024-06-13 20:45:12,0.00,1,refunded,
