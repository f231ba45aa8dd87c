#!/usr/bin/env bash
# crm-campaign measure on simulated campaigns (tests/campaign/sim.py, seeded): a known lift is
# recovered within its 95 % intervals; over 200 replications with no effect the intervals of
# conversion, orders and revenue per customer cover 0 in about 95 % of them, and over 200
# with an effect they cover the true difference about as often. "About": a count of the 200
# within 181..199 (95 % ± 2.6 binomial standard deviations); the seeds make every count
# reproducible, and each is printed.
set -uo pipefail
cd "$(dirname "$0")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; shift; printf '    %s\n' "$@"; }

measure() { # DIR R → the rows of the measurement
    crm-campaign measure --groups "$1/groups.$2.csv" --from 2024-06-01 --days 30 \
        "$1/orders.$2.csv"
}

# 1. One large campaign with a known effect: +5 points of conversion.
mkdir "$T/big"
read -r conv opc rpc < <(python3 sim.py "$T/big" 1 40000 0.5 0.05 7)
[ -n "${rpc:-}" ] || { notok "simulate: sim.py wrote no campaign"; exit 0; }
measure "$T/big" 0 >"$T/big.csv"
for m in conversion_rate:$conv orders_per_customer:$opc revenue_per_customer:$rpc; do
    row=$(grep "^${m%%:*}," "$T/big.csv")
    if awk -F, -v t="${m#*:}" '{ exit !($5 <= t && t <= $6 && $5 > 0 && $8 < 0.001) }' <<<"$row"
    then ok "simulate: known ${m%%:*} difference ${m#*:} recovered: $row"
    else notok "simulate: known ${m%%:*} difference ${m#*:} not in its interval" "$row"; fi
done
if grep -q '^customers,19998,20002,' "$T/big.csv"; then ok "simulate: group sizes 19998/20002"
else notok "simulate: group sizes" "$(grep '^customers' "$T/big.csv")"; fi

# 2. and 3. Coverage over 200 replications, without and with an effect.
coverage() { # NAME EFFECT SEED
    mkdir "$T/$1"
    local truth r
    read -r -a truth < <(python3 sim.py "$T/$1" 200 2000 0.3 "$2" "$3")
    [ "${#truth[@]}" = 3 ] || { notok "simulate: $1: sim.py wrote no campaigns"; return; }
    for r in $(seq 0 199); do measure "$T/$1" "$r" | tail -n 3; done >"$T/$1.rows"
    awk -F, -v c="${truth[0]}" -v o="${truth[1]}" -v v="${truth[2]}" -v name="$1" '
        { t = $1 == "conversion_rate" ? c : $1 == "orders_per_customer" ? o : v
          n[$1]++; if ($5 <= t && t <= $6) hit[$1]++ }
        END { for (m in n) {
                  ok = n[m] == 200 && hit[m] >= 181 && hit[m] <= 199
                  printf "%s simulate: %s: the 95%% interval of %s covers %s in %d of %d " \
                         "replications\n", ok ? "ok" : "not ok", name, m,
                         m == "conversion_rate" ? c : m == "orders_per_customer" ? o : v,
                         hit[m], n[m] } }' "$T/$1.rows" | sort
}
coverage no-effect 0 11
coverage effect 0.05 12
