# A parameter too large for the fixed 7-decimal form is saved in scientific notation (it
# was cut off and followed by stack bytes), and reads back.
cmd: printf 'model,parameter,value\nbgnbd,r,0.24\nbgnbd,alpha,4.4\nbgnbd,a,0.79\nbgnbd,b,2.4\nbgnbd,loglik,-1e300\n' >"$T/p.csv" && crm-churn --params "$T/p.csv" --params-out "$T/o.csv" testdata/churn-edge.csv >/dev/null && crm-churn --params "$T/o.csv" --params-out "$T/o2.csv" testdata/churn-edge.csv >/dev/null && cmp "$T/o.csv" "$T/o2.csv" && cat "$T/o.csv"
stderr-empty
--- stdout
model,parameter,value,std_error
bgnbd,r,0.2400000,
bgnbd,alpha,4.4000000,
bgnbd,a,0.7900000,
bgnbd,b,2.4000000,
bgnbd,loglik,-1.0000000e+300,
