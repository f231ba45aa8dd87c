#!/usr/bin/env bash
# The README's cron recipe, run as written (only /srv/crm replaced by an empty temporary
# directory) for three nights under faketime: night 1 creates the store from the backlog
# export, night 2 appends the day's orders (keeping the store's zone without --tz), night 3
# gets a stale export (yesterday's file holds only old orders) and --max-age 2 makes the
# run exit 1 with "stale data" in the log, writing no care list.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${B:-build}
PATH="$PWD/$B/bin:$PATH"
export LC_ALL=C.UTF-8 TZ=UTC
ok() { echo "ok cron night $*"; }
nok() { echo "not ok cron night $*"; }
if ! command -v faketime >/dev/null; then echo "skip cron recipe: faketime not installed"; exit 0; fi
t=$(mktemp -d /tmp/crm-cron-XXXXXX)
trap 'rm -rf "$t"' EXIT

# the recipe, as README.md prints it
awk '/^\*\*Every night from cron/ {on = 1} on && /^```$/ {n++; next} on && n == 1 {print}
     n == 2 {exit}' README.md | sed "s|/srv/crm|$t|g" >"$t/nightly"
chmod +x "$t/nightly"
grep -q -- '--append shop.crm' "$t/nightly" || { nok "0: recipe not found in README.md"; exit 0; }

mkdir "$t/exports"
# night 1's file is the backlog: a year of orders up to 2024-06-01
"$B"/scripts/gen -n 4000 -s 3 --end 2024-06-01 >"$t/exports/orders-2024-06-01.csv"
# night 2: the orders of 2024-06-02 (new order ids)
"$B"/scripts/gen -n 400 -s 4 --days 1 --end 2024-06-02 |
    awk -F, 'NR > 1 {$1 = "D2-" $1} 1' OFS=, >"$t/exports/orders-2024-06-02.csv"
# night 3 (2024-06-05): the export job broke and wrote old orders again
cp "$t/exports/orders-2024-06-01.csv" "$t/exports/orders-2024-06-04.csv"

night() { # N DATE: run the recipe at 02:30 on DATE; sets rc
    faketime "$2 02:30:00" "$t/nightly" >>"$t/nightly.log" 2>&1
    rc=$?
}
orders() { crm-import --check "$t/shop.crm" | sed -n 's/^orders: \([0-9]*\).*/\1/p'; }

night 1 2024-06-02
if [ $rc -ne 0 ]; then nok "1: exit $rc: $(tail -3 "$t/nightly.log")"
elif ! grep -q 'no store there yet; created it' "$t/nightly.log"; then nok "1: no 'created' message"
elif [ "$(orders)" != 4000 ]; then nok "1: store holds $(orders) orders, want 4000"
elif ! crm-import --check "$t/shop.crm" | grep -q 'time zone Asia/Shanghai'; then nok "1: zone"
elif [ ! -s "$t/care/care-2024-06-02.csv" ] || [ ! -s "$t/churn.csv" ]; then nok "1: lists missing"
else ok "1: store created (4000 orders, Asia/Shanghai), care, KPI and churn lists written"; fi

night 2 2024-06-03
if [ $rc -ne 0 ]; then nok "2: exit $rc: $(tail -3 "$t/nightly.log")"
elif [ "$(orders)" != 4400 ]; then nok "2: store holds $(orders) orders, want 4400"
elif [ ! -s "$t/care/care-2024-06-03.csv" ]; then nok "2: care list missing"
elif ! head -1 "$t/kpi-month.csv" | grep -q .; then nok "2: KPI list empty"
else ok "2: 400 orders appended, lists of 2024-06-03 written"; fi

cp "$t/churn.csv" "$t/churn.before"
night 3 2024-06-05
if [ $rc -ne 1 ]; then nok "3: exit $rc, want 1 (stale export)"
elif ! grep -q 'stale data: the newest order is from 2024-06-02, 3 days before the as-of date 2024-06-05 (--max-age 2)' "$t/nightly.log"
then nok "3: log lacks the stale-data message: $(tail -2 "$t/nightly.log")"
elif [ -e "$t/care/care-2024-06-05.csv" ]; then nok "3: a stale care list was written"
elif ! cmp -s "$t/churn.csv" "$t/churn.before"; then nok "3: churn.csv changed"
elif [ "$(orders)" != 4400 ]; then nok "3: store holds $(orders) orders, want 4400"
else ok "3: stale export: exit 1, 'stale data' logged, no list written, store unchanged"; fi
