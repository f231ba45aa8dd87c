#!/usr/bin/env bash
# crm-pareto on UCI Online Retail (../shared/data, see its README): the --summary figures
# at --as-of 2011-12-10 (default 365-day window: 2010-12-10 .. 2011-12-09) against an
# independent computation with mawk and sort(1) straight from the raw CSV (lib.sh's RFC
# 4180 splitter; money in integer pence, quantity × unit price rounded half away from zero
# once per row as SPEC §4 says; invoices starting with C are refunds, A adjustments and
# rows without CustomerID are skipped). Also: --net (paid minus refunds, floored at 0)
# agrees with awk, and all history ranks the README's 4,339 customers with a purchase.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
need online_retail_uci_2010-2011.csv.gz
data=$D/online_retail_uci_2010-2011.csv.gz

if ! crm-import -q --preset uci-online-retail "$data" -o "$T/uci.crm"; then
    notok "pareto: import failed"
    exit 0
fi

# Per customer: paid pence, paid rows, refunded pence in [from, to) (dates as text).
zcat "$data" | mawk -v from=2010-12-10 -v to=2011-12-10 "$AWK_CSV"'
NR == 1 { next }
{
    csv($0, f)
    inv = f[1]; day = substr(f[5], 1, 10); cust = f[7]
    sub(/\.0$/, "", cust)
    if (cust == "" || substr(inv, 1, 1) == "A") next
    if (day < from || day >= to) next
    pence = cents(f[6], f[4])              # exact, rounded half away from zero per row
    if (substr(inv, 1, 1) == "C") refund[cust] -= pence   # C rows have negative quantity
    else { paid[cust] += pence; rows[cust]++ }
}
END {
    for (c in rows) printf "%s %d %d\n", c, paid[c], refund[c] + 0
}' >"$T/cust"

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
        printf "customers %d\ntotal_value %d.%02d\n", n, int(total / 100), total % 100
        printf "top20_share %.7f\ncustomers_for_80 %.7f\ngini %.7f\n", top, a / n, gini
        printf "a_customers %d\na_value %d.%02d\n", a, int(av / 100), av % 100
    }'
}

mawk '{ print $2 }' "$T/cust" | summarize >"$T/want"
crm-pareto --summary --as-of 2011-12-10 "$T/uci.crm" | tr , ' ' >"$T/got"
for m in customers total_value top20_share customers_for_80 gini a_customers a_value; do
    check "pareto uci $m" "$(mawk -v m=$m '$1 == m { print $2 }' "$T/got")" \
        "$(mawk -v m=$m '$1 == m { print $2 }' "$T/want")"
done

# --net: paid minus refunded in the window, floored at 0, same customers.
mawk '{ d = $2 - $3; print (d < 0 ? 0 : d) }' "$T/cust" | summarize >"$T/want-net"
crm-pareto --summary --net --as-of 2011-12-10 "$T/uci.crm" | tr , ' ' >"$T/got-net"
for m in customers total_value top20_share gini a_customers; do
    check "pareto uci --net $m" "$(mawk -v m=$m '$1 == m { print $2 }' "$T/got-net")" \
        "$(mawk -v m=$m '$1 == m { print $2 }' "$T/want-net")"
done

# All history: the README's 4,339 customers with a purchase.
check "pareto uci --window all customers (README 4339)" \
    "$(crm-pareto --summary --window all --as-of 2011-12-10 "$T/uci.crm" |
       mawk -F, '$1 == "customers" { print $2 }')" 4339
