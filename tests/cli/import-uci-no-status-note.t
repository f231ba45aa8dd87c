# The uci-online-retail preset takes each row's status from its invoice number (C: a return),
# so no "every row taken as paid" note; a plain file without a status column still gets it
cmd: printf 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n536365,85123A,HEART,6,12/1/2010 8:26,2.55,17850.0,UK\nC536379,D,Discount,-1,12/1/2010 9:41,27.50,14527.0,UK\n' > $T/u.csv && crm-import -q --preset uci-online-retail $T/u.csv -o $T/u.crm 2>$T/err; cat $T/err; crm-import --dump $T/u.crm | cut -d, -f2,6 | LC_ALL=C sort
--- stdout
14527,refunded
17850,paid
customer_id,status
