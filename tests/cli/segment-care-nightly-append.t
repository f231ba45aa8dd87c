# a cron job night after night: import, morning list, append the day's orders, next
# morning's list (hand-checked). 07-02: p7a bought 7 days ago; vip qualified on 2023-08-02
# and lapses 2024-08-01, 30 days away; wb last paid 181 days ago (dormant from today).
# 07-03: bd1's birthday; p7b's two orders 7 days ago; vip2 lapses 2024-08-02 but the order
# it placed on 07-02 completes a qualifying year, so it is not listed. 07-04: p28 bought
# 28 days ago. Last: the 07-03 list from a store without day 2 (on a pipe) lists vip2.
cmd: D=testdata/care; crm-import -q $D/history.csv $D/day-2024-07-01.csv --customers $D/customers.csv -o "$T/shop.crm" && echo "== 07-02" && crm-segment --care --as-of 2024-07-02 "$T/shop.crm" && crm-import -q $D/day-2024-07-02.csv --append "$T/shop.crm" && echo "== 07-03" && crm-segment --care --as-of 2024-07-03 "$T/shop.crm" && crm-import -q $D/day-2024-07-03.csv --append "$T/shop.crm" && echo "== 07-04" && crm-segment --care --as-of 2024-07-04 "$T/shop.crm" && echo "== 07-03 without day 2" && crm-import -q $D/history.csv $D/day-2024-07-01.csv --customers $D/customers.csv | crm-segment --care --on 2024-07-03 | tail -n +2
stderr-empty
--- stdout
== 07-02
customer_id,reason,due_date,class,tier,last_order,detail
p7a,after-7d,2024-07-02,new,B,2024-06-25,1 paid order of 99.00 on 2024-06-25
vip,vip-expiring,2024-07-02,dormant,G,2023-08-02,VIP since 2023-08-02; lapses 2024-08-01
wb,win-back,2024-07-02,dormant,B,2024-01-03,no paid order for 181 days
== 07-03
customer_id,reason,due_date,class,tier,last_order,detail
bd1,birthday,2024-07-03,no-sale,,,born 1990-07-03; turns 34
p7b,after-7d,2024-07-03,new,B,2024-06-26,2 paid orders of 65.50 on 2024-06-26
== 07-04
customer_id,reason,due_date,class,tier,last_order,detail
p28,after-28d,2024-07-04,new,B,2024-06-06,1 paid order of 120.00 on 2024-06-06
== 07-03 without day 2
bd1,birthday,2024-07-03,no-sale,,,born 1990-07-03; turns 34
p7b,after-7d,2024-07-03,new,B,2024-06-26,2 paid orders of 65.50 on 2024-06-26
vip2,vip-expiring,2024-07-03,G,G,2024-03-01,VIP since 2023-08-03; lapses 2024-08-02
