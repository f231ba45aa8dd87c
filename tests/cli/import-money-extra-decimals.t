# SPEC 13.1: 1.234 was stored as 1.23 and -0.004 as a paid 0.00; now both are rejects that name --round-money (extra zeros are fine)
cmd: crm-import testdata/money-decimals.csv -o "$T/m.crm" --max-reject-rate 1 --rejects "$T/r.csv" && crm-import --dump "$T/m.crm" && cat "$T/r.csv"
status: 0
stderr: 3 rejected \(3 amount has more decimals than the store keeps\)
stderr: rejected testdata/money-decimals.csv:2: amount "1.234" in column 4 has more decimals than the store keeps \(2\): use --round-money
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
3,c,2024-01-03 00:00:00,1.23,1,paid,
4,d,2024-01-04 00:00:00,2000.50,1,paid,
file,line,reason,raw
testdata/money-decimals.csv,2,"amount ""1.234"" in column 4 has more decimals than the store keeps (2): use --round-money to round, or --money-scale N for a new store","1,a,2024-01-01,1.234,paid"
testdata/money-decimals.csv,3,"amount ""-0.004"" in column 4 has more decimals than the store keeps (2): use --round-money to round, or --money-scale N for a new store","2,b,2024-01-02,-0.004,paid"
testdata/money-decimals.csv,6,"amount ""0.005"" in column 4 has more decimals than the store keeps (2): use --round-money to round, or --money-scale N for a new store","5,e,2024-01-05,0.005,paid"
