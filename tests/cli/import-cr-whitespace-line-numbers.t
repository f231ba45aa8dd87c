# SPEC 13.1: line numbers are physical lines: CR, LF and CRLF each end one, and a whitespace-only line after a CR line no longer makes them one low
cmd: crm-import -q testdata/cr-blank-lines.csv --max-reject-rate 1 --rejects "$T/r.csv" -o "$T/x.crm"; cut -d, -f1,2 "$T/r.csv"
status: 0
--- stdout
file,line
testdata/cr-blank-lines.csv,4
testdata/cr-blank-lines.csv,6
