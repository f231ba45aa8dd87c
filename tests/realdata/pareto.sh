#!/usr/bin/env bash
# crm-pareto on UCI Online Retail (../shared/data, see its README): the --summary figures
# at --as-of 2011-12-10 (default 365-day window: 2010-12-10 .. 2011-12-09) against an
# independent computation with mawk and sort(1) straight from the raw CSV — quoted
# Descriptions are blanked before splitting on commas, money is integer pence (unit prices
# have up to 3 decimals: quantity × price in tenths of pence, rounded half away from zero
# once per row, as SPEC §4 says), invoices starting with C are refunds, rows without
# CustomerID are skipped. Also: every customer with a purchase (--window all) is the
# README's 4,339, and --net (paid minus refunds, floored at 0) agrees with awk.
set -uo pipefail
data=../shared/data/online_retail_uci_2010-2011.csv.gz
if [ ! -r "$data" ]; then
    echo "skip pareto: $data not found (../shared/data absent)"
    exit 0
fi
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name want got
    if [ "$2" = "$3" ]; then echo "ok $1"; else echo "not ok $1: want $2, got $3"; fi
}

if ! crm-import -q --preset uci-online-retail "$data" -o "$tmp/uci.crm"; then
    echo "not ok pareto: import failed"
    exit 0
fi

# Per customer: paid pence, paid rows, refunded pence in [from, to) (dates as text).
zcat "$data" | mawk -F, -v from=2010-12-10 -v to=2011-12-10 '
NR == 1 { next }
{
    line = $0
    gsub(/"[^"]*"/, "Q", line)            # a quoted Description may hold commas
    split(line, f, ",")
    inv = f[1]; qty = f[4] + 0; day = substr(f[5], 1, 10); price = f[6]; cust = f[7]
    sub(/\.0$/, "", cust)
    if (cust == "" || substr(inv, 1, 1) == "A") next
    if (day < from || day >= to) next
    dot = index(price, ".")
    if (dot == 0) { milli = price * 1000 }
    else {
        frac = substr(price "000", dot + 1, 3)
        milli = substr(price, 1, dot - 1) * 1000 + (substr(price, 1, 1) == "-" ? -frac : frac)
    }
    tenths = qty * milli                   # thousandths of a pound = tenths of a penny
    if (tenths < 0) tenths = -tenths
    pence = int((tenths + 5) / 10)
    if (substr(inv, 1, 1) == "C") refund[cust] += pence
    else { paid[cust] += pence; rows[cust]++ }
}
END {
    for (c in rows) printf "%s %d %d\n", c, paid[c], refund[c] + 0
}' >"$tmp/cust"

# The summary of a list of values in pence (one per line), as crm-pareto prints it.
summarize() {
    sort -n -r | mawk '
    { v[++n] = $1; total += $1 }
    END {
        k = int(n / 5); rem = n - 5 * k        # the top n/5 customers, interpolated
        cum = 0
        for (r = 1; r <= k; r++) cum += v[r]
        top = (cum * 5 + (rem ? rem * v[k + 1] : 0)) / (5 * total)
        s = 0; before = 0; a = 0; av = 0
        for (r = 1; r <= n; r++) {
            s += (n - r + 1) * v[r]              # ascending position times value
            if (before * 100 < 80 * total) { a++; av += v[r] }
            before += v[r]
        }
        gini = 2 * s / (n * total) - (n + 1) / n
        printf "customers %d\ntotal_value %d.%02d\ntop20_share %.7f\n", n, int(total / 100), total % 100, top
        printf "customers_for_80 %.7f\ngini %.7f\na_customers %d\na_value %d.%02d\n", a / n, gini, a, int(av / 100), av % 100
    }'
}

mawk '{ print $2 }' "$tmp/cust" | summarize >"$tmp/want"
if ! crm-pareto --summary --as-of 2011-12-10 "$tmp/uci.crm" | tr , ' ' >"$tmp/got"; then
    echo "not ok pareto: crm-pareto failed"
    exit 0
fi
for m in customers total_value top20_share customers_for_80 gini a_customers a_value; do
    check "pareto uci $m" "$(mawk -v m=$m '$1 == m { print $2 }' "$tmp/want")" \
        "$(mawk -v m=$m '$1 == m { print $2 }' "$tmp/got")"
done

# --net: paid minus refunded in the window, floored at 0, same customers.
mawk '{ d = $2 - $3; print (d < 0 ? 0 : d) }' "$tmp/cust" | summarize >"$tmp/want-net"
crm-pareto --summary --net --as-of 2011-12-10 "$tmp/uci.crm" | tr , ' ' >"$tmp/got-net"
for m in customers total_value top20_share gini a_customers; do
    check "pareto uci --net $m" "$(mawk -v m=$m '$1 == m { print $2 }' "$tmp/want-net")" \
        "$(mawk -v m=$m '$1 == m { print $2 }' "$tmp/got-net")"
done

# All history: the README's 4,339 customers with a purchase.
check "pareto uci --window all customers" 4339 \
    "$(crm-pareto --summary --window all --as-of 2011-12-10 "$tmp/uci.crm" |
       mawk -F, '$1 == "customers" { print $2 }')"
