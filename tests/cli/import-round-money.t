# SPEC 13.1: --round-money rounds half away from zero and counts it; -0.004 stays a negative amount on a paid row
cmd: crm-import testdata/money-decimals.csv -o "$T/m.crm" --round-money --max-reject-rate 1 && crm-import --dump "$T/m.crm"
status: 0
stderr: 1 rejected \(1 negative amount on a paid row\)
stderr: note: 2 amounts rounded to the store.s money scale
stderr: rejected testdata/money-decimals.csv:3: negative amount
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
1,a,2024-01-01 00:00:00,1.23,1,paid,
3,c,2024-01-03 00:00:00,1.23,1,paid,
4,d,2024-01-04 00:00:00,2000.50,1,paid,
5,e,2024-01-05 00:00:00,0.01,1,paid,
