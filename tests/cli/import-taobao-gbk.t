# a Taobao export in GBK: encoding detected, preset columns and statuses, ="…" ids, ￥ money
cmd: crm-import --preset taobao --tz Asia/Shanghai testdata/taobao-export-gbk.csv -o "$T/t.crm" && crm-import --dump "$T/t.crm" | sed -n '2p;3p' && crm-import --check "$T/t.crm" | sed -n '2,4p'
stderr: taobao-export-gbk.csv: GB18030, comma-separated
stderr: 3000 rows read, 3000 orders written .*0 rejected
--- stdout
20240000000001,冯芳2,2024-01-02 00:30:04,39.00,1,paid,
20240000000002,马红,2024-01-02 01:04:19,417.90,6,paid,
format: crmkit store version 1, money scale 2, time zone Asia/Shanghai
orders: 3000 (paid 2824, cancelled 94, refunded 76, pending 6)
customers: 835 (0 customers-file rows)
