# the nightly append, twice: new ids (renamed N...) of existing customers are all written
# the first time and all skipped as duplicates the second, with the counts of a full scan
cmd: crm-import -q testdata/sample-orders.csv -o "$T/s.crm" && sed '2,$ s/^O/N/' testdata/sample-orders.csv | crm-import - --append "$T/s.crm" 2>&1 | tail -1 && sed '2,$ s/^O/N/' testdata/sample-orders.csv | crm-import - --append "$T/s.crm" 2>&1 | tail -1 && crm-import --check "$T/s.crm" | grep -E '^(orders|customers|commits)'
--- stdout
crm-import: 20000 rows read, 20000 orders written (0 rows merged into orders), 0 rejected, 0 duplicates skipped; 0 new customers
crm-import: 20000 rows read, 0 orders written (0 rows merged into orders), 0 rejected, 20000 duplicates skipped; 0 new customers
orders: 40000 (paid 37752, cancelled 1196, refunded 962, pending 90)
customers: 2000 (0 customers-file rows)
commits: 3
