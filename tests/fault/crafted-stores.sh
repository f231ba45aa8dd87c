#!/usr/bin/env bash
# Crafted stores (SPEC §13.3): deflate bombs, times outside the years 1-9999, money scales
# outside 0-6, ids too long or not UTF-8, a negative quantity. Every block has a valid CRC,
# so only the format's value and size checks can catch them. Each must be exit 1 with an
# error naming the chunk (or the header), read by --check and by crm-rfm, in under 100 MB
# (maximum resident set, /usr/bin/time).
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${B:-build}
PATH="$PWD/$B/bin:$PATH"
export LC_ALL=C.UTF-8 TZ=UTC
t=$(mktemp -d /tmp/crm-crafted-XXXXXX)
trap 'rm -rf "$t"' EXIT
ok() { echo "ok $*"; }
nok() { echo "not ok $*"; }
if [ ! -x /usr/bin/time ]; then echo "skip crafted stores: /usr/bin/time missing"; exit 0; fi

"$B"/scripts/gen -n 3000 -s 7 >"$t/in.csv"
crm-import -q "$t/in.csv" | cat >"$t/base.crm"       # a streamed store: commit record 0
python3 tests/fault/craft-store.py "$t/base.crm" "$t" || { nok "craft-store.py failed"; exit 0; }

# case  expected message part  where (chunk 0 / header)
while read -r name want where; do
    f="$t/$name.crm"
    want=${want//_/ }
    [ -e "$f" ] || { nok "$name: not crafted"; continue; }
    # the analytic tools decode (and so check) only the columns they use: no tool reads
    # the quantity, which --check and --dump do
    tools="check rfm"
    [ "$name" = quantity-negative ] && tools="check dump"
    for tool in $tools; do
        case $tool in
            check) cmd=(crm-import --check "$f") ;;
            dump) cmd=(crm-import --dump "$f") ;;
            *) cmd=(crm-rfm --as-of 2025-01-01 "$f") ;;
        esac
        /usr/bin/time -f '%M' -o "$t/mem" "${cmd[@]}" >"$t/out" 2>"$t/err"; rc=$?
        kb=$(tail -1 "$t/mem")
        msg=$(head -1 "$t/err")
        if [ $rc -ne 1 ]; then nok "$name ($tool): exit $rc, want 1: $msg"
        elif ! grep -q -- "$want" "$t/err"; then nok "$name ($tool): message '$msg' lacks '$want'"
        elif [ "$where" = chunk0 ] && ! grep -q 'chunk 0:' "$t/err"; then
            nok "$name ($tool): message '$msg' does not name chunk 0"
        elif [ "$kb" -ge 102400 ]; then nok "$name ($tool): ${kb} KB, want under 100 MB"
        else ok "$name ($tool): exit 1 in ${kb} KB: ${msg#*: }"; fi
    done
done <<'CASES'
bomb-declared-time declares chunk0
bomb-inflates-past does_not_decompress chunk0
bomb-dictionary declares chunk0
dict-id-too-long bytes_(at_most_1024) chunk0
dict-id-not-utf8 not_valid_UTF-8 chunk0
dict-id-surrogate not_valid_UTF-8 chunk0
time-before-year-1 years_1-9999 chunk0
time-after-year-9999 years_1-9999 chunk0
quantity-negative negative_quantity chunk0
money-scale-7 is_not_a_whole_number_from_0_to_6 header
money-scale-minus-1 is_not_a_whole_number_from_0_to_6 header
money-scale-2x is_not_a_whole_number_from_0_to_6 header
money-scale-huge is_not_a_whole_number_from_0_to_6 header
money-scale-empty is_not_a_whole_number_from_0_to_6 header
CASES
# the base store itself reads fine (the checks do not refuse a good store)
if crm-import --check "$t/base.crm" >/dev/null 2>&1; then ok "the uncrafted store passes --check"
else nok "the uncrafted store fails --check"; fi
# the importer never writes what a reader refuses: an id over 1,024 bytes is a rejected row
{
    echo "order_id,customer_id,order_time,amount"
    printf '1,%s,2024-01-01 10:00:00,5.00\n' "$(head -c 2000 /dev/zero | tr '\0' c)"
    printf '%s,b,2024-01-01 10:00:00,5.00\n' "$(head -c 1025 /dev/zero | tr '\0' o)"
    printf '3,%s,2024-01-01 10:00:00,5.00\n' "$(head -c 1024 /dev/zero | tr '\0' k)"
    echo "4,0000,0000-06-01 10:00:00,5.00"
} >"$t/long.csv"
crm-import -q --max-reject-rate 1 "$t/long.csv" -o "$t/long.crm" --rejects "$t/long-rej.csv"
if crm-import --check "$t/long.crm" | grep -q '^orders: 1 ' &&
   [ "$(grep -c 'a store keeps ids of at most 1024 bytes' "$t/long-rej.csv")" = 2 ] &&
   grep -q ',5,"bad order_time' "$t/long-rej.csv"; then
    ok "ids over 1024 bytes and a year-0 time are rejected rows; a 1024-byte id is stored"
else nok "long ids or a year-0 time: $(cut -c1-120 "$t/long-rej.csv")"; fi
