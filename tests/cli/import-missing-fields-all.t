# SPEC 13.1: every missing required field in one message
cmd: printf "a,b\n1,2\n" | crm-import -o "$T/x.crm"
status: 1
stderr: no column for customer_id, order_time and amount \(or unit_price\)
--- stdout
