#!/usr/bin/env bash
# Real data: crm-import of every order file in ../shared/data gives the counts its README
# states and that awk computes from the raw files.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ -d "$D" ] || { skip "import: $D not found"; exit 0; }

# --- UCI Online Retail ---
if [ -r "$D/online_retail_uci_2010-2011.csv.gz" ]; then
    f=$D/online_retail_uci_2010-2011.csv.gz
    crm-import --preset uci-online-retail "$f" -o "$T/uci.crm" 2>"$T/uci.err"
    check "uci: import exit status" "$?" 0
    zcat "$f" | awk "$AWK_CSV"'
        NR == 1 { next }
        { n = csv($0, f); rows++
          if (substr(f[1], 1, 1) == "A") { adj++; next }
          if (f[7] == "") { nocust++; next }
          cust = f[7]; sub(/\.0$/, "", cust); seen[cust] = 1
          if (!(f[1] in inv)) { inv[f[1]] = 1; orders++; if (substr(f[1], 1, 1) != "C") paid++ }
          c = cents(f[6], f[4]); if (substr(f[1], 1, 1) == "C") refund -= c; else sale += c }
        END { for (k in seen) ncust++
              printf "%d %d %d %d %d %d %d %.0f %.0f\n", rows, adj, nocust, ncust, orders, paid,
                     orders - paid, sale, refund }' >"$T/uci.awk"
    read -r rows adj nocust ncust orders paid refunded sale refund <"$T/uci.awk"
    check "uci: rows read (README 541909)" "$(grep -o '^crm-import: [0-9]* rows read' "$T/uci.err" | grep -o '[0-9]*')" "$rows"
    check "uci: expected skips without CustomerID" "$(grep -o '[0-9]* no customer id' "$T/uci.err" | grep -o '^[0-9]*')" "$nocust"
    check "uci: expected skips for A adjustments (README 3)" "$(grep -o '[0-9]* adjustment' "$T/uci.err" | grep -o '^[0-9]*')" "$adj"
    crm-import --check "$T/uci.crm" >"$T/uci.check"
    check "uci: customers (README 4372)" "$(sed -n 's/^customers: \([0-9]*\).*/\1/p' "$T/uci.check")" "$ncust"
    check "uci: orders = distinct invoices with a customer" "$(sed -n 's/^orders: \([0-9]*\).*/\1/p' "$T/uci.check")" "$orders"
    check "uci: paid orders (README 18536 purchase invoices)" "$(sed -n 's/.*(paid \([0-9]*\),.*/\1/p' "$T/uci.check")" "$paid"
    check "uci: refunded orders = C invoices" "$(sed -n 's/.*refunded \([0-9]*\),.*/\1/p' "$T/uci.check")" "$refunded"
    crm-import --dump "$T/uci.crm" | awk -F, 'NR > 1 { split($4, p, "."); c = p[1] * 100 + p[2]
        if ($6 == "paid") s += c; else r += c } END { printf "%.0f %.0f\n", s, r }' >"$T/uci.sum"
    read -r s r <"$T/uci.sum"
    check "uci: paid money in cents (exact per-row rounding)" "$s" "$sale"
    check "uci: refunded money in cents" "$r" "$refund"
    check "uci: dates" "$(sed -n 's/^dates: //p' "$T/uci.check")" "2010-12-01 .. 2011-12-09"
    # The same file unpacked is a large regular file: parsed in segments on two threads
    # (lib/text/csvin.c), it must give the same store byte for byte, rejects and summary too.
    zcat "$f" >"$T/uci.csv"
    crm-import --preset uci-online-retail "$T/uci.csv" -o "$T/uci-seg.crm" \
        --rejects "$T/uci-seg.rej" 2>"$T/uci-seg.err"
    check "uci: segmented parse exit status" "$?" 0
    crm-import --preset uci-online-retail "$f" -o "$T/uci-one.crm" --rejects "$T/uci-one.rej" \
        2>"$T/uci-one.err"
    check "uci: segmented parse gives the same store" \
        "$(cmp -s "$T/uci-seg.crm" "$T/uci-one.crm" && echo same)" same
    check "uci: segmented parse gives the same rejects (file, line, reason, raw)" \
        "$(sed "s#^$T/uci.csv,#F,#" "$T/uci-seg.rej" | md5sum)" \
        "$(sed "s#^$f,#F,#" "$T/uci-one.rej" | md5sum)"
    check "uci: segmented parse gives the same summary" \
        "$(sed "s#$T/uci.csv#F#g; s#$T/uci-seg.crm#S#g" "$T/uci-seg.err" | md5sum)" \
        "$(sed "s#$f#F#g; s#$T/uci-one.crm#S#g" "$T/uci-one.err" | md5sum)"
    rm -f "$T/uci.csv"
