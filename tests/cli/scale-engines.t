# the engine recipes of docs/SCALE.md for Hadoop Streaming and Spark, which cannot run here
# (no JVM cluster; Dask is run for real by tests/engine/dask.sh), on stand-ins: Hadoop (map,
# shuffle by customer, reduce, TextOutputFormat's tab; import once with crm-store.sh) and
# Spark (crm_spark.py on a stand-in RDD, the CSV imported once per partition): every global
# result equals the single store's
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
same hadoop import once, map-only pass over stores: crm-churn parameters
same hadoop import once, map-only pass over stores: crm-churn rows (sorted)
same spark crm-rfm --scheme quintile rows (sorted)
same spark crm-segment rows (sorted)
same spark crm-segment --summary
same spark crm-pareto rows
same spark crm-pareto --summary
same spark crm-pareto --svg
same spark crm-churn parameters
same spark crm-churn rows (sorted)
same spark crm-import runs once per partition (5), not per pass
