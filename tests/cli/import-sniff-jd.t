# SPEC 13.1: --sniff on a JD export
cmd: crm-import --sniff --preset jd testdata/exports/jd-orders.csv
status: 0
--- stdout
file: testdata/exports/jd-orders.csv
encoding: UTF-8
delimiter: comma
preset: jd
header: line 1, 23 columns
fields:
  order_id         <- "订单号" (column 1)
  customer_id      <- "下单帐号" (column 14)
  order_time       <- "下单时间" (column 6)
  amount           <- "订单金额" (column 8)
  quantity         <- "订购数量" (column 4)
  unit_price       not found
  status           <- "订单状态" (column 12)
  currency         not found
  refunded_amount  not found
  phone            <- "联系电话" (column 17)
  product_id       <- "商品ID" (column 2)
  product_name     <- "商品名称" (column 3)
  category         not found
dates: auto (ISO 8601, YYYY/MM/DD, YYYYMMDD; offsets honoured)
  "2024-06-18 00:03:12" -> 2024-06-18 00:03:12
  "2024-06-18 09:41:55" -> 2024-06-18 09:41:55
  "2024-06-18 13:20:07" -> 2024-06-18 13:20:07
decimals: point, money scale 2 (e.g. "149.70")
statuses seen (column 12 "订单状态"):
  完成                          2 rows -> paid
  等待确认收货              1 rows -> paid
  已取消                       1 rows -> cancelled
  退款成功                    1 rows -> refunded (refunded in full: never revenue)
  等待出库                    2 rows -> paid
first rows as parsed:
  line 2: order_id=281734921035 customer_id=jd_7f3a21c9 order_time=2024-06-18 00:03:12 amount=149.70 quantity=2 status=paid
  line 3: order_id=281734921035 customer_id=jd_7f3a21c9 order_time=2024-06-18 00:03:12 amount=149.70 quantity=1 status=paid
  line 4: order_id=281735550812 customer_id=jd_51bb0e02 order_time=2024-06-18 09:41:55 amount=59.90 quantity=1 status=paid
  line 5: order_id=281736002467 customer_id=jd_0c44d7e8 order_time=2024-06-18 13:20:07 amount=89.70 quantity=3 status=cancelled
  line 6: order_id=281736771093 customer_id=jd_51bb0e02 order_time=2024-06-19 20:15:31 amount=0.00 quantity=1 status=refunded
rows read: 7; would be rejected: 0; expected skips: 0
would import: yes

