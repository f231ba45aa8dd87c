# --emit-partial names the output; -o as well is a mistake
cmd: crm-pareto --as-of 2025-01-01 --emit-partial "$T/p" -o "$T/q" testdata/sample-orders.csv
status: 2
stderr: ^crm-pareto: -o .*/q: --emit-partial names the output
