# an order file given to the merge by mistake
cmd: crm-segment --merge-partials testdata/sample-orders.csv
status: 2
stderr: ^crm-segment: testdata/sample-orders.csv:1: not a crmkit partial
