# SPEC 13.1 (issue 21): 13 MB of gzip'd newlines took 2.9 GB; blank and whitespace-only
# lines now cost no memory: 200 MB of them import under a 150 MB address-space limit, and
# the line numbers still count them (the last row is on physical line 200000004); under
# ASan (check-san) the address-space limit is left out: ASan reserves terabytes
cmd: { printf 'order_id,customer_id,order_time,amount\n1,a,2024-01-01,1.00\n'; head -c 200000000 /dev/zero | tr '\0' '\n'; printf ' \t \n2,b,2024-13-01,2.00\n'; } | gzip -1 >"$T/nl.csv.gz" && (lim=150000; [ -z "${ASAN_OPTIONS:-}" ] || lim=unlimited; ulimit -v $lim; crm-import -q --max-reject-rate 1 --rejects "$T/r.csv" "$T/nl.csv.gz" -o "$T/nl.crm") && cut -d, -f2 "$T/r.csv"
--- stdout
line
200000004
