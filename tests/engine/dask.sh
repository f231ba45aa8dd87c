#!/usr/bin/env bash
# tests/engine/dask.sh — SPEC §18 on a real engine: a Dask distributed cluster (Debian's
# python3-distributed under /usr/bin/python3) — one scheduler and two workers, each its own
# process, over TCP on 127.0.0.1 at a port free at run time — runs the whole partitioned path
# through python/crmkit_scale.py: three input splits each partitioned by its own task, the
# pieces of each partition merged (crm-import A B C -o P), the global as-of date, every
# report and every global step. Each result is compared byte for byte with the single store
# (per-customer rows sorted, header apart: they come partition by partition). Then the same
# run again with one worker killed (SIGKILL) mid-way: its tasks go to the other worker and
# the results are the same; and splits with line items (products) through partition, merge,
# crm-basket's partials and the replenish reminders. Every process the test starts is
# stopped on exit (trap).
# Prints ok / not ok / skip lines. Run from the repository root with the tools on PATH.
set -uo pipefail
PY=${CRMKIT_PYTHON:-/usr/bin/python3}
ROOT=$PWD
if ! "$PY" -c 'import distributed' 2>/dev/null; then
    echo "skip dask: $PY has no distributed module (apt-get install python3-distributed)"
    exit 0
fi
D=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export LC_ALL=C PYTHONPATH=$ROOT/python CRMKIT_BIN=$(dirname "$(command -v crm-import)")
start=$(date +%s.%N)

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SCHED=tcp://127.0.0.1:$port
"$PY" -m distributed.cli.dask_scheduler --host 127.0.0.1 --port "$port" --dashboard-address \
    127.0.0.1:0 --idle-timeout 300 >"$D/scheduler.log" 2>&1 &
pids+=($!)
worker() { # NAME: a worker process of one thread, no nanny (a kill is a lost worker)
    "$PY" -m distributed.cli.dask_worker "$SCHED" --name "$1" --nthreads 1 --no-nanny \
        --dashboard-address 127.0.0.1:0 --local-directory "$D/$1" >"$D/$1.log" 2>&1 &
    pids+=($!)
}
worker w1; w1=$!
worker w2; w2=$!
if "$PY" - "$SCHED" <<'PYEOF'
import sys, time
from distributed import Client
with Client(sys.argv[1], timeout=30) as c:
    c.wait_for_workers(2, timeout=60)
