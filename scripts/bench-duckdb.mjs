// bench-duckdb.mjs — the DuckDB side of scripts/bench: the same reports crmkit computes,
// in SQL, written as CSV byte-identical to crmkit's (scripts/bench compares them).
//   node bench-duckdb.mjs load  DB CSV           build the native table `orders`
//   node bench-duckdb.mjs QUERY csv CSV AS_OF OUT    straight from the CSV
//   node bench-duckdb.mjs QUERY native DB AS_OF OUT  on the native table
// QUERY: rfm (seed scheme, crm-rfm defaults) | pareto (crm-pareto rows).
//   node bench-duckdb.mjs load-items DB CSV     native table `items` of a gen --products CSV
//   node bench-duckdb.mjs pairs csv|native CSV|DB MIN_SUPPORT OUT
// pairs: crm-basket's pair counts (both_orders of A,B with A < B) by a self-join of the
// distinct (order, sku) of paid orders, restricted first to the products that reach the
// support threshold (what lets crm-basket count only those; the unrestricted self-join is
// slower still).
// DuckDB uses every core it is given (both, here).
import { DuckDBInstance } from '@duckdb/node-api';

const [what, mode, path, asOf, out] = process.argv.slice(2);
const cols = `{'order_id':'VARCHAR','customer_id':'VARCHAR','order_time':'TIMESTAMP',
  'amount':'DECIMAL(18,2)','quantity':'INTEGER','status':'VARCHAR'}`;
const csv = (p) => `read_csv('${p}', header=true, columns=${cols})`;

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

const icols = `{'order_id':'VARCHAR','customer_id':'VARCHAR','order_time':'TIMESTAMP',
  'amount':'DECIMAL(18,2)','quantity':'INTEGER','status':'VARCHAR','sku':'VARCHAR'}`;
const icsv = (p) => `read_csv('${p}', header=true, columns=${icols})`;
const pairs = (src, minSupport) => `
  with b as (select distinct order_id, sku from ${src} where status = 'paid'),
  n as (select ceil(${minSupport} * count(distinct order_id) - 1e-9)::bigint t from b),
  f as (select b.order_id, b.sku from b join (select sku from b group by sku
          having count(*) >= (select t from n)) using (sku))
  select x.sku a, y.sku b, count(*) both_orders from f x join f y
    on x.order_id = y.order_id and x.sku < y.sku
  group by 1, 2 having count(*) >= (select t from n) order by 1, 2`;

const queries = { rfm, pareto };
if (what === 'load-items' || what === 'pairs') {
  const idb = what === 'load-items' ? mode : mode === 'native' ? path : ':memory:';
  const icon = await (await DuckDBInstance.create(idb)).connect();
  if (what === 'load-items')
    await icon.run(`create or replace table items as select * from ${icsv(path)}`);
  else
    await icon.run(`copy (${pairs(mode === 'native' ? 'items' : icsv(path), asOf)}) to '${out}'
                    (header false, delimiter ',', quote '')`);
  process.exit(0);
}
const db = what === 'load' ? mode : mode === 'native' ? path : ':memory:';
const inst = await DuckDBInstance.create(db);
const con = await inst.connect();
if (what === 'load') {
  await con.run(`create or replace table orders as select * from ${csv(path)}`);
} else {
  const src = mode === 'native' ? 'orders' : csv(path);
  await con.run(`copy (${queries[what](src)}) to '${out}' (header, delimiter ',', quote '')`);
}
