# Parameter recovery end to end: orders simulated from known BG/NBD and Gamma-Gamma
# parameters (gen --bgnbd; a 10-year period so that two purchases rarely share a day),
# imported, fitted on the first 7 years: every estimate within 3.5 standard errors, the
# holdout total within 10 % (tests/cli/churn-recovery.awk).
cmd: gen --bgnbd 0.5,20,0.8,2.5 --gammagamma 6,4,15 --days 3650 --customers 20000 --seed 1 | crm-import -q | crm-churn -v --calibration-end 2021-12-31 --report $T/r.csv 2>$T/err >/dev/null && awk -v truth="r=0.5 alpha=20 a=0.8 b=2.5 p=6 q=4 gamma=15" -f tests/cli/churn-recovery.awk $T/err $T/r.csv
--- stdout
r within 3.5 se
alpha within 3.5 se
a within 3.5 se
b within 3.5 se
p within 3.5 se
q within 3.5 se
gamma within 3.5 se
holdout total within 10%
