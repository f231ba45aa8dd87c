# over --max-reject-rate (default 0.01): exit 1, and no store is written
cmd: crm-import testdata/messy-orders.csv -o "$T/m.crm"; echo "exit $?"; ls "$T"
stderr: ^crm-import: 6 of 12 rows rejected \(50.00%\), over --max-reject-rate 0.01; no store written
--- stdout
exit 1
