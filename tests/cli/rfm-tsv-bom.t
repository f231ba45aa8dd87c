# --tsv separates with tabs; --bom adds a UTF-8 BOM and CRLF line ends (cat -A shows them)
cmd: crm-rfm --as-of 2024-07-01 --tsv --bom testdata/rfm-boundaries.csv | head -2 | cat -A
--- stdout
M-oM-;M-?customer_id^Ifirst_order^Ilast_order^Irecency_days^Ifrequency^Imonetary_total^Imonetary_avg^Ir^If^Im^Iscore^Irfm^Itier^M$
w^I2024-01-10^I2024-05-02^I60^I5^I1500.00^I300.00^I4^I4^I2^I24^I442^IS^M$
