# a malformed rules file is a usage error (exit 2) naming its file and line
cmd: printf 'segment,r_min,r_max,f_min,f_max,m_min,m_max\nA,1,5,1,5,1,5\nB,1,5,4,3,1,5\n' >"$T/rules.csv" && crm-segment --rules "$T/rules.csv" testdata/segment-orders.csv
status: 2
stderr: ^crm-segment: .*/rules.csv:3: .*f_min 4 is above f_max 3
stderr: Try 'crm-segment --help'
