# SPEC 13.1: --money-scale 3 keeps 1.234 exactly
cmd: crm-import testdata/money-decimals.csv -o "$T/m.crm" --money-scale 3 --max-reject-rate 1 && crm-import --dump "$T/m.crm" && crm-import --check "$T/m.crm" | grep scale
status: 0
stderr: rejected testdata/money-decimals.csv:3: negative amount
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
1,a,2024-01-01 00:00:00,1.234,1,paid,
3,c,2024-01-03 00:00:00,1.230,1,paid,
4,d,2024-01-04 00:00:00,2000.500,1,paid,
5,e,2024-01-05 00:00:00,0.005,1,paid,
format: crmkit store version 1, money scale 3, time zone (as written)
