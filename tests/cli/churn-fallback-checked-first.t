# The fallback file is read before anything else, so a broken or mismatched one fails on
# the first night, not on the night the fit fails.
cmd: crm-churn --fallback-params testdata/churn-params-day.csv testdata/sample-orders.csv
status: 2
stderr: ^crm-churn: --fallback-params testdata/churn-params-day.csv was fitted in days, but this fit is in weeks \(--unit\)$
