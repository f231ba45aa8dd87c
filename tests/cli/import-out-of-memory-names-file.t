# issue 21: under `ulimit -v` the out-of-memory message named no file; it names the file
# and the line now
cmd: { printf 'order_id,customer_id,order_time,amount\n'; head -c 150000000 /dev/zero | tr '\0' 'x'; } | gzip -1 >"$T/long.csv.gz" && (ulimit -v 150000; crm-import "$T/long.csv.gz" -o "$T/x.crm")
status: 1
stderr: ^crm-import: .*long\.csv\.gz:2: out of memory reading this file
