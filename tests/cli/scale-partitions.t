# SPEC §12: the partitioned path (crm-import --partition N, --emit-partial, --merge-partials,
# --cuts, --params) gives byte for byte what one store gives, for N = 1, 3 and 16 and every
# tool's global step; per-customer rows compared sorted (tests/scale.sh says why)
cmd: bash tests/scale.sh "$T"
stderr-empty
--- stdout
same N=1 crm-rfm quintile cut points
same N=1 crm-rfm --scheme quintile rows (sorted)
same N=1 crm-rfm seed rows (sorted; no global step)
same N=1 crm-segment cut points = crm-rfm's
same N=1 crm-segment rows (sorted)
same N=1 crm-segment --summary --by class
same N=1 crm-segment --summary --by segment
same N=1 crm-segment --summary --by vip
same N=1 crm-segment --kpi
same N=1 crm-pareto rows (global ranks, as printed)
same N=1 crm-pareto --summary
same N=1 crm-pareto --svg
same N=1 crm-pareto --by frequency --curve
same N=1 crm-churn parameters
same N=1 crm-churn rows (sorted)
same N=1 crm-churn mbgnbd calibration parameters
same N=1 crm-churn mbgnbd holdout rows (sorted)
same N=3 crm-rfm quintile cut points
same N=3 crm-rfm --scheme quintile rows (sorted)
same N=3 crm-rfm seed rows (sorted; no global step)
same N=3 crm-segment cut points = crm-rfm's
same N=3 crm-segment rows (sorted)
same N=3 crm-segment --summary --by class
same N=3 crm-segment --summary --by segment
same N=3 crm-segment --summary --by vip
same N=3 crm-segment --kpi
same N=3 crm-pareto rows (global ranks, as printed)
same N=3 crm-pareto --summary
same N=3 crm-pareto --svg
same N=3 crm-pareto --by frequency --curve
same N=3 crm-churn parameters
same N=3 crm-churn rows (sorted)
same N=3 crm-churn mbgnbd calibration parameters
same N=3 crm-churn mbgnbd holdout rows (sorted)
same N=16 crm-rfm quintile cut points
same N=16 crm-rfm --scheme quintile rows (sorted)
same N=16 crm-rfm seed rows (sorted; no global step)
same N=16 crm-segment cut points = crm-rfm's
same N=16 crm-segment rows (sorted)
same N=16 crm-segment --summary --by class
same N=16 crm-segment --summary --by segment
same N=16 crm-segment --summary --by vip
same N=16 crm-segment --kpi
same N=16 crm-pareto rows (global ranks, as printed)
same N=16 crm-pareto --summary
same N=16 crm-pareto --svg
same N=16 crm-pareto --by frequency --curve
same N=16 crm-churn parameters
same N=16 crm-churn rows (sorted)
same N=16 crm-churn mbgnbd calibration parameters
same N=16 crm-churn mbgnbd holdout rows (sorted)
