# --curve 5: the Lorenz curve (customers ascending) at 0, 0.2, …, 1: the bottom 2, 4, 6, 8
# customers hold 20, 40, 60, 80 of 190 (0.1052632 …); it starts at (0,0), ends at (1,1),
# and 1 − L(0.8) = 110/190 is top20_share.
cmd: crm-pareto --as-of 2024-06-01 --curve 5 testdata/pareto-small.csv
stderr-empty
--- stdout
customer_share,value_share
0.0000000,0.0000000
0.2000000,0.1052632
0.4000000,0.2105263
0.6000000,0.3157895
0.8000000,0.4210526
1.0000000,1.0000000
