# the same partition given twice (a glob that catches a copy) would count it twice: refused
cmd: crm-import -q --partition 2 testdata/sample-orders.csv -o "$T/s.%d.crm" && for i in 0 1; do crm-churn --as-of 2025-01-01 --emit-partial "$T/c.$i" "$T/s.$i.crm"; done && cp "$T/c.1" "$T/c.1.bak" && crm-churn --merge-partials "$T"/c.*
status: 2
stderr: ^crm-churn: .*c\.1.*:1: the same partition \([0-9]+ customers, fingerprint [0-9a-f]{16}\) as .*c\.1.* line 1: a partial given twice\?
