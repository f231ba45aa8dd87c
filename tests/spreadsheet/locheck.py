#!/usr/bin/env python3
"""locheck: compare what LibreOffice made of crmkit's output with crmkit's CSV (standard
library only).

  locheck.py csv  SOURCE.csv LO.csv          LibreOffice's CSV export of crmkit's xlsx
      (cell contents as shown) must equal the source field for field.
  locheck.py cells SOURCE.csv LO.xlsx DECIMAL   LibreOffice's reading of a crmkit CSV (saved
      as xlsx): every cell compared with the source field (DECIMAL is . or , : the source's
      decimal point). Numbers must be number cells of the same value, dates date cells of the
      same day, text text cells; no formula anywhere. Text a spreadsheet reads as a number
      (00123, 19 digits, 1E5) is counted apart: only xlsx keeps it (SPEC §13.2). Formula-like
      text may arrive as text with a leading ' (--bom). Exit 1 on a mismatch.
"""
import csv
import datetime
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_csv(path, delimiter=","):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f, delimiter=delimiter))


def col_index(ref):
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def sheet_cells(path):
    z = zipfile.ZipFile(path)
    sst = []
    if "xl/sharedStrings.xml" in z.namelist():
        root = ET.fromstring(z.read("xl/sharedStrings.xml"))
        sst = ["".join(t.text or "" for t in si.iter(M + "t")) for si in root.iter(M + "si")]
    st = ET.fromstring(z.read("xl/styles.xml"))
    fmts = {int(f.get("numFmtId")): f.get("formatCode") for f in st.iter(M + "numFmt")}
    xf = [int(x.get("numFmtId", "0")) for x in st.find(M + "cellXfs")]
    ws = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    cells = {}
    for row in ws.iter(M + "row"):
        r = int(row.get("r")) - 1
        for c in row.iter(M + "c"):
            t, v, f = c.get("t"), c.find(M + "v"), c.find(M + "f")
            fid = xf[int(c.get("s", "0"))]
            code = fmts.get(fid, str(fid))
            if f is not None:
                kind, val = "formula", f.text
            elif t == "s":
                kind, val = "text", sst[int(v.text)]
            elif t in ("inlineStr", "str"):
                kind, val = "text", "".join(x.text or "" for x in c.iter(M + "t"))
            elif v is not None:
                is_date = fid in range(14, 23) or re.search(r"[yd]", code or "") is not None
                kind, val = ("date" if is_date else "number"), v.text
            else:
                continue
            cells[(r, col_index(c.get("r")))] = (kind, val)
    return cells


NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?$")
DATE = re.compile(r"\d{4}-\d\d-\d\d$")


def compare_cells(src_path, book, point):
    src = read_csv(src_path, ";" if point == "," else ",")
    cells = sheet_cells(book)
    bad, numberlike, defused, n = [], [], 0, 0
    for r, row in enumerate(src):
        for i, text in enumerate(row):
            got = cells.get((r, i))
            plain = text.replace(",", ".") if point == "," else text
            n += 1
            if text == "":
                ok = got is None
            elif r > 0 and i == 0 and NUMBER.match(plain):
                numberlike.append(text)   # an id that only xlsx keeps
                continue
            elif r > 0 and DATE.match(text):
                ok = got is not None and got[0] == "date" and (
                    datetime.date(1899, 12, 30) +
                    datetime.timedelta(days=float(got[1]))).isoformat() == text
            elif r > 0 and NUMBER.match(plain):
                ok = got is not None and got[0] == "number" and \
                    abs(float(got[1]) - float(plain)) <= 1e-9 * max(1, abs(float(plain)))
            elif got is not None and got[0] == "text" and got[1] == "'" + text and \
                    text[0] in "=+-@\t\r":
                ok = True   # written with a leading ': inert, and crm-import strips it
                defused += 1
            else:
                ok = got is not None and got[0] == "text" and got[1] == text
            if not ok:
                bad.append("row %d col %d: source %r, spreadsheet %r" % (r + 1, i + 1, text, got))
    formulas = [v for v in cells.values() if v[0] == "formula"]
    if formulas:
        bad.append("formulas in the sheet: %r" % formulas[:3])
    for b in bad[:8]:
        print(b)
    print("%d fields: %d mismatches, %d formula-like texts arrived defused, %d number-like "
          "ids read as numbers (%s)" % (n, len(bad), defused, len(numberlike),
                                        " ".join(numberlike[:6])))
    return 1 if bad else 0


def compare_csv(src_path, lo_path):
    src, lo = read_csv(src_path), read_csv(lo_path)
    bad = []
    if len(src) != len(lo):
        bad.append("%d rows, LibreOffice %d" % (len(src), len(lo)))
    for r, (a, b) in enumerate(zip(src, lo)):
        if a != b:
            bad.append("row %d: %r / LibreOffice %r" % (r + 1, a, b))
    for b in bad[:5]:
        print(b)
    print("%d rows compared: %d differ" % (len(src), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "csv":
        sys.exit(compare_csv(sys.argv[2], sys.argv[3]))
    sys.exit(compare_cells(sys.argv[2], sys.argv[3], sys.argv[4]))
