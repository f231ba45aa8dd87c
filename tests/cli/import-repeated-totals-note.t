# SPEC 13.1: an order total repeated on every line of multi-line orders (the JD pattern) is announced, even with -q, naming --order-amount once; with it each total counts once
cmd: crm-import -q testdata/repeated-totals.csv -o "$T/a.crm" && crm-import -q --order-amount once testdata/repeated-totals.csv -o "$T/b.crm" && crm-import --dump "$T/a.crm" && crm-import --dump "$T/b.crm"
status: 0
stderr: note: 2 of 2 multi-line orders repeat the same amount on every line .*--order-amount once
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
9001,a,2024-06-18 00:00:00,299.40,2,paid,
9002,b,2024-06-19 00:00:00,59.90,1,paid,
9003,a,2024-06-20 00:00:00,239.40,3,paid,
order_id,customer_id,order_time,amount,quantity,status,currency
9001,a,2024-06-18 00:00:00,149.70,2,paid,
9002,b,2024-06-19 00:00:00,59.90,1,paid,
9003,a,2024-06-20 00:00:00,79.80,3,paid,
