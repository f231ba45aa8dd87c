# SPEC §17/§18: stores with line items merged onto an --append store: onto a store with
# items they are kept (crm-basket as on one import); onto a version-1 store they cannot be,
# and crm-import says so (even with -q) and how many; onto a missing store, it is created
# keeping them
cmd: gen --orders 2000 --seed 1 --products 50 -o "$T/a.csv" && gen --orders 2000 --seed 3 --products 50 | sed "2,\$ s/^O/N/" > "$T/b.csv" && crm-import -q "$T/a.csv" -o "$T/a.crm" && crm-import -q "$T/b.csv" -o "$T/b.crm" && { cat "$T/a.csv"; tail -n +2 "$T/b.csv"; } > "$T/ab.csv" && crm-import -q "$T/ab.csv" -o "$T/one.crm" && crm-basket "$T/one.crm" > "$T/one.rules" && cp "$T/a.crm" "$T/ap.crm" && crm-import -q "$T/b.crm" --append "$T/ap.crm" && crm-basket "$T/ap.crm" | cmp - "$T/one.rules" && echo onto items: same && crm-import -q "$T/a.crm" "$T/b.crm" --append "$T/new.crm" && crm-basket "$T/new.crm" | cmp - "$T/one.rules" && echo new store: same && crm-import -q --no-items "$T/a.csv" -o "$T/v1.crm" && crm-import -q "$T/b.crm" --append "$T/v1.crm" && crm-import --check "$T/v1.crm" | sed -n 2,3p
stderr: ^crm-import: .*new.crm: no store there yet; created it
stderr: ^crm-import: .*v1.crm: the store keeps no line items \(format version 1\): 3481 line items of the merged stores were not kept; merge into a new store \(-o\) to keep them$
--- stdout
onto items: same
new store: same
format: crmkit store version 1, money scale 2, time zone (as written)
orders: 4000 (paid 3766, cancelled 122, refunded 97, pending 15)
