# --diagnostics DIR: the eight files; period transactions count every modelled customer
# (actual and model); the tracking series' weeks follow BTYD's convention (week 1 ends on
# the 7th day); the incremental column adds up to the cumulative one.
cmd: crm-churn --model pnbd --as-of 2024-10-01 --calibration-end 2024-06-30 --diagnostics $T/d testdata/sample-orders.csv > $T/rows && ls $T/d && awk -F, 'NR > 1 { a += $2; m += $3 } END { printf "%d actual, %.0f model\n", a, m }' $T/d/period-transactions.csv && echo "$(($(wc -l < $T/rows) - 1)) rows" && awk -F, 'NR > 1 { s += $6; d = s - $4; if (d > 1e-5 || d < -1e-5) bad++; if (NR == 2) print "week 1 ends " $2 } END { print (bad + 0) " weeks off" }' $T/d/tracking.csv && grep -c '<svg' $T/d/*.svg | wc -l
stderr-empty
--- stdout
frequency-recency-expected.svg
frequency-recency-p-alive.svg
frequency-recency.csv
period-transactions.csv
period-transactions.svg
tracking-cumulative.svg
tracking-incremental.svg
tracking.csv
1384 actual, 1384 model
1384 rows
week 1 ends 2024-01-08
0 weeks off
5
