# a list without the id column: the error names the file, the line and the fix.
cmd: printf 'id,reason\n1,x\n' > "$T/l.csv" && crm-campaign split --holdout 0.1 --salt s "$T/l.csv"
status: 2
stderr: ^crm-campaign: .*/l.csv:1: no customer_id column in the header \(--column NAME names it\)