else
    skip "uci: online_retail_uci_2010-2011.csv.gz not found"
fi

ymd='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'   # mawk has no {8}
# --- CDNOW: master (4 columns, header), sample (5 columns, no header), BTYD elog (CSV) ---
for f in CDNOW_master.txt.gz CDNOW_sample.txt.gz BTYD_cdnowElog.csv.gz; do
    [ -r "$D/$f" ] || { skip "cdnow: $f not found"; continue; }
    crm-import -q --preset cdnow "$D/$f" -o "$T/$f.crm"
    check "cdnow $f: import exit status" "$?" 0
    case $f in
        CDNOW_master*) cols='$1, $3, $4' ;;
        CDNOW_sample*) cols='$1, $4, $5' ;;
        *) cols='$1, $4, $5' ;;
    esac
    zcat "$D/$f" | tr -d '\r' | tr ',' ' ' | awk "\$3 ~ /^$ymd\$/ || \$2 ~ /^$ymd\$/ { print $cols }" |
        awk "$AWK_CSV"'{ id = $1 + 0; seen[id] = 1; n++; q += $2; s += cents($3, 1) }
             END { for (k in seen) c++; printf "%d %d %d %.0f\n", n, c, q, s }' >"$T/cd.awk"
    read -r n c q s <"$T/cd.awk"
    crm-import --check "$T/$f.crm" >"$T/cd.check"
    check "cdnow $f: orders" "$(sed -n 's/^orders: \([0-9]*\).*/\1/p' "$T/cd.check")" "$n"
    check "cdnow $f: customers" "$(sed -n 's/^customers: \([0-9]*\).*/\1/p' "$T/cd.check")" "$c"
    crm-import --dump "$T/$f.crm" | awk -F, 'NR > 1 { q += $5; split($4, p, "."); s += p[1] * 100 + p[2] }
        END { printf "%d %.0f\n", q, s }' >"$T/cd.sum"
    read -r dq ds <"$T/cd.sum"
    check "cdnow $f: items" "$dq" "$q"
    check "cdnow $f: dollars in cents" "$ds" "$s"
    case $f in CDNOW_master*) master="$dq $ds" ;; esac
done
if [ -r "$D/CDNOW_master.txt.gz" ]; then
    check "cdnow master: README figures (69659 orders, 23570 customers, 167881 CDs, 250031563 cents)" \
        "$(crm-import --check "$T/CDNOW_master.txt.gz.crm" | sed -n 's/^\(orders\|customers\): \([0-9]*\).*/\2/p' | tr '\n' ' ')$master" \
        "69659 23570 167881 250031563"
fi
if [ -r "$D/CDNOW_sample.txt.gz" ] && [ -r "$D/BTYD_cdnowElog.csv.gz" ]; then
    a=$(crm-import --dump "$T/CDNOW_sample.txt.gz.crm" | sort | md5sum)
    b=$(crm-import --dump "$T/BTYD_cdnowElog.csv.gz.crm" | sort | md5sum)
    check "cdnow: the 5-column sample and the BTYD CSV give the same orders" "$a" "$b"
fi

# --- Tmall: no customer column → a clear error naming the field ---
if [ -r "$D/tmall_order_report_2020-02.csv.gz" ]; then
    crm-import "$D/tmall_order_report_2020-02.csv.gz" -o "$T/tmall.crm" 2>"$T/tmall.err"
    check "tmall: exit status 1" "$?" 1
    check "tmall: error names customer_id and line 1" \
        "$(grep -c 'tmall_order_report_2020-02.csv.gz:1: no column for customer_id' "$T/tmall.err")" 1
    check "tmall: no store written" "$(ls "$T" | grep -c tmall.crm)" 0
    zcat "$D/tmall_order_report_2020-02.csv.gz" | iconv -f UTF-8 -t GBK >"$T/tmall-gbk.csv"
    crm-import --map customer_id=收货地址 --map amount=买家实际支付金额 "$T/tmall-gbk.csv" \
        -o "$T/tmall.crm" 2>"$T/tmall.err"
    check "tmall GBK: province as customer imports (order-level Pareto by province)" "$?" 0
    check "tmall GBK: encoding detected" "$(grep -c 'GB18030, comma-separated' "$T/tmall.err")" 1
    check "tmall GBK: 28010 orders, 31 provinces" \
        "$(crm-import --check "$T/tmall.crm" | sed -n 's/^\(orders\|customers\): \([0-9]*\).*/\2/p' | tr '\n' ' ')" \
        "28010 31 "
    check "tmall GBK: Chinese province names intact" \
        "$(crm-import --dump "$T/tmall.crm" | cut -d, -f2 | sort -u | grep -c '^内蒙古自治区$')" 1
else
    skip "tmall: file not found"
fi
