// bench-polars.mjs — the Polars (npm nodejs-polars 0.25.2) side of scripts/bench: the same
// reports crmkit computes, as lazy Polars queries (its fastest form: scan, filter, group,
// format and write inside the engine), written as CSV byte-identical to crmkit's
// (scripts/bench compares them, sorted).
//   node bench-polars.mjs QUERY FORM SRC AS_OF OUT [REPS]
// FORM: parquet (SRC = the .parquet DuckDB wrote) | csv (SRC = the orders CSV).
// QUERY: rfm | pareto | segment | cohort, as in bench-duckdb.mjs.
// The query runs REPS times (default 3) in one warm process; start-up is not timed. Prints
// the medians "wall_seconds cpu_seconds" on stdout. Polars uses every core.
// Money is integer cents: amounts are read as Float64 (CSV) or Decimal(18,2) (Parquet) and
// rounded to cents, exact for two-decimal amounts; integer division is (a - a % b) / b.
import pl from 'nodejs-polars';

const [what, form, path, asOf, out, repsArg] = process.argv.slice(2);
const reps = Math.max(1, Number(repsArg || 3));
const A = Math.round(Date.parse(`${asOf}T00:00:00Z`) / 86400000);   // as-of, days since 1970
const col = pl.col, lit = pl.lit, int = (x) => (typeof x === 'number' ? pl.lit(x).cast(pl.Int64) : x);

function scan() {
  if (form === 'parquet') {
    return pl.scanParquet(path).select(col('customer_id'), col('status'),
      col('order_time').cast(pl.Date).alias('d'),
      col('amount').cast(pl.Float64).mul(100).round(0).cast(pl.Int64).alias('cents'));
  }
  if (form === 'csv') {
    const schema = { order_id: pl.Utf8, customer_id: pl.Utf8, order_time: pl.Utf8,
      amount: pl.Float64, quantity: pl.Int32, status: pl.Utf8 };
    return pl.scanCSV(path, { schema }).select(col('customer_id'), col('status'),
      col('order_time').str.slice(0, 10).str.strptime(pl.Date, '%Y-%m-%d').alias('d'),
      col('amount').mul(100).round(0).cast(pl.Int64).alias('cents'));
  }
  throw new Error('bench-polars: FORM is parquet or csv');
}
const days = (e) => e.cast(pl.Int32).cast(pl.Int64);
const idiv = (a, b) => a.minus(a.modulo(int(b))).div(int(b)).cast(pl.Int64);   // a >= 0, b > 0
const str = (e) => e.cast(pl.Utf8);
const money = (c) => pl.concatString([str(idiv(c, 100)), lit('.'), str(c.modulo(int(100))).str.zFill(2)], '');
const frac7 = (x) => { const q = x.mul(1e7).round(0).cast(pl.Int64);
  return pl.concatString([str(idiv(q, 10000000)), lit('.'), str(q.modulo(int(10000000))).str.zFill(7)], ''); };
const steps = (e, cuts) => {   // [[condition-maker, score], ...], else 1
  let w = pl.when(cuts[0][0](e)).then(int(cuts[0][1]));
  for (const [c, s] of cuts.slice(1)) w = w.when(c(e)).then(int(s));
  return w.otherwise(int(1));
};

// Paid orders in the 365-day window before AS_OF (1 <= as_of - day <= 365), per customer.
function perCustomer() {
  return scan().filter(col('status').eq(lit('paid'))).select(col('customer_id'),
    days(col('d')).alias('d'), col('cents'))
    .filter(col('d').lt(int(A)).and(col('d').gtEq(int(A - 365))))
    .groupBy('customer_id').agg(col('d').min().alias('fd'), col('d').max().alias('ld'),
      pl.len().cast(pl.Int64).alias('frequency'), col('cents').sum().alias('total'));
}

