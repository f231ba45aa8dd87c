#!/usr/bin/env bash
# Line items and crm-basket (SPEC §17) on hand-made data whose rules and reminders are worked
# out by hand in the comments: exact rules and ranking, thresholds, --recommend, the
# replenish care reason, version-1 stores, appends, and damaged item blocks (each a clear
# error naming the chunk, never a crash).
set -uo pipefail
cd "$(dirname "$0")/../.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; shift; printf '    %s\n' "$@"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got:  $2" "want: $3"; fi; }
O=testdata/basket/orders.csv
crm-import -q "$O" -o "$T/b.crm"
check "import keeps items: version 2" "$(od -An -tu2 -j8 -N2 "$T/b.crm" | tr -d ' ')" 2
check "import summary counts the line items" \
    "$(crm-import "$O" -o "$T/b2.crm" 2>&1 | grep 'line items')" \
    "crm-import: 16 line items kept (0 rows without a product id)"
# Baskets (paid orders): o1 {A,B,C} o2 {A,B} o3 {B,C} o4 {A,B,D} o6 {A,C}: 5 baskets;
# A 4, B 4, C 3, D 1; AB 3, AC 2, BC 2. Support 0.3 → at least 2 baskets (D is out).
# A→B: confidence 3/4, lift 0.75 / (4/5) = 0.9375; A→C: 2/4, lift 0.5 / (3/5) = 0.8333333.
check "pair rules at --min-support 0.3, ranked by lift then antecedent" \
    "$(crm-basket --min-support 0.3 "$T/b.crm")" \
"antecedent,consequent,antecedent_orders,consequent_orders,both_orders,support,confidence,lift
A,B,4,4,3,0.6000000,0.7500000,0.9375000
B,A,4,4,3,0.6000000,0.7500000,0.9375000
A,C,4,3,2,0.4000000,0.5000000,0.8333333
B,C,4,3,2,0.4000000,0.5000000,0.8333333
C,A,3,4,2,0.4000000,0.6666667,0.8333333
C,B,3,4,2,0.4000000,0.6666667,0.8333333"
check "--min-confidence 0.7 keeps A→B and B→A" \
    "$(crm-basket --min-support 0.3 --min-confidence 0.7 "$T/b.crm" | cut -d, -f1,2 | tail -n +2 | tr '\n' ' ')" \
    "A,B B,A "
# ABC is in o1 only: 1 basket, under the 2 needed; at 0.2 (1 basket) the triple rules appear
check "--max-size 3 at support 0.3: no triple reaches 2 baskets" \
    "$(crm-basket --max-size 3 --min-support 0.3 "$T/b.crm" | grep -c ';')" 0
check "--max-size 3 at support 0.2: A;B→C A;C→B B;C→A from o1, and A;B→D A;D→B B;D→A from o4" \
    "$(crm-basket --max-size 3 --min-support 0.2 "$T/b.crm" | grep ';' | cut -d, -f1-5 | sort | tr '\n' ' ')" \
    "A;B,C,3,3,1 A;B,D,3,1,1 A;C,B,2,4,1 A;D,B,1,4,1 B;C,A,2,4,1 B;D,A,1,4,1 "
check "--names adds the product names" \
    "$(crm-basket --min-support 0.3 --names "$T/b.crm" | sed -n 2p)" \
    "A,B,4,4,3,0.6000000,0.7500000,0.9375000,Stroller,Milk powder"
# At support 0.3 every lift is below 1: nothing is worth recommending.
check "--recommend: rules with lift <= 1 recommend nothing" \
    "$(crm-basket --min-support 0.3 --recommend 2 "$T/b.crm")" \
    "customer_id,rank,product_id,antecedent,confidence,lift"
# At 0.2 (1 basket) D joins: A→D, B→D: confidence 1/4, lift 0.25 / (1/5) = 1.25 (D→A, D→B
# too). c1 and c2 own {A,B,C} (c1's C,D order is a refund): D through A (A before B); c3
# owns {B,C}: D through B (B→A has lift 0.9375); c4 owns {A,B,D}: C only by lift 0.83.
check "--recommend 2 at support 0.2" \
    "$(crm-basket --min-support 0.2 --recommend 2 --names "$T/b.crm")" \
