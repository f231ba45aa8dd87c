# a store written before order-id summaries (testdata/store-v1-no-summary.crm: the first
# 1,000 orders of the sample) takes appends: its ids are read in full, so its 1,000 are
# found again; the chunks the append adds carry summaries, and the next append finds all
cmd: cp testdata/store-v1-no-summary.crm "$T/v1.crm" && crm-import testdata/sample-orders.csv --append "$T/v1.crm" 2>&1 | tail -1 && crm-import testdata/sample-orders.csv --append "$T/v1.crm" 2>&1 | tail -1 && crm-import --check "$T/v1.crm" | grep -E '^(format|orders|customers|commits)'
--- stdout
crm-import: 20000 rows read, 19000 orders written (0 rows merged into orders), 0 rejected, 1000 duplicates skipped; 1510 new customers
crm-import: 20000 rows read, 0 orders written (0 rows merged into orders), 0 rejected, 20000 duplicates skipped; 0 new customers
format: crmkit store version 1, money scale 2, time zone (as written)
orders: 20000 (paid 18876, cancelled 598, refunded 481, pending 45)
customers: 2000 (0 customers-file rows)
commits: 3
