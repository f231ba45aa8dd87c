# x = 0 for everyone but one customer: the model cannot be identified: exit 1, a clear message.
cmd: crm-churn testdata/churn-one-repeater.csv
status: 1
stderr: ^crm-churn: bgnbd fit: .*the data cannot identify the model$
--- stdout
