# partials of different as-of dates are refused, naming the file and line of the difference
cmd: crm-import -q --partition 2 testdata/sample-orders.csv -o "$T/s.%d.crm" && crm-pareto --as-of 2025-01-01 --summary --emit-partial "$T/p.0" "$T/s.0.crm" && crm-pareto --as-of 2024-12-31 --summary --emit-partial "$T/p.1" "$T/s.1.crm" && crm-pareto --summary --merge-partials "$T/p.0" "$T/p.1"
status: 2
stderr: ^crm-pareto: .*/p\.1:2: as-of 2024-12-31, but .*/p\.0 has as-of 2025-01-01
