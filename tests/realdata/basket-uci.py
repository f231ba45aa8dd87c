#!/usr/bin/env python3
"""Independent market-basket rules for UCI Online Retail, straight from the raw CSV (no
crmkit code): a basket is the set of StockCodes of one invoice that is a sale (InvoiceNo not
starting with C or A) and has a CustomerID. Prints the rules crm-basket should print, same
columns, same ranking (lift exact as a fraction, both_orders, antecedent, consequent)."""
import csv, gzip, itertools, math, sys
from fractions import Fraction

path, min_support, max_size = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
baskets = {}
with gzip.open(path, 'rt', encoding='utf-8', newline='') as f:
    for row in csv.DictReader(f):
        inv, cust = row['InvoiceNo'].strip(), row['CustomerID'].strip()
        if not cust or inv[:1] in ('C', 'c', 'A', 'a'):
            continue
        baskets.setdefault(inv, set()).add(row['StockCode'].strip())
N = len(baskets)
T = max(1, math.ceil(min_support * N - 1e-9))
one = {}
for b in baskets.values():
    for p in b:
        one[p] = one.get(p, 0) + 1
freq = {p for p, c in one.items() if c >= T}
pair = {}
lists = [sorted(p for p in b if p in freq) for b in baskets.values()]
for l in lists:
    for a, b in itertools.combinations(l, 2):
        pair[(a, b)] = pair.get((a, b), 0) + 1
rules = []
def rule(ante, cons, ante_n, both):
    rules.append((ante, cons, ante_n, one[cons], both))
for (a, b), c in pair.items():
    if c >= T:
        rule(a, b, one[a], c)
        rule(b, a, one[b], c)
if max_size >= 3:
    fp = {k for k, c in pair.items() if c >= T}
    tri = {}
    for l in lists:
        for a, b, c in itertools.combinations(l, 3):
            if (a, b) in fp and (a, c) in fp and (b, c) in fp:
                tri[(a, b, c)] = tri.get((a, b, c), 0) + 1
    for (a, b, c), n in tri.items():
        if n >= T:
            rule(a + ';' + b, c, pair[(a, b)], n)
            rule(a + ';' + c, b, pair[(a, c)], n)
            rule(b + ';' + c, a, pair[(b, c)], n)
def key(r):
    ante, cons, an, cn, both = r
    return (-Fraction(both * N, an * cn), -both, ante.encode(), cons.encode())
rules.sort(key=key)
print('antecedent,consequent,antecedent_orders,consequent_orders,both_orders,support,'
      'confidence,lift')
for ante, cons, an, cn, both in rules:
    conf = both / an
    print('%s,%s,%d,%d,%d,%.7f,%.7f,%.7f' % (ante, cons, an, cn, both, both / N, conf,
                                             conf / (cn / N)))
