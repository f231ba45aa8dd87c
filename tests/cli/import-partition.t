# --partition 3: three stores, every customer in exactly one, all orders kept
cmd: crm-import -q --partition 3 testdata/sample-orders.csv -o "$T/s.%d.crm" && for i in 0 1 2; do crm-import --dump "$T/s.$i.crm" | tail -n +2; done | sort > "$T/all" && crm-import --dump "$T/s.0.crm" | tail -n +2 | cut -d, -f2 | sort -u > "$T/c0" && crm-import --dump "$T/s.1.crm" | tail -n +2 | cut -d, -f2 | sort -u > "$T/c1" && wc -l < "$T/all" && comm -12 "$T/c0" "$T/c1" | wc -l && crm-import -q testdata/sample-orders.csv | crm-import --dump - | tail -n +2 | sort | cmp - "$T/all" && echo same-orders
--- stdout
20000
0
same-orders
