# SPEC 13.1: assumptions are announced on stderr even with -q
cmd: crm-import -q testdata/no-status-no-id.csv -o "$T/n.crm"
status: 0
stderr: note: no status column: every row taken as paid
stderr: note: no order id column: duplicates cannot be detected; --append cannot skip re-imported orders
--- stdout
