# A fit in days used with --unit week is refused (α is in the fit's unit).
cmd: crm-churn --unit week --params testdata/churn-params-day.csv testdata/churn-edge.csv
status: 2
stderr: ^crm-churn: --unit week but testdata/churn-params-day.csv was fitted in days$
--- stdout
