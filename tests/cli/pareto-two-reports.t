# --summary and --curve are two different reports
cmd: crm-pareto --summary --curve 10 testdata/pareto-small.csv
status: 2
stderr: --summary and --curve
