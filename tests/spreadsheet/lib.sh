# tests/spreadsheet/lib.sh — sourced by the spreadsheet tests (SPEC §13.2). Tools are on
# PATH (tests/run); python3 from PATH or /usr/bin/python3 (the standard library is enough).
set -u
T=$(mktemp -d /tmp/crmkit-sheet.XXXXXX)
trap 'rm -rf "$T"' EXIT
PY=$(command -v python3 || echo /usr/bin/python3)
CHECK="$PY tests/spreadsheet/xlsxcheck.py"

ok() { echo "ok $*"; }
notok() { echo "not ok $*"; }
# check NAME COMMAND...: ok when the command succeeds, else not ok with its output.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$name"; else notok "$name"; printf '%s\n' "$out" | head -12 | sed 's/^/    /'; fi
}

# The bundled sample (2,000 customers) plus customers whose ids a spreadsheet mangles or
# runs: 00123, a 19-digit id, 1E5, +SUM(1,2), @SUM(A1), =HYPERLINK(...), -2+3, =1+2', and
# 19-digit order ids. crm-import strips the ' that exports put before = (SPEC §3).
make_store() {
    { cat testdata/sample-orders.csv; tail -n +2 testdata/spreadsheet-ids.csv; } >"$T/orders.csv"
    crm-import -q "$T/orders.csv" -o "$T/shop.crm"
}
