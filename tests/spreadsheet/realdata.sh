#!/usr/bin/env bash
# Real exports as workbooks: the UCI Online Retail customers (numeric-looking ids such as
# 12346 stay text cells) and the CDNOW churn fit, checked cell by cell against their CSV.
# Skipped without ../shared/data.
cd "$(dirname "$0")/../.." || exit 1
. tests/spreadsheet/lib.sh
D=../shared/data
if [ ! -f "$D/online_retail_uci_2010-2011.csv.gz" ] || [ ! -f "$D/CDNOW_sample.txt.gz" ]; then
    echo "skip spreadsheet realdata: ../shared/data not found"
    exit 0
fi
crm-import -q --preset uci-online-retail "$D/online_retail_uci_2010-2011.csv.gz" -o "$T/uci.crm" &&
    crm-rfm "$T/uci.crm" -o "$T/uci.xlsx" && crm-rfm "$T/uci.crm" -o "$T/uci.csv" &&
    check "spreadsheet realdata: UCI customers as xlsx, ids as text" \
        $CHECK "$T/uci.xlsx" rfm "$T/uci.csv" t,d,d,i,i,m,m,i,i,i,i,t,t ||
    notok "spreadsheet realdata: UCI import or rfm failed"
crm-import -q --preset cdnow "$D/CDNOW_sample.txt.gz" -o "$T/cdnow.crm" &&
    crm-churn --calibration-end 1997-09-30 --params-out "$T/fit.xlsx" "$T/cdnow.crm" \
        -o "$T/churn.xlsx" &&
    crm-churn --calibration-end 1997-09-30 --params-out "$T/fit.csv" "$T/cdnow.crm" \
        -o "$T/churn.csv" &&
    check "spreadsheet realdata: CDNOW churn rows as xlsx" \
        $CHECK "$T/churn.xlsx" churn "$T/churn.csv" t,i,r,r,r,r,r,m,m,t,i &&
    check "spreadsheet realdata: CDNOW BG/NBD fit as xlsx (published r = 0.243)" \
        sh -c "$CHECK '$T/fit.xlsx' params '$T/fit.csv' t,t,r,r &&
               awk -F, '\$2 == \"r\" { exit !(\$3 > 0.242 && \$3 < 0.244) }' '$T/fit.csv'" ||
    notok "spreadsheet realdata: CDNOW import or churn failed"
