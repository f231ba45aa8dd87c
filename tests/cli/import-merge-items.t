# SPEC §17/§18: stores with line items merged keep them (format version 2, products unified
# by id): crm-basket (triples, names, --recommend) and the replenish reminders of
# crm-segment --care on the merged store equal those of one import of the concatenated CSV
# (the merged store is even byte for byte that import's: products numbered by first use)
cmd: gen --orders 2000 --seed 1 --products 50 -o "$T/a.csv" && gen --orders 2000 --seed 3 --products 50 | sed "2,\$ s/^O/N/" > "$T/b.csv" && crm-import -q "$T/a.csv" -o "$T/a.crm" && crm-import -q "$T/b.csv" -o "$T/b.crm" && crm-import "$T/a.crm" "$T/b.crm" -o "$T/m.crm" && { cat "$T/a.csv"; tail -n +2 "$T/b.csv"; } > "$T/ab.csv" && crm-import -q "$T/ab.csv" -o "$T/one.crm" && for s in m one; do crm-basket --max-size 3 --names "$T/$s.crm" > "$T/$s.rules" && crm-basket --recommend 2 "$T/$s.crm" > "$T/$s.rec" && crm-segment --care --reasons replenish --as-of 2024-12-01 "$T/$s.crm" > "$T/$s.care" || exit 1; done && cmp "$T/m.rules" "$T/one.rules" && cmp "$T/m.rec" "$T/one.rec" && cmp "$T/m.care" "$T/one.care" && echo identical && cmp "$T/m.crm" "$T/one.crm" && echo store bytes identical && crm-import --check "$T/m.crm" | sed -n 2p && head -3 "$T/m.rules" && wc -l < "$T/m.rec" && head -3 "$T/m.care"
stderr: ^crm-import: 2 stores merged: 4000 orders read, 4000 orders written, 0 duplicates skipped, 0 customers-file rows$
stderr: ^crm-import: 7033 line items kept$
--- stdout
identical
store bytes identical
format: crmkit store version 2, money scale 2, time zone (as written)
antecedent,consequent,antecedent_orders,consequent_orders,both_orders,support,confidence,lift,antecedent_name,consequent_name
P41,P42,102,106,54,0.0143388,0.5294118,18.8091010,,
P42,P41,106,102,54,0.0143388,0.5094340,18.8091010,,
326
customer_id,reason,due_date,class,tier,last_order,detail
C0000002,replenish,2024-12-01,G,G,2024-11-20,P10 every 12 days; last 2024-11-19; bought on 20 days
C0000043,replenish,2024-12-01,S,S,2024-10-14,P38 every 48 days; last 2024-10-14; bought on 5 days
