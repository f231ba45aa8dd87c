# a heatmap that cannot be created is an I/O failure (exit 1) naming the file; no report
cmd: crm-cohort --as-of 2024-04-01 --matrix --svg "$T/no/such/dir/h.svg" testdata/kpi-orders.csv
status: 1
stderr: ^crm-cohort: .*no/such/dir/h\.svg: cannot create output
--- stdout