"customer_id,rank,product_id,antecedent,confidence,lift,product_name
c1,1,D,A,0.2500000,1.2500000,Toy
c2,1,D,A,0.2500000,1.2500000,Toy
c3,1,D,B,0.2500000,1.2500000,Toy"
check "a pipe works (the store is held for the passes)" \
    "$(crm-import -q "$O" | crm-basket --min-support 0.3 | md5sum)" \
    "$(crm-basket --min-support 0.3 "$T/b.crm" | md5sum)"
check "reports equal with and without items" \
    "$(crm-rfm "$T/b.crm" | md5sum) $(crm-segment "$T/b.crm" | md5sum)" \
    "$(crm-import -q --no-items "$O" | crm-rfm | md5sum) $(crm-import -q --no-items "$O" | crm-segment | md5sum)"
crm-import -q --no-items "$O" -o "$T/v1.crm"
printf 'order_id,customer_id,order_time,SKU,product_name,quantity,unit_price\no8,c3,2024-01-08,E,Blanket,1,20\no8,c3,2024-01-08,A,Stroller,1,300\n' >"$T/more.csv"
check "--no-items writes version 1" "$(od -An -tu2 -j8 -N2 "$T/v1.crm" | tr -d ' ')" 1
crm-basket "$T/v1.crm" >/dev/null 2>"$T/err"
check "crm-basket on a version-1 store: exit 1 with a hint" \
    "$? $(grep -c 'no line items' "$T/err")" "1 1"
crm-import -q --append "$T/v1.crm" "$T/more.csv" 2>"$T/err"
check "appending a file with products to a version-1 store: the orders, a warning (even -q)" \
    "$? $(grep -c 'products not kept (1 file with a product column)' "$T/err") $(crm-rfm "$T/v1.crm" | grep -c '^c3,')" "0 1 1"
check "... and the store stays version 1" "$(od -An -tu2 -j8 -N2 "$T/v1.crm" | tr -d ' ')" 1
cp "$T/b.crm" "$T/app.crm"
crm-import -q --append "$T/app.crm" "$T/more.csv"
# 6 baskets: o8 {A,E}; A 5: A→B confidence 3/5, lift 0.6 / (4/6) = 0.9; E (1 basket) is out
check "append to a version-2 store: counts of the old and new orders" \
    "$(crm-basket --min-support 0.3 "$T/app.crm" | grep '^A,B,')" "A,B,5,4,3,0.5000000,0.6000000,0.9000000"
cp "$T/app.crm" "$T/app2.crm"
printf 'order_id,customer_id,order_time,amount\no9,c9,2024-01-09,10\n' | crm-import -q --append "$T/app2.crm" -
check "append of orders without products to a version-2 store: no basket, rules unchanged" \
    "$(crm-basket --min-support 0.3 "$T/app2.crm" | md5sum) $(crm-rfm "$T/app2.crm" | grep -c '^c9,')" \
    "$(crm-basket --min-support 0.3 "$T/app.crm" | md5sum) 1"
check "append: the new product E is in the dictionary (at support 0.1)" \
    "$(crm-basket --min-support 0.1 "$T/app.crm" | grep -c '^E,A,1,5,1,')" 1
# Replenishment: r1 bought X on 03-01, 03-11 (two orders: one purchase day), 03-31: gaps
# 10 and 20, median 15 → due 04-15. r2 bought Y on 03-01, 03-08, 03-15, 03-29: gaps 7 7 14,
# median 7 → due 04-05. r3 bought X once: never due.
crm-import -q testdata/basket/cycle.csv -o "$T/c.crm"
care() { crm-segment --care --reasons replenish --on "$1" "$T/c.crm" | tail -n +2 | cut -d, -f1,2,3,7; }
check "replenish on 2024-04-05: r2 (median of 7, 7, 14)" "$(care 2024-04-05)" \
    "r2,replenish,2024-04-05,Y every 7 days; last 2024-03-29; bought on 4 days"
check "replenish on 2024-04-14: nobody" "$(care 2024-04-14)" ""
check "replenish on 2024-04-15: r1 (median of 10 and 20; one purchase a day)" "$(care 2024-04-15)" \
    "r1,replenish,2024-04-15,X every 15 days; last 2024-03-31; bought on 3 days"
