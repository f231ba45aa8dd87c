# an unknown reason is a usage error naming it
cmd: crm-segment --care --reasons birthday,anniversary testdata/kpi-orders.csv
status: 2
stderr: ^crm-segment: --reasons birthday,anniversary: "anniversary" is not one of
