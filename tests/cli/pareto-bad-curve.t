# --curve needs at least one interval
cmd: crm-pareto --curve 0 testdata/pareto-small.csv
status: 2
stderr: --curve 0: expected a whole number from 1
