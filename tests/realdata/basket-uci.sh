#!/usr/bin/env bash
# Real data: crm-basket on UCI Online Retail (StockCode, Description) against an
# independent computation of support, confidence and lift in Python straight from the raw
# CSV (tests/realdata/basket-uci.py): every rule, in rank order, byte for byte; and every
# report of the store with items equal to the store without them.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need online_retail_uci_2010-2011.csv.gz
U="$D/online_retail_uci_2010-2011.csv.gz"
PY=$(dirname "$0")/basket-uci.py
crm-import -q --preset uci-online-retail "$U" -o "$T/items.crm"
check "uci: import with items, exit status" "$?" 0
crm-import -q --preset uci-online-retail --no-items "$U" -o "$T/orders.crm"
check "uci: import without items, exit status" "$?" 0
check "uci: store with items is format version 2" "$(od -An -tu2 -j8 -N2 "$T/items.crm" | tr -d ' ')" 2
check "uci: store without items is format version 1" "$(od -An -tu2 -j8 -N2 "$T/orders.crm" | tr -d ' ')" 1
for tool in "crm-rfm" "crm-segment" "crm-segment --care --reasons birthday,after-7d,after-28d,vip-expiring,win-back" "crm-pareto --summary" "crm-churn"; do
    check "uci: $tool identical with and without items" \
        "$($tool "$T/items.crm" 2>&1 | md5sum)" "$($tool "$T/orders.crm" 2>&1 | md5sum)"
done
crm-basket "$T/items.crm" >"$T/c2.csv"
python3 "$PY" "$U" 0.01 2 >"$T/p2.csv"
check "uci: pair rules at support 0.01 equal Python's (666 rules)" \
    "$(cmp -s "$T/c2.csv" "$T/p2.csv" && echo same; wc -l <"$T/c2.csv")" "same
667"
check "uci: top rule 23171 -> 23172 (REGENCY TEA PLATE GREEN -> PINK)" \
    "$(crm-basket --names "$T/items.crm" | sed -n 2p)" \
    "23171,23172,270,224,202,0.0108977,0.7481481,61.9092593,REGENCY TEA PLATE GREEN,REGENCY TEA PLATE PINK"
crm-basket --max-size 3 --min-support 0.02 "$T/items.crm" >"$T/c3.csv"
python3 "$PY" "$U" 0.02 3 >"$T/p3.csv"
check "uci: pair and triple rules at support 0.02 equal Python's" \
    "$(cmp -s "$T/c3.csv" "$T/p3.csv" && echo same; grep -c ';' "$T/c3.csv")" "same
$(grep -c ';' "$T/p3.csv")"
check "uci: a store without items is refused with a hint" \
    "$(crm-basket "$T/orders.crm" 2>&1 >/dev/null | grep -c 'no line items'; echo "${PIPESTATUS[0]}")" "1
1"
crm-segment --care --reasons replenish --on 2011-12-01 "$T/items.crm" >"$T/rep.csv"
check "uci: replenish reminders on 2011-12-01: the customers Python finds (123)" \
    "$(tail -n +2 "$T/rep.csv" | cut -d, -f1 | sort | md5sum) $(($(wc -l <"$T/rep.csv") - 1))" \
    "$(python3 "$(dirname "$0")/replenish-uci.py" "$U" 2011-12-01 | md5sum) 123"
# scale-out: 3 partitions by customer, three rounds of partials → the rules of one store
crm-import -q --preset uci-online-retail --partition 3 --partition-key customer "$U" -o "$T/p.%d"
for i in 0 1 2; do crm-basket --emit-partial "$T/c.$i" "$T/p.$i"; done
crm-basket --merge-partials "$T/c.0" "$T/c.1" "$T/c.2" -o "$T/freq"
for i in 0 1 2; do crm-basket --max-size 3 --frequent "$T/freq" --emit-partial "$T/q.$i" "$T/p.$i"; done
crm-basket --merge-partials "$T/q.0" "$T/q.1" "$T/q.2" -o "$T/freq2"
for i in 0 1 2; do crm-basket --frequent "$T/freq2" --emit-partial "$T/t.$i" "$T/p.$i"; done
check "uci: partitioned pairs and triples at support 0.01 equal one store's (879 rules)" \
    "$(crm-basket --merge-partials "$T/t.0" "$T/t.1" "$T/t.2" | md5sum)" \
    "$(crm-basket --max-size 3 "$T/items.crm" | md5sum)"
