# --by frequency: c10 has 2 paid orders, nine customers 1: total 11. Ascending x = 1×9, 2:
# Gini = 2·(45 + 2·10)/(10·11) − 1.1 = 130/110 − 1.1 = 0.0818182; top 20 % = (2 + 1)/11 =
# 0.2727273. A: before = 0, 2, 3, …, 8 < 8.8 → eight (value 2 + 7 = 9); 9, 10 < 10.45 → B.
cmd: crm-pareto --as-of 2024-06-01 --by frequency --summary testdata/pareto-small.csv
stderr-empty
--- stdout
metric,value
customers,10
total_value,11
top20_share,0.2727273
customers_for_80,0.8000000
gini,0.0818182
a_customers,8
a_value,9
b_customers,2
b_value,2
c_customers,0
c_value,0
