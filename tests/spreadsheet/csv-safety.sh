#!/usr/bin/env bash
# CSV for spreadsheets and for pipes (SPEC §13.2): plain CSV to a pipe is byte-exact (ids
# that look like formulas included); --bom and --escape-formulas put a ' before text cells
# starting with = + - @ (tab and CR: tests/out_test.c), never before numbers; --decimal-comma
# writes 1245,06 with ';' between fields; messages escape control characters as \xNN.
cd "$(dirname "$0")/../.." || exit 1
. tests/spreadsheet/lib.sh
crm-import -q testdata/spreadsheet-ids.csv -o "$T/ids.crm" || { notok "csv: the test store"; exit 0; }
S=$T/ids.crm
# Hand-checked: 00123 last bought 2024-11-20, 42 days before 2025-01-01 (R 4: 31-90), 2
# orders (F 2), average 1245.06 / 2 = 622.53 (M 3: 500-999.99): 4 + 3x2 + 4x3 = 22, S.
cat >"$T/plain" <<'CSV'
customer_id,first_order,last_order,recency_days,frequency,monetary_total,monetary_avg,r,f,m,score,rfm,tier
00123,2024-03-02,2024-11-20,42,2,1245.06,622.53,4,2,3,22,423,S
1234567890123456789,2024-05-02,2024-12-01,31,2,104.90,52.45,4,2,1,14,421,B
1E5,2024-06-02,2024-12-20,12,2,100000.10,50000.05,5,2,5,31,525,G
"+SUM(1,2)",2024-04-02,2024-10-02,91,2,25.00,12.50,3,2,1,13,321,B
@SUM(A1),2024-07-02,2024-12-30,2,2,29.00,14.50,5,2,1,15,521,B
"=HYPERLINK(""http://evil.example/"",""click"")",2024-02-02,2024-09-02,121,2,33.00,16.50,2,2,1,12,221,B
-2+3,2024-08-02,2024-12-02,30,2,37.00,18.50,5,2,1,15,521,B
=1+2',2024-03-12,2024-12-12,20,2,41.00,20.50,5,2,1,15,521,B
0000000000000000000000042,2024-01-12,2024-12-22,10,2,45.00,22.50,5,2,1,15,521,B
CSV
crm-rfm --as-of 2025-01-01 "$S" | cat >"$T/got"
cmp -s "$T/got" "$T/plain" && ok "csv: plain CSV to a pipe is byte-exact (formula-like ids kept)" ||
    { notok "csv: plain CSV to a pipe"; diff "$T/plain" "$T/got" | head -5; }

# --bom: BOM, CRLF, and the formula-like ids defused with a leading ' (inside the quotes).
sed -e "s/^\"+SUM/\"'+SUM/" -e "s/^@SUM/'@SUM/" -e "s/^\"=HYPER/\"'=HYPER/" -e "s/^-2+3/'-2+3/" \
    -e "s/^=1+2/'=1+2/" -e 's/$/\r/' -e '1s/^/\xEF\xBB\xBF/' "$T/plain" >"$T/bom"
crm-rfm --as-of 2025-01-01 --bom "$S" >"$T/got"
cmp -s "$T/got" "$T/bom" && ok "csv: --bom defuses = + - @ text cells with a leading '" ||
    { notok "csv: --bom escaping"; diff "$T/bom" "$T/got" | cat -A | head -6; }

# --escape-formulas: the same for plain CSV (no BOM, LF) and for TSV.
sed -e '1s/^\xEF\xBB\xBF//' -e 's/\r$//' "$T/bom" >"$T/esc"
crm-rfm --as-of 2025-01-01 --escape-formulas "$S" >"$T/got"
cmp -s "$T/got" "$T/esc" && ok "csv: --escape-formulas on plain CSV" ||
    { notok "csv: --escape-formulas"; diff "$T/esc" "$T/got" | head -6; }
crm-rfm --as-of 2025-01-01 --escape-formulas --tsv "$S" | cut -f1 | sed -n '5,9p' | tr '\n' ' ' >"$T/got"
[ "$(cat "$T/got")" = "'+SUM(1,2) '@SUM(A1) '=HYPERLINK(\"http://evil.example/\",\"click\") '-2+3 '=1+2' " ] &&
    ok "csv: --escape-formulas on TSV" || notok "csv: --escape-formulas TSV: $(cat "$T/got")"

# Numbers are numbers: a negative growth stays -0.2727273 under --bom, no ' anywhere.
crm-segment --kpi --as-of 2025-01-01 --bom "$S" >"$T/kpi"
grep -q '^2024-02,2024-02-01,2024-02-29,1,1,1,0,0.0000000,16.00,16.00,1.0000000,-0.2727273,0.0000000,0.0000000' "$T/kpi" &&
    ! grep -q "'" "$T/kpi" && ok "csv: --bom never escapes numbers (negative growth stays a number)" ||
    notok "csv: numbers escaped under --bom"

# --decimal-comma: decimal commas, ';' between fields, ',' inside text not quoted; the CSV
# is for spreadsheets, so formula-like text is defused as with --bom.
crm-rfm --as-of 2025-01-01 --decimal-comma "$S" | sed -n '1,2p;5p' >"$T/got"
cat >"$T/want" <<'CSV'
customer_id;first_order;last_order;recency_days;frequency;monetary_total;monetary_avg;r;f;m;score;rfm;tier
00123;2024-03-02;2024-11-20;42;2;1245,06;622,53;4;2;3;22;423;S
'+SUM(1,2);2024-04-02;2024-10-02;91;2;25,00;12,50;3;2;1;13;321;B
CSV
cmp -s "$T/got" "$T/want" && ok "csv: --decimal-comma writes 1245,06 with ';' between fields" ||
    { notok "csv: --decimal-comma"; diff "$T/want" "$T/got"; }
crm-segment --kpi --as-of 2025-01-01 --decimal-comma --bom "$S" | sed -n 3p >"$T/got"
printf '2024-02;2024-02-01;2024-02-29;1;1;1;0;0,0000000;16,00;16,00;1,0000000;-0,2727273;0,0000000;0,0000000\r\n' >"$T/want"
cmp -s "$T/got" "$T/want" && ok "csv: --decimal-comma ratios and money, with --bom" ||
    { notok "csv: --decimal-comma ratios"; cat -A "$T/got"; }

# Messages: a control character in an argument or a file name is written \xNN.
crm-rfm --as-of "$(printf '2024\033[31m')" "$S" 2>"$T/err" >/dev/null; rc=$?
[ $rc -eq 2 ] && grep -qF -- '--as-of 2024\x1B[31m: expected YYYY-MM-DD' "$T/err" &&
    ! grep -q "$(printf '\033')" "$T/err" && ok "messages: ESC in an option value written \\x1B" ||
    notok "messages: option value (rc $rc): $(cat -A "$T/err")"
crm-rfm "$T/$(printf 'no\asuch\rfile')" 2>"$T/err" >/dev/null; rc=$?
[ $rc -eq 1 ] && grep -qF 'no\x07such\x0Dfile' "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ] &&
    ! grep -q "$(printf '[\a\r]')" "$T/err" && ok "messages: BEL and CR in a file name written \\x07 \\x0D" ||
    notok "messages: file name (rc $rc): $(cat -A "$T/err")"
