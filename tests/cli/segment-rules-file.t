# --rules replaces the table; first match wins; quoted names may hold commas; rows no rule
# matches are Others. Quintile (r,f,m): mal 5,1,4  new30 4,1,1  dorm181 1,1,2
# dorm180 2,1,3  vip 3,5,5
cmd: printf 'segment,r_min,r_max,f_min,f_max,m_min,m_max\n"Fresh, small",4,5,1,5,1,3\nBig,1,5,1,5,4,5\nFading,1,2,1,5,1,5\n' >"$T/rules.csv" && crm-import -q testdata/segment-orders.csv -o "$T/s.crm" && crm-segment --as-of 2024-07-01 --rules "$T/rules.csv" --tsv "$T/s.crm" | cut -f1,4
--- stdout
customer_id	segment
mal	Big
old	
can	
new30	Fresh, small
dorm181	Fading
dorm180	Fading
vip	Big
