# SPEC 13.1: --sniff lists every status text with its count and flags unknown ones (exit 1); decimal commas are spotted
cmd: printf "customer;date;amount;status\nx;2024-01-01;1,50;shipped\ny;2024-01-02;2,00;lost\nz;2024-01-03;3,00;lost\n" | crm-import --sniff
status: 1
--- stdout
file: stdin
encoding: UTF-8
delimiter: ;
preset: none (header names)
header: line 1, 4 columns
fields:
  order_id         not found: duplicates cannot be detected
  customer_id      <- "customer" (column 1)
  order_time       <- "date" (column 2)
  amount           <- "amount" (column 3)
  quantity         not found
  unit_price       not found
  status           <- "status" (column 4)
  currency         not found
  refunded_amount  not found
  phone            not found
  product_id       not found
  product_name     not found
  category         not found
dates: auto (ISO 8601, YYYY/MM/DD, YYYYMMDD; offsets honoured)
  "2024-01-01" -> 2024-01-01 00:00:00
  "2024-01-02" -> 2024-01-02 00:00:00
  "2024-01-03" -> 2024-01-03 00:00:00
decimals: point, money scale 2 (e.g. "1,50")
  3 amounts look like decimal commas: use --decimal-comma
statuses seen (column 4 "status"):
  shipped                         1 rows -> paid
  lost                            2 rows -> UNKNOWN: rows rejected; map it with --status paid=TEXT (or cancelled, refunded, pending, refunded-order)
first rows as parsed:
rows read: 3; would be rejected: 3; expected skips: 0
would import: no

