# --forecast month:3: three rows per customer, calendar months from the day after the data
# ends; undiscounted, a customer's months add up to the expected purchases of the 92-day
# horizon (Oct + Nov + Dec) — checked for every customer to 6 decimals.
cmd: crm-churn --model pnbd --as-of 2024-10-01 --horizon 92 testdata/sample-orders.csv > $T/h && crm-churn --model pnbd --as-of 2024-10-01 --forecast month:3 testdata/sample-orders.csv > $T/f && head -4 $T/f | cut -d, -f2-4 && awk -F, 'NR == FNR { if (FNR > 1) want[$1] = $6; next } FNR > 1 { got[$1] += $5; n[$1]++ } END { for (c in want) { k++; d = got[c] - want[c]; if (n[c] == 3 && d < 5e-6 && d > -5e-6) ok++ } print ok " of " k " customers add up" }' $T/h $T/f
stderr-empty
--- stdout
period,period_start,period_end
1,2024-10-01,2024-10-31
2,2024-11-01,2024-11-30
3,2024-12-01,2024-12-31
1681 of 1681 customers add up
