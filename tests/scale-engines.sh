#!/usr/bin/env bash
# tests/scale-engines.sh DIR — the engine recipes of docs/SCALE.md run on stand-ins for the
# engines (no Hadoop or Spark here), compared with the single store as tests/scale.sh does:
#  - Hadoop Streaming: scripts/scale/crm-map.sh over three input splits, a shuffle (lines
#    "key TAB line" grouped into 4 reducers by customer and sorted by key, as the framework
#    does), scripts/scale/crm-reduce.sh per reducer, its lines without a tab given one
#    (TextOutputFormat does that), then the merge steps of the docs;
#    and the import-once variant (scripts/scale/crm-store.sh: one store per reducer put on a
#    stand-in for `hdfs dfs`, then map-only passes over the list of stores);
#  - Spark: scripts/scale/crm_spark.py's functions on a stand-in RDD (mapPartitionsWithIndex,
#    flatMap, one call per partition), the CSV imported once per partition (counted).
# No Hadoop or Spark can run here (no JVM cluster on this machine; python3-distributed's Dask
# is the real engine of tests/engine/dask.sh), so these two stay on stand-ins.
# Prints "same NAME" or "DIFFERENT NAME" per comparison. Run from the repository root with
# the tools on PATH.
set -euo pipefail
D=${1:?usage: tests/scale-engines.sh SCRATCH_DIR}
IN=testdata/sample-orders.csv
A="--as-of 2025-01-01"
export LC_ALL=C
TAB=$(printf '\t')

same() {
    if [ ! -s "$1" ]; then echo "EMPTY $3"
    elif cmp -s "$1" "$2"; then echo "same $3"
    else echo "DIFFERENT $3"; fi
}
rows() { tail -n +2 | sort; }

S=$D/single
mkdir -p "$S"
crm-import -q "$IN" -o "$S/all.crm"
crm-rfm $A --scheme quintile "$S/all.crm" | rows >"$S/rfm"
crm-segment $A "$S/all.crm" | rows >"$S/segment"
crm-segment $A --summary --by segment "$S/all.crm" >"$S/segment-summary.csv"
crm-pareto $A "$S/all.crm" >"$S/pareto.csv"
crm-pareto $A --summary --svg "$S/pareto.svg" "$S/all.crm" >"$S/pareto-summary.csv"
crm-churn $A --params-out "$S/fit.csv" "$S/all.crm" | rows >"$S/churn"

