# same input, same bytes: a store on a pipe (default as-of: kept in memory), a store file,
# and the CSV imported on the fly all give identical output
cmd: crm-import -q testdata/sample-orders.csv -o "$T/s.crm" && crm-rfm "$T/s.crm" >"$T/a" && crm-rfm <"$T/s.crm" >"$T/b" && crm-rfm testdata/sample-orders.csv >"$T/c" && crm-rfm --as-of 2025-01-01 <"$T/s.crm" >"$T/d" && cmp "$T/a" "$T/b" && cmp "$T/a" "$T/c" && cmp "$T/a" "$T/d" && wc -l <"$T/a"
stderr-empty
--- stdout
1977
