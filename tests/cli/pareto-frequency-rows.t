# --by frequency rows: c10 has 2 paid orders (2/11 = 0.1818182), the nine others 1 each
# (1/11 = 0.0909091), tied and so in id order; values are counts, not money. A while the
# customers before hold less than 8.8: before = 0, 2, 3, …, 8 → eight; 9, 10 → B.
cmd: crm-pareto --as-of 2024-06-01 --by frequency testdata/pareto-small.csv
stderr-empty
--- stdout
rank,customer_id,value,share,cum_customers,cum_value,class
1,c10,2,0.1818182,0.1000000,0.1818182,A
2,c01,1,0.0909091,0.2000000,0.2727273,A
3,c02,1,0.0909091,0.3000000,0.3636364,A
4,c03,1,0.0909091,0.4000000,0.4545455,A
5,c04,1,0.0909091,0.5000000,0.5454545,A
6,c05,1,0.0909091,0.6000000,0.6363636,A
7,c06,1,0.0909091,0.7000000,0.7272727,A
8,c07,1,0.0909091,0.8000000,0.8181818,A
9,c08,1,0.0909091,0.9000000,0.9090909,B
10,c09,1,0.0909091,1.0000000,1.0000000,B
