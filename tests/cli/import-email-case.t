# SPEC 13.1: ANNA@x and anna@x were two customers; an e-mail customer column is compared without case
cmd: crm-import testdata/email-case.csv -o "$T/e.crm" && crm-rfm --as-of 2024-02-01 "$T/e.crm"
status: 0
stderr: 1 new customers
--- stdout
customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier
anna@x.example,2024-01-01,2024-01-03,29,3,16.00,5.33,5,3,1,18,531,S
