#!/usr/bin/env bash
# tests/scale-engines.sh DIR — the engine recipes of docs/SCALE.md run on stand-ins for the
# engines (no Hadoop or Spark here), compared with the single store as tests/scale.sh does:
#  - Hadoop Streaming: scripts/scale/crm-map.sh over three input splits, a shuffle (lines
#    "key TAB line" grouped into 4 reducers by customer and sorted by key, as the framework
#    does), scripts/scale/crm-reduce.sh per reducer, its lines without a tab given one
#    (TextOutputFormat does that), then the merge steps of the docs;
#  - Spark RDD.pipe: scripts/scale/crm_spark.py's functions on a stand-in RDD whose pipe()
#    does what PySpark's does (shlex-split command, only the given environment, one process
#    per partition, even an empty one).
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

# ---- Spark RDD.pipe ----
P=$D/spark
mkdir -p "$P"
CRM_PATH=$(dirname "$(command -v crm-rfm)"):/usr/bin:/bin python3 - "$IN" "$P" <<'EOF'
import os, shlex, subprocess, sys
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
    def pipe(self, command, env=None, checkCode=False):
        out = []
        for p in self.parts:
            proc = subprocess.Popen(shlex.split(command), env=env or {},
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            data = "".join(str(x).rstrip("\n") + "\n" for x in p).encode("utf-8")
            stdout, _ = proc.communicate(data)
            if checkCode and proc.returncode:
                raise RuntimeError("pipe %s exited %d" % (command, proc.returncode))
            out.append([l.decode("utf-8") for l in stdout.split(b"\n")[:-1]])
        return RDD(out)
    def collect(self):
        return [x for p in self.parts for x in p]

src, out = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    lines = f.read().split("\n")[:-1]
files = [lines[:7001], lines[:1] + lines[7001:14001], lines[:1] + lines[14001:]]
orders = crm_spark.by_customer(RDD(files), 5)   # 5 partitions; some customers' split files
rows = crm_spark.run(orders, "2025-01-01", out)
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
