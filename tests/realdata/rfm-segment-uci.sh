#!/usr/bin/env bash
# Real data: crm-rfm and crm-segment on UCI Online Retail (--as-of 2011-12-10, 365-day
# window 2010-12-10 .. 2011-12-09) agree row by row with an independent computation in awk
# straight from the CSV: invoices → orders, per-customer R/F/M, the seed scores and tiers,
# quintile scores (ties kept together), classes, VIP flags, named segments, and the monthly
# KPI table (crm-segment --kpi).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need online_retail_uci_2010-2011.csv.gz
f=$D/online_retail_uci_2010-2011.csv.gz
crm-import -q --preset uci-online-retail "$f" -o "$T/uci.crm"
check "rfm-segment-uci: import exit status" "$?" 0

# 1. Orders from the CSV: invoice,customer,first date,status,cents,items (an invoice's rows are
#    one order dated by its earliest row; C invoices are refunds; A and no-customer rows skipped).
zcat "$f" | awk "$AWK_CSV"'
    NR == 1 { next }
    { csv($0, f); inv = f[1]; cust = f[7]
      if (cust == "" || substr(inv, 1, 1) == "A") next
      sub(/\.0$/, "", cust); q = f[4] < 0 ? -f[4] : f[4] + 0; d = substr(f[5], 1, 10)
      if (!(inv in oc)) { oc[inv] = cust; od[inv] = d; list[++n] = inv
                          os[inv] = substr(inv, 1, 1) == "C" ? "refunded" : "paid" }
      else if (d < od[inv]) od[inv] = d
      c = cents(f[6], q); om[inv] += c; oi[inv] += q }
    END { for (i = 1; i <= n; i++) { k = list[i]
          printf "%s,%s,%s,%s,%.0f,%.0f\n", k, oc[k], od[k], os[k], om[k], oi[k] } }' >"$T/orders"

# 2. Per customer: window figures, seed scores, class and VIP. Days since 1970 from a date
#    (Howard Hinnant's days_from_civil).
AWK_DAYS='function days(s,    y, m, d, era, yoe, doy) {
    y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
    y -= (m <= 2); era = int(y / 400); yoe = y - era * 400
    doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
    return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468 }
function money(c) { return sprintf("%.0f.%02d", int(c / 100), c % 100) }'
awk -F, "$AWK_DAYS"'
    BEGIN { asof = days("2011-12-10"); lo = "2010-12-10"; hi = "2011-12-09" }
    { c = $2; d = $3; seen[c] = 1
      if ($4 == "paid" && (!(c in fpe) || d < fpe[c])) fpe[c] = d
      if (d < lo) { before[c] = 1; next }
      inwin[c] = 1
      if ($4 != "paid") next
      fr[c]++; mon[c] += $5; it[c] += $6
      if (!(c in first) || d < first[c]) first[c] = d
      if (!(c in last) || d > last[c]) last[c] = d }
    END {
      for (c in seen) {
        if (!(c in inwin)) { if (c in before) print "S," c ",no-order,no,,,,,,0,0.00"; continue }
        if (!(c in fr)) { print "S," c ",no-sale,no,,,,,,0,0.00"; continue }
        rec = asof - days(last[c]); F = fr[c]; M = mon[c]
        r = rec <= 30 ? 5 : rec <= 90 ? 4 : rec <= 120 ? 3 : rec <= 210 ? 2 : 1
        f = F >= 6 ? 5 : F >= 4 ? 4 : F >= 3 ? 3 : F >= 2 ? 2 : 1
        m = M >= 200000 * F ? 5 : M >= 100000 * F ? 4 : M >= 50000 * F ? 3 : M >= 30000 * F ? 2 : 1
        score = r + 3 * f + 4 * m
        tier = score >= 36 ? "P" : score >= 26 ? "G" : score >= 17 ? "S" : "B"
        avg = int(M / F); if (2 * (M - avg * F) >= F) avg++
        cls = asof - days(fpe[c]) <= 30 ? "new" : rec > 180 ? "dormant" : tier
        vip = F >= 3 && it[c] >= 10 && M >= 1000000 ? "yes" : "no"
        printf "R,%s,%s,%s,%d,%d,%s,%s,%d,%d,%d,%d,%d%d%d,%s\n", c, first[c], last[c], rec, F,
               money(M), money(avg), r, f, m, score, r, f, m, tier
        printf "S,%s,%s,%s,%d,%d,%d,%d,%d,%d,%s\n", c, cls, vip, r, f, m, score, rec, F, money(M)
        printf "Q,%s,%d,%d,%d\n", c, -rec, F, avg } }' "$T/orders" >"$T/cust"
