# --summary, --care and --kpi are separate reports
cmd: crm-segment --care --kpi testdata/kpi-orders.csv
status: 2
stderr: ^crm-segment: --summary, --care and --kpi are separate reports
