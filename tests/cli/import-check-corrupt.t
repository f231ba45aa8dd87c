# a damaged store is a clear error naming the chunk, exit 1
cmd: crm-import -q testdata/sample-orders.csv -o "$T/s.crm" && printf 'X' | dd of="$T/s.crm" bs=1 seek=5000 conv=notrunc 2>/dev/null && crm-import --check "$T/s.crm"
status: 1
stderr: ^crm-import: .*s.crm: chunk 0: checksum mismatch in block [0-9]+ at byte [0-9]+
