# an unknown option is a usage error: exit 2 with a hint
cmd: crm-import --no-such-option -o "$T/x.crm" testdata/sample-orders.csv
status: 2
stderr: unrecognized option
stderr: Try 'crm-import --help'
