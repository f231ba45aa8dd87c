# one customer in both groups is an error naming the two lines.
cmd: printf 'customer_id,group\na,control\nb,treatment\na,treatment\n' > "$T/g.csv" && crm-campaign measure --groups "$T/g.csv" --from 2024-03-01 --days 30 testdata/kpi-orders.csv
status: 2
stderr: ^crm-campaign: .*/g.csv:4: customer "a" is in treatment here and in control on line 2
