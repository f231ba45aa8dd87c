# --help teaches: usage, options and an example, on stdout, exit 0
cmd: crm-rfm --help | sed -n '1p;/^Example/,$p'
stderr-empty
--- stdout
Usage: crm-rfm [OPTIONS] [INPUT]
Example:
  crm-import orders.csv -o shop.crm
  crm-rfm --as-of 2024-07-01 shop.crm | head
  crm-rfm --scheme quintile --monetary total -v shop.crm -o rfm.csv
  # partitions (docs/SCALE.md): partials, one merge, then every partition scored
  for i in 0 1 2; do crm-rfm --scheme quintile --as-of 2025-01-01 \
      --emit-partial p.$i shop.$i.crm; done
  crm-rfm --scheme quintile --merge-partials p.0 p.1 p.2 -o cuts.crmp
  crm-rfm --scheme quintile --cuts cuts.crmp shop.1.crm | head
