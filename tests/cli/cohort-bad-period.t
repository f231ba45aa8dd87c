# an unknown period is a usage error naming the choices
cmd: crm-cohort --period year testdata/kpi-orders.csv
status: 2
stderr: ^crm-cohort: --period year: expected month, week or quarter
