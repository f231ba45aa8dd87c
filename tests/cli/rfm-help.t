# --help teaches: usage, options and an example, on stdout, exit 0
cmd: crm-rfm --help | sed -n '1p;/^Example/,$p'
stderr-empty
--- stdout
Usage: crm-rfm [OPTIONS] [INPUT]
Example:
  crm-import orders.csv -o shop.crm
  crm-rfm --as-of 2024-07-01 shop.crm | head
  crm-rfm --scheme quintile --monetary total -v shop.crm -o rfm.csv
