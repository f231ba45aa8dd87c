# per-customer rows on testdata/pareto-small.csv at 2024-06-01 (365-day window): nine
# customers at 10.00 and c10 at 60 + 40 = 100.00 (its 1,000.00 on the as-of day is ignored,
# c01's 1,000.00 of 2023-05-01 is 397 days old: outside). Not ranked: refund-only,
# cancelled-only and pending-only customers. Total 190: shares 100/190 = 0.5263158 and
# 10/190 = 0.0526316; ties at 10.00 in id order. Class: A while the customers before hold
# less than 152 (80 %): before = 0, 100, 110, …, 150 → seven A; 160, 170, 180 < 180.5 → B.
cmd: crm-pareto --as-of 2024-06-01 testdata/pareto-small.csv
stderr-empty
--- stdout
rank,customer_id,value,share,cum_customers,cum_value,class
1,c10,100.00,0.5263158,0.1000000,0.5263158,A
2,c01,10.00,0.0526316,0.2000000,0.5789474,A
3,c02,10.00,0.0526316,0.3000000,0.6315789,A
4,c03,10.00,0.0526316,0.4000000,0.6842105,A
5,c04,10.00,0.0526316,0.5000000,0.7368421,A
6,c05,10.00,0.0526316,0.6000000,0.7894737,A
7,c06,10.00,0.0526316,0.7000000,0.8421053,A
8,c07,10.00,0.0526316,0.8000000,0.8947368,B
9,c08,10.00,0.0526316,0.9000000,0.9473684,B
10,c09,10.00,0.0526316,1.0000000,1.0000000,B
