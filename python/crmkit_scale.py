"""crmkit_scale — crmkit's partitioned path (SPEC §12, §18) as functions for engine users.

Standard library only. Every step is a plain function of file paths that runs one crmkit
process and returns the path it wrote, so any engine that runs Python functions on workers
runs them: Dask (`client.submit`), Spark (`rdd.map` over partition numbers), Airflow
(`PythonOperator`), `concurrent.futures`. The paths must be on storage every worker sees
(NFS, a shared disk, or one machine); docs/SCALE.md has the recipes.

    partition(split, n, work)          one input split -> n partition stores (its own task)
    merge_stores(pieces, out)          the pieces of one partition -> one store (dups skipped)
    latest_day(store)                  the latest order day of a store
    global_as_of(days)                 the as-of date of every step: the day after the latest
    emit(tool, store, out, args)       a partition's partial (--emit-partial)
    merge_partials(tool, partials, out, args)   one merge of all partials
    run(tool, store, out, args)        a tool on one partition (e.g. scored with --cuts,
                                       --params), its report to out
    concat_rows(outputs, out)          per-partition reports -> one (one header)
    store_bytes(lines)                 an engine partition's order lines -> store bytes, once
    run_bytes(store, argv, files)      a tool on store bytes -> its output lines (Spark)
    score(store, out, params, as_of)   crm-churn rows scored with the fit of the whole (the
                                       model is the fit's: pipeline(model=...) passes it on)

`pipeline(splits, n, work, submit)` runs the whole path — import, every report, every global
step — with `submit(fn, *args)` returning a future (`Client.submit` of Dask,
`Executor.submit` of concurrent.futures). Each step writes its output atomically (crmkit's
`-o` writes a temporary file and renames it), so a step run twice — a worker lost mid-way
and its task run again elsewhere — gives the same file.

Command line (what the tests and docs/SCALE.md use):

    python3 crmkit_scale.py --scheduler tcp://127.0.0.1:8786 -n 8 --work DIR SPLIT...
    python3 crmkit_scale.py --local -n 8 --work DIR SPLIT...      (a process pool)
"""
import argparse
import datetime
import os
import subprocess
import sys
import tempfile

__all__ = ["CrmError", "store_bytes", "run_bytes", "partition", "merge_stores", "latest_day",
           "global_as_of", "emit", "merge_partials", "run", "score", "concat_rows", "pipeline"]

# Where the crmkit binaries are: CRMKIT_BIN (set on the workers, or here before submitting:
# functions read it when they run) ahead of PATH.
BIN_ENV = "CRMKIT_BIN"


class CrmError(RuntimeError):
    """A crmkit command failed: the command line, its exit status and its stderr."""


