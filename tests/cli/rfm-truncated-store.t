# a store cut short (copied while being written) says so plainly, exit 1
cmd: crm-import -q testdata/sample-orders.csv -o "$T/s.crm" && head -c 3000 "$T/s.crm" > "$T/cut.crm" && crm-rfm "$T/cut.crm"
status: 1
stderr: ^crm-rfm: .*cut.crm: the store is 3000 bytes but its header records [0-9]+: truncated
