#!/usr/bin/env bash
# tests/engine/slurm.sh — the Slurm recipe of docs/SCALE.md (scripts/scale/crm-slurm.sh),
# run with a stand-in for sbatch: no Slurm on this machine, so each array is its tasks run
# as background processes with SLURM_ARRAY_TASK_ID set, and a phase starts only when every
# task of the one before exited 0 (--dependency=afterok). One piece is damaged before the
# store phase (a node that died writing it): that array task fails, naming the file, the
# later phases are not started, and the failure policy of the docs — re-run the failed
# indices of the phases concerned, then re-submit the chain — finishes the run with results
# byte-identical to the single store. Prints ok / not ok lines.
set -uo pipefail
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
export LC_ALL=C CRM_WORK=$D/work
IN=testdata/sample-orders.csv
mkdir -p "$CRM_WORK" "$D/s"
head -1 "$IN" >"$D/h"; tail -n +2 "$IN" >"$D/body"
split -n l/3 "$D/body" "$D/b."
i=0; for b in "$D"/b.*; do cat "$D/h" "$b" >"$D/split$i.csv"; echo "$D/split$i.csv"; i=$((i + 1)); done \
    >"$CRM_WORK/splits.txt"
echo 4 >"$CRM_WORK/N"
array() { # PHASE FIRST-LAST: an array job; its failed indices on stdout, status 1 if any
    local phase=$1 i pids=() bad=()
    for i in $(seq "${2%-*}" "${2#*-}"); do
        SLURM_ARRAY_TASK_ID=$i sh scripts/scale/crm-slurm.sh "$phase" 2>>"$D/slurm.err" & pids+=($!)
    done
    i=${2%-*}
    for p in "${pids[@]}"; do wait "$p" || bad+=($i); i=$((i + 1)); done
    echo "${bad[*]}"
    [ ${#bad[@]} -eq 0 ]
}
chain() { # the sbatch chain: each phase afterok the one before
    array split 0-2 >/dev/null && array store 0-3 >"$D/failed" && array partials 0-3 >/dev/null &&
        array merge 0-0 >/dev/null && array rows 0-3 >/dev/null && array report 0-0 >/dev/null
}
array split 0-2 >/dev/null
: >"$CRM_WORK/split1.2.crm.new"; head -c 300 "$CRM_WORK/split1.2.crm" >"$CRM_WORK/split1.2.crm.new"
mv "$CRM_WORK/split1.2.crm.new" "$CRM_WORK/split1.2.crm"
if chain; then echo "not ok slurm: the chain went through with a damaged piece"
elif [ "$(cat "$D/failed")" = 2 ] && ! [ -e "$CRM_WORK/cuts.crmp" ] &&
    grep -q 'split1.2.crm' "$D/slurm.err"; then
    echo "ok slurm: store task 2 failed naming split1.2.crm; later phases not started"
else echo "not ok slurm: failed tasks '$(cat "$D/failed")': $(tail -2 "$D/slurm.err")"; fi
# the policy: remove what the failed task read, re-run those indices, re-submit the chain
rm -f "$CRM_WORK"/split1.*.crm
if array split 1-1 >/dev/null && array store 2-2 >/dev/null && chain; then
    echo "ok slurm: failed indices re-run (split 1, store 2), chain re-submitted, run complete"
else echo "not ok slurm: the re-run failed: $(tail -2 "$D/slurm.err")"; fi
S=$D/s
crm-import -q "$IN" -o "$S/all.crm"
crm-rfm --scheme quintile "$S/all.crm" >"$S/rfm.csv"
crm-segment "$S/all.crm" >"$S/segment.csv"
crm-churn --params-out "$S/fit.csv" "$S/all.crm" >"$S/churn.csv"
crm-pareto "$S/all.crm" >"$S/pareto.csv"
crm-pareto --summary --svg "$S/pareto.svg" "$S/all.crm" >"$S/pareto-summary.csv"
crm-segment --kpi "$S/all.crm" >"$S/kpi.csv"
for by in class segment vip; do crm-segment --summary --by $by "$S/all.crm" >"$S/summary-$by.csv"; done
W=$CRM_WORK
[ "$(cat "$W/as-of")" = 2025-01-01 ] && echo "ok slurm: global as-of 2025-01-01 from the partitions' latest days" ||
    echo "not ok slurm: as-of $(cat "$W/as-of")"
for f in fit.csv pareto.csv pareto-summary.csv pareto.svg kpi.csv summary-class.csv \
         summary-segment.csv summary-vip.csv; do
    if [ -s "$W/$f" ] && cmp -s "$S/$f" "$W/$f"; then echo "ok slurm: $f identical"
    else echo "not ok slurm: $f differs from the single store"; fi
done
for f in rfm.csv segment.csv churn.csv; do
    if [ -s "$W/$f" ] && cmp -s <(head -1 "$S/$f"; tail -n +2 "$S/$f" | sort) \
        <(head -1 "$W/$f"; tail -n +2 "$W/$f" | sort); then echo "ok slurm: $f identical (rows sorted)"
    else echo "not ok slurm: $f differs from the single store"; fi
done
