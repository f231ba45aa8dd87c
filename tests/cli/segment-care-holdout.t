# crm-segment --care --holdout F --salt NAME adds the group column (the rule of crm-campaign
# split); --holdout without --salt is a usage error.
cmd: crm-segment --care --on 2024-02-10 --holdout 0.5 --salt s testdata/kpi-orders.csv; crm-segment --care --holdout 0.5 testdata/kpi-orders.csv; echo "exit $?"
stderr: ^crm-segment: --care needs both --holdout F \(0 < F < 1\) and --salt NAME
--- stdout
customer_id,reason,due_date,class,tier,last_order,detail,group
a,after-7d,2024-02-10,S,S,2024-02-03,1 paid order of 80.00 on 2024-02-03,treatment
exit 2
