# cut points of average order values do not score totals
cmd: crm-rfm --scheme quintile --as-of 2025-01-01 --emit-partial "$T/p" testdata/sample-orders.csv && crm-rfm --scheme quintile --merge-partials "$T/p" -o "$T/cuts" && crm-rfm --scheme quintile --monetary total --cuts "$T/cuts" testdata/sample-orders.csv
status: 2
stderr: ^crm-rfm: .*/cuts:6: monetary avg, but the command line has monetary total