grep '^R,' "$T/cust" | cut -d, -f2- | sort >"$T/rfm.want"

crm-rfm --as-of 2011-12-10 "$T/uci.crm" >"$T/rfm.csv"
check "rfm-segment-uci: crm-rfm exit status" "$?" 0
check "rfm-segment-uci: header" "$(head -1 "$T/rfm.csv")" \
    "customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier"
tail -n +2 "$T/rfm.csv" | sort >"$T/rfm.got"
check "rfm-segment-uci: customers scored (awk)" "$(wc -l <"$T/rfm.got")" "$(wc -l <"$T/rfm.want")"
check "rfm-segment-uci: every row equals awk's (dates, recency, frequency, money, scores, tier)" \
    "$(cmp -s "$T/rfm.got" "$T/rfm.want" && echo same || diff "$T/rfm.got" "$T/rfm.want" | head -3)" same
for t in P G S B; do
    check "rfm-segment-uci: tier $t customers (awk)" "$(cut -d, -f13 "$T/rfm.got" | grep -c "^$t\$")" \
        "$(cut -d, -f13 "$T/rfm.want" | grep -c "^$t\$")"
done

# 3. Quintiles: below(v) = customers with a strictly lower value, score 1 + int(5 below / n).
grep '^Q,' "$T/cust" | cut -d, -f2- >"$T/q"
n=$(wc -l <"$T/q")
for k in 2 3 4; do
    cut -d, -f$k "$T/q" | sort -n | awk -v n="$n" -v dim=$k '
        { if (NR == 1 || $1 != prev) { below = NR - 1; print dim "," $1 "," 1 + int(5 * below / n) }
          prev = $1 }'
done >"$T/qscore"
awk -F, 'NR == FNR { s[$1 "," $2] = $3; next }
    { r = s["2," $2]; f = s["3," $3]; m = s["4," $4]
      print $1 "," r "," f "," m }' "$T/qscore" "$T/q" | sort >"$T/quint.want"
crm-rfm --as-of 2011-12-10 --scheme quintile "$T/uci.crm" | tail -n +2 | cut -d, -f1,8,9,10 \
    | sort >"$T/quint.got"
check "rfm-segment-uci: quintile r,f,m of every customer equal awk's" \
    "$(cmp -s "$T/quint.got" "$T/quint.want" && echo same || diff "$T/quint.got" "$T/quint.want" | head -3)" same

# 4. Classes, VIP and segments (the default rule table of SPEC §7 on the quintile scores).
awk -F, 'function seg(r, f, m) {
        if (r == 5 && f == 5 && m == 5) return "Champions"
        if (r >= 3 && f >= 3 && m >= 2) return "Potential Loyalist"
        if (r >= 2 && r <= 4 && f >= 2 && f <= 4 && m >= 2 && m <= 4) return "Loyal Customers"
        if (r >= 3 && r <= 4 && f <= 3 && m >= 3) return "Promising"
        if (r >= 4 && f <= 3) return "New Customers"
        if (r <= 2 && f >= 3 && f <= 4 && m >= 4) return "Can'"'"'t Lose Them"
        if (r <= 2 && f >= 2 && m >= 4) return "At Risk"
        if (r <= 3 && f >= 3 && m >= 3) return "Need Attention"
        if (r >= 2 && r <= 3 && f <= 3 && m <= 4) return "About To Sleep"
        if (r == 1) return "Lost"
        return "Others" }
    NR == FNR { sg[$1] = seg($2, $3, $4); next }
    $1 == "S" { printf "%s,%s,%s,%s", $2, $3, $4, ($2 in sg) ? sg[$2] : ""
                for (i = 5; i <= NF; i++) printf ",%s", $i
                print "" }' "$T/quint.want" "$T/cust" | sort >"$T/seg.want"
crm-segment --as-of 2011-12-10 "$T/uci.crm" >"$T/seg.csv"
check "rfm-segment-uci: crm-segment exit status" "$?" 0
tail -n +2 "$T/seg.csv" | sort >"$T/seg.got"
check "rfm-segment-uci: customers classified (awk)" "$(wc -l <"$T/seg.got")" "$(wc -l <"$T/seg.want")"
check "rfm-segment-uci: every crm-segment row equals awk's (class, vip, segment, scores, money)" \
    "$(cmp -s "$T/seg.got" "$T/seg.want" && echo same || diff "$T/seg.got" "$T/seg.want" | head -3)" same
