# --by takes class, segment or vip
cmd: crm-segment --summary --by tier testdata/segment-orders.csv
status: 2
stderr: ^crm-segment: --by tier: expected class, segment or vip
