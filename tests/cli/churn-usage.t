# Usage errors: exit 2 and a pointer to --help.
cmd: crm-churn --model pareto testdata/churn-edge.csv
status: 2
stderr: ^crm-churn: --model pareto: expected bgnbd, mbgnbd, pnbd or best$
stderr: ^Try 'crm-churn --help'
--- stdout
