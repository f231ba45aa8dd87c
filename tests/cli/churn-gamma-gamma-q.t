# Spend whose customer-level distribution has no finite mean (simulated with q = 0.8): the
# Gamma-Gamma fit gives q <= 1, which is an error (exit 1), not a column of nonsense.
cmd: gen --bgnbd 0.5,20,0.8,2.5 --gammagamma 6,0.8,15 --days 3650 --customers 3000 --seed 5 | crm-import -q | crm-churn
status: 1
stderr: ^crm-churn: gamma-gamma fit: q = 0\.[0-9]+ <= 1, so the spend distribution has no finite mean
--- stdout
