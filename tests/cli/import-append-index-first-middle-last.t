# an append checks only the chunks whose order-id summary admits one of its ids, and still
# finds every duplicate: ids of the first, a middle and the last of 4 chunks, among new ones;
# appended again, every row is a duplicate (the same counts as before the summaries)
cmd: gen --orders 200000 --seed 3 > "$T/a.csv" && crm-import -q "$T/a.csv" -o "$T/s.crm" && awk 'NR==1||NR==6||NR==100001||NR==200001' "$T/a.csv" > "$T/b.csv" && gen --orders 10 --seed 4 --days 1 --end 2025-06-01 | sed '2,$ s/^O/N/' | tail -n +2 >> "$T/b.csv" && crm-import --rejects "$T/r1.csv" "$T/b.csv" --append "$T/s.crm" 2>&1 | tail -1 && cut -d, -f2-3 "$T/r1.csv" && crm-import --rejects "$T/r2.csv" "$T/b.csv" --append "$T/s.crm" 2>&1 | tail -1 && tail -n +2 "$T/r2.csv" | wc -l && crm-import --check "$T/s.crm" | grep -E '^(orders|commits)'
--- stdout
crm-import: 13 rows read, 10 orders written (0 rows merged into orders), 0 rejected, 3 duplicates skipped; 0 new customers
line,reason
2,duplicate order_id O00000005 (already stored)
3,duplicate order_id O00100000 (already stored)
4,duplicate order_id O00200000 (already stored)
crm-import: 13 rows read, 0 orders written (0 rows merged into orders), 0 rejected, 13 duplicates skipped; 0 new customers
13
orders: 200010 (paid 188519, cancelled 5971, refunded 4939, pending 581)
commits: 3
