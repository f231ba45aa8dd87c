# a heatmap whose write fails (a full disk) is an I/O failure naming the file; no report
cmd: crm-cohort --as-of 2024-04-01 --matrix --svg /dev/full testdata/kpi-orders.csv
status: 1
stderr: ^crm-cohort: /dev/full: write failed: No space left on device
--- stdout