function rfm() {
  const f = col('frequency'), t = col('total'), rec = col('recency_days');
  return perCustomer()
    .withColumns(int(A).minus(col('ld')).alias('recency_days'),
      idiv(t.mul(int(2)).plus(f), f.mul(int(2))).alias('avg_cents'))
    .withColumns(
      steps(rec, [[(e) => e.ltEq(30), 5], [(e) => e.ltEq(90), 4], [(e) => e.ltEq(120), 3],
                  [(e) => e.ltEq(210), 2]]).alias('r'),
      steps(f, [[(e) => e.gtEq(6), 5], [(e) => e.gtEq(4), 4], [(e) => e.eq(3), 3],
                [(e) => e.eq(2), 2]]).alias('f'),
      steps(t, [[(e) => e.gtEq(f.mul(int(200000))), 5], [(e) => e.gtEq(f.mul(int(100000))), 4],
                [(e) => e.gtEq(f.mul(int(50000))), 3], [(e) => e.gtEq(f.mul(int(30000))), 2]]).alias('m'))
    .withColumns(col('r').plus(col('f').mul(int(3))).plus(col('m').mul(int(4))).alias('score'))
    .select(col('customer_id'), str(col('fd').cast(pl.Int32).cast(pl.Date)).alias('first_order'),
      str(col('ld').cast(pl.Int32).cast(pl.Date)).alias('last_order'), rec, f,
      money(t).alias('monetary_total'), money(col('avg_cents')).alias('monetary_avg'),
      col('r'), col('f').alias('f_'), col('m'), col('score'),
      pl.concatString([str(col('r')), str(col('f')), str(col('m'))], '').alias('rfm'),
      pl.when(col('score').gtEq(36)).then(lit('P')).when(col('score').gtEq(26)).then(lit('G'))
        .when(col('score').gtEq(17)).then(lit('S')).otherwise(lit('B')).alias('tier'))
    .rename({ f_: 'f' });
}

// crm-pareto rows: rank by revenue (ties by id), share, cumulative shares, ABC at 80/95.
function pareto() {
  const v = col('total'), cum = col('cum'), t = col('t');
  return perCustomer().select(col('customer_id'), v)
    .sort({ by: ['total', 'customer_id'], descending: [true, false] })
    .withRowIndex('rank', 1)
    .withColumns(v.cumSum().alias('cum'), v.sum().alias('t'),
      pl.len().cast(pl.Float64).alias('n'))
    .select(col('rank'), col('customer_id'), money(v).alias('value'),
      frac7(v.cast(pl.Float64).div(t.cast(pl.Float64))).alias('share'),
      frac7(col('rank').cast(pl.Float64).div(col('n'))).alias('cum_customers'),
      frac7(cum.cast(pl.Float64).div(t.cast(pl.Float64))).alias('cum_value'),
      pl.when(cum.minus(v).mul(int(100)).lt(t.mul(int(80)))).then(lit('A'))
        .when(cum.minus(v).mul(int(100)).lt(t.mul(int(95)))).then(lit('B')).otherwise(lit('C'))
        .alias('class'));
}

// SPEC §15 long table, month periods (see bench-duckdb.mjs): all paid orders before AS_OF.
// Months are numbered year * 12 + month - 1; the grid of (cohort, index) is built in the
// engine from the distinct cohorts.
function cohort() {
  const last = (() => { const x = new Date((A - 1) * 86400000);
    return x.getUTCFullYear() * 12 + x.getUTCMonth(); })();
  const p = scan().filter(col('status').eq(lit('paid')).and(days(col('d')).lt(int(A))))
    .select(col('customer_id'), col('cents'),
      col('d').dt.year().cast(pl.Int64).mul(int(12)).plus(col('d').dt.month().cast(pl.Int64)).minus(int(1))
        .alias('mo'));
  const first = p.groupBy('customer_id').agg(col('mo').min().alias('c'));
  const a = p.join(first, { on: 'customer_id' })
    .withColumns(col('mo').minus(col('c')).alias('k'))
    .groupBy(['c', 'k']).agg(col('customer_id').nUnique().cast(pl.Int64).alias('active'),
      col('cents').sum().alias('revenue'), pl.len().cast(pl.Int64).alias('orders'));
  const grid = first.select(col('c').unique())
    .withColumns(pl.intRanges(int(0), int(last + 1).minus(col('c'))).alias('k')).explode('k')
    .withColumns(col('k').cast(pl.Int64));
  const y = idiv(col('c'), 12), m = col('c').modulo(int(12)).plus(int(1));
  return grid.join(a, { on: ['c', 'k'], how: 'left' })
    .select(pl.concatString([str(y), lit('-'), str(m).str.zFill(2)], '').alias('cohort'),
      col('k').alias('period_index'), col('active').fillNull(int(0)),
      money(col('revenue').fillNull(int(0))).alias('revenue'), col('orders').fillNull(int(0)))
    .sort(['cohort', 'period_index']);
}

