#!/usr/bin/env python3
"""xlsxcheck: open an xlsx that crmkit wrote with the standard library alone (zipfile +
xml.etree) and check it cell by cell against the CSV the same command writes.

usage: xlsxcheck.py BOOK.xlsx SHEET REPORT.csv TYPES
TYPES is one letter per column: t text, d date, m money (0.00), r ratio (0.0000000),
i count (integer), n count or money (pareto's value column with --by frequency: integer).
Checked: one sheet named SHEET; no formula anywhere; header row bold, frozen, filtered over
every row and column, every column given a width; each cell of the right type (text cells
are strings, dates are date-formatted serials, money numeric with format 0.00, ratios
numeric with 7 decimals, counts integers with no format) and equal to the CSV's field
(an empty field is no cell). Prints "ok" or the first few differences; exit 1 on any.
"""
import csv
import datetime
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
M = "{%s}" % NS["m"]


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def styles(z):
    root = ET.fromstring(z.read("xl/styles.xml"))
    fmts = {int(f.get("numFmtId")): f.get("formatCode") for f in root.iter(M + "numFmt")}
    fonts = [f.find(M + "b") is not None for f in root.find(M + "fonts")]
    xfs = []
    for xf in root.find(M + "cellXfs"):
        fid = int(xf.get("numFmtId", "0"))
        xfs.append((fmts.get(fid, "General" if fid == 0 else "builtin %d" % fid),
                    fonts[int(xf.get("fontId", "0"))]))
    return xfs


def shared_strings(z):
    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    root = ET.fromstring(z.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(M + "t")) for si in root.iter(M + "si")]


def cell_value(c, sst):
    t = c.get("t")
    if t == "inlineStr":
        return "text", "".join(x.text or "" for x in c.iter(M + "t"))
    if t == "s":
        return "text", sst[int(c.find(M + "v").text)]
    if t is None or t == "n":
        return "number", c.find(M + "v").text
    return t, None   # str (a formula's result), b, e: never expected


def main():
    book, sheet_name, csv_path, types = sys.argv[1:5]
    types = types.split(",")
    errors = []
    z = zipfile.ZipFile(book)
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    sheets = [s.get("name") for s in wb.iter(M + "sheet")]
    if sheets != [sheet_name]:
        errors.append("sheets %r, expected [%r]" % (sheets, sheet_name))
    for name in z.namelist():
        data = z.read(name)
        if name.endswith(".xml") and (b"<f>" in data or b"<f " in data):
            errors.append("%s holds a formula" % name)
    if any(n.startswith("xl/calcChain") for n in z.namelist()):
        errors.append("workbook has a calculation chain (formulas)")
    xfs = styles(z)
    sst = shared_strings(z)
    ws = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        want = list(csv.reader(f))
    ncols, nrows = len(want[0]), len(want)
    if len(types) != ncols:
        errors.append("%d types for %d columns" % (len(types), ncols))
    pane = ws.find(".//m:pane", NS)
    if pane is None or pane.get("ySplit") != "1" or pane.get("state") != "frozen":
        errors.append("header row not frozen")
    af = ws.find("m:autoFilter", NS)
    ref = "A1:%s%d" % (col_name(ncols - 1), nrows)
    if af is None or af.get("ref") != ref:
        errors.append("autofilter %r, expected %r" % (af is not None and af.get("ref"), ref))
    widths = {}
    for c in ws.iter(M + "col"):
        for i in range(int(c.get("min")) - 1, int(c.get("max"))):
            widths[i] = float(c.get("width"))
    for i in range(ncols):
        if not 4 <= widths.get(i, 0) <= 62:
            errors.append("column %s width %r" % (col_name(i), widths.get(i)))
    got = {}
    for row in ws.iter(M + "row"):
        r = int(row.get("r")) - 1
        for c in row.iter(M + "c"):
            got[(r, col_index(c.get("r")))] = c
    extra = [k for k in got if k[0] >= nrows or k[1] >= ncols]
    if extra:
        errors.append("cells outside the report: %r" % extra[:3])
    for r in range(nrows):
        if len(want[r]) != ncols:
            errors.append("CSV row %d has %d fields" % (r + 1, len(want[r])))
            continue
        for i in range(ncols):
            where = "%s%d" % (col_name(i), r + 1)
            text = want[r][i]
            c = got.get((r, i))
            if c is None:
                if text != "":
                    errors.append("%s: no cell, CSV has %r" % (where, text))
                continue
            kind, v = cell_value(c, sst)
            fmt, bold = xfs[int(c.get("s", "0"))]
            if r == 0:
                if kind != "text" or v != text or not bold:
                    errors.append("%s: header %r (%s, bold %s), expected bold %r"
                                  % (where, v, kind, bold, text))
                continue
            if bold:
                errors.append("%s: bold data cell" % where)
            t = types[i]
            if t == "t":
                ok = kind == "text" and v == text
            elif t == "d":
                ok = kind == "number" and fmt == "yyyy-mm-dd" and \
                    (datetime.date(1899, 12, 30) +
                     datetime.timedelta(days=float(v))).isoformat() == text
            elif t == "m":
                ok = kind == "number" and fmt == "0.00" and "%.2f" % float(v) == text
            elif t == "r":
                ok = kind == "number" and fmt == "0.0000000" and "%.7f" % float(v) == text
            elif t == "i":
                ok = kind == "number" and fmt == "General" and re.fullmatch(r"-?\d+", v) \
                    and v == text
            elif t == "n":   # a metric,value table: counts, money and ratios by row
                ok = kind == "number" and (
                    (fmt == "General" and v == text) or
                    (fmt == "0.00" and "%.2f" % float(v) == text) or
                    (fmt == "0.0000000" and "%.7f" % float(v) == text))
            else:
                ok = False
            if not ok:
                errors.append("%s: %s cell %r (format %s), CSV %r, expected type %s"
                              % (where, kind, v, fmt, text, t))
    if errors:
        for e in errors[:8]:
            print(e)
        print("%d problem(s) in %s" % (len(errors), book))
        return 1
    print("ok %d rows x %d columns" % (nrows, ncols))
    return 0


if __name__ == "__main__":
    sys.exit(main())
