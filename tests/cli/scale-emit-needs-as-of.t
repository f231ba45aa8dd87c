# a partition's default as-of date (the day after ITS latest order) may differ from its
# neighbours': --emit-partial insists on --as-of
cmd: crm-churn --emit-partial "$T/p" testdata/sample-orders.csv
status: 2
stderr: ^crm-churn: --emit-partial needs --as-of
