# SPEC 13.1: a tool importing on the fly never suggests an option it does not take
cmd: crm-rfm testdata/decimal-comma.csv
status: 1
stderr: over --max-reject-rate 0.01; no store written; the first: testdata/decimal-comma.csv:2: bad amount "1.234,50" in column 4 \(a decimal comma\? import with crm-import --decimal-comma\)
--- stdout
