#!/usr/bin/env bash
# tests/scale.sh DIR — the partitioned path of SPEC §12 run locally against the single store.
# testdata/sample-orders.csv is split by `crm-import --partition N` for N = 1, 3 and 16; every
# tool's global step goes through --emit-partial and --merge-partials (and --cuts / --params
# for the per-customer scores), and each result is compared byte for byte with the run on
# one store. Per-customer rows come out of the partitions in another order than the single
# store's (its first-appearance order): those are compared sorted, header apart; summaries,
# curves, charts, cut points, parameters and Pareto ranks (a k-way merge: global order) are
# compared as printed. Prints one line per comparison: "same NAME" or "DIFFERENT NAME".
# Run from the repository root with the tools on PATH (tests/cli/scale-partitions.t).
set -euo pipefail
D=${1:?usage: tests/scale.sh SCRATCH_DIR}
IN=testdata/sample-orders.csv
A="--as-of 2025-01-01"
export LC_ALL=C

same() { # file file name (two empty files are no evidence: reported as EMPTY)
    if [ ! -s "$1" ]; then echo "EMPTY $3"
    elif cmp -s "$1" "$2"; then echo "same $3"
    else echo "DIFFERENT $3"; fi
}
rows() { # a report's rows without its header, sorted
    tail -n +2 | sort
}

# ---- the single store ----
crm-import -q "$IN" -o "$D/all.crm"
S=$D/single
mkdir -p "$S"
crm-rfm $A --scheme quintile "$D/all.crm" | rows >"$S/rfm"
crm-rfm $A --scheme quintile -v "$D/all.crm" 2>&1 >/dev/null | grep 'cut points' >"$S/rfm-cuts"
crm-rfm $A "$D/all.crm" | rows >"$S/rfm-seed"
crm-segment $A "$D/all.crm" | rows >"$S/segment"
for by in class segment vip; do
    crm-segment $A --summary --by $by "$D/all.crm" >"$S/summary-$by"
done
crm-segment $A --kpi --period month "$D/all.crm" >"$S/kpi"
crm-pareto $A "$D/all.crm" >"$S/pareto-rows"
crm-pareto $A --summary --svg "$S/pareto.svg" "$D/all.crm" >"$S/pareto-summary"
crm-pareto $A --by frequency --window all --curve 20 "$D/all.crm" >"$S/pareto-curve"
crm-churn $A --params-out "$S/fit" "$D/all.crm" | rows >"$S/churn"
crm-churn $A --model mbgnbd --calibration-end 2024-09-30 --params-out "$S/fit-cal" \
    "$D/all.crm" | rows >"$S/churn-cal"

