/* teststore: build a small store in /tmp for unit tests of the analytic modules (rfm,
 * segment, care, kpi). Orders are given by customer, date and money in minor units;
 * customers-file rows by customer, birthday and blocked flag; and a store file's END block
 * made to claim another customer count. Include after testutil.h. */
#ifndef CRM_TESTSTORE_H
#define CRM_TESTSTORE_H

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "customer/agg.h"
#include "store/store.h"
#include "store/storefmt.h"
#include "text/out.h"
#include "text/timeparse.h"

struct t_order {
    const char *cust;
    const char *date;     /* YYYY-MM-DD */
    int64_t amount;       /* minor units */
    int qty;
    int status;           /* enum crm_status */
};

struct t_customer {
    const char *cust;
    const char *birthday; /* YYYY-MM-DD, or NULL */
    int blocked;
    int year_unknown;     /* birthday given as month and day only (stored as year 2000) */
};

static inline int32_t t_day(const char *date)
{
    int32_t d;
    assert_int_equal(crm_date_parse(date, &d), 0);
    return d;
}

/* Write a store to a fresh temporary file (path gets its name) and open it. */
static inline struct crm_store *t_store(const struct t_order *orders, size_t n,
                                        const struct t_customer *cust, size_t ncust,
                                        char *path)
{
    strcpy(path, "/tmp/crm-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &meta, 0, &w, &e), CRM_OK);
    for (size_t i = 0; i < n; i++) {
        struct crm_order ord = {0};
        assert_int_equal(crm_store_writer_customer(w, orders[i].cust, strlen(orders[i].cust),
                                                   &ord.customer, &e), CRM_OK);
        ord.time = (int64_t)t_day(orders[i].date) * 86400 + 3600 * (int64_t)(i % 20);
        ord.amount = orders[i].amount;
        ord.quantity = orders[i].qty;
        ord.status = (uint8_t)orders[i].status;
        assert_int_equal(crm_store_writer_add(w, &ord, &e), CRM_OK);
    }
    for (size_t i = 0; i < ncust; i++) {
        struct crm_customer_info ci = {0, CRM_NO_DAY, CRM_NO_DAY, 0, 0};
        assert_int_equal(crm_store_writer_customer(w, cust[i].cust, strlen(cust[i].cust),
                                                   &ci.customer, &e), CRM_OK);
        if (cust[i].birthday) {
            ci.birth_day = t_day(cust[i].birthday);
            ci.birth_year_known = !cust[i].year_unknown;
        }
        ci.blocked = (uint8_t)cust[i].blocked;
        assert_int_equal(crm_store_writer_add_customer(w, &ci, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    return s;
}

/* Index of a customer id in the store's dictionary (after the store was read). */
static inline uint32_t t_cust(const struct crm_store *s, const char *id)
{
    uint32_t n = crm_store_customer_count(s);
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(crm_store_customer_id(s, i, NULL), id) == 0)
            return i;
    fail_msg("customer %s not in the store", id);
    return 0;
}

/* A report writer into a temporary file, and what it wrote as text (t_sink_text closes the
 * writer, checks the close succeeded and removes the file; the text lives until the next
 * call). */
struct t_sink {
    char path[64];
    int fd;
    struct crm_out *o;
};

static inline struct crm_out *t_sink_open(struct t_sink *k, unsigned flags)
{
    strcpy(k->path, "/tmp/crm-test-out-XXXXXX");
    k->fd = mkstemp(k->path);
    assert_true(k->fd >= 0);
    k->o = crm_out_new(k->fd, k->path, flags);
    assert_non_null(k->o);
    return k->o;
}

static inline const char *t_sink_text(struct t_sink *k)
{
    static char text[1 << 20];
    struct crm_errinfo e;
    assert_int_equal(crm_out_close(k->o, &e), CRM_OK);
    ssize_t n = pread(k->fd, text, sizeof text - 1, 0);
    assert_true(n >= 0);
    text[n] = '\0';
    close(k->fd);
    unlink(k->path);
    return text;
}

/* The store file's END block rewritten to claim `customers` (its CRC made right): the
 * arrays are prepared for that many ahead of the pass. */
static inline void t_set_end_customers(const char *path, uint64_t customers)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    unsigned char end[16 + 56];
    off_t at = st.st_size - (off_t)sizeof end;
    assert_int_equal(pread(fd, end, sizeof end, at), (ssize_t)sizeof end);
    assert_memory_equal(end, "END", 3);
    for (int i = 0; i < 8; i++)
        end[16 + 16 + i] = (unsigned char)(customers >> (8 * i));
    uint32_t crc = crc_of(crc_of(0, end, 12), end + 16, 56);
    for (int i = 0; i < 4; i++)
        end[12 + i] = (unsigned char)(crc >> (8 * i));
    assert_int_equal(pwrite(fd, end, sizeof end, at), (ssize_t)sizeof end);
    close(fd);
}

#endif
