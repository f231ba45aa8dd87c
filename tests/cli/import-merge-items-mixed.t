# SPEC §17/§18: a store without line items (format version 1) merged with one that has
# them: the merged store keeps the items there are (version 2) and says, even with -q, how
# many orders came without; the replenish reminders come from the items there are
cmd: gen --orders 2000 --seed 1 --products 50 -o "$T/a.csv" && gen --orders 2000 --seed 3 --products 50 | sed "2,\$ s/^O/N/" > "$T/b.csv" && crm-import -q "$T/a.csv" -o "$T/a.crm" && crm-import -q "$T/b.csv" -o "$T/b.crm" && crm-import -q --no-items "$T/a.csv" -o "$T/a1.crm" && crm-import -q "$T/a1.crm" "$T/b.crm" -o "$T/m.crm" && crm-import --check "$T/m.crm" | sed -n 2,3p && crm-segment --care --reasons replenish --as-of 2024-12-01 "$T/m.crm" | cut -d, -f1,2,7
stderr: ^crm-import: .*a1.crm: 2000 orders merged without line items \(the store has none: format version 1; import its orders with their product column to have them\); the other stores. items are kept$
--- stdout
format: crmkit store version 2, money scale 2, time zone (as written)
orders: 4000 (paid 3766, cancelled 122, refunded 97, pending 15)
customer_id,reason,detail
C0000043,replenish,P38 every 48 days; last 2024-10-14; bought on 5 days
C0000050,replenish,P01 every 35 days; last 2024-10-27; bought on 4 days
C0000101,replenish,P31 every 46 days; last 2024-10-16; bought on 6 days
C0000123,replenish,P17 every 51 days; last 2024-10-11; bought on 5 days (more products due)
