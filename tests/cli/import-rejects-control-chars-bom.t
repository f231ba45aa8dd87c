# SPEC 13.2 (issue 20): the rejects file writes control characters as \xNN and takes --bom (BOM + CRLF)
cmd: crm-import -q testdata/control-chars.csv --max-reject-rate 1 --bom --rejects "$T/r.csv" -o "$T/x.crm" && od -c "$T/r.csv" | head -3 && tail -n +2 "$T/r.csv"
status: 0
--- stdout
0000000 357 273 277   f   i   l   e   ,   l   i   n   e   ,   r   e   a
0000020   s   o   n   ,   r   a   w  \r  \n   t   e   s   t   d   a   t
0000040   a   /   c   o   n   t   r   o   l   -   c   h   a   r   s   .
testdata/control-chars.csv,3,"bad amount ""x\x7F"" in column 4","2,b,2024-01-02,x\x7F,paid"
