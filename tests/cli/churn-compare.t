# --compare: one row per model with parameters, log-likelihood, AIC = 8 - 2 LL, BIC =
# 4 ln(n) - 2 LL, and with a holdout the holdout columns; exactly one best.
cmd: crm-churn --compare --as-of 2024-10-01 --calibration-end 2024-06-30 testdata/sample-orders.csv > $T/c && head -1 $T/c && awk -F, 'NR > 1 { n++; if ($2 == "ok") ok++; if ($17 == "yes") best++; d = $10 - (8 - 2 * $9); e = $11 - (4 * log($12) - 2 * $9); if (d < 1e-6 && d > -1e-6 && e < 1e-6 && e > -1e-6) ic++ } END { print n " models, " ok " fitted, " best " best, " ic " with AIC and BIC right" }' $T/c
stderr-empty
--- stdout
model,status,r,alpha,a,b,s,beta,loglik,aic,bic,customers,mae,rmse,total_predicted,total_actual,best
3 models, 3 fitted, 1 best, 3 with AIC and BIC right
