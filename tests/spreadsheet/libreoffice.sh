#!/usr/bin/env bash
# A real spreadsheet program reads crmkit's output (SPEC §13.2): LibreOffice headless, with a
# private profile, (1) converts crmkit's xlsx back to CSV, which must equal crmkit's CSV
# field for field — every id, date and number; (2) opens --bom CSV the way a user does
# (formulas evaluated, numbers detected) and every id and number must arrive, formula-like
# ids inert with their leading ' (plain CSV, the control, gets live formulas); (3) opens
# --decimal-comma CSV with a German locale: numbers in separate columns, as numbers (plain
# CSV, the control, does not split).
cd "$(dirname "$0")/../.." || exit 1
. tests/spreadsheet/lib.sh
if ! command -v soffice >/dev/null; then
    echo "skip libreoffice: soffice not installed (scripts/setup-deps --test installs libreoffice-calc)"
    exit 0
fi
make_store || { notok "libreoffice: the test store"; exit 0; }
S=$T/shop.crm
LOCHECK="$PY tests/spreadsheet/locheck.py"
lo() { # soffice ARGS...: one conversion run with a profile of its own
    timeout 120 soffice -env:UserInstallation=file://"$T/lo-profile" --headless "$@" >"$T/lo.log" 2>&1
}
mkdir -p "$T/x" "$T/b" "$T/d"

# (1) xlsx -> LibreOffice -> CSV (cell contents as shown) = crmkit's CSV.
while read -r name cmd; do
    $cmd "$S" -o "$T/x/$name.xlsx" && $cmd "$S" -o "$T/x/$name.src" || notok "libreoffice: $name failed"
done <<'LIST'
rfm crm-rfm
segment crm-segment
kpi crm-segment --kpi
care crm-segment --care --on 2024-12-10
pareto crm-pareto
pareto-summary crm-pareto --summary
churn crm-churn --calibration-end 2024-09-30
orders crm-import --dump
LIST
lo --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true' \
    --outdir "$T/x" "$T"/x/*.xlsx || notok "libreoffice: xlsx conversion: $(tail -3 "$T/lo.log")"
for f in "$T"/x/*.src; do
    name=$(basename "$f" .src)
    check "libreoffice: $name.xlsx read back equals crmkit's CSV (every id, date, number)" \
        $LOCHECK csv "$f" "$T/x/$name.csv"
done

# (2) --bom CSV opened as a user would: comma, UTF-8, numbers detected, formulas evaluated.
crm-rfm --bom "$S" -o "$T/b/bom.csv" && crm-rfm "$S" -o "$T/b/plain.csv" &&
    crm-segment --kpi --bom "$S" -o "$T/b/kpibom.csv" && crm-segment --kpi "$S" -o "$T/kpi.src" &&
    lo --infilter='CSV:44,34,76,1,,1033,false,true,false,false,false,-1,true' \
        --convert-to xlsx --outdir "$T/b" "$T/b/bom.csv" "$T/b/plain.csv" "$T/b/kpibom.csv" ||
    notok "libreoffice: --bom conversion: $(tail -3 "$T/lo.log")"
crm-rfm "$S" -o "$T/rfm.src"
if out=$($LOCHECK cells "$T/rfm.src" "$T/b/bom.xlsx" .); then
    case "$out" in
        *", 5 formula-like texts arrived defused, 4 number-like ids"*)
            ok "libreoffice: --bom CSV: every text id, date and number arrives; the 5 formula-like ids are inert text" ;;
        *) notok "libreoffice: --bom CSV: $out" ;;
    esac
else
    notok "libreoffice: --bom CSV"; printf '%s\n' "$out" | head -8 | sed 's/^/    /'
fi
check "libreoffice: --bom KPI CSV: every date, count, money and ratio arrives as a number" \
    $LOCHECK cells "$T/kpi.src" "$T/b/kpibom.xlsx" .
out=$($LOCHECK cells "$T/rfm.src" "$T/b/plain.xlsx" .) &&
    notok "libreoffice: control: plain CSV had no live formula" ||
    { case "$out" in *"formulas in the sheet"*) ok "libreoffice: control: plain CSV opened this way runs =HYPERLINK as a formula" ;;
                     *) notok "libreoffice: control: $out" ;; esac; }

# (3) --decimal-comma CSV in a German LibreOffice (';' lists, ',' decimals).
crm-rfm --decimal-comma "$S" -o "$T/d/dc.csv" && crm-segment --kpi --decimal-comma "$S" \
    -o "$T/d/kpidc.csv" && cp "$T/rfm.src" "$T/d/comma.csv" &&
    lo --infilter='CSV:59,34,76,1,,1031,false,true' --convert-to xlsx --outdir "$T/d" \
        "$T/d/dc.csv" "$T/d/kpidc.csv" "$T/d/comma.csv" ||
    notok "libreoffice: German conversion: $(tail -3 "$T/lo.log")"
check "libreoffice (de-DE): --decimal-comma rfm: separate columns, money as numbers" \
    $LOCHECK cells "$T/d/dc.csv" "$T/d/dc.xlsx" ,
check "libreoffice (de-DE): --decimal-comma KPI: ratios and money as numbers" \
    $LOCHECK cells "$T/d/kpidc.csv" "$T/d/kpidc.xlsx" ,
$LOCHECK cells "$T/d/comma.csv" "$T/d/comma.xlsx" . >/dev/null &&
    notok "libreoffice (de-DE): control: plain CSV split and read" ||
    ok "libreoffice (de-DE): control: plain CSV is not split into columns"
