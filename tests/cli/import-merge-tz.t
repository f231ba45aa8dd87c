# SPEC §18: a merge never converts: a store of another time zone is refused, naming the store
cmd: crm-import -q testdata/sample-orders.csv -o "$T/utc.crm" && crm-import -q --tz Asia/Shanghai testdata/sample-orders.csv -o "$T/sh.crm" && crm-import "$T/sh.crm" "$T/utc.crm" -o "$T/m.crm"; s=$?; test -e "$T/m.crm" && echo written; exit $s
status: 2
stderr: utc.crm: time zone "", the merged store's is "Asia/Shanghai": import every split with the same --tz
--- stdout