# ---- Hadoop Streaming ----
H=$D/hadoop
mkdir -p "$H/in" "$H/map"
# three input files, as HDFS would hold them: each with its header
head -n 7001 "$IN" >"$H/in/a.csv"
{ head -n 1 "$IN"; sed -n '7002,14001p' "$IN"; } >"$H/in/b.csv"
{ head -n 1 "$IN"; sed -n '14002,$p' "$IN"; } >"$H/in/c.csv"
for f in a b c; do sh scripts/scale/crm-map.sh <"$H/in/$f.csv" >"$H/map/$f"; done
# the shuffle: customers numbered in key order, partition = number % 4, sorted by key
R=4
cat "$H"/map/* | sort -t "$TAB" -k1,1 -s | awk -F "$TAB" -v r=$R -v d="$H" '
    $1 != last { n++; last = $1 } { print > (d "/shuffle." (n % r)) }'
job() { # OUT CMD...: every reducer's output as part-0000r (TextOutputFormat's tab added)
    local out=$1 r
    shift
    mkdir -p "$out"
    for r in $(seq 0 $((R - 1))); do
        touch "$H/shuffle.$r"
        (cd "$out" && sh "$OLDPWD/scripts/scale/crm-reduce.sh" "$@" <"$H/shuffle.$r") |
            awk -F "$TAB" 'NF == 1 { print $0 "\t"; next } { print }' >"$out/part-0000$r"
    done
}
job "$H/rfm-partials" crm-rfm --scheme quintile $A --emit-partial -
cat "$H"/rfm-partials/part-* | crm-rfm --scheme quintile --merge-partials - >"$H/cuts.crmp"
mkdir -p "$H/rfm-rows"
cp "$H/cuts.crmp" "$H/rfm-rows/"   # -files cuts.crmp: a file in the task's directory
CRM_SKIP_HEADER=1 job "$H/rfm-rows" crm-rfm --scheme quintile --cuts cuts.crmp
cat "$H"/rfm-rows/part-* | sed 's/\t$//' | sort >"$H/rfm"
same "$S/rfm" "$H/rfm" "hadoop crm-rfm --scheme quintile rows (sorted)"
job "$H/pareto" crm-pareto $A --emit-partial -
cat "$H"/pareto/part-* >"$H/pareto.partials"   # hdfs dfs -getmerge
crm-pareto --merge-partials "$H/pareto.partials" >"$H/pareto.csv"
same "$S/pareto.csv" "$H/pareto.csv" "hadoop crm-pareto rows"
crm-pareto --summary --svg "$H/pareto.svg" --merge-partials "$H/pareto.partials" \
    >"$H/pareto-summary.csv"
same "$S/pareto-summary.csv" "$H/pareto-summary.csv" "hadoop crm-pareto --summary"
same "$S/pareto.svg" "$H/pareto.svg" "hadoop crm-pareto --svg"
job "$H/churn" crm-churn $A --emit-partial -
cat "$H"/churn/part-* | crm-churn --merge-partials - >"$H/fit.csv"
same "$S/fit.csv" "$H/fit.csv" "hadoop crm-churn parameters"
mkdir -p "$H/churn-rows"
cp "$H/fit.csv" "$H/churn-rows/"
CRM_SKIP_HEADER=1 job "$H/churn-rows" crm-churn $A --params fit.csv
cat "$H"/churn-rows/part-* | sed 's/\t$//' | sort >"$H/churn.rows"
same "$S/churn" "$H/churn.rows" "hadoop crm-churn rows (sorted)"

# partitioned once (a job whose reducers only `cut -f 2-`, gzip output: one mapper per
# file), then map-only jobs with CRM_KEYED=0
mkdir -p "$H/once" "$H/churn-once"
for r in $(seq 0 $((R - 1))); do cut -f 2- "$H/shuffle.$r" >"$H/once/part-0000$r"; done
for r in $(seq 0 $((R - 1))); do
    (cd "$H/churn-once" && CRM_KEYED=0 sh "$OLDPWD/scripts/scale/crm-reduce.sh" \
        crm-churn $A --emit-partial - <"$H/once/part-0000$r") >"$H/churn-once/part-0000$r"
done
cat "$H"/churn-once/part-* | crm-churn --merge-partials - >"$H/fit-once.csv"
same "$S/fit.csv" "$H/fit-once.csv" "hadoop map-only over partitioned files: crm-churn parameters"

# import once: a job whose reducers write one store each to "HDFS" (crm-store.sh import),
# then map-only passes over the list of stores (crm-store.sh run), CSV text never read again
printf '#!/bin/sh\n# stand-in for hdfs dfs: -put -f SRC DST | -get SRC DST\ncase $1 in -put) cp "$3" "$4" ;; -get) cp "$2" "$3" ;; esac\n' >"$H/hdfs"
chmod +x "$H/hdfs"
mkdir -p "$H/stores" "$H/store-list" "$H/passes"
for r in $(seq 0 $((R - 1))); do
    mapreduce_task_partition=$r CRM_HDFS="$H/hdfs" sh scripts/scale/crm-store.sh import \
        "$H/stores" <"$H/shuffle.$r" >"$H/store-list/part-0000$r"
done
for r in $(seq 0 $((R - 1))); do   # NLineInputFormat: "offset TAB path", one per mapper
    awk '{ print NR TAB $0 }' TAB="$TAB" "$H/store-list/part-0000$r" |
        CRM_HDFS="$H/hdfs" sh scripts/scale/crm-store.sh run crm-churn $A --emit-partial - \
        >"$H/passes/churn.$r"
done
cat "$H"/passes/churn.* | crm-churn --merge-partials - >"$H/fit-stores.csv"
same "$S/fit.csv" "$H/fit-stores.csv" "hadoop import once, map-only pass over stores: crm-churn parameters"
cp "$H/fit.csv" "$H/passes/"
for r in $(seq 0 $((R - 1))); do
    (cd "$H/passes" && awk '{ print NR TAB $0 }' TAB="$TAB" "$H/store-list/part-0000$r" |
        CRM_HDFS="$H/hdfs" CRM_SKIP_HEADER=1 sh "$OLDPWD/scripts/scale/crm-store.sh" run \
        crm-churn $A --params fit.csv)
done | sort >"$H/churn-stores"
same "$S/churn" "$H/churn-stores" "hadoop import once, map-only pass over stores: crm-churn rows (sorted)"

# ---- Spark: import once (mapPartitionsWithIndex), every pass on the persisted stores ----
P=$D/spark
mkdir -p "$P/bin"
# crm-import counted: the CSV text is imported once per partition, not once per pass
real=$(command -v crm-import)
printf '#!/bin/sh\necho x >>"%s"\nexec "%s" "$@"\n' "$P/imports" "$real" >"$P/bin/crm-import"
chmod +x "$P/bin/crm-import"
CRMKIT_BIN=$P/bin PYTHONPATH=python python3 - "$IN" "$P" <<'EOF'
import os, sys
sys.path.insert(0, "scripts/scale")
import crm_spark

class RDD:
    """The RDD calls crm_spark makes, with PySpark's semantics for pipe()."""
    def __init__(self, parts):
        self.parts = parts
    def filter(self, f):
        return RDD([[x for x in p if f(x)] for p in self.parts])
    def keyBy(self, f):
        return RDD([[(f(x), x) for x in p] for p in self.parts])
    def partitionBy(self, n, func):
        out = [[] for _ in range(n)]
        for p in self.parts:
            for kv in p:
                out[func(kv[0]) % n].append(kv)
        return RDD([list(reversed(p)) for p in out])   # a shuffle keeps no order
    def values(self):
        return RDD([[v for _, v in p] for p in self.parts])
    def persist(self):
        return self
    def mapPartitionsWithIndex(self, f):
        return RDD([list(f(k, iter(p))) for k, p in enumerate(self.parts)])
    def flatMap(self, f):
        return RDD([[y for x in p for y in f(x)] for p in self.parts])
    def collect(self):
        return [x for p in self.parts for x in p]

src, out = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    lines = f.read().split("\n")[:-1]
files = [lines[:7001], lines[:1] + lines[7001:14001], lines[:1] + lines[14001:]]
orders = crm_spark.by_customer(RDD(files), 5)   # 5 partitions; some customers' split files
stores = crm_spark.import_once(orders).persist()
rows = crm_spark.run(stores, "2025-01-01", out)
for name, rdd in rows.items():
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write("".join(sorted(l + "\n" for l in rdd.collect())))
EOF
same "$S/rfm" "$P/rfm" "spark crm-rfm --scheme quintile rows (sorted)"
same "$S/segment" "$P/segment" "spark crm-segment rows (sorted)"
same "$S/segment-summary.csv" "$P/segment-summary.csv" "spark crm-segment --summary"
same "$S/pareto.csv" "$P/pareto.csv" "spark crm-pareto rows"
same "$S/pareto-summary.csv" "$P/pareto-summary.csv" "spark crm-pareto --summary"
same "$S/pareto.svg" "$P/pareto.svg" "spark crm-pareto --svg"
same "$S/fit.csv" "$P/fit.csv" "spark crm-churn parameters"
same "$S/churn" "$P/churn" "spark crm-churn rows (sorted)"
echo "$(wc -l <"$P/imports") imports" >"$P/imports-count"
echo "5 imports" >"$P/imports-want"
same "$P/imports-want" "$P/imports-count" "spark crm-import runs once per partition (5), not per pass"
