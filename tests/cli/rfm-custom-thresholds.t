# every threshold, weight and cut is an option: R 5/4/3/2 up to 7/14/28/56 days; F 2/3/4/5
# from 2/3/5/6 orders; M 2 from 299.99; weights 1,1,1; tiers 13/10/7.
# r30: R 2 (28 < 30 <= 56), F 1, M 2 (299.99) → 5 → B; f5: R 5 (7 days), F 4 (5 orders),
# M 4 (1000.00) → 13 → P
cmd: crm-rfm --as-of 2024-07-01 --r-bins 7,14,28,56 --f-bins 2,3,5,6 --m-bins 299.99,500,1000,2000 --weights 1,1,1 --tiers 13,10,7 testdata/rfm-boundaries.csv | grep -E '^(r30|f5),'
--- stdout
r30,2024-06-01,2024-06-01,30,1,299.99,299.99,2,1,2,5,212,B
f5,2024-06-20,2024-06-24,7,5,5000.00,1000.00,5,4,4,13,544,P
