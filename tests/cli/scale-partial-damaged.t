# an edited partial is caught by its CRC at its end line (exit 1: data)
cmd: crm-rfm --scheme quintile --as-of 2025-01-01 --emit-partial - testdata/sample-orders.csv | sed '12s/ [0-9]*$/ 99/' > "$T/p" && crm-rfm --scheme quintile --merge-partials "$T/p"
status: 1
stderr: ^crm-rfm: .*/p:[0-9]+: checksum [0-9a-f]{8}, but the partial's bytes give [0-9a-f]{8}: it was damaged or edited