PYEOF
then echo "ok dask: scheduler and 2 workers up on $SCHED (pids ${pids[*]})"
else echo "not ok dask: cluster did not start"; tail -5 "$D"/*.log; exit 0; fi

# ---- the single store, every tool at its default as-of date ----
IN=testdata/sample-orders.csv
S=$D/single; mkdir -p "$S"
crm-import -q "$IN" -o "$S/all.crm"
rows() { tail -n +2 "$1" | sort; }
crm-rfm --scheme quintile "$S/all.crm" >"$S/rfm.csv"
crm-rfm "$S/all.crm" >"$S/rfm-seed.csv"
crm-segment "$S/all.crm" >"$S/segment.csv"
crm-segment --care "$S/all.crm" >"$S/care.csv"
for by in class segment vip; do crm-segment --summary --by $by "$S/all.crm" >"$S/summary-$by.csv"; done
crm-segment --kpi "$S/all.crm" >"$S/kpi.csv"
crm-pareto "$S/all.crm" >"$S/pareto.csv"
crm-pareto --summary --svg "$S/pareto.svg" "$S/all.crm" >"$S/pareto-summary.csv"
crm-churn --params-out "$S/fit.csv" "$S/all.crm" >"$S/churn.csv"
crm-import --dump "$S/all.crm" | tail -n +2 | sort >"$S/orders"

# three splits of the input at order boundaries, each with its header
head -1 "$IN" >"$D/h"
tail -n +2 "$IN" >"$D/body"
split -n l/3 "$D/body" "$D/body."
i=0; for b in "$D"/body.*; do cat "$D/h" "$b" >"$D/split$i.csv"; i=$((i + 1)); done

compare() { # RUN-NAME WORK-DIR
    local r=$1 W=$2 f bad=0
    for f in pareto.csv pareto-summary.csv pareto.svg kpi.csv summary-class.csv \
             summary-segment.csv summary-vip.csv fit.csv; do
        if [ -s "$W/$f" ] && cmp -s "$S/$f" "$W/$f"; then echo "ok dask $r: $f identical"
        else echo "not ok dask $r: $f differs from the single store"; fi
    done
    for f in rfm.csv rfm-seed.csv segment.csv care.csv churn.csv; do
        if [ -s "$W/$f" ] && cmp -s <(head -1 "$S/$f") <(head -1 "$W/$f") &&
            cmp -s <(rows "$S/$f") <(rows "$W/$f"); then
            echo "ok dask $r: $f identical (rows sorted, $(($(wc -l <"$W/$f") - 1)) customers)"
        else echo "not ok dask $r: $f differs from the single store"; fi
    done
    for f in "$W"/part.*.crm; do crm-import --dump "$f" | tail -n +2; done | sort >"$W/orders"
    if [ -s "$W/orders" ] && cmp -s "$S/orders" "$W/orders"; then
        echo "ok dask $r: merged partition stores hold the single store's orders (--dump)"
    else echo "not ok dask $r: merged partition stores differ from the single store"; fi
}
pipeline() { # WORK-DIR: the whole path through crmkit_scale on the cluster
    "$PY" python/crmkit_scale.py --scheduler "$SCHED" -n 4 --work "$1" "$D"/split*.csv \
        >"$1.out" 2>"$1.err"
}

# ---- run 1: both workers ----
if pipeline "$D/run1"; then echo "ok dask run 1: crmkit_scale pipeline on 2 workers finished"
else echo "not ok dask run 1: pipeline failed: $(tail -3 "$D/run1.err")"; fi
grep -q '^as-of: 2025-01-01$' "$D/run1.out" &&
    echo "ok dask run 1: global as-of date 2025-01-01 (the day after the latest order)" ||
    echo "not ok dask run 1: as-of date: $(grep as-of "$D/run1.out")"
compare "run 1" "$D/run1"

# ---- run 2: worker w1 killed as soon as the first partial is written ----
pipeline "$D/run2" & prun=$!
pids+=($prun)
for _ in $(seq 1 3000); do
    compgen -G "$D/run2/*.part" >/dev/null && break
    kill -0 "$prun" 2>/dev/null || break
    sleep 0.01
done
if kill -0 "$prun" 2>/dev/null && ! [ -e "$D/run2/rfm.csv" ] && kill -9 "$w1" 2>/dev/null; then
    { wait "$w1"; } 2>/dev/null
    left=$(ls "$D/run2" | grep -c '\.csv$')
    echo "ok dask run 2: worker w1 (pid $w1) killed mid-way ($left of 17 report files written)"
else
    echo "not ok dask run 2: the run ended before the worker could be killed"
fi
if wait "$prun"; then echo "ok dask run 2: pipeline finished on the remaining worker"
else echo "not ok dask run 2: pipeline failed: $(tail -3 "$D/run2.err")"; fi
grep -q '^workers at end: 1$' "$D/run2.out" &&
    echo "ok dask run 2: the scheduler lost w1 (1 worker at the end)" ||
    echo "not ok dask run 2: workers: $(grep workers "$D/run2.out" | tr '\n' ' ')"
compare "run 2 (worker killed)" "$D/run2"
# ---- line items (SPEC §17): splits with products through the same steps on the cluster ----
# each split partitioned by its own task, each partition's pieces merged (the items go
# with their orders), crm-basket's two rounds of partials and the replenish reminders per
# partition: equal to the single store's
gen --orders 3000 --seed 5 --products 40 -o "$D/items.csv"
awk -F, 'NR == 1 { print > h1; print > h2; next } NR > 2000 && $1 != last { cut = 1 }
         { print > (cut ? h2 : h1); last = $1 }' h1="$D/isplit0.csv" h2="$D/isplit1.csv" \
    "$D/items.csv"
crm-import -q "$D/items.csv" -o "$D/items.crm" 2>/dev/null   # its notes are said even with -q
if "$PY" - "$SCHED" "$D" >"$D/items.log" 2>&1 <<'PYEOF'
import os, sys
import crmkit_scale as cs
from distributed import Client
sched, d = sys.argv[1], sys.argv[2]
work = os.path.join(d, "items")
os.makedirs(work)
w = lambda name: os.path.join(work, name)
with Client(sched, timeout=30) as c:
    sub = lambda fn, *a: c.submit(fn, *a, pure=False)
    pieces = cs._all([sub(cs.partition, os.path.join(d, "isplit%d.csv" % i), 2, work, "s%d" % i)
                      for i in range(2)])
    stores = cs._all([sub(cs.merge_stores, [p[k] for p in pieces], w("p%d.crm" % k))
                      for k in range(2)])
    ms = ("--min-support", "0.005")
    counts = cs._all([sub(cs.emit, "crm-basket", s, w("c%d" % k), ms)
                      for k, s in enumerate(stores)])
    freq = sub(cs.merge_partials, "crm-basket", counts, w("freq"), ms).result()
    pairs = cs._all([sub(cs.emit, "crm-basket", s, w("q%d" % k), ("--frequent", freq))
                     for k, s in enumerate(stores)])
    sub(cs.merge_partials, "crm-basket", pairs, w("rules.csv"), ("--names",)).result()
    care = cs._all([sub(cs.run, "crm-segment", s, w("care%d.csv" % k),
                        ("--care", "--reasons", "replenish", "--as-of", "2025-01-01"))
                    for k, s in enumerate(stores)])
    sub(cs.concat_rows, care, w("care.csv")).result()
PYEOF
then echo "ok dask items: splits with products partitioned and merged on the cluster"
else echo "not ok dask items: $(tail -1 "$D/items.log")"; fi
want=$(crm-basket --min-support 0.005 --names "$D/items.crm")
if [ -s "$D/items/rules.csv" ] && [ "$(cat "$D/items/rules.csv")" = "$want" ]; then
    echo "ok dask items: crm-basket over the merged partitions = the single store" \
        "($(($(wc -l <"$D/items/rules.csv") - 1)) rules)"
else echo "not ok dask items: crm-basket over the merged partitions differs from the single store"
fi
crm-segment --care --reasons replenish --as-of 2025-01-01 "$D/items.crm" >"$D/items.care"
if [ -s "$D/items/care.csv" ] && cmp -s <(rows "$D/items.care") <(rows "$D/items/care.csv") &&
    [ "$(rows "$D/items.care" | wc -l)" -gt 0 ]; then
    echo "ok dask items: replenish reminders of the merged partitions = the single store" \
        "($(rows "$D/items.care" | wc -l) rows)"
else echo "not ok dask items: replenish reminders differ from the single store"; fi
awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "ok dask: cluster test took %.1f s\n", b - a }'
