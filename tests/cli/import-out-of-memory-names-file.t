# issue 21: under `ulimit -v` the out-of-memory message named no file; it names the file
# and the line now (under ASan, check-san, ASan's allocation limit stands in for ulimit -v)
cmd: { printf 'order_id,customer_id,order_time,amount\n'; head -c 150000000 /dev/zero | tr '\0' 'x'; } | gzip -1 >"$T/long.csv.gz" && (lim=150000; if [ -n "${ASAN_OPTIONS:-}" ]; then lim=unlimited; ASAN_OPTIONS="$ASAN_OPTIONS:allocator_may_return_null=1:max_allocation_size_mb=64"; fi; ulimit -v $lim; crm-import "$T/long.csv.gz" -o "$T/x.crm")
status: 1
stderr: ^crm-import: .*long\.csv\.gz:2: out of memory reading this file
