# crm-campaign measure: testdata/campaign-groups.csv (a listed twice; x not in the store) over
# March 2024 of testdata/kpi-orders.csv. Treatment a, b, c, x: buyers a (40.00), b (100.00);
# control d, f, h: buyers f (300.00), h (90.00); d's refund is not an order. Intervals and
# p-values agree with an independent mpmath computation (Wilson/Newcombe, pooled z test,
# Welch with the Welch-Satterthwaite degrees of freedom).
cmd: crm-campaign measure --as-of 2024-04-01 --groups testdata/campaign-groups.csv --from 2024-03-01 --days 31 testdata/kpi-orders.csv
--- stdout
metric,treatment,control,difference,difference_lo,difference_hi,lift,p_value
customers,4,3,,,,,
buyers,2,2,-0.67,-2.44,1.64,-0.2500000,0.6592430
conversion_rate,0.5000000,0.6666667,-0.1666667,-0.6098037,0.4105336,-0.2500000,0.6592430
orders_per_customer,0.5000000,0.6666667,-0.1666667,-1.3432340,1.0099007,-0.2500000,0.7227877
revenue_per_customer,35.00,130.00,-95.00,-446.97,256.97,-0.7307692,0.3983835
