# per-customer rows need the ranked customers, which --summary partials leave out
cmd: crm-pareto --as-of 2025-01-01 --summary --emit-partial "$T/p" testdata/sample-orders.csv && crm-pareto --merge-partials "$T/p"
status: 2
stderr: ^crm-pareto: .*/p:[0-9]+: the partial has no ranked customers: for per-customer rows emit it without --summary or --curve
