# seed scheme at every boundary (hand-checked): the worked example w (60 days, 5 x 300 →
# 442 = 24 → S); recency 30/31 (R 5/4) and 365 (R 1, in the window) while 366 days is out;
# F 5/6 (F 4/5); M 299.99/300.00; an average of 299.997 that prints 300.00 but scores M 1;
# tier cuts 36 (P) and 35 (G); a cancelled-only customer and an order on the as-of day are
# not listed. Rows in the store's customer order (first appearance).
cmd: crm-rfm --as-of 2024-07-01 testdata/rfm-boundaries.csv
stderr-empty
--- stdout
customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier
w,2024-01-10,2024-05-02,60,5,1500.00,300.00,4,4,2,24,442,S
r30,2024-06-01,2024-06-01,30,1,299.99,299.99,5,1,1,12,511,B
r31,2024-05-31,2024-05-31,31,1,300.00,300.00,4,1,2,15,412,B
r365,2023-07-02,2023-07-02,365,1,2000.00,2000.00,1,1,5,24,115,S
f5,2024-06-20,2024-06-24,7,5,5000.00,1000.00,5,4,4,33,544,G
f6,2024-06-25,2024-06-30,1,6,12000.00,2000.00,5,5,5,40,555,P
avg,2024-06-10,2024-06-10,21,3,899.99,300.00,5,3,1,18,531,S
p36,2024-06-01,2024-06-30,1,6,6000.00,1000.00,5,5,4,36,554,P
g35,2024-05-01,2024-05-31,31,6,6000.00,1000.00,4,5,4,35,454,G
net,2024-06-01,2024-06-01,30,1,500.00,500.00,5,1,3,20,513,S
