#!/usr/bin/env bash
# tests/static/static.sh — `make static` (SPEC §18): the tools in build/static/bin run on a
# node without libcsv. Each binary has no dynamic section (ldd: not a dynamic executable; no
# NEEDED entry). Then, in a private mount namespace (unshare; as root or in a user
# namespace) where libcsv.so.3 is replaced by an empty file and LD_LIBRARY_PATH names an
# empty directory, the dynamic build fails to start (the control) and the static tools run
# the partitioned path — import, --partition, store merge, quintile partials and merge,
# churn fit — with output identical to the dynamic build's outside. Prints ok / not ok /
# skip lines. Run from the repository root after `make static` (make check-static).
set -uo pipefail
SB=build/static/bin
DB=${B:-build}/bin
if ! [ -x "$SB/crm-import" ]; then echo "not ok static: $SB/crm-import missing (make static)"; exit 0; fi
for t in "$SB"/crm-*; do
    out=$(LC_ALL=C ldd "$t" 2>&1)
    if [[ $out == *"not a dynamic executable"* ]] &&
        ! readelf -d "$t" 2>/dev/null | grep -q NEEDED; then
        echo "ok static: $(basename "$t") is statically linked (no NEEDED entries)"
    else echo "not ok static: $(basename "$t") needs: $(ldd "$t" | awk '{print $1}' | tr '\n' ' ')"; fi
done
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
mkdir "$D/emptylib"
steps() { # BIN OUT: the partitioned path with the tools in BIN, results in OUT
    local b=$1 o=$2 A="--as-of 2025-01-01"
    mkdir -p "$o"
    "$b/crm-import" -q --partition 2 testdata/sample-orders.csv -o "$o/p.%d.crm" &&
    "$b/crm-import" -q "$o/p.1.crm" "$o/p.0.crm" -o "$o/m.crm" &&
    "$b/crm-import" --dump "$o/m.crm" >"$o/dump.csv" &&
    for i in 0 1; do "$b/crm-rfm" $A --scheme quintile --emit-partial "$o/r.$i" "$o/p.$i.crm"; done &&
    "$b/crm-rfm" --scheme quintile --merge-partials "$o"/r.? -o "$o/cuts" &&
    "$b/crm-segment" --cuts "$o/cuts" "$o/p.0.crm" >"$o/segment.csv" &&
    "$b/crm-pareto" $A --summary "$o/m.crm" >"$o/pareto.csv" &&
    "$b/crm-churn" $A --params-out "$o/fit.csv" "$o/m.crm" >"$o/churn.csv"
}
if ! steps "$DB" "$D/dyn"; then echo "not ok static: the dynamic build failed the steps"; exit 0; fi
csv=$(ldd "$DB/crm-import" | awk '/libcsv/ { print $3 }')
csv=$(readlink -f "$csv")
ns=
if unshare -m true 2>/dev/null; then ns="unshare -m"
elif unshare -U -r -m true 2>/dev/null; then ns="unshare -U -r -m"; fi
if [ -z "$ns" ] || [ -z "$csv" ]; then
    echo "skip static: no mount namespace here (unshare) to hide libcsv; ldd checked above"
    exit 0
fi
export -f steps
$ns sh -c 'mount --bind /dev/null "$1"' sh "$csv" 2>/dev/null ||
    { echo "skip static: cannot bind-mount over $csv in a namespace"; exit 0; }
$ns bash -c '
    mount --bind /dev/null "$1" || exit 3
    export LD_LIBRARY_PATH=$2/emptylib
    if "$3/crm-import" --version >/dev/null 2>"$2/dyn.err"; then echo "not ok static: control: the dynamic crm-import started without libcsv"
    else echo "ok static: control: without libcsv the dynamic build stops: $(head -c 120 "$2/dyn.err")"; fi
    if steps "$4" "$2/static"; then echo "ok static: the static tools ran the partitioned path without libcsv"
    else echo "not ok static: the static tools failed without libcsv"; fi
' bash "$csv" "$D" "$DB" "$SB"
for f in dump.csv cuts segment.csv pareto.csv fit.csv churn.csv; do
    if [ -s "$D/static/$f" ] && cmp -s "$D/dyn/$f" "$D/static/$f"; then
        echo "ok static: $f identical to the dynamic build's"
    else echo "not ok static: $f differs from the dynamic build's"; fi
done
# Without a static libxlsxwriter (Debian ships none) the static tools refuse xlsx with the
# fix named, exit 1, and write nothing; with STATIC_XLSX given they write workbooks.
if readelf -s "$SB/crm-rfm" 2>/dev/null | grep -q workbook_new; then
    if "$SB/crm-rfm" testdata/sample-orders.csv -o "$D/x.xlsx" 2>/dev/null && [ -s "$D/x.xlsx" ]
    then echo "ok static: xlsx written by the static build (STATIC_XLSX)"
    else echo "not ok static: the static build with libxlsxwriter failed to write xlsx"; fi
else
    err=$("$SB/crm-rfm" testdata/sample-orders.csv -o "$D/x.xlsx" 2>&1); rc=$?
    if [ $rc = 1 ] && [ ! -e "$D/x.xlsx" ] && [[ $err == *"static build has no xlsx"*STATIC_XLSX* ]]
    then echo "ok static: without libxlsxwriter.a, xlsx is refused naming the fix (exit 1)"
    else echo "not ok static: xlsx in the static build: exit $rc, $err"; fi
fi
