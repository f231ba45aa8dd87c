#!/usr/bin/env bash
# tests/merge-splits.sh DIR — parallel partitioning (SPEC §18): testdata/sample-orders.csv cut
# into three splits at order boundaries, each split partitioned by its own `crm-import
# --partition 4`, the four pieces of each partition merged (`crm-import A B C -o P`), and
# every merged partition compared with the partition `crm-import --partition 4` writes
# reading all of the input in one go: by --dump (every order, in store order) and by the
# reports (crm-rfm, crm-pareto --summary, crm-churn: customers in the same order too).
# Also a merge of split stores into one store = the single store's --dump. Prints "same
# NAME" or "DIFFERENT NAME" per comparison. Run from the repository root, tools on PATH.
set -euo pipefail
D=${1:?usage: tests/merge-splits.sh SCRATCH_DIR}
IN=testdata/sample-orders.csv
A="--as-of 2025-01-01"
export LC_ALL=C
same() {
    if [ ! -s "$1" ]; then echo "EMPTY $3"
    elif cmp -s "$1" "$2"; then echo "same $3"
    else echo "DIFFERENT $3"; fi
}
head -1 "$IN" >"$D/header"
rows=$(($(wc -l <"$IN") - 1))
cut1=$((rows / 3)); cut2=$((2 * rows / 3))
tail -n +2 "$IN" | sed -n "1,${cut1}p" | cat "$D/header" - >"$D/split0.csv"
tail -n +2 "$IN" | sed -n "$((cut1 + 1)),${cut2}p" | cat "$D/header" - >"$D/split1.csv"
tail -n +2 "$IN" | sed -n "$((cut2 + 1)),\$p" | cat "$D/header" - >"$D/split2.csv"

crm-import -q --partition 4 "$IN" -o "$D/one.%d.crm"
for s in 0 1 2; do
    crm-import -q --partition 4 "$D/split$s.csv" -o "$D/split$s.%d.crm"
    crm-import -q "$D/split$s.csv" -o "$D/whole$s.crm"
done
for p in 0 1 2 3; do
    crm-import -q "$D/split0.$p.crm" "$D/split1.$p.crm" "$D/split2.$p.crm" -o "$D/m.$p.crm"
    crm-import --dump "$D/one.$p.crm" >"$D/one.$p.csv"
    crm-import --dump "$D/m.$p.crm" >"$D/m.$p.csv"
    same "$D/one.$p.csv" "$D/m.$p.csv" "partition $p: merged splits --dump"
    for t in "crm-rfm $A" "crm-pareto $A --summary" "crm-churn $A"; do
        $t "$D/one.$p.crm" >"$D/one.$p.out"
        $t "$D/m.$p.crm" >"$D/m.$p.out"
        same "$D/one.$p.out" "$D/m.$p.out" "partition $p: ${t%% *} of merged splits"
    done
done
crm-import -q "$IN" -o "$D/single.crm"
crm-import -q "$D"/whole*.crm -o "$D/merged.crm"
crm-import --dump "$D/single.crm" >"$D/single.csv"
crm-import --dump "$D/merged.crm" >"$D/merged.csv"
same "$D/single.csv" "$D/merged.csv" "three split stores merged into one: --dump"
crm-import -q "$D"/m.*.crm -o "$D/all-partitions.crm"
crm-import --dump "$D/all-partitions.crm" | sort >"$D/ap.csv"
sort "$D/single.csv" >"$D/single-sorted.csv"
same "$D/single-sorted.csv" "$D/ap.csv" "four partitions merged into one: --dump (sorted)"
