#!/usr/bin/env bash
# Output files that cannot be lost (SPEC §13.3), each case of issue 21 as a regression:
# a symlink given to -o or --rejects is written through (the link stays a link); /dev/stderr
# with 2>>cron.log appends to the log (and /dev/stderr stays the system's); /dev/fd/N and
# FIFOs are written directly; an output that is the same file as an input, the store or
# another output is exit 2 with every file unchanged.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${B:-build}
ROOT=$PWD
PATH="$PWD/$B/bin:$PATH"
export LC_ALL=C.UTF-8 TZ=UTC
t=$(mktemp -d /tmp/crm-files-XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t"
ok() { echo "ok $*"; }
nok() { echo "not ok $*"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

cat >in.csv <<'CSV'
order_id,customer_id,order_time,amount,status
1,alice,2024-01-01 10:00:00,5.00,paid
2,bob,2024-01-02 11:00:00,7.50,paid
3,,2024-01-03 12:00:00,1.00,paid
CSV
crm-import -q --max-reject-rate 1 in.csv -o shop.crm || nok "set-up import"

# -- symlinks: written through, the link stays
mkdir real
ln -s real/store.crm link.crm
crm-import -q --max-reject-rate 1 in.csv -o link.crm --rejects rej-link.csv
ln -s real/rejects.csv rej-link2.csv
crm-import -q --max-reject-rate 1 in.csv -o link.crm --rejects rej-link2.csv
check "-o SYMLINK (dangling) creates the target and keeps the link" \
    '[ -L link.crm ] && [ -f real/store.crm ] && crm-import --check link.crm | grep -q "orders: 2"'
check "--rejects SYMLINK is written through, the link stays" \
    '[ -L rej-link2.csv ] && grep -q "empty customer_id" real/rejects.csv'
ln -s shop.crm shop-link.crm
crm-rfm --as-of 2024-02-01 shop.crm -o report-link.csv 2>/dev/null
ln -sf real/report.csv report-link.csv
crm-rfm --as-of 2024-02-01 shop.crm -o report-link.csv
check "crm-rfm -o SYMLINK writes the report through the link" \
    '[ -L report-link.csv ] && head -1 real/report.csv | grep -q "^customer_id,"'
ls -a real | grep -q tmp- && nok "a temporary file was left beside a link target" \
    || ok "no temporary file left beside the link targets"

# -- /dev/stderr, /dev/stdout, /dev/fd/N: the descriptor, appended to; never replaced
echo "night 1" >cron.log
crm-import -q --max-reject-rate 1 in.csv -o s2.crm --rejects /dev/stderr 2>>cron.log
check "--rejects /dev/stderr 2>>cron.log appends to the log" \
    '[ "$(head -1 cron.log)" = "night 1" ] && grep -q "empty customer_id" cron.log'
check "/dev/stderr is still the system's link (not a regular file)" \
    '[ -L /dev/stderr ] || [ -c /dev/stderr ]'
echo "before" >out.log
crm-rfm --as-of 2024-02-01 shop.crm -o /dev/stdout >>out.log
check "crm-rfm -o /dev/stdout >>out.log appends" \
    '[ "$(head -1 out.log)" = before ] && [ "$(sed -n 2p out.log | cut -d, -f1)" = customer_id ]'
crm-rfm --as-of 2024-02-01 shop.crm -o /dev/fd/3 3>fd3.csv
check "-o /dev/fd/3 writes to descriptor 3" '[ "$(wc -l <fd3.csv)" -eq 3 ]'
mkfifo fifo
(cat fifo >fifo.out) &
crm-rfm --as-of 2024-02-01 shop.crm -o fifo
wait
check "-o FIFO is written directly and stays a FIFO" '[ -p fifo ] && [ "$(wc -l <fifo.out)" -eq 3 ]'
check "-o /dev/null works and stays a device" \
    'crm-rfm --as-of 2024-02-01 shop.crm -o /dev/null && [ -c /dev/null ]'

# -- the same file: exit 2, nothing written or changed
cp shop.crm shop.orig; cp in.csv in.orig
ln in.csv hard-in.csv
same() { # name, command...
    local name=$1; shift
    "$@" >/dev/null 2>err; local rc=$?
    if [ $rc -ne 2 ]; then nok "$name: exit $rc, want 2"
    elif ! grep -q "is the same file as" err; then nok "$name: message: $(head -1 err)"
    elif ! cmp -s shop.crm shop.orig || ! cmp -s in.csv in.orig; then nok "$name: a file changed"
    elif ls | grep -q 'tmp-'; then nok "$name: temporary left"
    else ok "$name: exit 2, nothing changed: $(head -1 err | cut -c1-110)"; fi
}
same "--append shop.crm --rejects shop.crm" crm-import in.csv --append shop.crm --rejects shop.crm
same "-o shop.crm --rejects shop.crm" crm-import in.csv -o shop.crm --rejects shop.crm
same "crm-rfm shop.crm -o shop.crm" crm-rfm --as-of 2024-02-01 shop.crm -o shop.crm
same "crm-rfm shop.crm -o LINK-TO-shop.crm" crm-rfm --as-of 2024-02-01 shop.crm -o shop-link.crm
same "--rejects in.csv" crm-import --max-reject-rate 1 in.csv --rejects in.csv -o new.crm
same "--rejects HARD-LINK-OF-in.csv" crm-import --max-reject-rate 1 in.csv --rejects hard-in.csv -o n.crm
same "-o in.csv" crm-import in.csv -o in.csv
same "--append in.csv" crm-import in.csv --append in.csv
printf 'customer_id,blocked\nalice,false\n' >cust.csv; cp cust.csv cust.orig
same "--customers FILE -o FILE" crm-import in.csv --customers cust.csv -o cust.csv
check "the customers file is unchanged" 'cmp -s cust.csv cust.orig'
same "crm-segment shop.crm -o shop.crm" crm-segment --as-of 2024-02-01 shop.crm -o shop.crm
same "crm-pareto --svg shop.crm" crm-pareto --as-of 2024-02-01 shop.crm --svg shop.crm
same "crm-pareto -o R --svg R" crm-pareto --as-of 2024-02-01 shop.crm -o r.csv --svg r.csv
same "crm-import --dump shop.crm -o shop.crm" crm-import --dump shop.crm -o shop.crm
check "new.crm, n.crm, x.crm and r.csv were never written" \
    '[ ! -e new.crm ] && [ ! -e n.crm ] && [ ! -e x.crm ] && [ ! -e r.csv ]'
# an input read twice is no danger: allowed (its orders are duplicates the second time)
crm-import -q --max-reject-rate 1 in.csv hard-in.csv -o twice.crm 2>err; rc=$?
check "the same input given twice is allowed (exit $rc)" \
    '[ $rc -eq 0 ] && crm-import --check twice.crm | grep -q "orders: 2 "'

# -- a large store or report to -o goes back to the disk as it is written (sync_file_range
#    every 8 MB), so the fsync before the commit waits for the last few MB; stdout is left
#    alone
if strace -qq -o /dev/null true 2>/dev/null && [ -x "$ROOT/$B/scripts/gen" ]; then
    "$ROOT/$B/scripts/gen" --orders 2500000 --customers 300000 --seed 3 >big.csv
    strace -f -qq -e trace=sync_file_range,fsync -o wb-import.trace crm-import -q big.csv -o big.crm
    size=$(stat -c %s big.crm)
    n=$(grep -c 'sync_file_range(.*SYNC_FILE_RANGE_WRITE) = 0' wb-import.trace)
    check "a store of $size bytes: $n write-behind hints before the commit's fsync" \
        '[ "$size" -gt 16777216 ] && [ "$n" -ge 1 ] && crm-import --check big.crm >/dev/null &&
         [ "$(grep -n fsync wb-import.trace | head -n 1 | cut -d: -f1)" -gt \
           "$(grep -n sync_file_range wb-import.trace | tail -n 1 | cut -d: -f1)" ]'
    strace -f -qq -e trace=sync_file_range,fsync -o wb.trace \
        crm-rfm --as-of 2025-01-01 big.crm -o big-rfm.csv
    crm-rfm --as-of 2025-01-01 big.crm >big-stdout.csv
    strace -f -qq -e trace=sync_file_range -o wb-stdout.trace \
        crm-rfm --as-of 2025-01-01 big.crm >big-stdout2.csv
    size=$(stat -c %s big-rfm.csv)
    n=$(grep -c 'sync_file_range(.*SYNC_FILE_RANGE_WRITE) = 0' wb.trace)
    check "-o of $size bytes: $n write-behind hints before the fsync, same bytes as stdout" \
        '[ "$size" -gt 16777216 ] && [ "$n" -ge 2 ] && cmp -s big-rfm.csv big-stdout.csv &&
         [ "$(grep -n fsync wb.trace | head -n 1 | cut -d: -f1)" -gt \
           "$(grep -n sync_file_range wb.trace | tail -n 1 | cut -d: -f1)" ]'
    check "stdout redirected to a file gets no write-behind hint" \
        '! grep -q sync_file_range wb-stdout.trace && cmp -s big-stdout.csv big-stdout2.csv'
else
    echo "skip write-behind: strace (or tracing) or build/scripts/gen not available"
fi
