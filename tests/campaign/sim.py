#!/usr/bin/env python3
"""Seeded simulator of care campaigns with a known effect (crm-campaign measure, SPEC §16).

Each replication r lists N customers, splits them with the control-group rule of
crm-campaign(1) (group.py, salt "sim-R", holdout F), and writes what they buy: in the 30
days from 2024-06-01 a customer buys with probability P_CONTROL (control) or P_CONTROL + EFFECT
(treatment); a buyer makes 1 + Poisson(EXTRA) orders on uniform days, each of a log-normal
amount (mu 3.5, sigma 0.6: mean exp(3.68) = 39.6464), so the true differences are
    conversion_rate        EFFECT
    orders_per_customer    EFFECT * (1 + EXTRA)
    revenue_per_customer   EFFECT * (1 + EXTRA) * exp(3.5 + 0.6^2 / 2)   (before rounding)
Orders before the contact date and after the 30 days, refunds, and a customer who is not
listed are mixed in; the measurement must leave them out.
Usage: sim.py DIR REPLICATIONS CUSTOMERS HOLDOUT EFFECT SEED
writes DIR/groups.R.csv and DIR/orders.R.csv for R = 0 .. REPLICATIONS-1 and prints the true
differences as "conversion opc rpc"."""
import datetime
import math
import random
import sys

from group import group

P_CONTROL, EXTRA, MU, SIGMA = 0.20, 0.5, 3.5, 0.6
FROM = datetime.date(2024, 6, 1)


def poisson(rng, lam):
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def day(offset):
    return (FROM + datetime.timedelta(days=offset)).isoformat()


def replication(outdir, r, n, holdout, effect, rng):
    salt = "sim-%d" % r
    oid = 0
    with open("%s/groups.%d.csv" % (outdir, r), "w") as g, \
         open("%s/orders.%d.csv" % (outdir, r), "w") as o:
        g.write("customer_id,reason,group\n")
        o.write("order_id,customer_id,order_time,amount,status\n")

        def order(cust, when, cents, status="paid"):
            nonlocal oid
            oid += 1
            o.write("%d,%s,%s 12:00:00,%d.%02d,%s\n" % (oid, cust, when, cents // 100,
                                                       cents % 100, status))

        for i in range(n):
            cust = "c%06d" % i
            grp = group(salt, cust, holdout)
            g.write("%s,after-7d,%s\n" % (cust, grp))
            if rng.random() < 0.3:
                order(cust, day(-rng.randint(1, 60)), 5000)          # before the contact
            if rng.random() < 0.3:
                order(cust, day(30 + rng.randint(0, 19)), 5000)      # after the 30 days
            p = P_CONTROL + (effect if grp == "treatment" else 0)
            if rng.random() < p:
                for _ in range(1 + poisson(rng, EXTRA)):
                    cents = int(round(rng.lognormvariate(MU, SIGMA) * 100))
                    order(cust, day(rng.randint(0, 29)), cents)
            if rng.random() < 0.02:
                order(cust, day(rng.randint(0, 29)), 7000, "refunded")
        order("not-listed", day(3), 99999)
        order("not-listed", day(49), 100)                            # as-of 2024-07-21


def main():
    outdir, reps, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    holdout, effect, seed = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
    rng = random.Random(seed)
    for r in range(reps):
        replication(outdir, r, n, holdout, effect, rng)
    mean_amount = math.exp(MU + SIGMA * SIGMA / 2)
    print("%.10f %.10f %.10f" % (effect, effect * (1 + EXTRA),
                                 effect * (1 + EXTRA) * mean_amount))


main()
