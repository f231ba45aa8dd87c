# -o writes atomically: a failed run (corrupt input) leaves the old file as it was and no
# temporary file; a good run replaces it
cmd: echo old >"$T/rfm.csv"; printf 'CRMSTORE\001\000\000\000garbage' >"$T/bad.crm"; crm-rfm --as-of 2024-07-01 -o "$T/rfm.csv" "$T/bad.crm"; echo "exit $?"; cat "$T/rfm.csv"; ls "$T" | grep -v '^\.'; crm-rfm --as-of 2024-07-01 -o "$T/rfm.csv" testdata/rfm-boundaries.csv && head -2 "$T/rfm.csv" && ls "$T" | grep -v '^\.'
stderr: ^crm-rfm: .*bad.crm
--- stdout
exit 1
old
bad.crm
rfm.csv
customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier
w,2024-01-10,2024-05-02,60,5,1500.00,300.00,4,4,2,24,442,S
bad.crm
rfm.csv
