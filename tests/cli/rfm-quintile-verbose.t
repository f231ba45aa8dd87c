# quintile scheme (hand-checked): score = 1 + floor(5 x customers strictly below / 10);
# ties share a score, so F uses 1, 3, 4 and M 1, 3, 5; -v prints the cut points
cmd: crm-rfm -v --scheme quintile --as-of 2024-07-01 testdata/rfm-boundaries.csv
stderr: ^crm-rfm: quintile cut points r: 2 if recency_days <= 31, 3 if recency_days <= 30, 4 if recency_days <= 21, 5 if recency_days <= 1 \(10 customers\)$
stderr: ^crm-rfm: quintile cut points f: 3 if frequency >= 3, 4 if frequency >= 6; unused \(ties\): 2, 5 \(10 customers\)$
stderr: ^crm-rfm: quintile cut points m: 3 if monetary_avg >= 500.00, 5 if monetary_avg >= 2000.00; unused \(ties\): 2, 4 \(10 customers\)$
stderr: 1 dated on or after the as-of date ignored; 10 of 13 customers scored
--- stdout
customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier
w,2024-01-10,2024-05-02,60,5,1500.00,300.00,1,3,1,14,131,B
r30,2024-06-01,2024-06-01,30,1,299.99,299.99,3,1,1,10,311,B
r31,2024-05-31,2024-05-31,31,1,300.00,300.00,2,1,1,9,211,B
r365,2023-07-02,2023-07-02,365,1,2000.00,2000.00,1,1,5,24,115,S
f5,2024-06-20,2024-06-24,7,5,5000.00,1000.00,4,3,3,25,433,S
f6,2024-06-25,2024-06-30,1,6,12000.00,2000.00,5,4,5,37,545,P
avg,2024-06-10,2024-06-10,21,3,899.99,300.00,4,3,1,17,431,S
p36,2024-06-01,2024-06-30,1,6,6000.00,1000.00,5,4,3,29,543,G
g35,2024-05-01,2024-05-31,31,6,6000.00,1000.00,2,4,3,26,243,G
net,2024-06-01,2024-06-01,30,1,500.00,500.00,3,1,3,18,313,S
