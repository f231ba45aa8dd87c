# re-running yesterday's import with --append is harmless: every order id is a duplicate
cmd: crm-import -q testdata/sample-orders.csv -o "$T/s.crm" && crm-import testdata/sample-orders.csv --append "$T/s.crm" 2>&1 | tail -1 && crm-import --check "$T/s.crm" | grep -E '^(orders|commits)'
--- stdout
crm-import: 20000 rows read, 0 orders written (0 rows merged into orders), 0 rejected, 20000 duplicates skipped; 0 new customers
orders: 20000 (paid 18876, cancelled 598, refunded 481, pending 45)
commits: 2
