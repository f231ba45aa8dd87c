# the seed scheme scores each customer alone: no partials to emit
cmd: crm-rfm --as-of 2025-01-01 --emit-partial "$T/p" testdata/sample-orders.csv
status: 2
stderr: ^crm-rfm: .*are for --scheme quintile
