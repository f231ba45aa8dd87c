# Checks crm-churn -v's fit report (stderr) against the parameters the data were simulated
# from: each estimate within 3.5 standard errors (the SEs come from the inverse Hessian;
# 3.5 SE fails a correct fit with probability ~5e-4 per parameter). Also checks the holdout
# report (calibration_x,...,total_actual,total_predicted,...): the predicted total repeat
# purchases after the calibration end within 10 % of the actual ones (over 16 seeds of the
# set-ups of churn-recovery-*.t the difference had SD 3 %).
# Usage: awk -v truth="r=0.5 alpha=100 a=0.8 b=2.5 p=6 q=4 gamma=15" -f THIS err report
BEGIN {
    n = split(truth, kv, " ")
    for (i = 1; i <= n; i++) { split(kv[i], f, "="); want[f[1]] = f[2]; order[i] = f[1] }
}
FNR == NR && / fit on / {
    for (i = 1; i <= NF; i++)
        if (split($i, f, "=") == 2 && (f[1] in want) && $(i + 1) == "(se") {
            se = $(i + 2); sub(/\)/, "", se)
            got[f[1]] = f[2]; sd[f[1]] = se
        }
    next
}
FNR != NR && /^all,/ { split($0, c, ","); actual = c[5]; predicted = c[6] }
END {
    for (i = 1; i <= n; i++) {
        k = order[i]
        if (!(k in got)) { print k " missing from the fit report"; continue }
        z = (got[k] - want[k]) / sd[k]
        print k (z > -3.5 && z < 3.5 ? " within 3.5 se" : " off by " z " se")
    }
    if (actual != "") {
        d = (predicted - actual) / actual
        print "holdout total" (d > -0.1 && d < 0.1 ? " within 10%" : " off by " d)
    }
}
