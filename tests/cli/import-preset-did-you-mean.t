# SPEC 13.1: a misspelt preset gets did you mean
cmd: crm-import --preset shopfy x.csv
status: 2
stderr: unknown preset; did you mean shopify\?
--- stdout
