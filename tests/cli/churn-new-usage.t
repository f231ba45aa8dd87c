# Usage errors of the second edition's options name the option and the fix.
cmd: crm-churn --forecast month:0 testdata/sample-orders.csv; echo $?; crm-churn --forecast year:2 testdata/sample-orders.csv; echo $?; crm-churn --penalty -1 testdata/sample-orders.csv; echo $?; crm-churn --intervals 2 testdata/sample-orders.csv; echo $?; crm-churn --compare --params testdata/churn-params-day.csv testdata/sample-orders.csv; echo $?; crm-churn --fallback-params testdata/churn-params-day.csv --params testdata/churn-params-day.csv testdata/sample-orders.csv; echo $?
stderr: ^crm-churn: --forecast 0: expected a number from 1 to 1000$
stderr: ^crm-churn: --forecast year:2: expected week:N, month:N or quarter:N
stderr: ^crm-churn: --penalty
stderr: ^crm-churn: --intervals
stderr: ^crm-churn: --compare and --model best fit every model: not with --params
stderr: ^crm-churn: --fallback-params stands in for a failed fit: not with --params
--- stdout
2
2
2
2
2
2
