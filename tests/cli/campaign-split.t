# split: the list's rows with a group column; customer 12345 is control at F = 0.71 and
# treatment at 0.70 (u = 0.7016708 under salt care-2024-06-01, see crm-campaign(1)).
cmd: printf 'customer_id,reason\n12345,birthday\n12345,after-7d\n' | crm-campaign split --holdout 0.71 --salt care-2024-06-01 && printf 'customer_id\n12345\n' | crm-campaign split --holdout 0.70 --salt care-2024-06-01
stderr-empty
--- stdout
customer_id,reason,group
12345,birthday,control
12345,after-7d,control
customer_id,group
12345,treatment
