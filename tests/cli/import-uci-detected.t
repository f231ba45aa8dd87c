# UCI Online Retail's header is recognised without --preset (as Shopify's, JD's … are): the
# uci-online-retail rules apply (a C invoice is a return, stored refunded; "17850.0" is
# customer 17850) and the note says so even with -q. Before, 26 % of the real file was
# rejected as negative amounts on paid rows.
cmd: printf 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n536365,85123A,HEART,6,12/1/2010 8:26,2.55,17850.0,UK\nC536379,D,Discount,-1,12/1/2010 9:41,27.50,14527.0,UK\n536366,22633,HAND WARMER,6,12/13/2010 8:28,1.85,17850.0,UK\n' > $T/u.csv && crm-import -q $T/u.csv -o $T/u.crm && crm-import -q --dump $T/u.crm
stderr: ^crm-import: note: the header is a uci-online-retail export's: --preset uci-online-retail applied$
--- stdout
order_id,customer_id,order_time,amount,quantity,status,currency
536365,17850,2010-12-01 08:26:00,15.30,6,paid,
C536379,14527,2010-12-01 09:41:00,27.50,1,refunded,
536366,17850,2010-12-13 08:28:00,11.10,6,paid,
