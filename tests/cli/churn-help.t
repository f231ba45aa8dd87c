# --help: usage with an example on stdout, exit 0.
cmd: crm-churn --help | grep -c -e '^Usage: crm-churn' -e '^Example:' -e '--calibration-end D'
stderr-empty
--- stdout
3
