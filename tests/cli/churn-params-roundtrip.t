# A saved fit scores byte for byte like the fit itself (parameters are rounded to the
# file's 7 decimals before scoring), and the file has the rows of SPEC §9.
cmd: crm-churn --params-out $T/p.csv testdata/sample-orders.csv > $T/a && crm-churn --params $T/p.csv testdata/sample-orders.csv > $T/b && cmp $T/a $T/b && cut -d, -f1,2 $T/p.csv
stderr-empty
--- stdout
model,parameter
bgnbd,r
bgnbd,alpha
bgnbd,a
bgnbd,b
bgnbd,loglik
bgnbd,unit_days
gammagamma,p
gammagamma,q
gammagamma,gamma
gammagamma,loglik
