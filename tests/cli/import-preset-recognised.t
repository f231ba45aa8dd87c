# SPEC 13.1: the common header names of each export are recognised without a preset: a Shopify, WooCommerce, JD or Pinduoduo header brings its rules (guests, statuses, totals once), announced; an analytic tool reading the Shopify file directly gets the right net revenue
cmd: for f in shopify woocommerce jd pinduoduo; do crm-import -q testdata/exports/$f-orders.csv -o "$T/$f.crm" 2>&1; done; crm-rfm --net --as-of 2024-04-01 testdata/exports/shopify-orders.csv
status: 0
--- stdout
crm-import: note: the header is a shopify export's: --preset shopify applied
crm-import: note: the header is a woocommerce export's: --preset woocommerce applied
crm-import: note: the header is a jd export's: --preset jd applied
crm-import: note: the header is a pinduoduo export's: --preset pinduoduo applied
customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier
anna.berg@example.com,2024-03-01,2024-03-05,27,2,132.44,66.22,5,2,1,15,521,B
dan@example.org,2024-03-11,2024-03-11,21,1,162.00,162.00,5,1,1,12,511,B
