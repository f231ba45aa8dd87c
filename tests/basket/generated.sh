#!/usr/bin/env bash
# Line items on generated data (scripts/gen --products): the orders are the ones gen writes
# without --products (same amounts, so crm-rfm is identical), crm-basket's pair counts equal
# an independent count in Python from the CSV, and the replenish reminders of a day equal an
# independent computation of each customer's median gap per product.
set -uo pipefail
cd "$(dirname "$0")/../.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; shift; printf '    %s\n' "$@"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got:  $2" "want: $3"; fi; }
gen -n 20000 --products 200 >"$T/g.csv"
crm-import -q "$T/g.csv" -o "$T/g.crm"
check "gen --products: crm-rfm as on the orders without products" \
    "$(crm-rfm "$T/g.crm" | md5sum)" "$(gen -n 20000 | crm-import -q | crm-rfm | md5sum)"
python3 - "$T/g.csv" >"$T/py.txt" <<'PY'
import csv, datetime, sys, math, itertools
orders, day = {}, {}
for r in csv.DictReader(open(sys.argv[1])):
    if r['status'] != 'paid':
        continue
    orders.setdefault(r['order_id'], (r['customer_id'], r['order_time'][:10], set()))[2].add(r['sku'])
one, pair = {}, {}
for c, d, s in orders.values():
    for p in s:
        one[p] = one.get(p, 0) + 1
T = max(1, math.ceil(0.01 * len(orders) - 1e-9))
for c, d, s in orders.values():
    for a, b in itertools.combinations(sorted(p for p in s if one[p] >= T), 2):
        pair[(a, b)] = pair.get((a, b), 0) + 1
print('pairs', ' '.join('%s,%s,%d' % (a, b, n) for (a, b), n in sorted(pair.items()) if n >= T))
on = datetime.date(2024, 12, 1)
days = {}
for c, d, s in orders.values():
    d = datetime.date.fromisoformat(d)
    if d < on:
        for p in s:
            days.setdefault((c, p), set()).add(d)
due = set()
for (c, p), s in days.items():
    d = sorted(s)
    if len(d) < 2:
        continue
    g = sorted((b - a).days for a, b in zip(d, d[1:]))
    m = len(g)
    cycle = g[m // 2] if m % 2 else (g[m // 2 - 1] + g[m // 2]) // 2
    if d[-1] + datetime.timedelta(days=cycle) == on:
        due.add(c)
print('due', ' '.join(sorted(due)))
PY
check "gen --products: pair counts at support 0.01 equal Python's" \
    "pairs $(crm-basket "$T/g.crm" | tail -n +2 | awk -F, '$1 < $2 { print $1 "," $2 "," $5 }' | sort | tr '\n' ' ' | sed 's/ $//')" \
    "$(grep '^pairs' "$T/py.txt")"
crm-segment --care --reasons replenish --on 2024-12-01 "$T/g.crm" >"$T/due.csv"
check "gen --products: replenish reminders of 2024-12-01 equal Python's" \
    "due $(tail -n +2 "$T/due.csv" | cut -d, -f1 | sort | tr '\n' ' ' | sed 's/ $//')" \
    "$(grep '^due' "$T/py.txt")"
check "gen --products: there are reminders to check (at least 10)" \
    "$([ "$(wc -l <"$T/due.csv")" -gt 10 ] && echo yes)" yes
