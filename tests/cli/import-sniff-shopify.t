# SPEC 13.1: --sniff on a Shopify export (guest rows skipped, not shown)
cmd: crm-import --sniff --preset shopify testdata/exports/shopify-orders.csv
status: 0
--- stdout
file: testdata/exports/shopify-orders.csv
encoding: UTF-8
delimiter: comma
preset: shopify
header: line 1, 38 columns
fields:
  order_id         <- "Name" (column 1)
  customer_id      <- "Email" (column 2), e-mail: compared without case
  order_time       <- "Created at" (column 16)
  amount           <- "Total" (column 12)
  quantity         <- "Lineitem quantity" (column 17)
  unit_price       not found
  status           <- "Financial Status" (column 3)
  currency         <- "Currency" (column 8)
  refunded_amount  <- "Refunded Amount" (column 31)
  phone            <- "Phone" (column 38)
  product_id       <- "Lineitem sku" (column 21)
  product_name     <- "Lineitem name" (column 18)
  category         not found
dates: auto (ISO 8601, YYYY/MM/DD, YYYYMMDD; offsets honoured)
  "2024-03-01 10:15:30 -0400" -> 2024-03-01 14:15:30
  "2024-03-01 11:02:08 -0400" -> 2024-03-01 15:02:08
  "2024-03-05 18:39:55 -0400" -> 2024-03-05 22:39:55
decimals: point, money scale 2 (e.g. "67.64")
statuses seen (column 3 "Financial Status"):
  paid                            4 rows -> paid
  (empty)                         3 rows -> the order's (a line item)
  partially_refunded              1 rows -> paid
  refunded                        1 rows -> refunded (refunded in full: never revenue)
  pending                         1 rows -> pending
  voided                          1 rows -> cancelled
first rows as parsed:
  line 2: order_id=#1001 customer_id=anna.berg@example.com order_time=2024-03-01 14:15:30 amount=67.64 quantity=2 status=paid
  line 3: order_id=#1001 customer_id=anna.berg@example.com order_time=2024-03-01 14:15:30 amount=- quantity=1 status=paid
  line 5: order_id=#1003 customer_id=anna.berg@example.com order_time=2024-03-05 22:39:55 amount=97.20 quantity=1 status=paid
  line 6: order_id=#1003 customer_id=anna.berg@example.com order_time=2024-03-05 22:39:55 amount=- quantity=1 status=paid
  line 7: order_id=#1004 customer_id=bo.chen@example.net order_time=2024-03-07 13:11:58 amount=0.00 quantity=1 status=refunded
rows read: 11; would be rejected: 0; expected skips: 2
would import: yes

