# the nightly job's first night: --append onto a store that is not there yet, from a file
# with a product column, creates the store with line items (format version 2), as -o
# would; the next night's append keeps them, and crm-basket sees every basket (it used to
# be a version-1 store that warned every night that the products were not kept)
cmd: head -n 8 testdata/basket/orders.csv > "$T/night1.csv" && (head -n 1 testdata/basket/orders.csv; tail -n +9 testdata/basket/orders.csv) > "$T/night2.csv" && crm-import -q --append "$T/shop.crm" "$T/night1.csv" && crm-import -q --append "$T/shop.crm" "$T/night2.csv" && crm-import --check "$T/shop.crm" | grep -E '^(format|orders|products|line items)' && crm-import testdata/basket/orders.csv -q -o "$T/one.crm" && crm-basket --min-support 0.1 "$T/shop.crm" > "$T/a.csv" && crm-basket --min-support 0.1 "$T/one.crm" > "$T/b.csv" && cmp "$T/a.csv" "$T/b.csv" && wc -l < "$T/a.csv"
stderr: no store there yet; created it
--- stdout
format: crmkit store version 2, money scale 2, time zone (as written)
orders: 7 (paid 5, cancelled 1, refunded 1, pending 0)
11
