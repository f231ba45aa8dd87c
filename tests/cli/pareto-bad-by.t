# --by takes monetary or frequency
cmd: crm-pareto --by recency testdata/pareto-small.csv
status: 2
stderr: ^crm-pareto: --by recency: expected monetary or frequency
