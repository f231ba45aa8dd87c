#!/usr/bin/env python3
"""crm-cohort on UCI Online Retail computed again, independently, straight from the raw CSV
with Python's csv and decimal modules: invoices are orders (dated by their earliest row, C
invoices are returns, A invoices and rows without CustomerID are skipped), money per row is
quantity x unit price rounded half away from zero to cents. Prints the long table of
crm-cohort(1) for each period (month, week, quarter) as of the day given, into DIR/PERIOD.csv.
Usage: cohort-uci.py FILE.csv.gz AS_OF DIR"""
import csv
import datetime
import gzip
import sys
from decimal import ROUND_HALF_UP, Decimal

path, as_of, outdir = sys.argv[1], datetime.date.fromisoformat(sys.argv[2]), sys.argv[3]
period = "month"

orders = {}   # invoice -> [customer, date, cents, paid]
with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
    for row in csv.DictReader(f):
        inv, cust = row["InvoiceNo"], row["CustomerID"].strip()
        if not cust or inv.startswith("A"):
            continue
        if cust.endswith(".0"):
            cust = cust[:-2]
        day = datetime.date.fromisoformat(row["InvoiceDate"][:10])
        cents = int((abs(Decimal(row["Quantity"])) * Decimal(row["UnitPrice"]) * 100)
                    .quantize(Decimal(1), rounding=ROUND_HALF_UP))
        o = orders.setdefault(inv, [cust, day, 0, not inv.startswith("C")])
        o[1] = min(o[1], day)
        o[2] += cents


def period_of(d):
    if period == "month":
        return d.year * 12 + d.month - 1
    if period == "quarter":
        return d.year * 4 + (d.month - 1) // 3
    return (d - datetime.date(1970, 1, 5)).days // 7   # weeks from a Monday


def start_of(p):
    if period == "month":
        return datetime.date(p // 12, p % 12 + 1, 1)
    if period == "quarter":
        return datetime.date(p // 4, 3 * (p % 4) + 1, 1)
    return datetime.date(1970, 1, 5) + datetime.timedelta(days=7 * p)


def label(p):
    s = start_of(p)
    if period == "month":
        return "%04d-%02d" % (s.year, s.month)
    if period == "quarter":
        return "%04d-Q%d" % (s.year, p % 4 + 1)
    return s.isoformat()




def money(c):
    return "%s%d.%02d" % ("-" if c < 0 else "", abs(c) // 100, abs(c) % 100)


def per_customer(total, n):   # half away from zero, total >= 0
    q, r = divmod(total, n)
    return q + (2 * r >= n)


def table(out):
    paid = [o for o in orders.values() if o[3] and o[1] < as_of]
    first = {}
    for cust, day, _, _ in paid:
        first[cust] = min(first.get(cust, day), day)
    cohort = {c: period_of(d) for c, d in first.items()}
    size, active, norders, revenue = {}, {}, {}, {}
    for c, p in cohort.items():
        size[p] = size.get(p, 0) + 1
    seen = set()
    for cust, day, cents, _ in paid:
        key = (cohort[cust], period_of(day) - cohort[cust])
        norders[key] = norders.get(key, 0) + 1
        revenue[key] = revenue.get(key, 0) + cents
        if (cust, key) not in seen:
            seen.add((cust, key))
            active[key] = active.get(key, 0) + 1
    last = period_of(as_of - datetime.timedelta(days=1))
    out.write("cohort,period_index,period_start,cohort_size,active,retention,revenue,orders,"
              "cum_revenue_per_customer\n")
    for p in sorted(size):
        cum = 0
        for k in range(last - p + 1):
            key = (p, k)
            cum += revenue.get(key, 0)
            out.write("%s,%d,%s,%d,%d,%.7f,%s,%d,%s\n" % (
                label(p), k, start_of(p + k).isoformat(), size[p], active.get(key, 0),
                active.get(key, 0) / size[p], money(revenue.get(key, 0)), norders.get(key, 0),
                money(per_customer(cum, size[p]))))


for period in ("month", "week", "quarter"):
    with open("%s/%s.csv" % (outdir, period), "w") as out:
        table(out)
