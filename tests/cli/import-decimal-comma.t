# SPEC 13.1: --decimal-comma reads 1.234,50, 89,90 and € 12,00
cmd: crm-import --decimal-comma testdata/decimal-comma.csv -o "$T/d.crm" && crm-import --dump "$T/d.crm"
status: 0
stderr: 4 rows read, 4 orders written
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
1,a,2024-01-01 00:00:00,1234.50,1,paid,
2,b,2024-01-02 00:00:00,89.90,1,paid,
3,c,2024-01-03 00:00:00,12.00,1,paid,
4,a,2024-01-04 00:00:00,0.50,1,paid,