def _cmd(argv, data=None, cwd=None):
    """Run one crmkit command (stdin: data bytes, or nothing); its stdout as bytes.
    CrmError (with stderr) on failure."""
    env = dict(os.environ)
    if env.get(BIN_ENV):  # absolute: a relative CRMKIT_BIN (Spark --archives) and cwd=...
        env["PATH"] = os.path.abspath(env[BIN_ENV]) + os.pathsep + env.get("PATH", "")
    p = subprocess.run(argv, input=data if data is not None else b"", stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, cwd=cwd, check=False)
    if p.returncode != 0:
        raise CrmError("%s: exit %d: %s" % (" ".join(argv), p.returncode,
                                             p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout


# The columns of build/scripts/gen's CSV, for header-less order lines (a shuffle's output).
GEN_COLUMNS = ("--map", "order_id=1", "--map", "customer_id=2", "--map", "order_time=3",
               "--map", "amount=4", "--map", "quantity=5", "--map", "status=6")


def store_bytes(lines, import_args=GEN_COLUMNS):
    """Order lines without a header (an engine partition's elements, str) -> the bytes of
    one store, imported once: an engine keeps them (Spark: a persisted RDD of (k, bytes))
    and runs every pass on them, never on the CSV text again. No lines: an empty store."""
    data = "".join(l.rstrip("\r\n") + "\n" for l in lines).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="crmkit-") as d:
        out = os.path.join(d, "part.crm")
        if data:
            _cmd(["crm-import", "-q", "--no-header", *import_args, "-o", out, "-"], data)
        else:
            tz = [a for i, a in enumerate(import_args) if i and import_args[i - 1] == "--tz"]
            _cmd(["crm-import", "-q", *(["--tz", tz[-1]] if tz else []), "-o", out, "-"],
                 b"order_id,customer_id,order_time,amount\n")
        with open(out, "rb") as f:
            return f.read()


def run_bytes(store, argv, files=None, keep_header=True):
    """`argv... STORE` on a store given as bytes, in a temporary directory where files
    ({name: text}: the merged cut points or parameters) are written first; the lines of its
    output (str), the first dropped unless keep_header."""
    with tempfile.TemporaryDirectory(prefix="crmkit-") as d:
        with open(os.path.join(d, "part.crm"), "wb") as f:
            f.write(store)
        for name, text in (files or {}).items():
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write(text)
        lines = _cmd([*argv, "part.crm"], cwd=d).decode("utf-8").split("\n")[:-1]
    return lines if keep_header else lines[1:]


def partition(split, n, work, name=None, import_args=()):
    """Partition one input split (an order file or a store) into n stores
    work/NAME.P.crm by crm_hash_stable(customer_id) % n; the list of their paths."""
    name = name or os.path.basename(split).split(".")[0]
    pattern = os.path.join(work, "%s.%%d.crm" % name)
    _cmd(["crm-import", "-q", *import_args, "--partition", str(n), split, "-o", pattern])
    return [pattern.replace("%d", str(p)) for p in range(n)]


def merge_stores(pieces, out):
    """Merge the stores of one partition (one per split, in input order) into out;
    orders whose id was met before are skipped. Returns out."""
    _cmd(["crm-import", "-q", *pieces, "-o", out])
    return out


def latest_day(store):
    """The latest order day (YYYY-MM-DD) of a store, or None when it has no orders."""
    for line in _cmd(["crm-import", "--check", store]).decode().splitlines():
        if line.startswith("dates: "):
            hi = line.split("..")[-1].strip()
            return None if hi == "-" else hi
    raise CrmError("crm-import --check %s: no dates line" % store)


def global_as_of(days):
    """One as-of date for every step: the day after the latest order of all partitions
    (what a tool uses on the single store when not given --as-of)."""
    days = [d for d in days if d]
    if not days:
        raise CrmError("no orders in any partition: give the as-of date")
    last = datetime.date.fromisoformat(max(days))
    return (last + datetime.timedelta(days=1)).isoformat()


def emit(tool, store, out, args=()):
    """tool ARGS --emit-partial OUT STORE: a partition's partial. Returns out."""
    tmp = out + ".tmp%d" % os.getpid()
    _cmd([tool, *args, "--emit-partial", tmp, store])
    os.replace(tmp, out)
    return out


def merge_partials(tool, partials, out, args=()):
    """tool ARGS --merge-partials PARTIAL... -o OUT: the figure or report of the whole."""
    _cmd([tool, *args, "--merge-partials", *partials, "-o", out])
    return out


def run(tool, store, out, args=()):
    """tool ARGS STORE -o OUT: a report of one partition. Returns out."""
    _cmd([tool, *args, store, "-o", out])
    return out


def score(store, out, params, as_of, args=()):
    """crm-churn rows of one partition scored with the parameters of the whole (the fit of
    merge_partials("crm-churn", ..., args=("--model", M)): the parameter file names its
    model, so scoring needs only the file)."""
    return run("crm-churn", store, out, ["--as-of", as_of, *args, "--params", params])


def concat_rows(outputs, out):
    """Per-partition reports into one file: the first header kept, the others dropped."""
    tmp = out + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as w:
        header = None
        for path in outputs:
            with open(path, "rb") as r:
                first = r.readline()
                if header is None:
                    header = first
                    w.write(first)
                elif first != header:
                    raise CrmError("%s: header differs from the first report's" % path)
                for chunk in iter(lambda r=r: r.read(1 << 20), b""):
                    w.write(chunk)
    os.replace(tmp, out)
    return out


def _all(futures):
    return [f.result() for f in futures]


def pipeline(splits, n, work, submit, as_of=None, import_args=(), model=None,
             churn_args=()):
    """The whole partitioned path on an engine: every split partitioned by its own task,
    each partition's pieces merged, then every report and global step of docs/SCALE.md.
    submit(fn, *args) -> future with .result(). Returns {report name: path in work}."""
    os.makedirs(work, exist_ok=True)
    w = lambda name: os.path.join(work, name)  # noqa: E731
    pieces = _all([submit(partition, s, n, work, "split%d" % i, tuple(import_args))
                   for i, s in enumerate(splits)])
    stores = _all([submit(merge_stores, [p[k] for p in pieces], w("part.%d.crm" % k))
                   for k in range(n)])
    as_of = as_of or global_as_of(_all([submit(latest_day, s) for s in stores]))
    A = ("--as-of", as_of)
    Q = ("--scheme", "quintile")
    # phase 1: the partials of every global step
    rfm_p = [submit(emit, "crm-rfm", s, w("rfm.%d.part" % k), A + Q)
             for k, s in enumerate(stores)]
    par_p = [submit(emit, "crm-pareto", s, w("pareto.%d.part" % k), A)
             for k, s in enumerate(stores)]
    chu_p = [submit(emit, "crm-churn", s, w("churn.%d.part" % k), A + tuple(churn_args))
             for k, s in enumerate(stores)]
    kpi_p = [submit(emit, "crm-segment", s, w("kpi.%d.part" % k), A + ("--kpi",))
             for k, s in enumerate(stores)]
    seed = [submit(run, "crm-rfm", s, w("rfm-seed.%d.csv" % k), A) for k, s in enumerate(stores)]
    care = [submit(run, "crm-segment", s, w("care.%d.csv" % k), A + ("--care",))
            for k, s in enumerate(stores)]
    # phase 2: one merge each
    M = ("--model", model) if model else ()
    cuts = submit(merge_partials, "crm-rfm", _all(rfm_p), w("cuts.crmp"), Q)
    fit = submit(merge_partials, "crm-churn", _all(chu_p), w("fit.csv"), M + tuple(churn_args))
    pareto_parts = _all(par_p)
    out = {
        "pareto.csv": submit(merge_partials, "crm-pareto", pareto_parts, w("pareto.csv")),
        "pareto-summary.csv": submit(merge_partials, "crm-pareto", pareto_parts,
                                     w("pareto-summary.csv"),
                                     ("--summary", "--svg", w("pareto.svg"))),
        "kpi.csv": submit(merge_partials, "crm-segment", _all(kpi_p), w("kpi.csv"), ("--kpi",)),
    }
    cuts, fit = cuts.result(), fit.result()
    # phase 3: every partition scored with the figures of the whole
    C = ("--cuts", cuts)
    rfm = [submit(run, "crm-rfm", s, w("rfm.%d.csv" % k), Q + C) for k, s in enumerate(stores)]
    seg = [submit(run, "crm-segment", s, w("segment.%d.csv" % k), C) for k, s in enumerate(stores)]
    chu = [submit(score, s, w("churn.%d.csv" % k), fit, as_of, tuple(churn_args))
           for k, s in enumerate(stores)]
    summ = {by: [submit(emit, "crm-segment", s, w("summary-%s.%d.part" % (by, k)),
                        A + C + ("--summary", "--by", by)) for k, s in enumerate(stores)]
            for by in ("class", "segment", "vip")}
    for by, parts in summ.items():
        out["summary-%s.csv" % by] = submit(merge_partials, "crm-segment", _all(parts),
                                            w("summary-%s.csv" % by), ("--summary", "--by", by))
    for name, futs in (("rfm", rfm), ("segment", seg), ("churn", chu), ("rfm-seed", seed),
                       ("care", care)):
        out[name + ".csv"] = submit(concat_rows, _all(futs), w(name + ".csv"))
    res = {name: f.result() for name, f in out.items()}
    res.update({"cuts.crmp": cuts, "fit.csv": fit, "pareto.svg": w("pareto.svg"),
                "as-of": as_of})
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description="crmkit's partitioned path on Dask (or a local "
                                 "process pool): every split partitioned by its own task, "
                                 "every report and global step; results in --work.")
    ap.add_argument("splits", nargs="+", help="order files (or stores), one task each")
    ap.add_argument("-n", type=int, required=True, help="partitions")
    ap.add_argument("--work", required=True, help="directory every worker sees")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", help="Dask scheduler address (tcp://host:port)")
    where.add_argument("--local", action="store_true", help="a local process pool instead")
    ap.add_argument("--as-of", help="the as-of date (default: the day after the latest order)")
    ap.add_argument("--model", help="crm-churn --model of the fit (bgnbd, mbgnbd, ...)")
    ap.add_argument("--import-args", default="", help="options for crm-import (one string)")
    o = ap.parse_args(argv)
    splits = [os.path.abspath(s) for s in o.splits]
    work = os.path.abspath(o.work)
    if o.local:
        import concurrent.futures as cf
        with cf.ProcessPoolExecutor() as ex:
            res = pipeline(splits, o.n, work, ex.submit, o.as_of, o.import_args.split(), o.model)
    else:
        from distributed import Client
        with Client(o.scheduler, timeout=30) as client:
            workers = len(client.scheduler_info()["workers"])
            print("workers at start: %d" % workers, flush=True)
            res = pipeline(splits, o.n, work, lambda fn, *a: client.submit(fn, *a, pure=False),
                           o.as_of, o.import_args.split(), o.model)
            print("workers at end: %d" % len(client.scheduler_info()["workers"]), flush=True)
    print("as-of: %s" % res["as-of"])
    for name in sorted(res):
        if name != "as-of":
            print("%s: %s" % (name, res[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
