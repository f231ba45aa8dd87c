#!/bin/sh
# scripts/scale/crm-reduce.sh CMD [ARGS...] — the per-partition step of a scale-out run
# (docs/SCALE.md): the reducer of a Hadoop Streaming job, or the command a Spark RDD.pipe
# runs per partition. Its stdin is the partition's order lines, "customer_id TAB line" from
# crm-map.sh (CRM_KEYED=0: plain order lines); they become a store in a temporary file,
# `CMD ARGS... STORE` runs on it, and CMD's stdout is the task's output: a partial
# (--emit-partial -) or per-customer rows.
#   CRM_IMPORT       crm-import options for the header-less lines (default: the columns
#                    of scripts/gen's output: order_id,customer_id,order_time,amount,
#                    quantity,status)
#   CRM_SKIP_HEADER  1: drop the first line of CMD's output (the CSV header of every
#                    partition's rows but one)
#   CRM_FILE, CRM_FILE_TEXT  write CRM_FILE_TEXT into the file CRM_FILE first (Spark: the
#                    cut points or parameters of the merge step travel in the environment)
# Exits with CMD's status (or crm-import's), so the engine retries or fails the task.
set -eu
gen_columns="--map order_id=1 --map customer_id=2 --map order_time=3 --map amount=4"
: "${CRM_IMPORT:=$gen_columns --map quantity=5 --map status=6}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/crm-XXXXXX")
trap 'rm -rf "$dir"' EXIT
if [ -n "${CRM_FILE:-}" ]; then
    printf '%s' "${CRM_FILE_TEXT:-}" >"$CRM_FILE"
fi
if [ "${CRM_KEYED:-1}" = 1 ]; then
    cut -f 2-
else
    cat
fi | crm-import -q --no-header $CRM_IMPORT -o "$dir/part.crm" -
"$@" "$dir/part.crm" >"$dir/out"
if [ "${CRM_SKIP_HEADER:-0}" = 1 ]; then
    tail -n +2 "$dir/out"
else
    cat "$dir/out"
fi
