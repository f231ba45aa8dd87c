# --line-items unsorted keeps orders open past the window, where their line items cannot
# follow: with a product column it is a usage error naming --no-items, which then works
cmd: crm-import --line-items unsorted testdata/basket/cycle.csv -o $T/x.crm; echo "exit $?"; crm-import -q --line-items unsorted --no-items testdata/basket/cycle.csv -o $T/y.crm && crm-import --check $T/y.crm >/dev/null && echo ok
stderr: --line-items unsorted does not keep line items \(products\): add --no-items
--- stdout
exit 2
ok
