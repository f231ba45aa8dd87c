# --help teaches, with examples for every report
cmd: crm-segment --help | sed -n '1p;/^Example/,$p'
stderr-empty
--- stdout
Usage: crm-segment [OPTIONS] [INPUT]
Example:
  crm-segment --summary shop.crm
  crm-segment --as-of 2024-07-01 shop.crm | grep ',yes,' | head
  crm-segment --summary --by segment --rules my-segments.csv shop.crm
  crm-segment --care --as-of today shop.crm -o care-$(date +%F).csv
  crm-segment --kpi --period quarter shop.crm
  crm-segment --summary --by segment --cuts cuts.crmp --emit-partial s.3 shop.3.crm
