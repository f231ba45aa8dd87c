"""scripts/scale/crm_spark.py — crmkit's partitioned run under Spark (docs/SCALE.md).

    spark-submit scripts/scale/crm_spark.py 'hdfs:///shop/orders/*.csv' 2025-01-01 256 \
        crm-out hdfs:///shop/crm

The order lines are partitioned by customer id; every partition runs crmkit through
RDD.pipe (crm-import into a store in a temporary directory, then one crmkit command on it);
the global steps go through --emit-partial, one --merge-partials on the driver, and
--cuts / --params for the per-customer scores. The merged results go to the driver's local
directory OUT (cuts.crmp, fit.csv, segment-summary.csv, pareto-summary.csv, pareto.svg,
pareto.csv: the ranked customers), the per-customer rows (no header) to ROWS/rfm,
ROWS/segment and ROWS/churn as text files. crmkit must be installed on every worker (the
commands run with PATH=CRM_PATH). Not run against a cluster here: tests/scale-engines.sh
runs these functions with a stand-in for the few RDD calls they make.
"""
import csv
import os
import subprocess
import sys
import zlib

CRM_PATH = os.environ.get("CRM_PATH", "/usr/local/bin:/usr/bin:/bin")
IMPORT = ("--map order_id=1 --map customer_id=2 --map order_time=3 --map amount=4 "
          "--map quantity=5 --map status=6")

# One shell per partition. RDD.pipe splits the command with shlex and starts it with only
# the environment given, so everything the step needs travels in that environment: the
# command (CRM_CMD), the import options, a file to write first (CRM_FILE_TEXT -> ./in: the
# merged cut points or parameters) and the first output line to keep (2 drops the header).
STEP = ("sh -c 'd=$(mktemp -d) && cd \"$d\" && printf %s \"$CRM_FILE_TEXT\" > in && "
        "crm-import -q --no-header $CRM_IMPORT -o part.crm - && $CRM_CMD part.crm > out && "
        "tail -n +$CRM_FROM out; r=$?; cd /; rm -rf \"$d\"; exit $r'")


def customer_id(line):
    """The customer_id field (column 2) of a CSV order line, quotes honoured."""
    return next(csv.reader([line]))[1]


def by_customer(lines, parts):
    """Order lines (header lines dropped) in `parts` partitions by a stable hash of the id."""
    return (lines.filter(lambda l: not l.startswith("order_id,"))
            .keyBy(customer_id)
            .partitionBy(parts, lambda cid: zlib.crc32(cid.encode("utf-8")))
            .values())


def on_partitions(orders, cmd, file_text="", keep_header=True):
    """Run `cmd STORE` on every partition's store; the lines of its outputs, in order."""
    env = {"PATH": CRM_PATH, "CRM_CMD": cmd, "CRM_IMPORT": IMPORT,
           "CRM_FILE_TEXT": file_text, "CRM_FROM": "1" if keep_header else "2"}
    return orders.pipe(STEP, env=env, checkCode=True)


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


def run(orders, as_of, out):
    """Every tool's global step over the partitioned orders; results into directory out.
    Returns the per-customer row RDDs (headerless) for the caller to save."""
    a = "--as-of " + as_of
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)
    # RFM quintiles and named segments: cut points of all customers, then each partition
    parts = on_partitions(orders, "crm-rfm --scheme quintile %s --emit-partial -" % a)
    merge(["crm-rfm", "--scheme", "quintile"], parts.collect(), p("cuts.crmp"))
    cuts = open(p("cuts.crmp")).read()
    rows = {"rfm": on_partitions(orders, "crm-rfm --scheme quintile --cuts in", cuts, False),
            "segment": on_partitions(orders, "crm-segment --cuts in", cuts, False)}
    parts = on_partitions(orders, "crm-segment --summary --by segment --cuts in "
                          "--emit-partial -", cuts)
    merge(["crm-segment", "--summary", "--by", "segment"], parts.collect(),
          p("segment-summary.csv"))
    # Pareto: summary and chart from value runs; ranked rows by a k-way merge of files
    parts = on_partitions(orders, "crm-pareto %s --emit-partial -" % a).collect()
    merge_files(["crm-pareto", "--summary", "--svg", p("pareto.svg")], parts,
                p("pareto.partials"), p("pareto-summary.csv"))
    merge_files(["crm-pareto"], parts, p("pareto.partials"), p("pareto.csv"))
    # BG/NBD + Gamma-Gamma: one fit of the merged triples, every partition scored with it
    parts = on_partitions(orders, "crm-churn %s --emit-partial -" % a)
    merge(["crm-churn"], parts.collect(), p("fit.csv"))
    fit = open(p("fit.csv")).read()
    rows["churn"] = on_partitions(orders, "crm-churn %s --params in" % a, fit, False)
    return rows


def main(argv):
    from pyspark import SparkContext
    if len(argv) != 6:
        sys.exit("usage: crm_spark.py INPUT AS_OF PARTITIONS OUT ROWS")
    sc = SparkContext(appName="crmkit")
    orders = by_customer(sc.textFile(argv[1]), int(argv[3])).persist()
    rows = run(orders, argv[2], argv[4])
    for name, rdd in rows.items():
        rdd.saveAsTextFile(argv[5].rstrip("/") + "/" + name)
    sc.stop()


if __name__ == "__main__":
    main(sys.argv)
