# a partition's segment summary without the whole's cut points would name segments by its
# own quintiles
cmd: crm-segment --as-of 2025-01-01 --summary --by segment --emit-partial "$T/p" testdata/sample-orders.csv
status: 2
stderr: ^crm-segment: --summary --by segment of a partition needs --cuts
