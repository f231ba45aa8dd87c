"""scripts/scale/crm_spark.py — crmkit's partitioned run under Spark (docs/SCALE.md).

    make static && tar -C build/static -czf crmkit-static.tar.gz bin
    spark-submit --archives crmkit-static.tar.gz#crmkit --py-files python/crmkit_scale.py \
        --conf spark.executorEnv.CRMKIT_BIN=crmkit/bin \
        scripts/scale/crm_spark.py 'hdfs:///shop/orders/*.csv' 2025-01-01 256 crm-out \
        hdfs:///shop/crm

The order lines are partitioned by customer id and every partition is imported ONCE into a
store (python/crmkit_scale.store_bytes): an RDD of (partition, store bytes), persisted
(memory and disk; 7-11 bytes per order). Every later pass runs one crmkit command on those
bytes (crmkit_scale.run_bytes): the CSV text is parsed once, not once per pass. The global
steps go through --emit-partial, one --merge-partials on the driver, and --cuts / --params
for the per-customer scores. The merged results go to the driver's local directory OUT
(cuts.crmp, fit.csv, segment-summary.csv, pareto-summary.csv, pareto.svg, pareto.csv: the
ranked customers), the per-customer rows (no header) to ROWS/rfm, ROWS/segment and
ROWS/churn as text files. The static binaries (`make static`, shipped with --archives) need
no libcsv on the nodes; CRMKIT_BIN says where they are (crmkit must otherwise be on PATH).
Not run against a cluster here: tests/scale-engines.sh runs these functions with a
stand-in for the few RDD calls they make, and checks that crm-import ran once per partition.
"""
import csv
import os
import subprocess
import sys
import zlib

import crmkit_scale as cs

# header-less order lines in the columns of build/scripts/gen's CSV
IMPORT = cs.GEN_COLUMNS


def customer_id(line):
    """The customer_id field (column 2) of a CSV order line, quotes honoured."""
    return next(csv.reader([line]))[1]


def by_customer(lines, parts):
    """Order lines (header lines dropped) in `parts` partitions by a stable hash of the id."""
    return (lines.filter(lambda l: not l.startswith("order_id,"))
            .keyBy(customer_id)
            .partitionBy(parts, lambda cid: zlib.crc32(cid.encode("utf-8")))
            .values())


def import_once(orders, import_args=IMPORT):
    """Every partition's order lines -> (partition number, store bytes): the only pass
    that reads CSV text. Persist the result (MEMORY_AND_DISK)."""
    return orders.mapPartitionsWithIndex(
        lambda k, lines: [(k, cs.store_bytes(lines, import_args))])


def on_stores(stores, argv, files=None, keep_header=True):
    """`argv STORE` on every partition's store; the lines of its outputs."""
    return stores.flatMap(lambda kv: cs.run_bytes(kv[1], argv, files, keep_header))


def merge(args, partial_lines, out_path):
    """One --merge-partials on the driver over the partials' lines; its report to out_path."""
    data = "".join(line + "\n" for line in partial_lines)
    with open(out_path, "w") as out:
        subprocess.run(args + ["--merge-partials", "-"], input=data, stdout=out,
                       text=True, check=True)


def merge_files(args, partial_lines, path, out_path):
    """The same from a file (Pareto's per-customer rows are merged from files)."""
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in partial_lines))
    with open(out_path, "w") as out:
        subprocess.run(args + ["--merge-partials", path], stdout=out, check=True)


def run(stores, as_of, out):
    """Every tool's global step over the partitions' stores (import_once); results into
    directory out. Returns the per-customer row RDDs (headerless) for the caller to save."""
    a = ["--as-of", as_of]
    q = ["--scheme", "quintile"]
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)  # noqa: E731
    # RFM quintiles and named segments: cut points of all customers, then each partition
    merge(["crm-rfm"] + q, on_stores(stores, ["crm-rfm"] + q + a + ["--emit-partial", "-"])
          .collect(), p("cuts.crmp"))
    cuts = {"cuts.crmp": open(p("cuts.crmp")).read()}
    c = ["--cuts", "cuts.crmp"]
    rows = {"rfm": on_stores(stores, ["crm-rfm"] + q + c, cuts, False),
            "segment": on_stores(stores, ["crm-segment"] + c, cuts, False)}
    parts = on_stores(stores, ["crm-segment", "--summary", "--by", "segment"] + c +
                      ["--emit-partial", "-"], cuts)
    merge(["crm-segment", "--summary", "--by", "segment"], parts.collect(),
          p("segment-summary.csv"))
    # Pareto: summary and chart from value runs; ranked rows by a k-way merge of files
    parts = on_stores(stores, ["crm-pareto"] + a + ["--emit-partial", "-"]).collect()
    merge_files(["crm-pareto", "--summary", "--svg", p("pareto.svg")], parts,
                p("pareto.partials"), p("pareto-summary.csv"))
    merge_files(["crm-pareto"], parts, p("pareto.partials"), p("pareto.csv"))
    # BG/NBD + Gamma-Gamma: one fit of the merged triples, every partition scored with it
    parts = on_stores(stores, ["crm-churn"] + a + ["--emit-partial", "-"])
    merge(["crm-churn"], parts.collect(), p("fit.csv"))
    fit = {"fit.csv": open(p("fit.csv")).read()}
    rows["churn"] = on_stores(stores, ["crm-churn"] + a + ["--params", "fit.csv"], fit, False)
    return rows


def main(argv):
    from pyspark import SparkContext, StorageLevel
    if len(argv) != 6:
        sys.exit("usage: crm_spark.py INPUT AS_OF PARTITIONS OUT ROWS")
    sc = SparkContext(appName="crmkit")
    orders = by_customer(sc.textFile(argv[1]), int(argv[3]))
    stores = import_once(orders).persist(StorageLevel.MEMORY_AND_DISK)
    rows = run(stores, argv[2], argv[4])
    for name, rdd in rows.items():
        rdd.saveAsTextFile(argv[5].rstrip("/") + "/" + name)
    sc.stop()


if __name__ == "__main__":
    main(sys.argv)
