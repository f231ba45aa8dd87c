/* churnfiles: crm-churn's side files — the parameter file, the holdout report, the tracking
 * chart and the --diagnostics folder — each written atomically (base/afile) in a fixed order.
 *
 * Invariant: a file is either committed whole or not there; the first failure stops the run
 * and names the file it was writing. */
#include "model/churn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/afile.h"

/* One table or chart of the side files, written to fd. */
struct side {
    const struct crm_churn *ch;
    const struct crm_btsum *b;
    unsigned flags;
    enum crm_err (*table)(const struct crm_churn *, const struct crm_btsum *, struct crm_out *,
                          struct crm_errinfo *);
    enum crm_err (*chart)(const struct crm_churn *, const struct crm_btsum *, struct crm_svg **,
                          struct crm_errinfo *);
    const char *sheet;   /* as xlsx (a FILE.xlsx); NULL: the default sheet */
};

static enum crm_err params_table(const struct crm_churn *c, const struct crm_btsum *b,
                                 struct crm_out *o, struct crm_errinfo *e)
{
    (void)b;
    (void)e;
    crm_churn_params_write(o, &c->params);
    return CRM_OK;
}

static enum crm_err report_table(const struct crm_churn *c, const struct crm_btsum *b,
                                 struct crm_out *o, struct crm_errinfo *e)
{
    (void)b;
    (void)e;
    crm_churn_report_write(c, o);
    return CRM_OK;
}

static enum crm_err period_table(const struct crm_churn *c, const struct crm_btsum *b,
                                 struct crm_out *o, struct crm_errinfo *e)
{
    (void)b;
    return crm_churn_period_write(c, o, e);
}

static enum crm_err matrix_table(const struct crm_churn *c, const struct crm_btsum *b,
                                 struct crm_out *o, struct crm_errinfo *e)
{
    (void)b;
    return crm_churn_matrix_write(c, o, e);
}

static enum crm_err period_chart(const struct crm_churn *c, const struct crm_btsum *b,
                                 struct crm_svg **s, struct crm_errinfo *e)
{
    (void)b;
    return crm_churn_period_chart(c, s, e);
}

static enum crm_err alive_chart(const struct crm_churn *c, const struct crm_btsum *b,
                                struct crm_svg **s, struct crm_errinfo *e)
{
    (void)b;
    return crm_churn_matrix_chart(c, 0, s, e);
}

static enum crm_err expected_chart(const struct crm_churn *c, const struct crm_btsum *b,
                                   struct crm_svg **s, struct crm_errinfo *e)
{
    (void)b;
    return crm_churn_matrix_chart(c, 1, s, e);
}

/* --diagnostics: the files of DIR, a table or a chart each. */
static const struct {
    const char *name;
    enum crm_err (*table)(const struct crm_churn *, const struct crm_btsum *, struct crm_out *,
                          struct crm_errinfo *);
    enum crm_err (*chart)(const struct crm_churn *, const struct crm_btsum *, struct crm_svg **,
                          struct crm_errinfo *);
} DIAG[] = {
    {"period-transactions.csv", period_table, NULL},
    {"period-transactions.svg", NULL, period_chart},
    {"frequency-recency.csv", matrix_table, NULL},
    {"frequency-recency-p-alive.svg", NULL, alive_chart},
    {"frequency-recency-expected.svg", NULL, expected_chart},
    {"tracking.csv", crm_churn_tracking_write, NULL},
    {"tracking-cumulative.svg", NULL, crm_churn_chart},
    {"tracking-incremental.svg", NULL, crm_churn_chart_incremental},
};

static enum crm_err write_side(int fd, const char *path, const struct side *sd,
                               struct crm_errinfo *e)
{
    if (sd->table) {
        struct crm_out *o = crm_out_new(fd, path, sd->flags);
        if (!o)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        if (sd->sheet)
            crm_out_sheet(o, sd->sheet);
        enum crm_err rc = sd->table(sd->ch, sd->b, o, e);
        enum crm_err rc2 = crm_out_close(o, rc == CRM_OK ? e : NULL);
        return rc != CRM_OK ? rc : rc2;
    }
    struct crm_svg *svg;
    enum crm_err rc = sd->chart(sd->ch, sd->b, &svg, e);
    if (rc == CRM_OK)
        rc = crm_svg_write_fd(svg, fd, e);
    crm_svg_free(svg);
    return rc;
}

static enum crm_err side_file(const char *path, const struct side *sd, struct crm_errinfo *e)
{
    struct crm_afile *af = NULL;
    enum crm_err rc = crm_afile_open(path, &af, e);
    if (rc == CRM_OK && (rc = write_side(crm_afile_fd(af), path, sd, e)) == CRM_OK) {
        rc = crm_afile_commit(af, e);
        af = NULL;
    }
    crm_afile_abort(af);
    if (rc != CRM_OK && !e->file[0])
        crm_errinfo_where(e, path, -1, -1, -1);
    return rc;
}

static enum crm_err diagnostics(const char *dir, struct side *sd, struct crm_errinfo *e)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        crm_errinfo_set(e, CRM_EIO, "--diagnostics: cannot create the folder: %s",
                        strerror(errno));
        crm_errinfo_where(e, dir, -1, -1, -1);
        return CRM_EIO;
    }
    sd->sheet = NULL;
    for (size_t i = 0; i < sizeof DIAG / sizeof DIAG[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, DIAG[i].name);
        sd->table = DIAG[i].table;
        sd->chart = DIAG[i].chart;
        enum crm_err rc = side_file(path, sd, e);
        if (rc != CRM_OK)
            return rc;
    }
    return CRM_OK;
}

enum crm_err crm_churn_files_write(const struct crm_churn *c, const struct crm_btsum *b,
                                   const struct crm_churn_files *f, struct crm_errinfo *e)
{
    struct side sd = {c, b, f->params_flags, params_table, NULL, "params"};
    enum crm_err rc = CRM_OK;
    if (f->params_out && (rc = side_file(f->params_out, &sd, e)) != CRM_OK)
        return rc;
    sd.table = report_table;
    sd.sheet = "holdout-report";
    sd.flags = f->report_flags;
    if (f->report && (rc = side_file(f->report, &sd, e)) != CRM_OK)
        return rc;
    sd.table = NULL;
    sd.chart = crm_churn_chart;
    if (f->svg && (rc = side_file(f->svg, &sd, e)) != CRM_OK)
        return rc;
    if (f->diag && (rc = diagnostics(f->diag, &sd, e)) != CRM_OK)
        return rc;
    return CRM_OK;
}

enum crm_err crm_churn_report_fd(const struct crm_churn *c, int fd, const char *name,
                                 struct crm_errinfo *e)
{
    struct side sd = {c, NULL, 0, report_table, NULL, "holdout-report"};
    return write_side(fd, name, &sd, e);
}
