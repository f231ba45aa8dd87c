# --all lists customers without paid orders in the window with empty scores; --net takes
# net's refund of 250.00 off its 500.00 (M 3 → 1, S → B)
cmd: crm-rfm --as-of 2024-07-01 --all --net testdata/rfm-boundaries.csv | grep -E '^(r366|net|cxl|late),'
--- stdout
r366,,,,0,0.00,,,,,,,
net,2024-06-01,2024-06-01,30,1,250.00,250.00,5,1,1,12,511,B
cxl,,,,0,0.00,,,,,,,
late,,,,0,0.00,,,,,,,
