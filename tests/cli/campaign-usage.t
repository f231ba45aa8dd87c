# a step is needed; a split option given to measure is named.
cmd: crm-campaign --holdout 0.1 list.csv; echo "exit $?"; crm-campaign measure --salt x --groups g --from 2024-01-01 --days 3 s.crm; echo "exit $?"; crm-campaign spilt; echo "exit $?"
stderr: give a step first: crm-campaign split \.\.\. or crm-campaign measure
stderr: --salt belongs to crm-campaign split
stderr: unknown step "spilt": expected split or measure
--- stdout
exit 2
exit 2
exit 2
