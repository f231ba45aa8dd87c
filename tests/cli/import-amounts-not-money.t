# Amounts that cannot be money (17-digit ids in the amount column): the orders' amounts would
# add up past 2^63 minor units and wrap negative in every report; the import fails instead,
# naming the order, and writes no store.
cmd: awk 'BEGIN { print "order_id,customer_id,order_time,amount"; for (i = 1; i <= 9; i++) printf "%d,c%d,2024-01-0%d,12345678901234567\n", i, i, i }' >"$T/a.csv" && crm-import -q "$T/a.csv" -o "$T/s.crm"; st=$?; test ! -e "$T/s.crm" && exit $st
status: 1
stderr: ^crm-import: .*s\.crm: the amounts add up past 2\^63 minor units with an order of 12345678901234567\.00: not money \(ids or phone numbers in the amount column\?\)$
