#!/bin/sh
# scripts/scale/crm-slurm.sh PHASE — one step of crmkit's partitioned run as a Slurm job (an
# array task for the per-split and per-partition phases; docs/SCALE.md has the sbatch lines).
# Everything lives in CRM_WORK, a directory every node sees, which holds splits.txt (the
# input files, one per line) and CRM_N (the number of partitions, in file N).
#   split    task i: split i partitioned by its own task -> split<i>.<k>.crm
#   store    task k: the pieces of partition k merged in split order -> part.<k>.crm, and its
#            latest order day -> day.<k>
#   partials task k: as-of = the day after the latest of all (file as-of, written by the
#            first task to need it; the same from every task), partials of every global step
#   merge    one task: cut points, churn fit, Pareto reports, KPIs
#   rows     task k: per-customer rows scored with the figures of the whole, and the
#            segment summaries' partials
#   report   one task: summaries merged, per-partition rows joined (one header)
# Outputs are written atomically (crmkit's -o), and a task whose output exists is done, so a
# failed array task can be run again alone (sbatch --array=<its index>) or requeued, and
# the whole chain re-submitted: finished steps are skipped. Exit status = the failed step's.
set -eu
W=${CRM_WORK:?set CRM_WORK to the shared work directory}
cd "$W"
N=$(cat N)
k=${SLURM_ARRAY_TASK_ID:-0}
S=$(wc -l <splits.txt)
as_of() {
    [ -s as-of ] && { cat as-of; return; }
    last=$(cat day.* | sort | tail -1)
    d=$(date -u -d "$last + 1 day" +%F)
    echo "$d" >as-of.$$ && mv as-of.$$ as-of && echo "$d"
}
done_() { [ -s "$1" ]; }
case ${1:?usage: crm-slurm.sh split|store|partials|merge|rows|report} in
split)
    done_ "split$k.$((N - 1)).crm" ||
        crm-import -q --partition "$N" "$(sed -n "$((k + 1))p" splits.txt)" -o "split$k.%d.crm" ;;
store)
    pieces=$(i=0; while [ $i -lt "$S" ]; do printf 'split%d.%d.crm ' $i "$k"; i=$((i + 1)); done)
    done_ "part.$k.crm" || crm-import -q $pieces -o "part.$k.crm"
    crm-import --check "part.$k.crm" | sed -n 's/^dates: .* \.\. //p' | grep -v '^-$' \
        >"day.$k.tmp" || true
    mv "day.$k.tmp" "day.$k" ;;
partials)
    A="--as-of $(as_of)"
    done_ "rfm.$k.part" || crm-rfm $A --scheme quintile --emit-partial "rfm.$k.part" "part.$k.crm"
    done_ "pareto.$k.part" || crm-pareto $A --emit-partial "pareto.$k.part" "part.$k.crm"
    done_ "churn.$k.part" || crm-churn $A --emit-partial "churn.$k.part" "part.$k.crm"
    done_ "kpi.$k.part" || crm-segment $A --kpi --emit-partial "kpi.$k.part" "part.$k.crm" ;;
merge)
    crm-rfm --scheme quintile --merge-partials rfm.*.part -o cuts.crmp
    crm-churn ${CRM_MODEL:+--model "$CRM_MODEL"} --merge-partials churn.*.part -o fit.csv
    crm-pareto --merge-partials pareto.*.part -o pareto.csv
    crm-pareto --summary --svg pareto.svg --merge-partials pareto.*.part -o pareto-summary.csv
    crm-segment --kpi --merge-partials kpi.*.part -o kpi.csv ;;
rows)
    A="--as-of $(as_of)"
    done_ "rfm.$k.csv" || crm-rfm --scheme quintile --cuts cuts.crmp "part.$k.crm" -o "rfm.$k.csv"
    done_ "segment.$k.csv" || crm-segment --cuts cuts.crmp "part.$k.crm" -o "segment.$k.csv"
    done_ "churn.$k.csv" || crm-churn $A --params fit.csv "part.$k.crm" -o "churn.$k.csv"
    for by in class segment vip; do
        done_ "sum-$by.$k.part" || crm-segment $A --summary --by $by --cuts cuts.crmp \
            --emit-partial "sum-$by.$k.part" "part.$k.crm"
    done ;;
report)
    for by in class segment vip; do
        crm-segment --summary --by $by --merge-partials sum-$by.*.part -o "summary-$by.csv"
    done
    for r in rfm segment churn; do
        i=0
        while [ $i -lt "$N" ]; do
            if [ $i = 0 ]; then cat "$r.$i.csv"; else tail -n +2 "$r.$i.csv"; fi
            i=$((i + 1))
        done >"$r.csv.tmp"
        mv "$r.csv.tmp" "$r.csv"
    done ;;
*) echo "crm-slurm.sh: unknown phase $1" >&2; exit 2 ;;
esac
