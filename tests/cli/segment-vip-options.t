# the three VIP thresholds are options: with 1 order, 1 item and 500.00, mal qualifies too
cmd: crm-segment --as-of 2024-07-01 --vip-orders 1 --vip-items 1 --vip-money 500 testdata/segment-orders.csv | cut -d, -f1,3 | grep ',yes$'
--- stdout
mal,yes
vip,yes
