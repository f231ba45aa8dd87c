# --net --summary (values of pareto-net.t), with -v naming the floored customer count.
# Ascending 0, 6, 10×7, 100: Σ i·x = 12 + 10·(3+…+9) + 1000 = 1432; Gini = 2864/1760 − 1.1
# = 0.5272727; top 20 % = 110/176 = 0.625.
cmd: crm-pareto -v --as-of 2024-06-01 --net --summary testdata/pareto-small.csv
stderr: window 2023-06-02 \.\. 2024-05-31: 10 of 1[0-9] customers have a paid order
stderr: --net: 1 customers refunded more than they bought
--- stdout
metric,value
customers,10
total_value,176.00
top20_share,0.6250000
customers_for_80,0.6000000
gini,0.5272727
a_customers,6
a_value,150.00
b_customers,2
b_value,20.00
c_customers,2
c_value,6.00
