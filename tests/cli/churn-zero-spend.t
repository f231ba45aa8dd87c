# A repeat customer whose repeat purchase was free (mean spend 0) is left out of the
# Gamma-Gamma fit, counted with -v, and gets the population mean order value; the BG/NBD
# output is not affected.
cmd: (cat testdata/sample-orders.csv; printf 'Z1,free,2024-03-01 10:00:00,5.00,1,paid\nZ2,free,2024-05-01 10:00:00,0.00,1,paid\n') > $T/o.csv && crm-churn -v $T/o.csv 2>$T/err | grep '^free,' | cut -d, -f2,8 > $T/v && grep -o 'population mean order value [0-9.]*' $T/err | awk '{ print "1," $5 }' | cmp - $T/v && grep -c 'gammagamma: 1 repeat customer with mean spend 0 left out of the fit' $T/err
--- stdout
1
