# partials of another tool's step are refused by name
cmd: crm-rfm --scheme quintile --as-of 2025-01-01 --emit-partial "$T/p" testdata/sample-orders.csv && crm-churn --merge-partials "$T/p"
status: 2
stderr: ^crm-churn: .*/p:1: a rfm-quintiles partial; this step merges churn partials \(made by crm-churn --emit-partial\)
