# Shared by tests/realdata/*.sh: paths, result lines, and a CSV splitter for mawk.
D=${CRM_SHARED_DATA:-../shared/data}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; shift; printf '    %s\n' "$@"; }
skip() { echo "skip $1"; }
# check NAME GOT WANT
check() { if [ "$2" = "$3" ]; then ok "$1 ($2)"; else notok "$1" "got:  $2" "want: $3"; fi; }
need() { [ -r "$D/$1" ] || { skip "$1 not found in $D"; exit 0; }; }
# awk function: split a CSV record (RFC 4180, no embedded newlines) into f[1..n]
AWK_CSV='function csv(line, f,    n, i, c, q, cur) {
    n = 0; cur = ""; q = 0
    if (index(line, "\"") == 0) return split(line, f, ",")
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) { if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { cur = cur c; i++ } else q = 0 } else cur = cur c }
        else if (c == "\"") q = 1
        else if (c == ",") { f[++n] = cur; cur = "" }
        else cur = cur c
    }
    f[++n] = cur
    return n
}
# decimal text × integer quantity → cents, rounded half away from zero, exactly
function cents(price, qty,    neg, ip, fp, d, units, prod, den) {
    neg = 0
    if (substr(price, 1, 1) == "-") { neg = 1; price = substr(price, 2) }
    ip = price; fp = ""
    if (index(price, ".")) { ip = substr(price, 1, index(price, ".") - 1); fp = substr(price, index(price, ".") + 1) }
    d = length(fp); units = ip * (10 ^ d) + (fp == "" ? 0 : fp + 0)
    prod = units * qty; if (neg) prod = -prod
    den = 10 ^ d / 100
    if (den < 1) return prod * 100 / (10 ^ d)
    if (prod < 0) return -int((-prod + den / 2) / den)
    return int((prod + den / 2) / den)
}'
