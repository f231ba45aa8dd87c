#!/bin/sh
# scripts/scale/crm-store.sh — Hadoop Streaming steps that import the CSV text once
# (docs/SCALE.md): one job turns every reducer's orders into a store on HDFS, and every
# later pass is a map-only job over the list of those stores.
#   crm-store.sh import DIR      reducer: stdin "customer_id TAB line" (crm-map.sh) -> one
#                                store, put at DIR/part-NNNNN.crm (NNNNN: the reducer's
#                                number); prints that path (the job's output: the list)
#   crm-store.sh run CMD ARGS... mapper over the list (NLineInputFormat, one path per task):
#                                for each path, fetch the store and print `CMD ARGS STORE`
# CRM_IMPORT as for crm-reduce.sh; CRM_HDFS: the file-system command (default `hdfs dfs`);
# CRM_SKIP_HEADER=1 drops the first line of CMD's output. Exits non-zero when a step fails,
# so the engine retries the task; a retried import puts the same bytes again (-put -f).
set -eu
gen_columns="--map order_id=1 --map customer_id=2 --map order_time=3 --map amount=4"
: "${CRM_IMPORT:=$gen_columns --map quantity=5 --map status=6}"
: "${CRM_HDFS:=hdfs dfs}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/crm-XXXXXX")
trap 'rm -rf "$dir"' EXIT
mode=${1:?usage: crm-store.sh import DIR | run CMD ARGS...}
shift
case $mode in
import)
    part=$(printf 'part-%05d.crm' "${mapreduce_task_partition:-0}")
    cut -f 2- >"$dir/lines"
    if [ -s "$dir/lines" ]; then
        crm-import -q --no-header $CRM_IMPORT -o "$dir/$part" - <"$dir/lines"
    else   # a reducer without customers: an empty store
        printf 'order_id,customer_id,order_time,amount\n' | crm-import -q -o "$dir/$part" -
    fi
    $CRM_HDFS -put -f "$dir/$part" "$1/$part"
    echo "$1/$part"
    ;;
run)
    sed 's/.*\t//' | while IFS= read -r store; do
        [ -n "$store" ] || continue
        rm -f "$dir/s.crm"
        $CRM_HDFS -get "$store" "$dir/s.crm"
        "$@" "$dir/s.crm" >"$dir/out"
        if [ "${CRM_SKIP_HEADER:-0}" = 1 ]; then tail -n +2 "$dir/out"; else cat "$dir/out"; fi
    done
    ;;
*) echo "crm-store.sh: unknown mode $mode (import or run)" >&2; exit 2 ;;
esac
