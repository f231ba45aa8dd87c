# --help prints usage with an example to stdout and exits 0
cmd: crm-import --help | grep -c -E '^Usage: crm-import|^Example:'
--- stdout
2