for k in no-order no-sale new dormant P G S B; do
    check "rfm-segment-uci: class $k customers (awk)" "$(cut -d, -f2 "$T/seg.got" | grep -c "^$k\$")" \
        "$(cut -d, -f2 "$T/seg.want" | grep -c "^$k\$")"
done
check "rfm-segment-uci: VIP customers (awk)" "$(cut -d, -f3 "$T/seg.got" | grep -c '^yes$')" \
    "$(cut -d, -f3 "$T/seg.want" | grep -c '^yes$')"

# 5. The summary adds up: customers and revenue per class equal sums over awk's rows.
crm-segment --as-of 2011-12-10 --summary "$T/uci.crm" | tail -n +2 | cut -d, -f1,2,4 >"$T/sum.got"
awk -F, '{ n[$2]++; split($NF, p, "."); rev[$2] += p[1] * 100 + p[2] }
    END { split("malicious no-order no-sale new dormant P G S B", k, " ")
          for (i = 1; i <= 9; i++) printf "%s,%d,%.0f.%02d\n", k[i], n[k[i]],
                 int(rev[k[i]] / 100), rev[k[i]] % 100 }' "$T/seg.want" >"$T/sum.want"
check "rfm-segment-uci: --summary customers and revenue per class (awk)" \
    "$(cmp -s "$T/sum.got" "$T/sum.want" && echo same || diff "$T/sum.got" "$T/sum.want" | head -3)" same

# 6. Byte-identical output across runs, and through a pipe (with and without --as-of).
crm-rfm --as-of 2011-12-10 "$T/uci.crm" | cmp -s - "$T/rfm.csv"
check "rfm-segment-uci: second run byte-identical" "$?" 0
crm-rfm --as-of 2011-12-10 <"$T/uci.crm" | cmp -s - "$T/rfm.csv"
check "rfm-segment-uci: same output from a pipe" "$?" 0
crm-segment <"$T/uci.crm" | cmp -s - "$T/seg.csv"
check "rfm-segment-uci: default as-of on a pipe is 2011-12-10" "$?" 0

# 7. Monthly KPIs, December 2010 .. December 2011 (to the 9th): orders, paying, new and
#    returning customers, repeat rate, revenue, average order value, orders per customer,
#    growth on the previous month, refund rate (refunded orders / paid orders). Ratios are
#    rounded as the tools do: half away from zero at the 7th decimal of the double.
awk -F, '
    function fmt7(v,    u, neg, s) {
        neg = v < 0; u = int((neg ? -v : v) * 10000000 + 0.5)
        s = sprintf("%08.0f", u)
        return (neg && u ? "-" : "") substr(s, 1, length(s) - 7) "." substr(s, length(s) - 6) }
    function ratio(a, b) { return b == 0 ? "" : fmt7(a / b) }
    function money(c) { return sprintf("%.0f.%02d", int(c / 100), c % 100) }
    function mdays(y, m) { return m == 2 ? (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : 28) \
                                         : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31 }
    $3 >= "2011-12-10" { next }
    { m = substr($3, 1, 7) }
    $4 == "refunded" { ref[m]++; next }
    { ord[m]++; rev[m] += $5
      if (!(($2, m) in pay)) { pay[$2, m] = 1; npay[m]++ }
      if (!($2 in first) || $3 < first[$2]) first[$2] = $3 }
    END {
      for (c in first) nnew[substr(first[c], 1, 7)]++
      prev = "2010-11"
      for (y = 2010; y <= 2011; y++) for (mo = (y == 2010 ? 12 : 1); mo <= 12; mo++) {
        m = sprintf("%04d-%02d", y, mo)
        end = m == "2011-12" ? "2011-12-09" : sprintf("%s-%02d", m, mdays(y, mo))
        o = ord[m] + 0; p = npay[m] + 0; n = nnew[m] + 0; r = rev[m] + 0
        avg = ""; if (o) { a = int(r / o); if (2 * (r - a * o) >= o) a++; avg = money(a) }
        rg = rev[prev] + 0 ? fmt7((r - rev[prev]) / rev[prev]) : ""
        cg = npay[prev] + 0 ? fmt7((p - npay[prev]) / npay[prev]) : ""
        printf "%s,%s-01,%s,%d,%d,%d,%d,%s,%s,%s,%s,%s,%s,%s\n", m, m, end, o, p, n, p - n,
               ratio(p - n, p), money(r), avg, ratio(o, p), rg, cg, ratio(ref[m] + 0, o)
        prev = m } }' "$T/orders" >"$T/kpi.want"
