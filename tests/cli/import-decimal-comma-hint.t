# SPEC 13.1: amounts that fail and look like decimal commas name --decimal-comma
cmd: crm-import testdata/decimal-comma.csv -o "$T/d.crm"
status: 1
stderr: bad amount "89,90" in column 4 \(a decimal comma\? use --decimal-comma\)
stderr: over --max-reject-rate
--- stdout
