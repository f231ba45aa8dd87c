#!/usr/bin/env bash
# Real data: crm-cohort on UCI Online Retail (SPEC §15) equals an independent computation in
# Python straight from the raw CSV (tests/realdata/cohort-uci.py) for months, ISO weeks and
# quarters; the matrix is the long table pivoted; the store read from a pipe, and four
# partitions merged from their partials, give the same bytes; the heatmap is valid SVG.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need online_retail_uci_2010-2011.csv.gz
f=$D/online_retail_uci_2010-2011.csv.gz
here=$(cd "$(dirname "$0")" && pwd)
crm-import -q --preset uci-online-retail "$f" -o "$T/uci.crm"
check "cohort-uci: import exit status" "$?" 0
python3 "$here/cohort-uci.py" "$f" 2011-12-10 "$T"
check "cohort-uci: independent computation exit status" "$?" 0

same() { # NAME GOT WANT
    if cmp -s "$2" "$3"; then ok "$1 ($(wc -l <"$3") lines)"
    else notok "$1" "$(diff "$2" "$3" | head -5)"; fi
}
for p in month week quarter; do
    crm-cohort --period $p "$T/uci.crm" >"$T/got.$p.csv"
    same "cohort-uci: --period $p equals the Python computation" "$T/got.$p.csv" "$T/$p.csv"
done
check "cohort-uci: December 2010 cohort: 885 customers, 324 back in January" \
    "$(sed -n 3p "$T/month.csv" | cut -d, -f4,5)" "885,324"

# the matrix of each metric is the long table pivoted
for m in customers:5 retention:6 revenue:7 orders:8 cum-revenue:9; do
    crm-cohort --matrix --metric "${m%%:*}" "$T/uci.crm" >"$T/matrix.csv"
    awk -F, -v col="${m#*:}" '
        NR == 1 { next }
        $1 != c { if (c != "") print line; c = $1; line = $1 "," $4; n = 0 }
        { line = line "," $col; n++; if (n > w) w = n }
        END { print line }' "$T/month.csv" |
        awk -F, 'NR == 1 { w = NF }
                 { printf "%s", $0; for (i = NF; i < w; i++) printf ","; print "" }' \
        >"$T/pivot.body"
    { printf 'cohort,cohort_size'; for ((k = 0; k < 13; k++)); do printf ',%d' $k; done; echo
      cat "$T/pivot.body"; } >"$T/pivot.csv"
    same "cohort-uci: --matrix --metric ${m%%:*} is the long table pivoted" "$T/matrix.csv" \
        "$T/pivot.csv"
done

zcat "$f" | crm-import -q --preset uci-online-retail | crm-cohort >"$T/pipe.csv"
same "cohort-uci: from a pipe (two passes over a held stream)" "$T/pipe.csv" "$T/month.csv"

crm-import -q --preset uci-online-retail --partition 4 "$f" -o "$T/part.%d.crm"
for p in month week; do
    for i in 0 1 2 3; do
        crm-cohort --as-of 2011-12-10 --period $p --emit-partial "$T/c.$p.$i" "$T/part.$i.crm"
    done
    crm-cohort --period $p --merge-partials "$T"/c.$p.? >"$T/merged.csv"
    same "cohort-uci: --period $p from 4 partitions' partials" "$T/merged.csv" "$T/$p.csv"
done

crm-cohort --matrix --metric retention --svg "$T/h.svg" "$T/uci.crm" >/dev/null
if xmllint --noout "$T/h.svg" 2>/dev/null && [ "$(grep -c '<rect' "$T/h.svg")" = 92 ]; then
    ok "cohort-uci: heatmap is valid SVG with a cell per row of the long table (+ background)"
else
    notok "cohort-uci: heatmap" "$(xmllint --noout "$T/h.svg" 2>&1 | head -3)" \
        "rects: $(grep -c '<rect' "$T/h.svg")"
fi
