# a groups file with no control customer (or none at all) cannot be compared: exit 1.
cmd: printf 'customer_id,group\na,treatment\n' > "$T/g.csv" && crm-campaign measure --groups "$T/g.csv" --from 2024-03-01 --days 30 testdata/kpi-orders.csv
status: 1
stderr: ^crm-campaign: the control group is empty: nothing to compare$
