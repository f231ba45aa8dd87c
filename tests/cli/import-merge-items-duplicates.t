# SPEC §17/§18: an order skipped as a duplicate in a merge is skipped with its line items:
# o1 and o2 again in the second store (o1 with other products) change no count; the
# rules are those of the first store with o3 added
cmd: printf 'order_id,customer_id,order_time,sku,amount\no1,c1,2024-01-01,A,1\no1,c1,2024-01-01,B,2\no2,c2,2024-01-02,A,1\no2,c2,2024-01-02,B,1\n' > "$T/x.csv" && printf 'order_id,customer_id,order_time,sku,amount\no1,c1,2024-01-01,C,9\no1,c1,2024-01-01,D,9\no3,c3,2024-01-03,A,1\no3,c3,2024-01-03,C,1\no2,c2,2024-01-02,C,1\n' > "$T/y.csv" && crm-import -q "$T/x.csv" -o "$T/x.crm" && crm-import -q "$T/y.csv" -o "$T/y.crm" && crm-import "$T/x.crm" "$T/y.crm" "$T/x.crm" -o "$T/m.crm" && crm-basket --min-support 0 "$T/m.crm"
stderr: ^crm-import: 3 stores merged: 7 orders read, 3 orders written, 4 duplicates skipped, 0 customers-file rows$
stderr: ^crm-import: 6 line items kept$
--- stdout
antecedent,consequent,antecedent_orders,consequent_orders,both_orders,support,confidence,lift
A,B,3,2,2,0.6666667,0.6666667,1.0000000
B,A,2,3,2,0.6666667,1.0000000,1.0000000
A,C,3,1,1,0.3333333,0.3333333,1.0000000
C,A,1,3,1,0.3333333,1.0000000,1.0000000
