# SPEC 13.1: an export sorted by SKU lost a third of its revenue as "duplicates"; now the
# line items far from their order are rejected with a warning naming --line-items
# unsorted (exit 1 over the reject rate), and with it every line item is merged: 80,000
# orders, 40,000 merged rows, revenue 80,000 x 1.00 + 40,000 x 2.00
cmd: awk 'BEGIN { print "order_id,customer_id,order_time,amount,status"; for (i = 0; i < 80000; i++) printf "O%d,c%d,2024-01-01,1.00,paid\n", i, i % 700; for (i = 0; i < 80000; i += 2) printf "O%d,c%d,2024-01-01,2.00,paid\n", i, i % 700 }' >"$T/sku.csv" && { crm-import -q "$T/sku.csv" -o "$T/a.crm"; echo "exit $?"; } && crm-import --line-items unsorted "$T/sku.csv" -o "$T/b.crm" && crm-import --dump "$T/b.crm" | awk -F, 'NR > 1 { n++; s += $4 } END { printf "%d orders, %.2f\n", n, s }'
stderr: warning: 7232 line items came more than 65536 orders after their order began and were rejected; sort the file by order id, or use --line-items unsorted
stderr: 120000 rows read, 80000 orders written \(40000 rows merged into orders\), 0 rejected
--- stdout
exit 1
80000 orders, 160000.00
