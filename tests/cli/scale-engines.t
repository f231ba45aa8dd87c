# the engine recipes of docs/SCALE.md on stand-ins for Hadoop Streaming (map, shuffle by
# customer, reduce, TextOutputFormat's tab) and Spark RDD.pipe (PySpark's pipe semantics,
# empty environment): every global result equals the single store's
cmd: bash tests/scale-engines.sh "$T"
stderr-empty
--- stdout
same hadoop crm-rfm --scheme quintile rows (sorted)
same hadoop crm-pareto rows
same hadoop crm-pareto --summary
same hadoop crm-pareto --svg
same hadoop crm-churn parameters
same hadoop crm-churn rows (sorted)
same hadoop map-only over partitioned files: crm-churn parameters
same spark crm-rfm --scheme quintile rows (sorted)
same spark crm-segment rows (sorted)
same spark crm-segment --summary
same spark crm-pareto rows
same spark crm-pareto --summary
same spark crm-pareto --svg
same spark crm-churn parameters
same spark crm-churn rows (sorted)
