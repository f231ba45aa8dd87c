# SPEC 13.1: --sniff on a WooCommerce export shows the mapping a person would check, writes nothing
cmd: crm-import --sniff --preset woocommerce testdata/exports/woocommerce-orders.csv && ls "$T"
status: 0
--- stdout
file: testdata/exports/woocommerce-orders.csv
encoding: UTF-8
delimiter: comma
preset: woocommerce
header: line 1, 22 columns
fields:
  order_id         <- "order_number" (column 2)
  customer_id      <- "billing_email" (column 18), e-mail: compared without case
  order_time       <- "order_date" (column 3)
  amount           <- "order_total" (column 10)
  quantity         <- "item_quantity" (column 22)
  unit_price       not found
  status           <- "status" (column 4)
  currency         <- "order_currency" (column 12)
  refunded_amount  <- "refunded_total" (column 11)
  phone            <- "billing_phone" (column 19)
  product_id       not found
  product_name     not found
  category         not found
dates: auto (ISO 8601, YYYY/MM/DD, YYYYMMDD; offsets honoured)
  "2024-05-02 09:14:05" -> 2024-05-02 09:14:05
  "2024-05-02 11:40:51" -> 2024-05-02 11:40:51
  "2024-05-03 16:02:33" -> 2024-05-03 16:02:33
decimals: point, money scale 2 (e.g. "48.10")
statuses seen (column 4 "status"):
  completed                       2 rows -> paid
  processing                      1 rows -> paid
  on-hold                         1 rows -> pending
  refunded                        1 rows -> refunded (refunded in full: never revenue)
  cancelled                       1 rows -> cancelled
  failed                          1 rows -> cancelled
first rows as parsed:
  line 2: order_id=4101 customer_id=lena.kraus@example.de order_time=2024-05-02 09:14:05 amount=48.10 quantity=2 status=paid
  line 3: order_id=4102 customer_id=marc.dubois@example.fr order_time=2024-05-02 11:40:51 amount=24.50 quantity=1 status=paid
  line 4: order_id=4103 customer_id=+45 3355 0199 order_time=2024-05-03 16:02:33 amount=12.00 quantity=1 status=pending
  line 5: order_id=4104 customer_id=lena.kraus@example.de order_time=2024-05-04 08:21:10 amount=0.00 quantity=1 status=refunded
  line 6: order_id=4105 customer_id=ana.silva@example.pt order_time=2024-05-05 19:55:00 amount=15.70 quantity=1 status=cancelled
rows read: 7; would be rejected: 0; expected skips: 0
would import: yes

