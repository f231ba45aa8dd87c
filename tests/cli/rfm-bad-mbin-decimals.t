# an M threshold finer than the store's money cannot compare exactly: usage error
cmd: crm-rfm --m-bins 299.995,500,1000,2000 testdata/rfm-boundaries.csv
status: 2
stderr: ^crm-rfm: --m-bins: .*more decimals than the store's money \(2\)
