# the merge's own options must agree with the partials' (here --window)
cmd: crm-rfm --scheme quintile --as-of 2025-01-01 --emit-partial "$T/p" testdata/sample-orders.csv && crm-rfm --scheme quintile --window all --merge-partials "$T/p"
status: 2
stderr: ^crm-rfm: .*/p:5: window 365, but the command line has window all
