# Nobody made a repeat purchase: nothing to fit: exit 1, a clear message.
cmd: grep -v '^A[67],' testdata/churn-one-repeater.csv | crm-churn --model mbgnbd
status: 1
stderr: ^crm-churn: mbgnbd fit: no customer made a repeat purchase
--- stdout
