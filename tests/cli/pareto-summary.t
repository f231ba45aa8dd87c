# --summary of the case of SPEC §8: nine customers at 10 and one at 100.
# Gini = 2·(10·(1+…+9) + 100·10)/(10·190) − 11/10 = 2900/1900 − 1.1 = 0.4263158;
# top 20 % = the top two customers = 110/190 = 0.5789474; A = 7 customers (see
# pareto-rows.t) holding 160.00, B = 3 holding 30.00; customers_for_80 = 7/10.
cmd: crm-pareto --as-of 2024-06-01 --summary testdata/pareto-small.csv
stderr-empty
--- stdout
metric,value
customers,10
total_value,190.00
top20_share,0.5789474
customers_for_80,0.7000000
gini,0.4263158
a_customers,7
a_value,160.00
b_customers,3
b_value,30.00
c_customers,0
c_value,0.00
