// bench-chdb.mjs — the chDB (embedded ClickHouse, npm `chdb`) side of scripts/bench: the same
// reports crmkit computes, in ClickHouse SQL, written as CSV byte-identical to crmkit's
// (scripts/bench compares them, sorted).
//   node bench-chdb.mjs QUERY FORM SRC AS_OF OUT [REPS]
// FORM: parquet (SRC = the .parquet DuckDB wrote) | csv (SRC = the orders CSV); absolute paths.
// QUERY: rfm | pareto | segment | cohort, as in bench-duckdb.mjs.
// The query (reading SRC, computing, writing OUT with INTO OUTFILE) runs REPS times (default 3)
// in one warm process; start-up (loading libchdb) is not timed. Prints the medians
// "wall_seconds cpu_seconds" on stdout. ClickHouse uses every core (max_threads = cores).
import { query } from 'chdb';

const [what, form, path, asOf, out, repsArg] = process.argv.slice(2);
const reps = Math.max(1, Number(repsArg || 3));
const schema = `'order_id String, customer_id String, order_time DateTime, ` +
  `amount Decimal(18, 2), quantity Int32, status String'`;
const src = form === 'parquet' ? `file('${path}', Parquet)`
  : form === 'csv' ? `file('${path}', CSVWithNames, ${schema})` : null;
const day = `toDate('${asOf}')`;
// money as integer cents, printed as crmkit does (two decimals, no float on the way)
const money = (c) => `printf('%d.%02d', intDiv(${c}, 100), ${c} % 100)`;
// one text column whose name is the header line: TSVRaw then writes plain CSV lines
const header = (h) => `\`${h}\``;

// Paid orders in the 365-day window before AS_OF (1 <= as_of - day <= 365), per customer.
const base = `
  o as (select customer_id, toDate(order_time) d, toInt64(amount * 100) cents from ${src}
        where status = 'paid' and toDate(order_time) < ${day} and toDate(order_time) >= ${day} - 365),
  c as (select customer_id, min(d) first_order, max(d) last_order, toInt64(count()) frequency,
               sum(cents) total from o group by customer_id)`;

const rfm = `with ${base},
  s as (select *, toInt64(${day} - last_order) recency_days,
          intDiv(2 * total + frequency, 2 * frequency) avg_cents,
          multiIf(recency_days <= 30, 5, recency_days <= 90, 4, recency_days <= 120, 3,
                  recency_days <= 210, 2, 1) r,
          multiIf(frequency >= 6, 5, frequency >= 4, 4, frequency = 3, 3, frequency = 2, 2, 1) f,
          multiIf(total >= 200000 * frequency, 5, total >= 100000 * frequency, 4,
                  total >= 50000 * frequency, 3, total >= 30000 * frequency, 2, 1) m,
          r + 3 * f + 4 * m score
        from c)
  select concat(customer_id, ',', toString(first_order), ',', toString(last_order), ',',
                toString(recency_days), ',', toString(frequency), ',', ${money('total')}, ',',
                ${money('avg_cents')}, ',', toString(r), ',', toString(f), ',', toString(m), ',',
                toString(score), ',', toString(r), toString(f), toString(m), ',',
                multiIf(score >= 36, 'P', score >= 26, 'G', score >= 17, 'S', 'B'))
         as ${header('customer_id,first_order,last_order,recency_days,frequency,monetary_total,' +
                     'monetary_avg,r,f,m,score,rfm,tier')}
  from s`;

// crm-pareto rows: rank by revenue (ties by id), share, cumulative shares, ABC at 80/95.
const pareto = `with ${base},
  k as (select customer_id, total v,
          row_number() over (order by total desc, customer_id) rk,
          sum(total) over (order by total desc, customer_id
                           rows between unbounded preceding and current row) cum,
          sum(total) over () t, count() over () n from c)
  select concat(toString(rk), ',', customer_id, ',', ${money('v')}, ',',
                printf('%.7f', v / t), ',', printf('%.7f', rk / n), ',', printf('%.7f', cum / t), ',',
                multiIf((cum - v) * 100 < 80 * t, 'A', (cum - v) * 100 < 95 * t, 'B', 'C'))
         as ${header('rank,customer_id,value,share,cum_customers,cum_value,class')}
  from k order by rk`;

