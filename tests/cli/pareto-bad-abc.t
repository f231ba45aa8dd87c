# --abc wants A <= B
cmd: crm-pareto --abc 95,80 testdata/pareto-small.csv
status: 2
stderr: ^crm-pareto: --abc wants two percents
