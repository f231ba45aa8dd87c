#!/usr/bin/env bash
# Every kind of report crmkit writes, as xlsx, opened with Python's standard library
# (tests/spreadsheet/xlsxcheck.py): one sheet named after the report, bold frozen filtered
# header, widths, no formula anywhere, and every cell typed and equal to the CSV of the same
# command — ids such as 00123, 19-digit ids, 1E5 and =HYPERLINK(...) as text cells, dates as
# yyyy-mm-dd date cells, money numeric 0.00, ratios numeric, counts integers (SPEC §13.2).
cd "$(dirname "$0")/../.." || exit 1
. tests/spreadsheet/lib.sh
make_store || { notok "xlsx: the test store"; exit 0; }
S=$T/shop.crm

# report NAME SHEET TYPES TOOL ARGS...: the report as CSV and as xlsx, compared cell by cell.
report() {
    local name=$1 sheet=$2 types=$3
    shift 3
    if ! "$@" "$S" -o "$T/$name.csv" || ! "$@" "$S" -o "$T/$name.xlsx"; then
        notok "xlsx $name: the command failed"
        return
    fi
    check "xlsx $name: typed cells equal to the CSV" \
        $CHECK "$T/$name.xlsx" "$sheet" "$T/$name.csv" "$types"
}

RFM=t,d,d,i,i,m,m,i,i,i,i,t,t
report rfm rfm $RFM crm-rfm
report rfm-all rfm $RFM crm-rfm --all --window 90
report rfm-empty rfm $RFM crm-rfm --as-of 2020-01-01
report segment segment t,t,t,t,i,i,i,i,i,i,m crm-segment
report segment-summary segment-summary t,i,r,m,r,m crm-segment --summary
report segment-by-segment segment-summary t,i,r,m,r,m crm-segment --summary --by segment
report kpi kpi t,d,d,i,i,i,i,r,m,m,r,r,r,r crm-segment --kpi
report kpi-quarter kpi t,d,d,i,i,i,i,r,m,m,r,r,r,r crm-segment --kpi --period quarter
report care care t,t,d,t,t,d,t crm-segment --care --on 2024-12-10
report pareto pareto i,t,m,r,r,r,t crm-pareto
report pareto-frequency pareto i,t,i,r,r,r,t crm-pareto --by frequency
report pareto-summary pareto-summary t,n crm-pareto --summary
report lorenz-curve lorenz-curve r,r crm-pareto --curve 20
report churn churn t,i,r,r,r,r,r,m,m,t crm-churn
report churn-days churn t,i,i,i,r,r,r,m,m,t crm-churn --unit day
report churn-holdout churn t,i,r,r,r,r,r,m,m,t,i crm-churn --calibration-end 2024-09-30
report churn-rules churn t,i,r,r,r,r,r,t,t crm-churn --method rules
report orders orders t,t,t,m,i,t,t crm-import --dump

# The side files of crm-churn: named .xlsx, they are workbooks too.
if crm-churn --calibration-end 2024-09-30 --report "$T/holdout.xlsx" --params-out \
       "$T/fit.xlsx" "$S" >/dev/null &&
   crm-churn --calibration-end 2024-09-30 --report "$T/holdout.csv" --params-out \
       "$T/fit.csv" "$S" >/dev/null; then
    check "xlsx churn --report FILE.xlsx" \
        $CHECK "$T/holdout.xlsx" holdout-report "$T/holdout.csv" t,i,r,r,i,r,r,r
    check "xlsx churn --params-out FILE.xlsx" $CHECK "$T/fit.xlsx" params "$T/fit.csv" t,t,r,r
else
    notok "xlsx churn side files: the command failed"
fi

crm-churn --params "$T/fit.xlsx" "$S" 2>"$T/err" >/dev/null; rc=$?
[ $rc -eq 2 ] && grep -q 'reads the CSV that --params-out FILE.csv writes' "$T/err" &&
    ok "xlsx: --params FILE.xlsx refused with the fix (exit 2)" || notok "xlsx: --params FILE.xlsx (rc $rc)"

