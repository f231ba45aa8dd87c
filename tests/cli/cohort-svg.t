# --svg: a heatmap with one cell per row of the long table (plus the background) beside the
# report, written atomically.
cmd: crm-cohort --as-of 2024-04-01 --matrix --svg "$T/h.svg" testdata/kpi-orders.csv > /dev/null && grep -c '<rect' "$T/h.svg" && grep -o 'Cohort customers by month of first paid order' "$T/h.svg"
stderr-empty
--- stdout
11
Cohort customers by month of first paid order
