# a malformed row is a data error naming the file and line
cmd: crm-rfm --scheme quintile --as-of 2025-01-01 --emit-partial - testdata/sample-orders.csv | sed '11s/ .*/ x/' > "$T/p" && crm-rfm --scheme quintile --merge-partials "$T/p"
status: 1
stderr: ^crm-rfm: .*/p:11: count "x": expected a whole number >= 0
