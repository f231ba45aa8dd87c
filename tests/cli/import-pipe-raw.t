# a store piped to another tool is written uncompressed (read once: cheaper at both ends);
# --compress gives the compressed one, as a file does; all hold the same orders and give
# the same report; order ids repeated past the merge window (65536 orders) are found with
# the raw store too (its order ids are looked up uncompressed) and, begun in this same
# input, rejected as far-apart line items (SPEC 13.1), not silent duplicates
cmd: gen --orders 70000 --seed 3 >"$T/o.csv" && head -101 "$T/o.csv" | tail -n +2 >>"$T/o.csv" && crm-import "$T/o.csv" 2>"$T/err" | cat >"$T/raw.crm" && crm-import -q --compress "$T/o.csv" | cat >"$T/z.crm" && crm-import -q "$T/o.csv" -o "$T/f.crm" && grep 'rows read' "$T/err" && test "$(wc -c <"$T/raw.crm")" -gt "$(( $(wc -c <"$T/z.crm") * 3 / 2 ))" && test "$(wc -c <"$T/z.crm")" = "$(wc -c <"$T/f.crm")" && crm-import --dump "$T/raw.crm" >"$T/d1" && crm-import --dump "$T/f.crm" | cmp - "$T/d1" && crm-rfm --as-of 2025-01-01 "$T/raw.crm" >"$T/r1" && crm-rfm --as-of 2025-01-01 "$T/z.crm" | cmp - "$T/r1" && wc -l <"$T/d1"
--- stdout
crm-import: 70100 rows read, 70000 orders written (0 rows merged into orders), 100 rejected (100 line item far from its order), 0 duplicates skipped; 7000 new customers
70001
