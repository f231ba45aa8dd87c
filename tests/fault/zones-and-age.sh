#!/usr/bin/env bash
# The store's time zone rules every later step, and stale data is caught (SPEC §13.3):
# --append without --tz uses the store's zone; another --tz is refused; --tz must name a
# TZif zone; --as-of today is today in the store's zone; --append creates a missing store
# and says so; --max-age DAYS exits 1 past DAYS days, on every analytic tool.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${B:-build}
PATH="$PWD/$B/bin:$PATH"
export LC_ALL=C.UTF-8 TZ=UTC
t=$(mktemp -d /tmp/crm-zones-XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t"
ok() { echo "ok $*"; }
nok() { echo "not ok $*"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

printf 'order_id,customer_id,order_time,amount,status\n1,a,2024-01-01T10:00:00+00:00,5.00,paid\n' >d1.csv
printf 'order_id,customer_id,order_time,amount,status\n2,a,2024-01-01T10:00:00+00:00,5.00,paid\n' >d2.csv
crm-import -q d1.csv --tz Asia/Shanghai -o sh.crm
crm-import -q d2.csv --append sh.crm
check "--append without --tz stores 10:00 UTC as the store's 18:00 Shanghai, as the import did" \
    '[ "$(crm-import --dump sh.crm | tail -n +2 | cut -d, -f3 | sort -u)" = "2024-01-01 18:00:00" ]'
crm-import -q d2.csv --append sh.crm --tz Europe/Berlin 2>err; rc=$?
check "--append --tz ANOTHER-ZONE is exit 2 naming both zones" \
    '[ $rc -eq 2 ] && grep -q "Europe/Berlin: the store keeps its times in time zone Asia/Shanghai" err'

for z in Asia Europe zone.tab iso3166.tab ../../../etc/passwd /usr/share/zoneinfo/UTC Nowhere/City \
         "Asia/../../../../etc/hostname" ""; do
    crm-import -q d1.csv --tz "$z" -o bad.crm 2>err; rc=$?
    check "--tz '$z' is exit 2 (not a zone): $(head -1 err | cut -c1-90)" \
        '[ $rc -eq 2 ] && grep -q -- "--tz" err && [ ! -e bad.crm ]'
done
for z in Asia/Shanghai UTC Etc/GMT+12 America/Argentina/Buenos_Aires; do
    check "--tz $z is a zone" "crm-import -q d1.csv --tz $z -o good.crm"
done

# --as-of today in the store's zone: Kiritimati (UTC+14) and the process in UTC-12 are a
# day or two apart at every hour, so the two "today"s always differ.
printf 'order_id,customer_id,order_time,amount\n1,k,2020-01-01 12:00:00,5.00\n' >k.csv
crm-import -q k.csv --tz Pacific/Kiritimati -o ki.crm
days() { echo $(( ($(date -u -d "$1" +%s) - $(date -u -d 2020-01-01 +%s)) / 86400 )); }
want=$(days "$(TZ=Pacific/Kiritimati date +%F)")
got=$(TZ=Etc/GMT+12 crm-rfm --as-of today --window all ki.crm | awk -F, 'NR == 2 {print $4}')
check "--as-of today is today in the store's zone (recency $got, want $want)" '[ "$got" = "$want" ]'

# --append to a missing store creates it, and says so even with -q
crm-import -q d1.csv --append new.crm --tz Asia/Shanghai 2>err; rc=$?
check "--append to a missing store creates it with a message" \
    '[ $rc -eq 0 ] && grep -q "new.crm: no store there yet; created it (time zone Asia/Shanghai)" err &&
     crm-import --check new.crm | grep -q "orders: 1 "'
crm-import -q d2.csv --append new.crm 2>err
check "the next --append adds to it without a message" \
    '[ ! -s err ] && crm-import --check new.crm | grep -q "orders: 2 "'

# --max-age: the newest order is 2024-01-02
printf 'order_id,customer_id,order_time,amount\n1,a,2023-12-01 10:00:00,5.00\n2,b,2024-01-02 10:00:00,7.00\n3,a,2024-01-02 11:00:00,3.00\n' >age.csv
crm-import -q age.csv -o age.crm
for tool in "crm-rfm" "crm-segment" "crm-segment --kpi" "crm-pareto" "crm-churn --method rules"; do
    $tool --as-of 2024-01-12 --max-age 10 age.crm >/dev/null 2>err; rc0=$?
    $tool --as-of 2024-01-12 --max-age 9 age.crm >out 2>err; rc1=$?
    check "$tool --max-age: 10 days old passes 10 (exit $rc0), fails 9 (exit $rc1)" \
        '[ $rc0 -eq 0 ] && [ $rc1 -eq 1 ] && [ ! -s out ] &&
         grep -q "stale data: the newest order is from 2024-01-02, 10 days before the as-of date 2024-01-12 (--max-age 9)" err'
done
check "--max-age without --as-of passes (the default as-of is the day after the newest order)" \
    'crm-rfm --max-age 1 age.crm >/dev/null'
check "--max-age on a pipe" 'cat age.crm | crm-rfm --as-of 2024-01-12 --max-age 9 2>/dev/null; [ $? -eq 1 ]'
crm-rfm --max-age soon age.crm 2>err; rc=$?
check "--max-age soon is exit 2" '[ $rc -eq 2 ] && grep -q "max-age soon" err'
crm-import --max-age 3 age.csv -o x.crm 2>err; rc=$?
check "crm-import --max-age is exit 2" '[ $rc -eq 2 ]'
