# stdin to stdout: crm-import in the middle of a pipe
cmd: head -3 testdata/sample-orders.csv | crm-import -q | crm-import --dump -
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
O00000001,冯芳2,2024-01-02 00:30:04,39.00,1,paid,
O00000002,马红,2024-01-02 01:04:19,417.90,6,paid,
