# --help: usage with an example on stdout, exit 0.
cmd: crm-cohort --help | grep -c -e '^Usage: crm-cohort' -e '^Example:' -e '--emit-partial FILE'
stderr-empty
--- stdout
3