# Damaged item blocks with valid checksums: each is a clear error, never a crash.
damage() { # what → a copy of b.crm with that block changed and its CRC fixed
    python3 - "$T/b.crm" "$T/bad.crm" "$1" <<'PY'
import struct, sys, zlib
d = bytearray(open(sys.argv[1], 'rb').read()); what = sys.argv[3]
pos = 40 + struct.unpack_from('<I', d, 12)[0]
while pos + 16 <= len(d):
    t, l = d[pos:pos + 4], struct.unpack_from('<I', d, pos + 4)[0]
    p = pos + 16
    if what == 'count' and t == b'ITEM':
        struct.pack_into('<I', d, p, struct.unpack_from('<I', d, p)[0] + 1)
    elif what == 'utf8' and t == b'PROD':
        d[p + 8 + 20 + 1] = 0xff        # first byte of the first product id
    else:
        pos = p + l; continue
    struct.pack_into('<I', d, pos + 12, zlib.crc32(bytes(d[pos:pos + 12]) + bytes(d[p:p + l])))
    break
open(sys.argv[2], 'wb').write(d)
PY
}
damage count
crm-basket "$T/bad.crm" >/dev/null 2>"$T/err"
check "item block for another number of orders: exit 1, names the chunk" \
    "$? $(grep -c 'chunk 0.*item block does not match' "$T/err")" "1 1"
damage utf8
crm-basket "$T/bad.crm" >/dev/null 2>"$T/err"
check "product id that is not UTF-8: exit 1" "$? $(grep -c 'not UTF-8' "$T/err")" "1 1"
# Product columns recognised by their usual names, without --map (and --map product_id)
for h in SKU StockCode "Lineitem sku" 商品编码 商家编码 货号 "Product ID"; do
    printf 'order_id,customer_id,order_time,amount,%s\no1,c1,2024-01-01,10,X1\no1,c1,2024-01-01,5,\n' "$h" >"$T/h.csv"
    check "product column \"$h\" recognised" \
        "$(crm-import "$T/h.csv" -o "$T/h.crm" 2>&1 | grep 'line items')" \
        "crm-import: 1 line items kept (1 rows without a product id)"
done
printf 'order_id,customer_id,order_time,amount,art\no1,c1,2024-01-01,10,X1\n' >"$T/m.csv"
check "an unknown product header is not taken: version 1" \
    "$(crm-import -q "$T/m.csv" -o "$T/m.crm"; od -An -tu2 -j8 -N2 "$T/m.crm" | tr -d ' ')" 1
check "--map product_id=art keeps the items" \
    "$(crm-import --map product_id=art "$T/m.csv" -o "$T/m2.crm" 2>&1 | grep -c '1 line items kept')" 1
# A store written before the amount could be stored as LEB128 (column 53): its ITEM block
# has the amount as column 51 (4-byte planes, residuals from the predicted price); it must
# read as before, and the same orders imported now use column 53.
A51=testdata/basket/orders-amount51.crm
check "fixture's amount column is 51, a fresh import's 53" \
    "$(od -An -tu1 -j$(($(grep -abo ITEM "$A51" | head -1 | cut -d: -f1) + 28 + 27 + 36 + 36)) -N1 "$A51" | tr -d ' ') $(od -An -tu1 -j$(($(grep -abo ITEM "$T/b.crm" | head -1 | cut -d: -f1) + 28 + 27 + 36 + 36)) -N1 "$T/b.crm" | tr -d ' ')" \
    "51 53"
for opts in "--names" "--max-size 3 --min-support 0.2" "--recommend 2"; do
    check "amount column 51 store: crm-basket $opts as a fresh import" \
        "$(crm-basket $opts "$A51" 2>&1 | md5sum)" "$(crm-basket $opts "$T/b.crm" 2>&1 | md5sum)"
done
check "amount column 51 store: replenish reminders as a fresh import" \
    "$(crm-segment --care --reasons replenish "$A51" 2>&1 | md5sum)" \
    "$(crm-segment --care --reasons replenish "$T/b.crm" 2>&1 | md5sum)"
