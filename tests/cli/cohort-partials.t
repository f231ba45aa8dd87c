# scale-out: two partitions' partials merged give the single store's table, byte for byte.
cmd: crm-import -q --partition 2 testdata/kpi-orders.csv -o "$T/p.%d.crm" && for i in 0 1; do crm-cohort --as-of 2024-04-01 --emit-partial "$T/c.$i" "$T/p.$i.crm" || exit 1; done && crm-cohort --merge-partials "$T/c.0" "$T/c.1" > "$T/merged" && crm-cohort --as-of 2024-04-01 testdata/kpi-orders.csv | cmp - "$T/merged" && head -1 "$T/c.0"
stderr-empty
--- stdout
crmkit-partial 1 cohort
