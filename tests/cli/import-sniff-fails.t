# SPEC 13.1: --sniff exits 1 when an import would fail, naming every missing field and the columns that could serve; unknown statuses flagged
cmd: printf "Buyer,Paid on,Sum,State\nx,2024-01-01,1,shipped\ny,2024-01-02,2,lost\n" | crm-import --sniff
status: 1
--- stdout
file: stdin
encoding: UTF-8
delimiter: comma
preset: none (header names)
header: line 1, 4 columns
fields:
  order_id         not found: duplicates cannot be detected
  customer_id      <- "Buyer" (column 1)
  order_time       NOT FOUND (required)
                   could be "Paid on" (--map order_time=COLUMN)
  amount           NOT FOUND (required)
                   could be "Paid on", "Sum" (--map amount=COLUMN)
  quantity         not found
  unit_price       not found
  status           <- "State" (column 4)
  currency         not found
  refunded_amount  not found
  phone            not found
  product_id       not found
  product_name     not found
  category         not found
missing: order_time and amount (or unit_price)
would import: no

