# days past the last order: a warning says how many days were measured (here 2024-03-20 ..
# 2024-03-31, 12 of 30): b bought, nobody in control did, so the lift is empty (no rate to
# compare with; pooled z test p = 0.3495748); the chart is valid SVG.
cmd: crm-campaign measure --as-of 2024-04-01 --groups testdata/campaign-groups.csv --from 2024-03-20 --days 30 --svg "$T/c.svg" testdata/kpi-orders.csv | grep '^buyers' && xmllint --noout "$T/c.svg"
stderr: ^crm-campaign: the 30 days from 2024-03-20 run past the last day of the orders \(2024-03-31\): 12 days measured
--- stdout
buyers,1,0,1.00,-1.39,2.80,,0.3495748
