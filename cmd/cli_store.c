/* cli_store: what the analytic tools share about their input (see cli.h) — opening a store
 * or an order file, the evaluation day (--as-of, the store's zone, --max-age) and the
 * progress bar. Invariant: a message on stderr always starts on a clean line
 * (cli_end_store_progress clears the store's bar first). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "customer/agg.h"
#include "import/source.h"
#include "store/store.h"
#include "store/storefile.h"
#include "text/timeparse.h"

static struct cli_progress store_bar;

/* The time zone of the store the tool reads ("" before one is open, or none kept). */
static char store_zone[sizeof ((struct crm_store_meta *)0)->tz];

int cli_as_of(const struct cli *c, int32_t *days)
{
    if (!c->as_of)
        return 0;
    if (strcmp(c->as_of, "today") == 0) {
        *days = crm_store_zone_today(store_zone);
        return 1;
    }
    if (crm_date_parse(c->as_of, days) != 0)
        cli_usage_error(c, "--as-of %s: expected YYYY-MM-DD or today", c->as_of);
    return 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(struct cli_progress *p, const struct cli *c, const char *what)
{
    p->c = c;
    p->what = what;
    p->start = p->last = now_seconds();
    p->shown = 0;
}

void cli_progress_update(struct cli_progress *p, double done, double total)
{
    if (!p->c || !p->c->tty || p->c->quiet)
        return;
    double t = now_seconds();
    if (t - p->start < 1.0 || t - p->last < 0.2)
        return;
    p->last = t;
    p->shown = 1;
    double rate = done / (t - p->start);
    if (total > 0 && done <= total) {
        int width = 30, fill = (int)(width * done / total);
        double eta = rate > 0 ? (total - done) / rate : 0;
        fprintf(stderr, "\r%s: %s [%.*s%*s] %3.0f%%  %.1f MB/s  ETA %.0fs ", p->c->prog, p->what,
                fill, "##############################", width - fill, "", 100.0 * done / total,
                rate / 1e6, eta);
    } else {
        fprintf(stderr, "\r%s: %s %.1f MB  %.1f MB/s ", p->c->prog, p->what, done / 1e6,
                rate / 1e6);
    }
}

void cli_progress_end(struct cli_progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r\033[K");
    p->shown = 0;
}

static void store_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    cli_progress_update(&store_bar, (double)done, (double)total);
}

void cli_end_store_progress(void)
{
    cli_progress_end(&store_bar);
}

struct crm_store *cli_open_store(const struct cli *c, const char *path)
{
    struct crm_store *s;
    struct crm_source_info info;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(c, crm_afile_claim_input(path, "input", &e), &e);
    cli_check(c, crm_afile_claim(c->output, "-o", &e), &e);
    cli_check(c, crm_source_open(path, &s, &info, &e), &e);
    snprintf(store_zone, sizeof store_zone, "%s", crm_store_meta(s)->tz);
    const char *name = path && strcmp(path, "-") != 0 ? path : "stdin";
    cli_reading(name);
    if (info.imported && (info.import.rejected_total || info.import.duplicates))
        cli_warn(c, "%s: imported on the fly: %llu of %llu rows rejected, %llu duplicates "
                 "skipped (see them with crm-import --rejects FILE)", name,
                 (unsigned long long)info.import.rejected_total,
                 (unsigned long long)info.import.rows,
                 (unsigned long long)info.import.duplicates);
    if (info.imported && c->verbose)
        cli_warn(c, "%s: not a store: imported on the fly (%s, %llu rows, %llu orders)", name,
                 info.encoding, (unsigned long long)info.import.rows,
                 (unsigned long long)info.import.orders);
    if (c->tty && !c->quiet) {
        cli_progress_start(&store_bar, c, "reading");
        crm_store_set_progress(s, store_progress, NULL);
        atexit(cli_end_store_progress);
    }
    return s;
}

/* --max-age: exit 1 when the newest order is more than max_age days before as_of. */
static void check_age(const struct cli *c, struct crm_store *s, int32_t as_of)
{
    struct crm_errinfo e;
    int64_t newest;
    crm_errinfo_clear(&e);
    cli_check(c, crm_store_max_time(s, &newest, &e), &e);
    char d[16], a[16];
    crm_date_format(as_of, a);
    if (crm_store_stats(s)->orders == 0) {
        crm_errinfo_set(&e, CRM_EDATA, "the store has no orders; --max-age %ld wants one "
                        "within %ld days of %s", c->max_age, c->max_age, a);
        cli_die(c, &e);
    }
    int32_t day = crm_time_day(newest);
    if (as_of - day <= c->max_age)
        return;
    crm_date_format(day, d);
    crm_errinfo_set(&e, CRM_EDATA, "stale data: the newest order is from %s, %ld days before "
                    "the as-of date %s (--max-age %ld); did the last import run?", d,
                    (long)as_of - day, a, c->max_age);
    cli_die(c, &e);
}

static int32_t resolve_as_of(const struct cli *c, struct crm_store *s)
{
    int32_t as_of;
    if (cli_as_of(c, &as_of))
        return as_of;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(c, crm_agg_default_as_of(s, &as_of, &e), &e);
    if (c->verbose) {
        char d[16];
        crm_date_format(as_of, d);
        cli_warn(c, "as-of date %s (the day after the latest order)", d);
    }
    return as_of;
}

int32_t cli_resolve_as_of(const struct cli *c, struct crm_store *s)
{
    int32_t as_of = resolve_as_of(c, s);
    if (c->max_age >= 0)
        check_age(c, s, as_of);
    return as_of;
}
