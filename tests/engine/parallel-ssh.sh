#!/usr/bin/env bash
# tests/engine/parallel-ssh.sh — docs/SCALE.md's GNU parallel `-S host1,host2` recipe over
# real ssh: the test starts its own sshd (Debian openssh-server; its own host key, user key
# and config, 127.0.0.1 at a free port, stopped on exit), and the two "hosts" are 127.0.0.1
# and localhost — two ssh logins, each with the login's PATH and the home directory as its
# working directory, as on another node with the partition files on shared storage. As the
# recipe was written before (no --env PATH --wd .) the remote jobs fail; with --env PATH
# --wd . every result equals the single store's. Prints ok / not ok / skip lines. Run from
# the repository root with the tools on PATH, as root (sshd).
set -uo pipefail
command -v parallel >/dev/null || { echo "skip parallel-ssh: GNU parallel not installed"; exit 0; }
[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null ||
    { echo "skip parallel-ssh: no sshd (apt-get install openssh-server)"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "skip parallel-ssh: sshd needs root here"; exit 0; }
D=$(mktemp -d)
chmod 755 "$D"
sshd_pid=
cleanup() {
    [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$D/shared" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$D/userkey"
cp "$D/userkey.pub" "$D/authorized_keys"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$D/sshd_config" <<EOC
Port $port
ListenAddress 127.0.0.1
HostKey $D/hostkey
AuthorizedKeysFile $D/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $D/sshd.pid
EOC
/usr/sbin/sshd -D -e -f "$D/sshd_config" 2>"$D/sshd.log" & sshd_pid=$!
printf '#!/bin/sh\nexec ssh -p %s -i %s -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$@"\n' \
    "$port" "$D/userkey" >"$D/ssh"
chmod +x "$D/ssh"
for _ in $(seq 1 50); do "$D/ssh" 127.0.0.1 true 2>/dev/null && break; sleep 0.1; done
if "$D/ssh" 127.0.0.1 true 2>/dev/null; then echo "ok parallel-ssh: sshd up on 127.0.0.1:$port"
else echo "not ok parallel-ssh: sshd did not start: $(tail -2 "$D/sshd.log")"; exit 0; fi
export PARALLEL="--ssh $D/ssh" LC_ALL=C
cp testdata/sample-orders.csv "$D/shared/orders.csv"
cd "$D/shared"
D8=2025-01-01; N=2; P=$(seq 0 $((N - 1)))
crm-import -q --partition $N orders.csv -o 'shop.%d.crm'
# as the recipe was written: fails on the "remote" side
parallel -S 127.0.0.1,localhost crm-rfm --scheme quintile --as-of $D8 \
    --emit-partial old.{}.part shop.{}.crm ::: $P 2>"$D/old.err"
if ! ls old.*.part >/dev/null 2>&1 && grep -q 'crm-rfm: .*not found\|shop.0.crm' "$D/old.err"; then
    echo "ok parallel-ssh: without --env PATH --wd . the remote jobs fail ($(head -1 "$D/old.err"))"
else echo "not ok parallel-ssh: the unfixed recipe did not fail as on a real remote node"; fi
# the fixed recipe (docs/SCALE.md)
S="-S 127.0.0.1,localhost --env PATH --wd ."
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
        echo "ok parallel-ssh: $r rows over ssh (-S 127.0.0.1,localhost --env PATH --wd .) identical (sorted)"
    else echo "not ok parallel-ssh: $r rows differ from the single store"; fi
done
if [ -s fit.csv ] && cmp -s one-fit.csv fit.csv; then echo "ok parallel-ssh: churn parameters identical"
else echo "not ok parallel-ssh: churn parameters differ"; fi
