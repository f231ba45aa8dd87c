# --svg: the tracking plot, actual and predicted lines over 53 weekly points (2024-01-02 to
# 2024-12-31 is 365 days: 52 weeks and a day) and the end-of-calibration line.
cmd: crm-churn --calibration-end 2024-09-30 --svg $T/t.svg testdata/sample-orders.csv > /dev/null && grep -c '<polyline' $T/t.svg && grep -c 'End of calibration' $T/t.svg && grep -o '<polyline[^>]*points="[^"]*"' $T/t.svg | head -1 | tr ' ' '\n' | grep -c ','
stderr-empty
--- stdout
2
1
54
