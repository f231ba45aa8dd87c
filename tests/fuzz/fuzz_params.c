/* fuzz_params: any bytes as a crm-churn --params file (lib/model/churn.c). Checks: a file is
 * either read or refused as a usage error naming the file; what is read has a BG model with
 * r, alpha, a, b positive and finite, unit_days 0, 1 or 7, and Gamma-Gamma parameters
 * positive with q > 1 when present; writing it (crm_churn_params_write) and reading that
 * back gives the same parameters rounded to 7 decimals, and writing again the same bytes.
 * No option byte. */
#include "fuzzutil.h"

#include <math.h>

#include "model/churn.h"
#include "text/out.h"

static int pos(double v)
{
    return isfinite(v) && v > 0;
}

/* Write p to a new memfd; returns the fd (rewound). */
static int write_params(const struct crm_churn_params *p)
{
    int fd = fuzz_memfd("", 0);
    struct crm_out *o = crm_out_new(fd, "params.csv", 0);
    FUZZ_CHECK(o != NULL, "out of memory");
    crm_churn_params_write(o, p);
    struct crm_errinfo e;
    FUZZ_CHECK(crm_out_close(o, &e) == CRM_OK, "write: %s", e.msg);
    FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    return fd;
}

static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = fuzz_memfd(data, size);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct crm_churn_params p;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_churn_params_read(path, &p, &e);
    close(fd);
    if (rc != CRM_OK) {
        FUZZ_CHECK(rc == CRM_EUSAGE || rc == CRM_EDATA, "error %d: %s", rc, e.msg);
        FUZZ_CHECK(e.code == rc && e.msg[0] && strcmp(e.file, path) == 0,
                   "error without a message naming the file: \"%s\" \"%s\"", e.file, e.msg);
        return 0;
    }
    FUZZ_CHECK(p.bg.model == CRM_BTYD_BGNBD || p.bg.model == CRM_BTYD_MBGNBD, "model");
    FUZZ_CHECK(pos(p.bg.r) && pos(p.bg.alpha) && pos(p.bg.a) && pos(p.bg.b), "BG parameters");
    FUZZ_CHECK(p.unit_days == 0 || p.unit_days == 1 || p.unit_days == 7, "unit_days %g",
               p.unit_days);
    FUZZ_CHECK(isnan(p.bg_loglik) || isfinite(p.bg_loglik), "loglik");
    if (p.has_gg)
        FUZZ_CHECK(pos(p.gg.p) && pos(p.gg.q) && pos(p.gg.gamma) && p.gg.q > 1, "GG parameters");

    /* round trip: write, read back, compare with the rounded parameters; write again */
    int w1 = write_params(&p);
    size_t n1;
    unsigned char *b1 = fuzz_slurp_fd(w1, &n1);
    snprintf(path, sizeof path, "/proc/self/fd/%d", w1);
    struct crm_churn_params q, want = p;
    crm_churn_params_round(&want);
    rc = crm_churn_params_read(path, &q, &e);
    if (rc == CRM_OK) {
        FUZZ_CHECK(q.bg.model == want.bg.model && q.has_gg == want.has_gg, "model after write");
        FUZZ_CHECK(same(q.bg.r, want.bg.r) && same(q.bg.alpha, want.bg.alpha) &&
                       same(q.bg.a, want.bg.a) && same(q.bg.b, want.bg.b) &&
                       same(q.unit_days, want.unit_days), "BG after write");
        if (q.has_gg)
            FUZZ_CHECK(same(q.gg.p, want.gg.p) && same(q.gg.q, want.gg.q) &&
                           same(q.gg.gamma, want.gg.gamma), "GG after write");
        int w2 = write_params(&q);
        size_t n2;
        unsigned char *b2 = fuzz_slurp_fd(w2, &n2);
        FUZZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0, "second write differs");
        free(b2);
        close(w2);
    } else {
        /* a value too small for 7 decimals rounds to 0, which the reader refuses: only then */
        FUZZ_CHECK(!(want.bg.r > 0 && want.bg.alpha > 0 && want.bg.a > 0 && want.bg.b > 0 &&
                     (!want.has_gg || (want.gg.p > 0 && want.gg.q > 1 && want.gg.gamma > 0))),
                   "what was written cannot be read back: %s", e.msg);
    }
    free(b1);
    close(w1);
    return 0;
}
