# the store is binary: crm-import refuses to write it to a terminal (script gives it a pty)
cmd: script -qec 'crm-import testdata/sample-orders.csv' /dev/null | tr -d '\r'
--- stdout
crm-import: refusing to write a binary store to a terminal; use -o STORE or a pipe
Try 'crm-import --help' for more information.
