# --help: usage with an example on stdout, exit 0.
cmd: crm-campaign --help | grep -c -e '^Usage: crm-campaign split' -e '^Example:' -e '--holdout F'
stderr-empty
--- stdout
3
