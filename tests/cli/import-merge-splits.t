# SPEC §18: parallel partitioning. Three input splits, each partitioned by its own crm-import
# --partition 4, merged per partition (crm-import A B C -o P), equal the partitions one
# crm-import --partition 4 of all the input writes, by --dump and by the reports
cmd: bash tests/merge-splits.sh "$T"
stderr-empty
--- stdout
same partition 0: merged splits --dump
same partition 0: crm-rfm of merged splits
same partition 0: crm-pareto of merged splits
same partition 0: crm-churn of merged splits
same partition 1: merged splits --dump
same partition 1: crm-rfm of merged splits
same partition 1: crm-pareto of merged splits
same partition 1: crm-churn of merged splits
same partition 2: merged splits --dump
same partition 2: crm-rfm of merged splits
same partition 2: crm-pareto of merged splits
same partition 2: crm-churn of merged splits
same partition 3: merged splits --dump
same partition 3: crm-rfm of merged splits
same partition 3: crm-pareto of merged splits
same partition 3: crm-churn of merged splits
same three split stores merged into one: --dump
same four partitions merged into one: --dump (sorted)
