# `| head` ends quietly: the closed pipe is not an error to report
cmd: crm-import -q testdata/sample-orders.csv | crm-rfm --all | head -1
stderr-empty
--- stdout
customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier
