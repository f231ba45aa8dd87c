# SPEC 13.1: one invalid byte no longer decodes a whole UTF-8 file as GB18030: that row alone is rejected
cmd: crm-import testdata/utf8-stray-byte.csv --max-reject-rate 1 -o "$T/x.crm" && crm-import --dump "$T/x.crm"
status: 0
stderr: utf8-stray-byte.csv: UTF-8
stderr: rejected testdata/utf8-stray-byte.csv:4: bytes invalid in UTF-8
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
1,张伟,2024-01-01 00:00:00,1.00,1,paid,
2,王芳,2024-01-02 00:00:00,2.00,1,paid,
4,张伟,2024-01-04 00:00:00,4.00,1,paid,
