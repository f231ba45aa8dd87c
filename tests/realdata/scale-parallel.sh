#!/usr/bin/env bash
# Real data through the GNU parallel recipes of docs/SCALE.md, as written there: UCI Online
# Retail in 8 partitions (quintile RFM rows, the segment summary, Pareto summary and ranked
# rows), the same from two input files partitioned in parallel and joined per partition (and
# then crm-basket's rules and the replenish reminders, from the line items joined too), and
# the CDNOW master log in 8 partitions (BG/NBD + Gamma-Gamma fit with a holdout, scored
# rows). Each result is compared byte for byte with the single store's (per-customer rows
# sorted, header first). Skipped without ../shared/data or GNU parallel.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ -d "$D" ] || { skip "scale-parallel: $D not found"; exit 0; }
command -v parallel >/dev/null || { skip "scale-parallel: GNU parallel is not installed"; exit 0; }
D=$(cd "$D" && pwd)
cd "$T" || exit 1

same() { # NAME FILE FILE
    if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1"; else
        notok "$1" "$(diff "$2" "$3" 2>&1 | head -4)"; fi
}
sorted() { # a report with its header first and its rows sorted
    { head -n 1; sort; } <"$1"
}

N=8
P=$(seq 0 $((N - 1)))

# ---- UCI Online Retail: one input file, crm-import --partition ----
if [ -r "$D/online_retail_uci_2010-2011.csv.gz" ]; then
    U=$D/online_retail_uci_2010-2011.csv.gz
    AS=2011-12-10   # the day after the last invoice: one date for every step
    crm-import -q --preset uci-online-retail "$U" -o all.crm
    crm-rfm --scheme quintile --as-of $AS all.crm >rfm1.csv
    crm-segment --summary --by segment --as-of $AS all.crm >seg1.csv
    crm-pareto --as-of $AS all.crm >pareto1.csv
    crm-pareto --summary --as-of $AS all.crm >psum1.csv

    # the recipe
    crm-import -q --preset uci-online-retail --partition $N "$U" -o 'shop.%d.crm'
    parallel crm-rfm --scheme quintile --as-of $AS --emit-partial rfm.{}.part shop.{}.crm ::: $P
    crm-rfm --scheme quintile --merge-partials rfm.*.part -o cuts.crmp
    parallel -k 'crm-rfm --scheme quintile --cuts cuts.crmp shop.{}.crm |
        tail -n +$(({#} > 1 ? 2 : 1))' ::: $P >rfm.csv
    parallel crm-segment --summary --by segment --cuts cuts.crmp \
        --emit-partial seg.{}.part shop.{}.crm ::: $P
    crm-segment --summary --by segment --merge-partials seg.*.part >seg.csv
    parallel crm-pareto --as-of $AS --emit-partial pareto.{}.part shop.{}.crm ::: $P
    crm-pareto --merge-partials pareto.*.part >pareto.csv
    crm-pareto --summary --merge-partials pareto.*.part >psum.csv

    sorted rfm1.csv >rfm1.sorted
    sorted rfm.csv >rfm.sorted
    same "uci: crm-rfm --scheme quintile rows, 8 partitions" rfm1.sorted rfm.sorted
    same "uci: crm-segment --summary --by segment, 8 partitions" seg1.csv seg.csv
    same "uci: crm-pareto ranked rows, 8 partitions" pareto1.csv pareto.csv
    same "uci: crm-pareto --summary, 8 partitions" psum1.csv psum.csv

    # several input files: each partitioned in parallel, then one store per partition
    zcat "$U" | awk -F, 'NR == 1 { print > "in1.csv"; print > "in2.csv"; next }
        NR > 270000 && $1 != last { second = 1 }
        { last = $1; print > (second ? "in2.csv" : "in1.csv") }'
    parallel crm-import -q --preset uci-online-retail --partition $N {} -o 'in{#}.%d.crm' \
        ::: in1.csv in2.csv
    parallel 'crm-import -q $(ls in*.{}.crm | sort -V) -o byfile.{}.crm' ::: $P
    for i in $P; do
        crm-import --dump shop.$i.crm >dump1.$i.csv
        crm-import --dump byfile.$i.crm >dump2.$i.csv
        cmp -s dump1.$i.csv dump2.$i.csv || echo "partition $i"
    done >dumps.diff
    check "uci: merged per-file partitions = one --partition import (--dump, 8 partitions)" \
        "$(wc -l <dumps.diff)" 0
    parallel crm-rfm --scheme quintile --as-of $AS --emit-partial byfile.{}.part \
        byfile.{}.crm ::: $P
    crm-rfm --scheme quintile --merge-partials byfile.*.part -o cuts2.crmp
    parallel -k 'crm-rfm --scheme quintile --cuts cuts2.crmp byfile.{}.crm |
        tail -n +$(({#} > 1 ? 2 : 1))' ::: $P >rfm2.csv
    sorted rfm2.csv >rfm2.sorted
    check "uci: the two input files hold orders" \
        "$(($(wc -l <in1.csv) > 1000 && $(wc -l <in2.csv) > 1000))" 1
    same "uci: two input files partitioned in parallel: quintile RFM rows" rfm1.sorted \
        rfm2.sorted
    # the line items (StockCode) go with their orders through the merge (SPEC §17)
    parallel crm-basket --emit-partial bp.{}.part byfile.{}.crm ::: $P
    crm-basket --merge-partials bp.*.part -o freq.crmp
    parallel crm-basket --frequent freq.crmp --emit-partial bq.{}.part byfile.{}.crm ::: $P
    # (no --names: a partition names a product by its first description there, and UCI has
    # StockCodes with two, e.g. 22632; the counts and the ranking are what is compared)
    crm-basket --merge-partials bq.*.part >rules2.csv
    crm-basket all.crm >rules1.csv
    same "uci: two input files partitioned and joined: crm-basket rules" rules1.csv rules2.csv
    parallel -k 'crm-segment --care --reasons replenish --as-of 2011-11-01 byfile.{}.crm |
        tail -n +$(({#} > 1 ? 2 : 1))' ::: $P >care2.csv
    crm-segment --care --reasons replenish --as-of 2011-11-01 all.crm >care1.csv
    sorted care1.csv >care1.sorted
    sorted care2.csv >care2.sorted
    check "uci: replenish reminders to compare" "$(($(wc -l <care1.csv) > 10))" 1
    same "uci: two input files partitioned and joined: replenish reminders" care1.sorted \
        care2.sorted
else
    skip "uci: online_retail_uci_2010-2011.csv.gz not found"
fi

# ---- CDNOW master: the churn fit of all partitions, a holdout after 1997-09-30 ----
if [ -r "$D/CDNOW_master.txt.gz" ]; then
    C=$D/CDNOW_master.txt.gz
    AS=1998-07-01
    CAL="--calibration-end 1997-09-30"
    crm-import -q --preset cdnow "$C" -o cdnow.crm
    crm-churn --as-of $AS $CAL --params-out fit1.csv cdnow.crm >churn1.csv

    crm-import -q --preset cdnow --partition $N "$C" -o 'cdnow.%d.crm'
    parallel crm-churn --as-of $AS $CAL --emit-partial churn.{}.part cdnow.{}.crm ::: $P
    crm-churn $CAL --merge-partials churn.*.part -o fit.csv
    parallel -k "crm-churn --as-of $AS $CAL --params fit.csv cdnow.{}.crm |
        tail -n +\$(({#} > 1 ? 2 : 1))" ::: $P >churn.csv
    same "cdnow: BG/NBD and Gamma-Gamma parameters of 8 partitions" fit1.csv fit.csv
    sorted churn1.csv >churn1.sorted
    sorted churn.csv >churn.sorted
    same "cdnow: crm-churn rows with the holdout, 8 partitions" churn1.sorted churn.sorted
else
    skip "cdnow: CDNOW_master.txt.gz not found"
fi
