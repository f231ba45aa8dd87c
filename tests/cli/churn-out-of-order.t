# Orders out of time order (the second half of the year imported first, the first half
# appended): distinct purchase days come from a second pass, and the rows equal those of the
# time-ordered import (in another order: rows follow the store's customer order); 1,976
# customers with a paid order (awk) plus the header. Read from a pipe with --as-of, the
# store cannot be read twice: exit 1 with a message saying what to do.
cmd: (head -1 testdata/sample-orders.csv; tail -n +10002 testdata/sample-orders.csv) | crm-import -q -o $T/s.crm && head -10001 testdata/sample-orders.csv | crm-import -q --append $T/s.crm && crm-churn --as-of 2025-01-01 $T/s.crm | sort > $T/a && crm-churn --as-of 2025-01-01 testdata/sample-orders.csv | sort > $T/b && cmp $T/a $T/b && wc -l < $T/a && cat $T/s.crm | crm-churn --as-of 2025-01-01
status: 1
stderr: ^crm-churn: stdin: the orders of [0-9]+ customers are not in time order .* cannot be read twice \(a pipe with --as-of\): give the store as a file, or leave out --as-of$
--- stdout
1977
