# SPEC 13.1: --sniff on a Pinduoduo export
cmd: crm-import --sniff --preset pinduoduo testdata/exports/pinduoduo-orders.csv
status: 0
--- stdout
file: testdata/exports/pinduoduo-orders.csv
encoding: UTF-8
delimiter: comma
preset: pinduoduo
header: line 1, 29 columns
fields:
  order_id         <- "订单号" (column 2)
  customer_id      <- "手机" (column 13)
  order_time       <- "订单创建时间" (column 22)
  amount           <- "用户实付金额(元)" (column 8)
  quantity         <- "商品数量(件)" (column 10)
  unit_price       not found
  status           <- "订单状态" (column 3)
  currency         not found
  refunded_amount  not found
  phone            not found
  product_id       <- "商品id" (column 23)
  product_name     not found
  category         not found
dates: auto (ISO 8601, YYYY/MM/DD, YYYYMMDD; offsets honoured)
  "2024-06-11 08:34:21" -> 2024-06-11 08:34:21
  "2024-06-11 10:11:55" -> 2024-06-11 10:11:55
  "2024-06-12 09:00:22" -> 2024-06-12 09:00:22
decimals: point, money scale 2 (e.g. "34.90")
statuses seen (column 3 "订单状态"):
  已发货，待收货           1 rows -> paid
  已收货                       1 rows -> paid
  待发货                       1 rows -> paid
  已取消                       1 rows -> cancelled
  已发货，退款成功        1 rows -> refunded (refunded in full: never revenue)
first rows as parsed:
  line 2: order_id=240611-083421975330127 customer_id=151****3021 order_time=2024-06-11 08:34:21 amount=34.90 quantity=1 status=paid
  line 3: order_id=240611-101155872100493 customer_id=186****7710 order_time=2024-06-11 10:11:55 amount=67.00 quantity=1 status=paid
  line 4: order_id=240612-090022114455601 customer_id=151****3021 order_time=2024-06-12 09:00:22 amount=36.90 quantity=1 status=paid
  line 5: order_id=240612-173300918273645 customer_id=133****9090 order_time=2024-06-12 17:33:00 amount=39.90 quantity=1 status=cancelled
  line 6: order_id=240613-204512336789012 customer_id=186****7710 order_time=2024-06-13 20:45:12 amount=0.00 quantity=1 status=refunded
rows read: 5; would be rejected: 0; expected skips: 0
would import: yes

