# --intervals: lo <= estimate <= hi for every customer and column, and the same input gives
# the same bytes (seeded draws).
cmd: crm-churn --model pnbd --intervals 0.9 testdata/sample-orders.csv > $T/a && crm-churn --model pnbd --intervals 0.9 testdata/sample-orders.csv | cmp - $T/a && awk -F, 'NR == 1 { print $11, $12, $13, $14, $15, $16; next } { n++; if ($11 <= $6 && $6 <= $12 && $13 <= $5 && $5 <= $14 && $15 <= $9 && $9 <= $16) ok++ } END { print ok " of " n " inside" }' $T/a
stderr-empty
--- stdout
expected_purchases_lo expected_purchases_hi p_alive_lo p_alive_hi clv_lo clv_hi
1976 of 1976 inside
