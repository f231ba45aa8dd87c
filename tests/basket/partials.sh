#!/usr/bin/env bash
# crm-basket over partitions (SPEC §12, §17): the two rounds of partials (product counts →
# frequent products → pair and triple counts → rules) give exactly the rules of one store,
# on generated orders with products split into 3 partitions by customer.
set -uo pipefail
cd "$(dirname "$0")/../.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; shift; printf '    %s\n' "$@"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got:  $2" "want: $3"; fi; }
gen -n 20000 --products 200 >"$T/g.csv"
crm-import -q "$T/g.csv" -o "$T/all.crm"
crm-import -q --partition 3 --partition-key customer "$T/g.csv" -o "$T/p.%d"
for max in 2 3; do
    for i in 0 1 2; do crm-basket --min-support 0.001 --emit-partial "$T/c.$i" "$T/p.$i"; done
    crm-basket --merge-partials --min-support 0.001 "$T/c.0" "$T/c.1" "$T/c.2" -o "$T/freq"
    for i in 0 1 2; do
        crm-basket --max-size $max --frequent "$T/freq" --emit-partial "$T/q.$i" "$T/p.$i"
    done
    last="$T/q.0 $T/q.1 $T/q.2"
    if [ $max = 3 ]; then     # round 2's merge gives the frequent pairs; round 3 the triples
        crm-basket --merge-partials $last -o "$T/freq2"
        check "round 2 merge for --max-size 3 writes the frequent pairs" \
            "$(head -1 "$T/freq2"; grep -c '^section pairs' "$T/freq2")" "crmkit-partial 1 basket-frequent
1"
        for i in 0 1 2; do crm-basket --frequent "$T/freq2" --emit-partial "$T/t.$i" "$T/p.$i"; done
        last="$T/t.0 $T/t.1 $T/t.2"
    fi
    check "partitioned --max-size $max: the rules of one store" \
        "$(crm-basket --merge-partials --names $last | md5sum)" \
        "$(crm-basket --min-support 0.001 --max-size $max --names "$T/all.crm" | md5sum)"
done
check "there are triple rules to compare" \
    "$([ "$(crm-basket --min-support 0.001 --max-size 3 "$T/all.crm" | grep -c ';')" -gt 0 ] && echo yes)" yes
crm-basket --merge-partials "$T/c.0" "$T/q.1" >/dev/null 2>"$T/err"
check "round 1 and round 2 partials mixed: usage error" "$? $(grep -c 'merged apart' "$T/err")" "2 1"
crm-basket --min-support 0.02 --merge-partials "$T/c.0" "$T/c.1" "$T/c.2" -o "$T/freq2"
crm-basket --frequent "$T/freq2" --emit-partial "$T/r.0" "$T/p.0"
crm-basket --merge-partials "$T/r.0" "$T/q.1" >/dev/null 2>"$T/err"
check "round 2 partials of two frequent lists: refused" "$? $(grep -c 'frequent list\|first partial' "$T/err")" "2 1"