// SPEC §15 long table, month periods (see bench-duckdb.mjs): all paid orders before AS_OF.
const cohort = `with
  p as (select customer_id, toStartOfMonth(toDate(order_time)) mo, toInt64(amount * 100) cents
        from ${src} where status = 'paid' and toDate(order_time) < ${day}),
  f as (select customer_id, min(mo) c from p group by customer_id),
  a as (select f.c c, toInt64(dateDiff('month', f.c, p.mo)) k, uniqExact(p.customer_id) active,
               sum(p.cents) revenue, count() orders
        from p inner join f on p.customer_id = f.customer_id group by c, k),
  g as (select c, toInt64(arrayJoin(range(0, toUInt64(dateDiff('month', c, ${day} - 1) + 1)))) k
        from (select distinct c from f))
  select concat(formatDateTime(g.c, '%Y-%m'), ',', toString(g.k), ',', toString(a.active), ',',
                ${money('a.revenue')}, ',', toString(a.orders))
         as ${header('cohort,period_index,active,revenue,orders')}
  from g left join a on a.c = g.c and a.k = g.k order by g.c, g.k`;

// crm-segment --summary, the class tree of SPEC §7 (see bench-duckdb.mjs).
const segment = `with
  o as (select customer_id, toDate(order_time) d, toInt64(amount * 100) cents, status from ${src}
        where toDate(order_time) < ${day} and toDate(order_time) >= ${day} - 365),
  c as (select customer_id, toInt64(countIf(status = 'paid')) n, sumIf(cents, status = 'paid') total,
               minIf(d, status = 'paid') fp, maxIf(d, status = 'paid') lp
        from o group by customer_id),
  s as (select n, total, toInt64(${day} - fp) first_age, toInt64(${day} - lp) rec,
          multiIf(rec <= 30, 5, rec <= 90, 4, rec <= 120, 3, rec <= 210, 2, 1)
          + 3 * multiIf(n >= 6, 5, n >= 4, 4, n = 3, 3, n = 2, 2, 1)
          + 4 * multiIf(total >= 200000 * n, 5, total >= 100000 * n, 4, total >= 50000 * n, 3,
                        total >= 30000 * n, 2, 1) score
        from c),
  g as (select multiIf(n = 0, 'no-sale', first_age <= 30, 'new', rec > 180, 'dormant',
                       score >= 36, 'P', score >= 26, 'G', score >= 17, 'S', 'B') cls,
               toInt64(count()) customers, toInt64(sum(n)) orders, toInt64(sum(total)) revenue
        from s group by cls),
  l as (select * from values('cls String, i UInt8', ('malicious', 0), ('no-order', 1),
                             ('no-sale', 2), ('new', 3), ('dormant', 4), ('P', 5), ('G', 6),
                             ('S', 7), ('B', 8))),
  r as (select l.i i, l.cls cls, ifNull(g.customers, 0) customers, ifNull(g.orders, 0) orders,
               ifNull(g.revenue, 0) cents, sum(customers) over () tc, sum(cents) over () tr
        from l left join g on g.cls = l.cls)
  select concat(cls, ',', toString(customers), ',', printf('%.7f', customers / tc), ',',
                ${money('cents')}, ',', printf('%.7f', cents / tr), ',',
                if(orders > 0, ${money('intDiv(2 * cents + orders, 2 * orders)')}, ''))
         as ${header('class,customers,share,revenue,revenue_share,avg_order_value')}
  from r order by i`;

const queries = { rfm, pareto, cohort, segment };
if (!src || !queries[what]) throw new Error(`bench-chdb: usage QUERY parquet|csv SRC AS_OF OUT`);
const sql = `${queries[what]} into outfile '${out}' truncate format TSVRawWithNames`;
const median = (v) => { const s = [...v].sort((x, y) => x - y); const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
query('select 1', 'CSV');          // load the engine before the clock starts
const wall = [], cpu = [];
for (let i = 0; i < reps; i++) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  query(sql, 'CSV');
  const dc = process.cpuUsage(c0);
  wall.push((performance.now() - t0) / 1000); cpu.push((dc.user + dc.system) / 1e6);
}
console.log(`${median(wall).toFixed(3)} ${median(cpu).toFixed(3)}`);
