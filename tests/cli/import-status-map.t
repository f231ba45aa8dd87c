# --status maps shop-specific status text; the mapped row is then imported
cmd: crm-import testdata/messy-orders.csv --status 'cancelled=lost in post' --max-reject-rate 1 -o "$T/m.crm" -q && crm-import --dump "$T/m.crm" | grep 1006
stderr-empty
--- stdout
1006,王芳,2024-03-06 00:00:00,10.00,1,cancelled,
