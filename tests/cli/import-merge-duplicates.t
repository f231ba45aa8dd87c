# SPEC §18: stores given as input are merged, duplicates skipped: a store merged with itself
# and a copy of its first half holds each order once, in the first store's order
cmd: crm-import -q --partition 2 testdata/sample-orders.csv -o "$T/p.%d.crm" && crm-import "$T/p.0.crm" "$T/p.0.crm" "$T/p.1.crm" "$T/p.0.crm" -o "$T/m.crm" && crm-import --dump "$T/m.crm" | sort > "$T/m.csv" && crm-import -q testdata/sample-orders.csv -o "$T/one.crm" && crm-import --dump "$T/one.crm" | sort | cmp - "$T/m.csv" && echo same
stderr: ^crm-import: 4 stores merged: 41246 orders read, 20000 orders written, 21246 duplicates skipped, 0 customers-file rows$
--- stdout
same
