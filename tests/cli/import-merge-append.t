# SPEC §18: stores merged onto an existing store (--append): ids already stored are skipped;
# --partition with stores as input re-partitions them (the same stores as from the CSV)
cmd: crm-import -q --partition 2 testdata/sample-orders.csv -o "$T/p.%d.crm" && crm-import -q "$T/p.0.crm" -o "$T/a.crm" && crm-import "$T/p.1.crm" "$T/p.0.crm" --append "$T/a.crm" && crm-import --dump "$T/a.crm" | sort > "$T/a.csv" && crm-import -q testdata/sample-orders.csv -o "$T/one.crm" && crm-import --dump "$T/one.crm" | sort | cmp - "$T/a.csv" && echo same && crm-import -q --partition 2 "$T/a.crm" -o "$T/r.%d.crm" && crm-import --dump "$T/r.1.crm" > "$T/r.csv" && crm-import --dump "$T/p.1.crm" | cmp - "$T/r.csv" && echo repartitioned
stderr: ^crm-import: 2 stores merged: 20000 orders read, 9377 orders written, 10623 duplicates skipped, 0 customers-file rows$
--- stdout
same
repartitioned
