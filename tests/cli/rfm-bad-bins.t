# thresholds must ascend: a usage error (exit 2) naming the option
cmd: crm-rfm --r-bins 30,20,120,210 testdata/rfm-boundaries.csv
status: 2
stderr: ^crm-rfm: --r-bins 30,20,120,210: expected 4 or 5 ascending day counts
stderr: Try 'crm-rfm --help'
