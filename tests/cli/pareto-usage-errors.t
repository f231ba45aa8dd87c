# --net needs money: --by frequency with it is a usage error (exit 2)
cmd: crm-pareto --by frequency --net testdata/pareto-small.csv
status: 2
stderr: ^crm-pareto: --net applies to --by monetary
stderr: Try 'crm-pareto --help'
