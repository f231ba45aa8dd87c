# A fit that fails in a cron job: --fallback-params scores with the saved parameters, warns
# on stderr and exits 0; the rows are those of --params with the same file.
cmd: grep -v '^A[67],' testdata/churn-one-repeater.csv > $T/o.csv && crm-churn --unit day --fallback-params testdata/churn-params-day.csv $T/o.csv > $T/a && crm-churn --params testdata/churn-params-day.csv $T/o.csv | cmp - $T/a && wc -l < $T/a
stderr: ^crm-churn: warning: bgnbd fit: no customer made a repeat purchase.*; scoring with the fallback parameters of testdata/churn-params-day.csv$
--- stdout
7