for N in 1 3 16; do
    P=$D/p$N
    mkdir -p "$P"
    crm-import -q --partition "$N" "$IN" -o "$P/s.%d.crm"
    parts=$(seq 0 $((N - 1)))

    # crm-rfm --scheme quintile: runs -> cut points -> every partition scored with them
    for i in $parts; do
        crm-rfm $A --scheme quintile --emit-partial "$P/rfm.$i" "$P/s.$i.crm"
    done
    crm-rfm --scheme quintile -v --merge-partials "$P"/rfm.* -o "$P/cuts" 2>"$P/merge.err"
    grep 'cut points' "$P/merge.err" >"$P/rfm-cuts"
    same "$S/rfm-cuts" "$P/rfm-cuts" "N=$N crm-rfm quintile cut points"
    for i in $parts; do crm-rfm --scheme quintile --cuts "$P/cuts" "$P/s.$i.crm" | rows; done |
        sort >"$P/rfm"
    same "$S/rfm" "$P/rfm" "N=$N crm-rfm --scheme quintile rows (sorted)"
    for i in $parts; do crm-rfm $A "$P/s.$i.crm" | rows; done | sort >"$P/rfm-seed"
    same "$S/rfm-seed" "$P/rfm-seed" "N=$N crm-rfm seed rows (sorted; no global step)"

    # crm-segment: named segments need the cut points (crm-segment's own partials here)
    for i in $parts; do crm-segment $A --emit-partial "$P/seg.$i" "$P/s.$i.crm"; done
    crm-segment --merge-partials "$P"/seg.* >"$P/cuts-segment"
    same "$P/cuts" "$P/cuts-segment" "N=$N crm-segment cut points = crm-rfm's"
    for i in $parts; do crm-segment --cuts "$P/cuts" "$P/s.$i.crm" | rows; done |
        sort >"$P/segment"
    same "$S/segment" "$P/segment" "N=$N crm-segment rows (sorted)"
    for by in class segment vip; do
        for i in $parts; do
            crm-segment $A --summary --by $by --cuts "$P/cuts" \
                --emit-partial "$P/sum-$by.$i" "$P/s.$i.crm"
        done
        cat "$P"/sum-$by.* | crm-segment --summary --by $by --merge-partials >"$P/summary-$by"
        same "$S/summary-$by" "$P/summary-$by" "N=$N crm-segment --summary --by $by"
    done
    for i in $parts; do
        crm-segment $A --kpi --period month --emit-partial "$P/kpi.$i" "$P/s.$i.crm"
    done
    crm-segment --kpi --period month --merge-partials "$P"/kpi.* >"$P/kpi"
    same "$S/kpi" "$P/kpi" "N=$N crm-segment --kpi"

    # crm-pareto: value runs (+ ranked customers) -> every report of the whole
    for i in $parts; do crm-pareto $A --emit-partial "$P/pareto.$i" "$P/s.$i.crm"; done
    crm-pareto --merge-partials "$P"/pareto.* >"$P/pareto-rows"
    same "$S/pareto-rows" "$P/pareto-rows" "N=$N crm-pareto rows (global ranks, as printed)"
    crm-pareto --summary --svg "$P/pareto.svg" --merge-partials "$P"/pareto.* \
        >"$P/pareto-summary"
    same "$S/pareto-summary" "$P/pareto-summary" "N=$N crm-pareto --summary"
    same "$S/pareto.svg" "$P/pareto.svg" "N=$N crm-pareto --svg"
    for i in $parts; do
        crm-pareto $A --by frequency --window all --curve 20 --emit-partial - "$P/s.$i.crm"
    done >"$P/pareto-freq"
    crm-pareto --by frequency --window all --curve 20 --merge-partials <"$P/pareto-freq" \
        >"$P/pareto-curve"
    same "$S/pareto-curve" "$P/pareto-curve" "N=$N crm-pareto --by frequency --curve"

    # crm-churn: weighted triples and spend -> one fit -> every partition scored with it
    for i in $parts; do crm-churn $A --emit-partial "$P/churn.$i" "$P/s.$i.crm"; done
    crm-churn --merge-partials "$P"/churn.* -o "$P/fit"
    same "$S/fit" "$P/fit" "N=$N crm-churn parameters"
    for i in $parts; do crm-churn $A --params "$P/fit" "$P/s.$i.crm" | rows; done |
        sort >"$P/churn"
    same "$S/churn" "$P/churn" "N=$N crm-churn rows (sorted)"
    C="--calibration-end 2024-09-30"
    for i in $parts; do crm-churn $A $C --emit-partial "$P/cal.$i" "$P/s.$i.crm"; done
    crm-churn --model mbgnbd $C --merge-partials "$P"/cal.* -o "$P/fit-cal"
    same "$S/fit-cal" "$P/fit-cal" "N=$N crm-churn mbgnbd calibration parameters"
    for i in $parts; do crm-churn $A $C --params "$P/fit-cal" "$P/s.$i.crm" | rows; done |
        sort >"$P/churn-cal"
    same "$S/churn-cal" "$P/churn-cal" "N=$N crm-churn mbgnbd holdout rows (sorted)"
done
