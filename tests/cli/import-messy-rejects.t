# every bad row goes to the rejects file with file, line (of the record's start) and reason;
# spreadsheet ids ="0012" and '0012 are one customer; money with ¥ 元 $ and thousands
cmd: crm-import testdata/messy-orders.csv -o "$T/m.crm" --rejects "$T/rej.csv" --max-reject-rate 1 && crm-import --dump "$T/m.crm" && cat "$T/rej.csv"
stderr: 12 rows read, 5 orders written \(1 rows merged into orders\), 6 rejected
stderr: 1 repeated header lines skipped
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
1001,0012,2024-03-01 08:26:00,1234.00,1,paid,
1002,0012,2024-03-02 00:00:00,12.50,1,paid,
1003,张伟,2024-03-03 02:00:00,1234.50,1,paid,
1008,王芳,2024-03-08 00:00:00,7.00,1,refunded,
1009,赵敏,2024-03-09 00:00:00,7.00,2,paid,
file,line,reason,raw
testdata/messy-orders.csv,7,"bad order_time ""2024-13-45"" in column 3 (give its shape with --date-format, e.g. '%d.%m.%Y %H:%M')","1004,李娜,2024-13-45,10.00,paid,bad date"
testdata/messy-orders.csv,8,empty customer_id in column 2,"1005,,2024-03-05,10.00,paid,no customer"
testdata/messy-orders.csv,9,"unknown status ""lost in post"" in column 5 (map it with --status paid=TEXT, or another status)","1006,王芳,2024-03-06,10.00,lost in post,unknown status"
testdata/messy-orders.csv,10,negative amount on a paid row (refunds need status refunded),"1007,王芳,2024-03-07,-5.00,paid,negative"
testdata/messy-orders.csv,14,order 1009: customer_id differs from the order's,"1009,孙悟空,2024-03-09,4.00,paid,conflict"
testdata/messy-orders.csv,15,"7 fields, expected 6","1010,赵敏,2024-03-10,1.00,paid,extra,field"
