#!/usr/bin/env bash
# A store cut short by another program while a tool reads it (SPEC §13: a clear error, never
# a crash): stores are read through a mapping of their committed bytes, so a page lost under
# the reader is a SIGBUS, which the tools turn into exit 1 with a message naming the store
# and the fix; when the cut comes before the mapping, the read path's "store ends early".
# Either way: exit 1, one message, no report and no temporary file left behind.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${B:-build}
PATH="$PWD/$B/bin:$PATH"
GEN=$PWD/$B/scripts/gen
export LC_ALL=C.UTF-8 TZ=UTC
t=$(mktemp -d /tmp/crm-cut-XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t"
"$GEN" --orders 3000000 --seed 3 | crm-import -q - -o whole.crm || echo "not ok set-up import"
mapped=0
for delay in 0.01 0.02 0.04 0.06; do
    cp whole.crm s.crm
    crm-rfm --as-of 2025-01-01 s.crm -o report.csv 2>err.txt &
    pid=$!
    sleep "$delay"
    truncate -s 1M s.crm
    wait "$pid"
    rc=$?
    if [ "$rc" = 1 ] && grep -qE "s\.crm: (the file was cut short while it was being read|store ends early)" err.txt &&
       [ ! -e report.csv ] && [ -z "$(ls -A | grep -v -E '^(whole|s)\.crm$|^err\.txt$')" ]; then
        grep -q "cut short" err.txt && mapped=$((mapped + 1))
        echo "ok store cut to 1 MiB after ${delay}s: exit 1, $(sed 's/:.*//' err.txt) names it, nothing written"
    elif [ "$rc" = 0 ]; then
        echo "ok store cut to 1 MiB after ${delay}s: read whole before the cut (exit 0)"
    else
        echo "not ok store cut to 1 MiB after ${delay}s: exit $rc: $(head -c 300 err.txt)"
    fi
    rm -f report.csv
done
echo "ok $mapped of 4 cuts met the mapping (SIGBUS turned into exit 1)"

# The handler itself, deterministically: a tool waiting on a FIFO gets SIGBUS.
mkfifo fifo
crm-pareto fifo -o p.csv 2>err.txt &
pid=$!
sleep 0.3
kill -BUS "$pid"
exec 3>fifo 3>&-
wait "$pid"
rc=$?
if [ "$rc" = 1 ] && grep -q "^crm-pareto: a store: the file was cut short while it was being read" err.txt &&
   grep -q "never cp or > onto it" err.txt && [ ! -e p.csv ]; then
    echo "ok SIGBUS is exit 1 with a message saying what happened and the fix"
else
    echo "not ok SIGBUS: exit $rc: $(head -c 300 err.txt)"
fi
