# --reasons filters the list; --vip-remind moves the reminder (vip lapses 2024-08-01: 10
# days before is 2024-07-22)
cmd: D=testdata/care; crm-import -q $D/history.csv $D/day-2024-07-01.csv --customers $D/customers.csv -o "$T/shop.crm" && crm-segment --care --as-of 2024-07-02 --reasons win-back,after-28d "$T/shop.crm" && crm-segment --care --on 2024-07-22 --vip-remind 10 --reasons vip-expiring "$T/shop.crm"
--- stdout
customer_id,reason,due_date,class,tier,last_order,detail
wb,win-back,2024-07-02,dormant,B,2024-01-03,no paid order for 181 days
customer_id,reason,due_date,class,tier,last_order,detail
vip,vip-expiring,2024-07-22,dormant,G,2023-08-02,VIP since 2023-08-02; lapses 2024-08-01
