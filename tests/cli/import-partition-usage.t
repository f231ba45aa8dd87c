# --partition needs an -o pattern with %d
cmd: crm-import --partition 4 testdata/sample-orders.csv -o "$T/x.crm"
status: 2
stderr: --partition: -o .*x.crm must contain %d once
