# --dump honours -o and --tsv given after it (they were ignored: the dump ran as soon as
# --dump was parsed); orders checked by hand against testdata/messy-orders.csv
cmd: crm-import -q --max-reject-rate 1 testdata/messy-orders.csv -o "$T/s.crm" && crm-import --dump "$T/s.crm" --tsv -o "$T/d.tsv" && cat "$T/d.tsv"
stderr-empty
--- stdout
order_id	customer_id	order_time	amount	quantity	status	currency
1001	0012	2024-03-01 08:26:00	1234.00	1	paid	
1002	0012	2024-03-02 00:00:00	12.50	1	paid	
1003	张伟	2024-03-03 02:00:00	1234.50	1	paid	
1008	王芳	2024-03-08 00:00:00	7.00	1	refunded	
1009	赵敏	2024-03-09 00:00:00	7.00	2	paid	
