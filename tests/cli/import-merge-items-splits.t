# SPEC §17/§18: the scale-out path with line items: two input splits, each partitioned by
# its own task (--partition 2), the pieces of each partition merged; crm-basket over the two
# merged partitions (two rounds of partials) and their replenish reminders equal the single
# store's, and the merged partitions hold every line item of the single store
cmd: gen --orders 3000 --seed 5 --products 40 -o "$T/g.csv" && awk -F, 'NR == 1 { print > h1; print > h2; next } NR > 2000 && $1 != last { cut = 1 } { print > (cut ? h2 : h1); last = $1 }' h1="$T/s0.csv" h2="$T/s1.csv" "$T/g.csv" && crm-import -q "$T/g.csv" -o "$T/all.crm" && for i in 0 1; do crm-import -q --partition 2 "$T/s$i.csv" -o "$T/s$i.%d.crm" || exit 1; done && for p in 0 1; do crm-import "$T/s0.$p.crm" "$T/s1.$p.crm" -o "$T/p$p.crm" 2>> "$T/merge.err" || exit 1; done && for p in 0 1; do crm-basket --min-support 0.005 --emit-partial "$T/c$p" "$T/p$p.crm" || exit 1; done && crm-basket --merge-partials --min-support 0.005 "$T/c0" "$T/c1" -o "$T/freq" && for p in 0 1; do crm-basket --frequent "$T/freq" --emit-partial "$T/q$p" "$T/p$p.crm" || exit 1; done && crm-basket --merge-partials --names "$T/q0" "$T/q1" > "$T/rules" && crm-basket --min-support 0.005 --names "$T/all.crm" | cmp - "$T/rules" && echo rules identical && for s in p0 p1; do crm-segment --care --reasons replenish --as-of 2025-01-01 "$T/$s.crm" | tail -n +2 || exit 1; done | sort > "$T/care" && crm-segment --care --reasons replenish --as-of 2025-01-01 "$T/all.crm" | tail -n +2 | sort | cmp - "$T/care" && echo replenish identical && grep 'line items kept' "$T/merge.err" | awk '{ n += $2 } END { print n " line items in the partitions" }' && wc -l < "$T/rules" && wc -l < "$T/care"
--- stdout
rules identical
replenish identical
5233 line items in the partitions
67
6
