# --metric belongs to --matrix or --svg (the long table has every metric): usage error, exit 2.
cmd: crm-cohort --metric revenue testdata/kpi-orders.csv
status: 2
stderr: ^crm-cohort: --metric chooses what --matrix or --svg shows
