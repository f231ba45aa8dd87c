# --window 0 is no window at all: a usage error (all history is --window all)
cmd: crm-rfm --window 0 testdata/sample-orders.csv
status: 2
stderr: ^crm-rfm: --window 0: expected a number of days .* or all
