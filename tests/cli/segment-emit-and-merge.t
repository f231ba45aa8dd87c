# a partial is written by one step and merged by another: both at once is a usage error
cmd: crm-segment --emit-partial "$T/p" --merge-partials testdata/kpi-orders.csv
status: 2
stderr: ^crm-segment: --emit-partial and --merge-partials are separate steps; give one
