# --window all counts c01's 1,000.00 of 2023-05-01: c01 1,010.00, c10 100.00, eight at
# 10.00; total 1,190. Ascending Σ i·x = 10·36 + 9·100 + 10·1010 = 11360: Gini = 22720/11900
# − 1.1 = 0.8092437; top 20 % = 1110/1190 = 0.9327731. customers_for_80 stays at 80 %:
# only c01 has less than 952 before it → 0.1. --abc 85,99 (and --tsv): A while before
# < 1011.5: c01 (0), c10 (1010) → two; B while before < 1178.1: 1110 … 1170 → seven; c09
# (before 1180) is C.
cmd: crm-pareto --as-of 2024-06-01 --window all --abc 85,99 --tsv --summary testdata/pareto-small.csv
stderr-empty
--- stdout
metric	value
customers	10
total_value	1190.00
top20_share	0.9327731
customers_for_80	0.1000000
gini	0.8092437
a_customers	2
a_value	1110.00
b_customers	7
b_value	70.00
c_customers	1
c_value	10.00
