# Hadoop Streaming writes a reducer's lines without a tab with one appended: the merge reads
# them as they were (the result equals the merge of the clean partial)
cmd: crm-churn --as-of 2025-01-01 --emit-partial "$T/p" testdata/sample-orders.csv && sed 's/$/\t/' "$T/p" > "$T/tab" && crm-churn --merge-partials "$T/tab" > "$T/a" && crm-churn --merge-partials "$T/p" > "$T/b" && cmp "$T/a" "$T/b" && test "$(grep -c '	$' "$T/tab")" = "$(wc -l < "$T/p")" && echo same fit
--- stdout
same fit
