# SPEC 13.1: the JD pattern (an order total repeated on every line) is announced with --order-amount once
cmd: crm-import -q testdata/exports/jd-orders.csv -o "$T/j.crm"
status: 0
stderr: note: 2 of 2 multi-line orders repeat the same amount on every line .*--order-amount once
--- stdout
