# the k-way merge of ranked customers reads every partial in step: files, not a pipe
cmd: crm-pareto --as-of 2025-01-01 --emit-partial - testdata/sample-orders.csv | crm-pareto --merge-partials
status: 2
stderr: ^crm-pareto: stdin:[0-9]+: ranked customers are merged from files, not from a pipe
