# 1M generated orders, 77,315 repeat customers: the Gamma-Gamma fit is accepted once the
# Newton step would gain < 1e-4 in log-likelihood (it used to stall on a 1e-6 gradient)
cmd: gen --orders 1000000 --seed 1 | crm-churn --as-of 2025-01-01 -v -o /dev/null
stderr: gammagamma fit on 77315 repeat customers: p=2\.829.* converged
