#!/usr/bin/env bash
# tests/engine/parallel-ssh.sh — docs/SCALE.md's GNU parallel `-S host1,host2` recipe. There
# is no second machine here, so ssh is a stand-in (parallel --ssh, through $PARALLEL) that
# does what a login on another node does: an empty environment (HOME, SHELL and a PATH of
# /usr/bin:/bin, no crmkit) and the home directory as working directory. As written before
# (no --env PATH --wd .) the remote jobs cannot find crm-rfm nor the partition files: that
# failure is checked first; with --env PATH --wd . every result equals the single store's.
# Prints ok / not ok / skip lines. Run from the repository root with the tools on PATH.
set -uo pipefail
command -v parallel >/dev/null || { echo "skip parallel-ssh: GNU parallel not installed"; exit 0; }
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
mkdir -p "$D/home" "$D/shared"
cat >"$D/ssh" <<EOS
#!/bin/sh
# stand-in for ssh HOST COMMAND: a login on another node
while [ \$# -gt 0 ]; do case \$1 in -*) shift ;; *) break ;; esac; done
shift
[ "\${1:-}" = -- ] && shift
cd "$D/home" && exec env -i HOME="$D/home" SHELL=/bin/sh PATH=/usr/bin:/bin sh -c "\$*"
EOS
chmod +x "$D/ssh"
export PARALLEL="--ssh $D/ssh" LC_ALL=C
cp testdata/sample-orders.csv "$D/shared/orders.csv"
cd "$D/shared"
D8=2025-01-01; N=4; P=$(seq 0 $((N - 1)))
crm-import -q --partition $N orders.csv -o 'shop.%d.crm'
# as the recipe was written: fails on the "remote" side
parallel -S node1,node2 crm-rfm --scheme quintile --as-of $D8 --emit-partial old.{}.part \
    shop.{}.crm ::: $P 2>"$D/old.err"
if ! ls old.*.part >/dev/null 2>&1 && grep -q 'crm-rfm: not found' "$D/old.err"; then
    echo "ok parallel-ssh: without --env PATH --wd . the remote jobs fail (crm-rfm: not found)"
else echo "not ok parallel-ssh: the unfixed recipe did not fail as on a real remote node"; fi
# the fixed recipe (docs/SCALE.md)
S="-S node1,node2 --env PATH --wd ."
parallel $S crm-rfm --scheme quintile --as-of $D8 --emit-partial rfm.{}.part shop.{}.crm ::: $P 2>/dev/null
crm-rfm --scheme quintile --merge-partials rfm.*.part -o cuts.crmp
parallel $S -k 'crm-rfm --scheme quintile --cuts cuts.crmp shop.{}.crm |
    tail -n +$(({#} > 1 ? 2 : 1))' ::: $P >rfm.csv 2>/dev/null
parallel $S crm-churn --as-of $D8 --emit-partial churn.{}.part shop.{}.crm ::: $P 2>/dev/null
crm-churn --merge-partials churn.*.part -o fit.csv
parallel $S -k "crm-churn --as-of $D8 --params fit.csv shop.{}.crm |
    tail -n +\$(({#} > 1 ? 2 : 1))" ::: $P >churn.csv 2>/dev/null
crm-import -q orders.csv -o all.crm
crm-rfm --scheme quintile all.crm >one-rfm.csv
crm-churn --params-out one-fit.csv all.crm >one-churn.csv
sorted() { head -1 "$1"; tail -n +2 "$1" | sort; }
for r in rfm churn; do
    if [ "$(wc -l <$r.csv)" -gt 1 ] && cmp -s <(sorted one-$r.csv) <(sorted $r.csv); then
        echo "ok parallel-ssh: $r rows over -S node1,node2 --env PATH --wd . identical (sorted)"
    else echo "not ok parallel-ssh: $r rows differ from the single store"; fi
done
if [ -s fit.csv ] && cmp -s one-fit.csv fit.csv; then echo "ok parallel-ssh: churn parameters identical"
else echo "not ok parallel-ssh: churn parameters differ"; fi
