# --report compares with a holdout: without --calibration-end it is a usage error.
cmd: crm-churn --report $T/r.csv testdata/churn-edge.csv
status: 2
stderr: ^crm-churn: --report compares with a holdout: give --calibration-end$
--- stdout
