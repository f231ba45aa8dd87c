# A calibration end on the last day of the data leaves no holdout: usage error.
cmd: crm-churn --calibration-end 2024-12-31 testdata/churn-edge.csv
status: 2
stderr: ^crm-churn: --calibration-end 2024-12-31 leaves no holdout: the data ends 2024-12-31$
--- stdout
