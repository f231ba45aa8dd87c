# SPEC 13.1: a misspelt option gets did you mean (exit 2)
cmd: crm-import --decimal-coma testdata/decimal-comma.csv
status: 2
stderr: ^crm-import: unknown option --decimal-coma; did you mean --decimal-comma\?
--- stdout
