#!/usr/bin/env python3
"""Independent replenish reminders for UCI Online Retail from the raw CSV: the customers with
a product whose purchase cycle (median gap between purchase days, even count: mean of the
two middle gaps rounded down) ends exactly on DAY. Prints their ids, sorted."""
import csv, datetime, gzip, sys
path, on = sys.argv[1], datetime.date.fromisoformat(sys.argv[2])
days = {}
with gzip.open(path, 'rt', encoding='utf-8', newline='') as f:
    for row in csv.DictReader(f):
        inv, cust = row['InvoiceNo'].strip(), row['CustomerID'].strip()
        if not cust or inv[:1] in ('C', 'c', 'A', 'a'):
            continue
        day = datetime.date.fromisoformat(row['InvoiceDate'][:10])
        if day < on:
            days.setdefault((cust[:-2] if cust.endswith('.0') else cust,
                             row['StockCode'].strip()), set()).add(day)
due = set()
for (cust, prod), s in days.items():
    d = sorted(s)
    if len(d) < 2:
        continue
    g = sorted((b - a).days for a, b in zip(d, d[1:]))
    m = len(g)
    cycle = g[m // 2] if m % 2 else (g[m // 2 - 1] + g[m // 2]) // 2
    if d[-1] + datetime.timedelta(days=cycle) == on:
        due.add(cust)
print('\n'.join(sorted(due)))
