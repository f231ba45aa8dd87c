#!/usr/bin/env bash
# Concurrent writers on one store (SPEC §13.3, issue 21: "-o while two --append jobs
# waited: all exit 0, 1,300,000 orders gone"). Each run: a store; one `-o` writer (150,000
# orders), two `--append` writers (A: 60,000 orders, B: 3,000) and three readers running
# `crm-import --check` in a loop. Odd runs start -o first and the appends while it holds the
# lock; even runs start append A first, then B (which waits for A), then -o. Every writer must
# exit 0; every read must see a whole store; the final store must be valid and hold exactly
# what the order the writers finished in implies: -o's orders, plus those of each append
# that finished after -o (an append that finished before -o was replaced by it, as -o
# means). FAULT_RUNS sets the number of runs (default 8).
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${B:-build}
PATH="$PWD/$B/bin:$PATH"
export LC_ALL=C.UTF-8 TZ=UTC
RUNS=${FAULT_RUNS:-8}
t=$(mktemp -d /tmp/crm-concurrent-XXXXXX)
trap 'touch "$t/stop"; wait; rm -rf "$t"' EXIT
cd "$t"
ROOT=$OLDPWD

prefix() { awk -F, -v p="$1" 'NR > 1 {$1 = p $1} 1' OFS=,; }
"$ROOT/$B"/scripts/gen -n 2000 -s 1 | prefix Z- >base.csv
"$ROOT/$B"/scripts/gen -n 150000 -s 2 | prefix X- >x.csv
"$ROOT/$B"/scripts/gen -n 60000 -s 3 | prefix A- >a.csv
"$ROOT/$B"/scripts/gen -n 3000 -s 4 | prefix B- >b.csv
declare -A size=([o]=150000 [A]=60000 [B]=3000)

locked() { ! flock -n s.crm true 2>/dev/null; }
has_temp() { compgen -G 's.crm.tmp-*' >/dev/null; }
wait_until() { # condition (a command), what
    for _ in $(seq 1 300); do "$@" && return 0; sleep 0.02; done
    return 1
}
says_waiting() { grep -q 'waiting up to' "$1" 2>/dev/null; }
writer() { # name, crm-import arguments...
    local name=$1; shift
    crm-import "$@" 2>"$name.err"
    echo "$name $?" >>done.log
}
reader() { # n
    local n=0 bad=0
    while [ ! -e stop ]; do
        if crm-import --check s.crm >"r$1.out" 2>&1 && grep -q '^check: ok' "r$1.out"; then
            n=$((n + 1))
        else
            bad=$((bad + 1)); cp "r$1.out" "bad-read-$1-$bad"
        fi
    done
    echo "$n $bad" >"reader$1.count"
}

fails=0 reads=0
for run in $(seq 1 "$RUNS"); do
    rm -f s.crm done.log stop ./*.err bad-read-* reader*.count
    crm-import -q base.csv -o s.crm
    for r in 1 2 3; do reader $r & done
    readers=$(jobs -p)
    if [ $((run % 2)) -eq 1 ]; then
        scenario="-o first"
        writer o x.csv -o s.crm & wo=$!
        wait_until has_temp || echo "# run $run: -o did not start in time"
        writer A a.csv --append s.crm & wa=$!
        writer B b.csv --append s.crm & wb=$!
    else
        scenario="append first"
        writer A a.csv --append s.crm & wa=$!
        wait_until locked || echo "# run $run: append A did not hold the lock in time"
        writer B b.csv --append s.crm & wb=$!
        wait_until says_waiting B.err || echo "# run $run: append B did not wait"
        writer o x.csv -o s.crm & wo=$!
    fi
    wait $wo $wa $wb
    touch stop
    wait $readers
    # what the finishing order implies
    order=$(cut -d' ' -f1 done.log | tr '\n' ' ')
    want=${size[o]} after=0 expect_a=0 expect_b=0
    for w in $order; do
        [ "$w" = o ] && { after=1; continue; }
        if [ $after = 1 ]; then
            want=$((want + ${size[$w]}))
            [ "$w" = A ] && expect_a=${size[A]}
            [ "$w" = B ] && expect_b=${size[B]}
        fi
    done
    got=$(crm-import --check s.crm 2>&1 | sed -n 's/^orders: \([0-9]*\).*/\1/p')
    counts=$(crm-import --dump s.crm | cut -c1-2 | sort | uniq -c | awk '{printf "%s%s ", $2, $1}')
    ga=$(crm-import --dump s.crm | grep -c '^A-'); gb=$(crm-import --dump s.crm | grep -c '^B-')
    gz=$(crm-import --dump s.crm | grep -c '^Z-')
    r=0 b=0
    for f in reader*.count; do read -r n nb <"$f"; r=$((r + n)); b=$((b + nb)); done
    reads=$((reads + r))
    bad=$(grep -v ' 0$' done.log | tr '\n' ' ')
    if [ -n "$bad" ]; then echo "not ok run $run ($scenario): writers failed: $bad $(cat ./*.err | head -3)"
    elif [ "$got" != "$want" ] || [ "$ga" != "$expect_a" ] || [ "$gb" != "$expect_b" ] || [ "$gz" != 0 ]
    then echo "not ok run $run ($scenario): finished $order; store holds $got orders ($counts), want $want"
    elif [ "$b" != 0 ]; then echo "not ok run $run ($scenario): $b of $((r + b)) reads saw a broken store: $(head -1 bad-read-* | head -2)"
    else echo "ok run $run ($scenario): finished $order-> $got orders as implied; $r whole reads"; continue; fi
    fails=$((fails + 1))
done
echo "# $RUNS runs, $fails failed, $reads reads"
