# --window all brings r366 in (recency 366 still scores R 1); --monetary total scores M on
# the sum: w's 1500.00 is M 4 (1000-1999.99), f5's 5000.00 is M 5
cmd: crm-rfm --as-of 2024-07-01 --window all --monetary total testdata/rfm-boundaries.csv | grep -E '^(w|r366|f5),'
--- stdout
w,2024-01-10,2024-05-02,60,5,1500.00,300.00,4,4,4,32,444,G
r366,2023-07-01,2023-07-01,366,1,2000.00,2000.00,1,1,5,24,115,S
f5,2024-06-20,2024-06-24,7,5,5000.00,1000.00,5,4,5,37,545,P
