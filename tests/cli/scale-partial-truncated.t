# a partial cut short (a failed copy) is an error, not a smaller population
cmd: crm-rfm --scheme quintile --as-of 2025-01-01 --emit-partial - testdata/sample-orders.csv | head -n 30 > "$T/p" && crm-rfm --scheme quintile --merge-partials "$T/p"
status: 1
stderr: ^crm-rfm: .*/p:30: the partial ends before its end line