// crm-segment --summary, the class tree of SPEC §7 (see bench-duckdb.mjs); the nine classes
// are a small frame joined on, in the tool's order.
function segment() {
  const paid = col('status').eq(lit('paid')), n = col('n'), t = col('total');
  const c = scan().select(col('customer_id'), col('status'), days(col('d')).alias('d'), col('cents'))
    .filter(col('d').lt(int(A)).and(col('d').gtEq(int(A - 365))))
    .groupBy('customer_id').agg(paid.cast(pl.Int64).sum().alias('n'),
      col('cents').filter(paid).sum().alias('total'), col('d').filter(paid).min().alias('fp'),
      col('d').filter(paid).max().alias('lp'))
    .withColumns(int(A).minus(col('lp')).alias('rec'), int(A).minus(col('fp')).alias('age'));
  const score = steps(col('rec'), [[(e) => e.ltEq(30), 5], [(e) => e.ltEq(90), 4],
      [(e) => e.ltEq(120), 3], [(e) => e.ltEq(210), 2]])
    .plus(steps(n, [[(e) => e.gtEq(6), 5], [(e) => e.gtEq(4), 4], [(e) => e.eq(3), 3],
      [(e) => e.eq(2), 2]]).mul(int(3)))
    .plus(steps(t, [[(e) => e.gtEq(n.mul(int(200000))), 5], [(e) => e.gtEq(n.mul(int(100000))), 4],
      [(e) => e.gtEq(n.mul(int(50000))), 3], [(e) => e.gtEq(n.mul(int(30000))), 2]]).mul(int(4)));
  const s = col('score');
  const g = c.withColumns(score.alias('score'))
    .withColumns(pl.when(n.eq(int(0))).then(lit('no-sale')).when(col('age').ltEq(int(30)))
      .then(lit('new')).when(col('rec').gt(int(180))).then(lit('dormant'))
      .when(s.gtEq(int(36))).then(lit('P')).when(s.gtEq(int(26))).then(lit('G'))
      .when(s.gtEq(int(17))).then(lit('S')).otherwise(lit('B')).alias('class'))
    .groupBy('class').agg(pl.len().cast(pl.Int64).alias('customers'), n.sum().alias('orders'),
      t.fillNull(int(0)).sum().alias('cents'));
  const names = ['malicious', 'no-order', 'no-sale', 'new', 'dormant', 'P', 'G', 'S', 'B'];
  const cu = col('customers'), o = col('orders'), v = col('cents');
  return pl.DataFrame({ class: names, i: names.map((_, k) => k) }).lazy()
    .join(g, { on: 'class', how: 'left' })
    .withColumns(cu.fillNull(int(0)), o.fillNull(int(0)), v.fillNull(int(0)))
    .withColumns(cu.sum().alias('tc'), v.sum().alias('tr'))
    .sort('i')
    .select(col('class'), cu, frac7(cu.cast(pl.Float64).div(col('tc').cast(pl.Float64))).alias('share'),
      money(v).alias('revenue'),
      frac7(v.cast(pl.Float64).div(col('tr').cast(pl.Float64))).alias('revenue_share'),
      pl.when(o.gt(int(0))).then(money(idiv(v.mul(int(2)).plus(o), o.mul(int(2)))))
        .otherwise(pl.lit(null, pl.Utf8)).alias('avg_order_value'));
}

const queries = { rfm, pareto, cohort, segment };
if (!queries[what]) throw new Error(`bench-polars: unknown query ${what}`);
const median = (v) => { const s = [...v].sort((x, y) => x - y); const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const wall = [], cpu = [];
for (let i = 0; i < reps; i++) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  queries[what]().collectSync().writeCSV(out);
  const dc = process.cpuUsage(c0);
  wall.push((performance.now() - t0) / 1000); cpu.push((dc.user + dc.system) / 1e6);
}
console.log(`${median(wall).toFixed(3)} ${median(cpu).toFixed(3)}`);
