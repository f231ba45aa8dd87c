# no customer has a paid order in the window (every order is on or after 2023-01-01):
# counts are 0 and the ratios, undefined, are empty
cmd: crm-pareto --as-of 2023-01-01 --summary testdata/pareto-small.csv
stderr-empty
--- stdout
metric,value
customers,0
total_value,0.00
top20_share,
customers_for_80,
gini,
a_customers,0
a_value,0.00
b_customers,0
b_value,0.00
c_customers,0
c_value,0.00