crm-segment --as-of 2011-12-10 --kpi "$T/uci.crm" >"$T/kpi.csv"
check "rfm-segment-uci: crm-segment --kpi exit status" "$?" 0
tail -n +2 "$T/kpi.csv" >"$T/kpi.got"
check "rfm-segment-uci: --kpi months listed (Dec 2010 .. Dec 2011)" "$(cut -d, -f1 "$T/kpi.got" | tr '\n' ' ')" \
    "$(cut -d, -f1 "$T/kpi.want" | tr '\n' ' ')"
check "rfm-segment-uci: --kpi monthly table equals awk's, every column" \
    "$(cmp -s "$T/kpi.got" "$T/kpi.want" && echo same || diff "$T/kpi.got" "$T/kpi.want" | head -5)" same
check "rfm-segment-uci: --kpi new customers over all months = customers with a purchase (README 4339)" \
    "$(awk -F, '{ s += $6 } END { print s }' "$T/kpi.got")" \
    "$(awk -F, '$4 == "paid" { print $2 }' "$T/orders" | sort -u | wc -l | awk '{ print $1 + 0 }')"

# 8. VIP status (crm-segment --care, vip-expiring): awk replays every customer's paid orders
#    in date order (the definition in crm-segment(1): qualify on 365 days of orders, status
#    for 365 days, re-evaluated on its lapse day) and lists the statuses valid on D that
#    the orders of their year do not already renew, with the days left; for every such
#    number of days the tool, run with --vip-remind DAYS, must list exactly those customers.
for on in 2011-12-10 2011-07-01; do
    sort -t, -k2,2 -k3,3 "$T/orders" | awk -F, -v on=$on "$AWK_DAYS"'
        function ok(o, i, m) { return o >= 3 && i >= 10 && m >= 1000000 }
        function replay(    i, j, vip, q, e, wo, wi, wm, to, ti, tm, nx, dor, di, dm) {
            vip = 0; i = 1; j = 1; wo = wi = wm = 0
            while (1) {
                nx = (i <= n && dd[i] < D) ? dd[i] : 1e9
                if (vip && e <= nx && e <= D) {
                    if (ok(to, ti, tm)) { q = e; e = q + 365; to = ti = tm = 0 } else vip = 0
                    continue }
                if (nx == 1e9) break
                dor = di = dm = 0
                while (i <= n && dd[i] == nx) { dor++; di += ii[i]; dm += mm[i]; i++ }
                wo += dor; wi += di; wm += dm
                if (vip) { to += dor; ti += di; tm += dm }
                while (dd[j] <= nx - 365) { wo--; wi -= ii[j]; wm -= mm[j]; j++ }
                if (!vip && ok(wo, wi, wm)) { vip = 1; q = nx; e = nx + 365; to = dor; ti = di; tm = dm } }
            if (vip && !ok(to, ti, tm)) print e - D "," cust "," q "," e }
        BEGIN { D = days(on) }
        $4 != "paid" || $3 >= on { next }
        $2 != cust { if (n) replay(); cust = $2; n = 0 }
        { n++; dd[n] = days($3); ii[n] = $6; mm[n] = $5 }
        END { if (n) replay() }' | sort >"$T/vip.want"
    : >"$T/vip.got"
    for r in $(cut -d, -f1 "$T/vip.want" | sort -un); do
        crm-segment --care --on $on --vip-remind $r --reasons vip-expiring "$T/uci.crm" \
            | tail -n +2 | awk -F, -v r=$r '{ print r "," $1 "," $7 }' >>"$T/vip.got"
    done
    sed 's/,VIP since \([-0-9]*\); lapses \([-0-9]*\)$/,\1,\2/' "$T/vip.got" | awk -F, "$AWK_DAYS"'
        { print $1 "," $2 "," days($3) "," days($4) }' | sort >"$T/vip.got2"
    check "rfm-segment-uci: VIP statuses on $on not yet renewed (awk replay), by days left" \
        "$(wc -l <"$T/vip.want") $(cmp -s "$T/vip.got2" "$T/vip.want" && echo same || diff "$T/vip.got2" "$T/vip.want" | head -3)" \
        "$(wc -l <"$T/vip.want") same"
done
