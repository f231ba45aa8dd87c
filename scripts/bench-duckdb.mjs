// bench-duckdb.mjs — the DuckDB side of scripts/bench: the same reports crmkit computes,
// in SQL, written as CSV byte-identical to crmkit's (scripts/bench compares them, sorted).
//   node bench-duckdb.mjs load    DB CSV             build the native table `orders`
//   node bench-duckdb.mjs parquet DB PARQUET         COPY that table to a Parquet file
//   node bench-duckdb.mjs load-items DB CSV          the native table `items` of a
//                                                    gen --products CSV (one row per line)
//   node bench-duckdb.mjs QUERY FORM SRC AS_OF OUT [REPS]
// FORM: native (SRC = the DB file, table `orders`) | parquet (SRC = .parquet) | csv (SRC = .csv)
// QUERY: rfm (seed scheme, crm-rfm defaults) | pareto (crm-pareto rows) |
//        segment (crm-segment --summary) |
//        cohort (monthly cohorts: cohort,period_index,active,revenue,orders) |
//        pairs (crm-basket's pair counts; SRC has line items: table `items` or a gen
//        --products CSV; one more argument after REPS, MIN_SUPPORT, default 0.001).
// The query (reading SRC, computing, writing OUT) runs REPS times (default 3) in one warm
// process; start-up, opening the database and loading are not timed. Prints the medians
// "wall_seconds cpu_seconds" on stdout. DuckDB uses every core it is given (both, here).
import { DuckDBInstance } from '@duckdb/node-api';

const [what, form, path, asOf, out, repsArg, minSupportArg] = process.argv.slice(2);
const reps = Math.max(1, Number(repsArg || 3));
const cols = `{'order_id':'VARCHAR','customer_id':'VARCHAR','order_time':'TIMESTAMP',
  'amount':'DECIMAL(18,2)','quantity':'INTEGER','status':'VARCHAR'}`;
const csv = (p) => `read_csv('${p}', header=true, columns=${cols})`;
const icols = `{'order_id':'VARCHAR','customer_id':'VARCHAR','order_time':'TIMESTAMP',
  'amount':'DECIMAL(18,2)','quantity':'INTEGER','status':'VARCHAR','sku':'VARCHAR'}`;
const icsv = (p) => `read_csv('${p}', header=true, columns=${icols})`;

// Paid orders in the 365-day window before AS_OF (1 <= as_of - day <= 365), per customer.
// The CSV has one row per order, so count(*) is the order count.
const base = (src) => `
  with o as (select customer_id, order_time::date as d, amount from ${src}
             where status = 'paid' and order_time::date < date '${asOf}'
               and order_time::date >= date '${asOf}' - 365),
  c as (select customer_id, min(d) first_order, max(d) last_order, count(*) frequency,
               sum(amount) monetary_total from o group by customer_id)`;

const rfm = (src) => `${base(src)},
  s as (select *, date '${asOf}' - last_order as recency_days,
          -- exact: half away from zero on integer cents, as crm-rfm does (amounts >= 0)
          (2 * (monetary_total * 100)::bigint + frequency) // (2 * frequency) avg_cents,
          case when date '${asOf}' - last_order <= 30 then 5 when date '${asOf}' - last_order <= 90 then 4
               when date '${asOf}' - last_order <= 120 then 3 when date '${asOf}' - last_order <= 210 then 2 else 1 end r,
          case when frequency >= 6 then 5 when frequency >= 4 then 4 when frequency = 3 then 3
               when frequency = 2 then 2 else 1 end f,
          case when monetary_total >= 2000 * frequency then 5 when monetary_total >= 1000 * frequency then 4
               when monetary_total >= 500 * frequency then 3 when monetary_total >= 300 * frequency then 2 else 1 end m
        from c)
  select customer_id, strftime(first_order, '%Y-%m-%d') first_order, strftime(last_order, '%Y-%m-%d') last_order,
         recency_days, frequency, printf('%.2f', monetary_total) monetary_total,
         printf('%d.%02d', avg_cents // 100, avg_cents % 100) monetary_avg, r, f, m,
         r + 3 * f + 4 * m score, concat(r, f, m) rfm,
         case when r + 3 * f + 4 * m >= 36 then 'P' when r + 3 * f + 4 * m >= 26 then 'G'
              when r + 3 * f + 4 * m >= 17 then 'S' else 'B' end tier
  from s`;

// crm-pareto rows: rank by revenue (ties by id), share, cumulative shares, ABC at 80/95.
const pareto = (src) => `${base(src)},
  t as (select sum(monetary_total) total, count(*) n from c),
  k as (select customer_id, monetary_total v,
          row_number() over (order by monetary_total desc, customer_id) rk,
          sum(monetary_total) over (order by monetary_total desc, customer_id
                                    rows between unbounded preceding and current row) cum from c)
  select rk as rank, customer_id, printf('%.2f', v) as "value",
         printf('%.7f', v::double / total::double) as "share", printf('%.7f', rk / n) as cum_customers,
         printf('%.7f', cum::double / total::double) as cum_value,
         case when (cum - v) * 100 < 80 * total then 'A' when (cum - v) * 100 < 95 * total then 'B' else 'C' end as "class"
  from k, t order by rk`;

