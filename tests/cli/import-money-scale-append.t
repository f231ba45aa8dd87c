# SPEC 13.1: the money scale is chosen when the store is created; --append with another one is a usage error and changes nothing
cmd: crm-import -q --money-scale 3 --max-reject-rate 1 testdata/money-decimals.csv -o "$T/m.crm" && cp "$T/m.crm" "$T/before" && { crm-import -q --append "$T/m.crm" --money-scale 2 testdata/money-decimals.csv; echo "exit $?"; } && cmp "$T/m.crm" "$T/before" && echo unchanged
status: 0
stderr: --money-scale 2: the store keeps money with 3 decimals
--- stdout
exit 2
unchanged
