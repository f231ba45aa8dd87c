# SPEC §18: stores and order files in one crm-import are refused (usage error), naming the fix
cmd: crm-import -q testdata/sample-orders.csv -o "$T/a.crm" && crm-import "$T/a.crm" testdata/sample-orders.csv -o "$T/b.crm"; s=$?; test -e "$T/b.crm" && echo written; exit $s
status: 2
stderr: ^crm-import: stores and order files cannot be mixed .*merge the stores, then --append the order files
--- stdout
