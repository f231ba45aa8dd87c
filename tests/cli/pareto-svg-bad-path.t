# a chart that cannot be written is an I/O failure (exit 1) naming the file; no report
cmd: crm-pareto --svg "$T/no/such/dir/c.svg" testdata/pareto-small.csv
status: 1
stderr: ^crm-pareto: .*no/such/dir/c\.svg
--- stdout
