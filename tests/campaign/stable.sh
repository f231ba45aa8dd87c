#!/usr/bin/env bash
# Stable control groups (SPEC §16): the same salt, holdout and customer always give the same
# group — across runs, list orders and lists, and on another machine (tests/campaign/group.py
# reimplements the hash from the man page and must agree on every customer); the control
# share is within sampling error of F; crm-segment --care --holdout gives exactly what
# crm-campaign split gives on the care list.
set -uo pipefail
cd "$(dirname "$0")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; shift; printf '    %s\n' "$@"; }
same() { if cmp -s "$2" "$3"; then ok "$1"; else notok "$1" "$(diff "$2" "$3" | head -4)"; fi; }

n=50000
{ echo "customer_id,reason"
  awk -v n=$n 'BEGIN { for (i = 1; i <= n - 3; i++) printf "%d,after-7d\n", 10000 + i
                       print "王小明,birthday"; print "\"a, b\",win-back"; print "C-0001,x" }'
} >"$T/list.csv"
{ head -n 1 "$T/list.csv"; tail -n +2 "$T/list.csv" | tac; } >"$T/reversed.csv"

crm-campaign split --holdout 0.1 --salt spring-2024 "$T/list.csv" >"$T/a.csv"
crm-campaign split --holdout 0.1 --salt spring-2024 <"$T/reversed.csv" >"$T/b.csv"
crm-campaign split --holdout 0.1 --salt spring-2024 "$T/list.csv" >"$T/a2.csv"
same "stable: two runs give the same bytes" "$T/a.csv" "$T/a2.csv"
sort "$T/a.csv" >"$T/a.sorted"
sort "$T/b.csv" >"$T/b.sorted"
same "stable: the list reversed gives every customer the same group" "$T/a.sorted" "$T/b.sorted"
head -n 1001 "$T/reversed.csv" | crm-campaign split --holdout 0.1 --salt spring-2024 |
    tail -n +2 | sort >"$T/part.sorted"
join -t '|' <(sed 's/,/|/' "$T/part.sorted" | sort) <(sed 's/,/|/' "$T/a.sorted" | sort) |
    awk -F'|' '$2 != $3 { bad++ } END { exit bad > 0 || NR != 1000 }'
if [ $? = 0 ]; then ok "stable: a shorter list gives its 1000 customers the same groups"
else notok "stable: a shorter list gives other groups"; fi

# another machine: the hash of the man page, written again in Python
tail -n +2 "$T/list.csv" | python3 -c '
import csv, sys
for row in csv.reader(sys.stdin): print(row[0])' >"$T/ids"
python3 group.py spring-2024 0.1 <"$T/ids" | sort >"$T/py.csv"
tail -n +2 "$T/a.csv" | python3 -c '
import csv, sys
for row in csv.reader(sys.stdin): print("%s,%s" % (row[0], row[2]))' | sort >"$T/tool.csv"
same "stable: group.py (the man page's rule in Python) agrees on all $n customers" \
    "$T/tool.csv" "$T/py.csv"

for f in 0.05 0.1 0.5; do
    c=$(crm-campaign split --holdout $f --salt s-$f "$T/list.csv" | grep -c ',control$')
    if awk -v c="$c" -v f=$f -v n=$n 'BEGIN { se = sqrt(f * (1 - f) / n)
                                            exit !(c / n - f < 3.5 * se && f - c / n < 3.5 * se) }'
    then ok "stable: holdout $f: $c of $n in control"
    else notok "stable: holdout $f: $c of $n in control, beyond 3.5 standard errors"; fi
done

# crm-segment --care --holdout is crm-campaign split of the care list
gen -n 20000 -s 5 --end 2024-06-30 >"$T/orders.csv"
crm-import -q "$T/orders.csv" -o "$T/shop.crm"
crm-segment --care --on 2024-06-20 "$T/shop.crm" >"$T/care.csv"
crm-campaign split --holdout 0.2 --salt care-0620 "$T/care.csv" >"$T/care-split.csv"
crm-segment --care --on 2024-06-20 --holdout 0.2 --salt care-0620 "$T/shop.crm" \
    >"$T/care-holdout.csv"
rows=$(($(wc -l <"$T/care.csv") - 1))
if [ "$rows" -gt 50 ]; then
    same "stable: crm-segment --care --holdout = crm-campaign split ($rows care rows)" \
        "$T/care-holdout.csv" "$T/care-split.csv"
else
    notok "stable: the care list has only $rows rows"
fi