// SPEC §15 long table, month periods: all paid orders before AS_OF (no window); cohort =
// month of the customer's first paid order; one row per cohort and month index from 0 while
// the month starts before AS_OF, months with no active customer included (zeros).
const cohort = (src) => `
  with p as (select customer_id, date_trunc('month', order_time::date) mo, amount from ${src}
             where status = 'paid' and order_time::date < date '${asOf}'),
  f as (select customer_id, min(mo) c from p group by customer_id),
  a as (select f.c, datediff('month', f.c, p.mo) k, count(distinct p.customer_id) active,
               sum(amount) revenue, count(*) orders from p join f using (customer_id) group by all),
  g as (select c, unnest(range(0, datediff('month', c, date '${asOf}' - 1) + 1)) k
        from (select distinct c from f))
  select strftime(g.c, '%Y-%m') cohort, g.k period_index, coalesce(active, 0) active,
         printf('%.2f', coalesce(revenue, 0)) revenue, coalesce(orders, 0) orders
  from g left join a on a.c = g.c and a.k = g.k order by g.c, g.k`;

// crm-segment --summary: every customer with an order in the window, in the class tree of
// SPEC §7 (no customers file, so no malicious; all history is in the window, so no no-order):
// no-sale (no paid order), new (first paid order <= 30 days before AS_OF), dormant (last
// paid order > 180 days before), else the seed tier; one row per class, in the tool's order.
const segment = (src) => `
  with o as (select customer_id, order_time::date d, amount, status from ${src}
             where order_time::date < date '${asOf}' and order_time::date >= date '${asOf}' - 365),
  c as (select customer_id, count(*) filter (where status = 'paid') n,
               coalesce(sum(amount) filter (where status = 'paid'), 0) total,
               min(d) filter (where status = 'paid') fp, max(d) filter (where status = 'paid') lp
        from o group by customer_id),
  s as (select *,
          case when date '${asOf}' - lp <= 30 then 5 when date '${asOf}' - lp <= 90 then 4
               when date '${asOf}' - lp <= 120 then 3 when date '${asOf}' - lp <= 210 then 2 else 1 end
          + 3 * case when n >= 6 then 5 when n >= 4 then 4 when n = 3 then 3 when n = 2 then 2 else 1 end
          + 4 * case when total >= 2000 * n then 5 when total >= 1000 * n then 4
                     when total >= 500 * n then 3 when total >= 300 * n then 2 else 1 end score
        from c),
  k as (select case when n = 0 then 'no-sale' when date '${asOf}' - fp <= 30 then 'new'
                    when date '${asOf}' - lp > 180 then 'dormant' when score >= 36 then 'P'
                    when score >= 26 then 'G' when score >= 17 then 'S' else 'B' end cls, n, total
        from s),
  g as (select cls, count(*) customers, sum(n) orders, sum(total) revenue from k group by cls),
  l as (select * from (values ('malicious', 0), ('no-order', 1), ('no-sale', 2), ('new', 3),
                              ('dormant', 4), ('P', 5), ('G', 6), ('S', 7), ('B', 8)) v(cls, i)),
  r as (select l.i, l.cls, coalesce(customers, 0) customers, coalesce(orders, 0) orders,
               (coalesce(revenue, 0) * 100)::bigint cents from l left join g using (cls)),
  t as (select sum(customers) tc, sum(cents) tr from r)
  select cls as "class", customers, printf('%.7f', customers / tc) "share",
         printf('%d.%02d', cents // 100, cents % 100) revenue,
         printf('%.7f', cents::double / tr::double) revenue_share,
         case when orders > 0 then printf('%d.%02d', ((2 * cents + orders) // (2 * orders)) // 100,
                                          ((2 * cents + orders) // (2 * orders)) % 100) end avg_order_value
  from r, t order by i`;

// crm-basket's pair counts (SPEC §17): both_orders of each pair A < B (byte order) over the
// baskets = distinct (order, sku) of paid orders dated before AS_OF, by a self-join on the
// order, restricted first to the products that reach the support threshold
// ceil(MIN_SUPPORT × baskets) (what lets crm-basket count only those; the unrestricted
// self-join is slower still), pairs kept at the threshold too.
const minSupport = Number(minSupportArg || 0.001);
const pairs = (src) => `
  with b as (select distinct order_id, sku from ${src}
             where status = 'paid' and order_time::date < date '${asOf}'),
  n as (select ceil(${minSupport} * count(distinct order_id) - 1e-9)::bigint t from b),
  f as (select b.order_id, b.sku from b join (select sku from b group by sku
          having count(*) >= (select t from n)) using (sku))
  select x.sku antecedent, y.sku consequent, count(*) both_orders from f x join f y
    on x.order_id = y.order_id and x.sku < y.sku
  group by 1, 2 having count(*) >= (select t from n) order by 1, 2`;

const queries = { rfm, pareto, cohort, segment, pairs };
const median = (v) => { const s = [...v].sort((x, y) => x - y); const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };

const db = what === 'load' || what === 'load-items' || what === 'parquet' ? form : form === 'native' ? path : ':memory:';
const inst = await DuckDBInstance.create(db);
const con = await inst.connect();
if (what === 'load') {
  await con.run(`create or replace table orders as select * from ${csv(path)}`);
} else if (what === 'load-items') {
  await con.run(`create or replace table items as select * from ${icsv(path)}`);
} else if (what === 'parquet') {
  await con.run(`copy orders to '${path}' (format parquet)`);
} else {
  if (!queries[what]) throw new Error(`bench-duckdb: unknown query ${what}`);
  const items = what === 'pairs';
  const src = form === 'native' ? (items ? 'items' : 'orders')
    : form === 'parquet' ? `read_parquet('${path}')` : items ? icsv(path) : csv(path);
  const sql = `copy (${queries[what](src)}) to '${out}' (header, delimiter ',', quote '')`;
  const wall = [], cpu = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    await con.run(sql);
    const dc = process.cpuUsage(c0);
    wall.push((performance.now() - t0) / 1000); cpu.push((dc.user + dc.system) / 1e6);
  }
  console.log(`${median(wall).toFixed(3)} ${median(cpu).toFixed(3)}`);
}