# The ids a spreadsheet mangles are text cells holding exactly the imported id.
ids=$($PY - "$T/rfm.xlsx" <<'PY'
import sys, zipfile
import xml.etree.ElementTree as ET
M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ws = ET.fromstring(zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml"))
cells = ["".join(t.text or "" for t in c.iter(M + "t")) for c in ws.iter(M + "c")
         if c.get("r")[0] == "A" and c.get("t") == "inlineStr"]
want = ["00123", "1234567890123456789", "1E5", "+SUM(1,2)", "@SUM(A1)", "-2+3",
        '=HYPERLINK("http://evil.example/","click")', "=1+2'", "0000000000000000000000042"]
print(" ".join("missing:" + w for w in want if w not in cells) or "all")
PY
)
[ "$ids" = all ] && ok "xlsx: tricky ids are text cells, exactly as imported" ||
    notok "xlsx: tricky ids: $ids"
grep -c '^2401010000000000001,' "$T/orders.csv" | grep -qx 1 &&
$PY - "$T/orders.xlsx" <<'PY' && ok "xlsx: 19-digit order ids are text cells" || notok "xlsx: 19-digit order ids"
import sys, zipfile
x = zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").decode()
sys.exit(0 if '<is><t>2401010000000000018</t></is>' in x else 1)
PY

# The checker is not a rubber stamp: one changed CSV field, one wrong type, fail it.
sed '5s/,[0-9]*\.\([0-9][0-9]\),/,1.\1,/' "$T/rfm.csv" >"$T/rfm-changed.csv"
cmp -s "$T/rfm.csv" "$T/rfm-changed.csv" || ! $CHECK "$T/rfm.xlsx" rfm "$T/rfm-changed.csv" \
    $RFM >/dev/null && ok "xlsxcheck: fails on a changed value" || notok "xlsxcheck: changed value passed"
! $CHECK "$T/rfm.xlsx" rfm "$T/rfm.csv" t,t,d,i,i,m,m,i,i,i,i,t,t >/dev/null &&
    ok "xlsxcheck: fails on a wrong type" || notok "xlsxcheck: wrong type passed"

# To a pipe: the same bytes as -o (the workbook is built aside and copied); deterministic.
crm-rfm --format xlsx "$S" | cat >"$T/piped.xlsx"
cmp -s "$T/piped.xlsx" "$T/rfm.xlsx" && ok "xlsx: --format xlsx to a pipe = -o FILE.xlsx, byte for byte" ||
    notok "xlsx: piped workbook differs"

# Options: --format csv with a .xlsx name is a usage error; a bad --format too.
crm-rfm --format csv "$S" -o "$T/bad.xlsx" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'xlsx name with CSV output' "$T/err" && [ ! -e "$T/bad.xlsx" ] &&
    ok "xlsx: --format csv -o NAME.xlsx refused (exit 2)" || notok "xlsx: --format csv -o NAME.xlsx (rc $rc)"
crm-rfm --format ods "$S" 2>"$T/err" >/dev/null; rc=$?
[ $rc -eq 2 ] && grep -q -- '--format ods: expected csv, tsv or xlsx' "$T/err" &&
    ok "xlsx: --format ods refused (exit 2)" || notok "xlsx: --format ods (rc $rc)"

# Refused on a terminal (exit 2, nothing written), as stdout or as -o /dev/tty.
tty_rc=$($PY - "$S" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp("crm-rfm", ["crm-rfm", "--format", "xlsx", sys.argv[1]])
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
print(os.WEXITSTATUS(status), b"not written to a terminal" in out, b"PK" in out)
PY
)
[ "$tty_rc" = "2 True False" ] && ok "xlsx: refused on a terminal (exit 2, no bytes)" ||
    notok "xlsx: on a terminal: $tty_rc"
tty_rc=$($PY - "$S" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp("crm-rfm", ["crm-rfm", sys.argv[1], "-o", "/dev/tty", "--format", "xlsx"])
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
print(os.WEXITSTATUS(status), b"not written to a terminal" in out, b"PK" in out)
PY
)
[ "$tty_rc" = "2 True False" ] && ok "xlsx: refused as -o /dev/tty (exit 2, no bytes)" ||
    notok "xlsx: -o /dev/tty: $tty_rc"

# Atomic: a report that cannot be a workbook (crm-import --check is text) fails and leaves
# the previous file as it was, with no temporary or scratch file behind.
cp "$T/rfm.xlsx" "$T/keep.xlsx"
before=$(ls "$T" | wc -l); scratch=$(ls /tmp | grep -c '^crmkit-xlsx-')
crm-import --check "$S" -o "$T/keep.xlsx" 2>"$T/err"; rc=$?
cmp -s "$T/rfm.xlsx" "$T/keep.xlsx" && [ "$(ls "$T" | wc -l)" = "$before" ] &&
    [ "$(ls /tmp | grep -c '^crmkit-xlsx-')" -le "$scratch" ] && [ $rc -ne 0 ] &&
    grep -q 'not a table' "$T/err" &&
    ok "xlsx: a failed workbook leaves the old file and no temporary file" ||
    notok "xlsx: failed workbook (rc $rc): $(cat "$T/err")"

# A run killed while it writes the workbook (blocked on a full pipe) leaves no scratch file.
mkdir "$T/tmp" && mkfifo "$T/fifo"
TMPDIR=$T/tmp crm-rfm --format xlsx "$S" >"$T/fifo" 2>/dev/null & pid=$!
exec 3<"$T/fifo"        # opened, never read: the copy of the workbook blocks
for _ in $(seq 50); do  # until its scratch file exists and the pipe is full (at most 10 s)
    during=$(ls "$T/tmp" | grep -c '^crmkit-xlsx-')
    [ "$during" = 1 ] && grep -q '^State:.*S (sleeping)' /proc/$pid/status 2>/dev/null && break
    sleep 0.2
done
kill -TERM $pid; wait $pid 2>/dev/null
exec 3<&-
after=$(ls "$T/tmp" | grep -c '^crmkit-xlsx-')
[ "$during" = 1 ] && [ "$after" = 0 ] && ok "xlsx: a killed run leaves no scratch file" ||
    notok "xlsx: killed run: $during scratch file(s) while blocked, $after after"
