/* fuzz_customers: any bytes as a --customers file (lib/import: customer_id with signup
 * time, birthday and blocked flag; header names in English and Chinese). Checks: every
 * record after the header is stored or rejected, never dropped; each reject is a record of
 * the rejects file; the store holds exactly the rows stored, each with a known customer,
 * flags 0/1 and a birthday of year 2000 when its year is unknown.
 * Option byte: encoding (bits 0-1), an order file imported after the customers (bit 2). */
#include "fuzzutil.h"

#include "text/csvin.h"
#include "import/import.h"
#include "store/store.h"
#include "text/timeparse.h"

static uint64_t count_records(int fd, const char *encoding, int *ok)
{
    struct crm_csvin_opts o = {0, encoding};
    struct crm_csvin *c;
    struct crm_errinfo e;
    uint64_t n = 0;
    *ok = 0;
    FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    if (crm_csvin_open_fd(fd, "count", NULL, 0, &o, &c, &e) == CRM_OK) {
        struct crm_record r;
        enum crm_err rc;
        while ((rc = crm_csvin_next(c, &r, &e)) == CRM_OK && r.nfields > 0)
            n++;
        *ok = rc == CRM_OK;
        crm_csvin_close(c);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const encs[4] = {NULL, "utf-8", "gbk", "latin1"};
    struct fuzz_in in = {data, size};
    unsigned opt = fuzz_byte(&in);
    struct crm_import_opts o = {.max_reject_rate = 1.0};
    o.csv.encoding = encs[opt & 3];

    int store_fd = fuzz_memfd("", 0), rej_fd = fuzz_memfd("", 0);
    int cust_fd = fuzz_memfd(in.p, in.n);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", cust_fd);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    FUZZ_CHECK(crm_store_writer_new(store_fd, "fuzz.crm", &meta, CRM_STORE_KEEP_IDS |
                                    CRM_STORE_NO_SYNC, &w, &e) == CRM_OK, "writer");
    struct crm_out *rejects = crm_out_new(rej_fd, "rejects.csv", 0);
    struct crm_import *imp;
    FUZZ_CHECK(crm_import_new(&o, &w, 1, rejects, &imp, &e) == CRM_OK, "import_new");
    enum crm_err rc = crm_import_customers(imp, path, &e);
    if (rc == CRM_OK && (opt & 4)) {
        static const char orders[] = "customer_id,order_time,amount\nc1,2024-01-02,5.00\n"
                                     "c2,2024-01-03,7.50\n";
        int ofd = fuzz_memfd(orders, sizeof orders - 1);
        rc = crm_import_fd(imp, ofd, "orders.csv", NULL, 0, &e);
        FUZZ_CHECK(rc == CRM_OK, "orders after customers: %s", e.msg);
        close(ofd);
    }
    if (rc == CRM_OK)
        rc = crm_import_finish(imp, &e);
    if (rc != CRM_OK)
        FUZZ_CHECK(e.msg[0] && strncmp(e.msg, "internal error", 14) != 0, "import: %s", e.msg);
    const struct crm_import_stats st = *crm_import_stats(imp);
    crm_import_free(imp);
    FUZZ_CHECK(crm_out_close(rejects, &e) == CRM_OK, "rejects");
    if (rc == CRM_OK) {
        int ok;
        uint64_t records = count_records(cust_fd, o.csv.encoding, &ok);
        FUZZ_CHECK(ok && (records ? records - 1 : 0) == st.customer_rows + st.customer_rejects,
                   "%llu records, %llu stored + %llu rejected", (unsigned long long)records,
                   (unsigned long long)st.customer_rows,
                   (unsigned long long)st.customer_rejects);
        uint64_t lines = count_records(rej_fd, "utf-8", &ok);
        FUZZ_CHECK(ok && lines == 1 + st.customer_rejects + st.rejected_total,
                   "rejects file: %llu records", (unsigned long long)lines);
        FUZZ_CHECK(crm_store_writer_finish(w, &e) == CRM_OK, "finish: %s", e.msg);
        size_t n;
        unsigned char *b = fuzz_slurp_fd(store_fd, &n);
        struct crm_store *s;
        FUZZ_CHECK(crm_store_open_mem(b, n, "fuzz.crm", &s, &e) == CRM_OK, "open");
        struct crm_chunk c;
        while ((rc = crm_store_next(s, &c, CRM_COL_ALL, &e)) == CRM_OK && c.n > 0)
            ;
        FUZZ_CHECK(rc == CRM_OK, "read back: %s", e.msg);
        const struct crm_customer_info *rows;
        size_t nrows = crm_store_customers(s, &rows);
        FUZZ_CHECK(nrows == st.customer_rows, "%zu rows stored, %llu counted", nrows,
                   (unsigned long long)st.customer_rows);
        for (size_t i = 0; i < nrows; i++) {
            FUZZ_CHECK(rows[i].customer < crm_store_customer_count(s), "customer index");
            FUZZ_CHECK(rows[i].blocked <= 1 && rows[i].birth_year_known <= 1, "flags");
            if (rows[i].birth_day != CRM_NO_DAY && !rows[i].birth_year_known) {
                int y;
                unsigned m, d;
                crm_civil_from_days(rows[i].birth_day, &y, &m, &d);
                FUZZ_CHECK(y == 2000, "month-day birthday stored in year %d", y);
            }
        }
        crm_store_close(s);
        free(b);
    }
    crm_store_writer_free(w);
    close(cust_fd);
    close(store_fd);
    close(rej_fd);
    return 0;
}
