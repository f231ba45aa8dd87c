# a store written without --append differs from what crmkit wrote before the append index
# only by its order-id summaries: stripped of them (column 8 of each chunk, with the column
# count, checksums and commit record fixed), the store of the sample's first 1,000 orders
# is byte for byte testdata/store-v1-no-summary.crm (written by crm-import at 0f3f236)
cmd: head -1001 testdata/sample-orders.csv > "$T/o.csv" && crm-import -q "$T/o.csv" -o "$T/s.crm" && python3 tests/store-strip-summaries.py "$T/s.crm" "$T/x.crm" && cmp "$T/x.crm" testdata/store-v1-no-summary.crm && echo identical
--- stdout
40 bytes of order-id summaries removed
identical
