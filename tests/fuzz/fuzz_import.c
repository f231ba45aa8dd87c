/* fuzz_import: any bytes as an order file through the whole import (lib/import: mapping,
 * presets, row validation, money and time per field, merging, duplicates, rejects) into a
 * store, optionally in two parts, the second appended to the store the first made. Checks
 * the nothing-lost accounting from outside: every record the CSV reader yields is the
 * header, a repeated header or a counted row; every rejected, duplicate or skipped row is a
 * record of the rejects file; the store written holds exactly the orders counted, each
 * with a valid status, a non-negative amount and a known customer.
 * Option bytes: (1) preset (bits 0-2), --order-amount once (3), --no-header with columns
 * 1,2,3 (4), --date-format (5), import in two parts (6), a --status mapping (7);
 * (2) delimiter (bits 0-2) and encoding (bits 3-4) as in fuzz_csvin, --decimal-comma (5),
 * --round-money (6), --line-items unsorted (7). A record a broken quote made counts as the
 * lines it swallowed (one line in the rejects file); a refund record is an order of no row. */
#include "fuzzutil.h"

#include "text/csvin.h"
#include "import/import.h"
#include "store/store.h"

static const char *const presets[8] = {NULL, "cdnow", "uci-online-retail", "shopify",
                                       "taobao", "woocommerce", "jd", "pinduoduo"};

/* Records in fd as the CSV reader sees them (fd rewound before and after). */
static uint64_t count_records(int fd, const struct crm_csvin_opts *o, int *ok)
{
    struct crm_csvin *c;
    struct crm_errinfo e;
    uint64_t n = 0;
    *ok = 0;
    FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    if (crm_csvin_open_fd(fd, "count", NULL, 0, o, &c, &e) == CRM_OK) {
        struct crm_record r;
        enum crm_err rc;
        while ((rc = crm_csvin_next(c, &r, &e)) == CRM_OK && r.nfields > 0)
            n++;
        *ok = rc == CRM_OK;
        crm_csvin_close(c);
    }
    FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    return n;
}

/* Import one part into the store on store_fd (new when !append). Returns the orders the
 * store holds afterwards, or -1 when the import failed (as it may, with a message). */
static long long import_part(const unsigned char *text, size_t n, int store_fd, int append,
                             unsigned opt, unsigned opt2, long long orders_before)
{
    static const int delims[8] = {0, 0, 0, ',', '\t', ';', '|', CRM_CSV_WHITESPACE};
    static const char *const encs[4] = {NULL, "utf-8", "gbk", "latin1"};
    struct crm_import_opts o = {.max_reject_rate = 1.0};
    o.preset = presets[opt & 7];
    o.order_amount_once = (opt >> 3) & 1;
    if ((opt & 0x10) && !o.preset) {
        o.no_header = 1;
        o.map[CRM_F_CUSTOMER] = "1";
        o.map[CRM_F_TIME] = "2";
        o.map[CRM_F_AMOUNT] = "3";
    }
    if (opt & 0x20)
        o.date_format = "%m/%d/%Y %H:%M";
    o.csv.delimiter = delims[opt2 & 7];
    o.csv.encoding = encs[(opt2 >> 3) & 3];
    o.decimal_comma = (opt2 >> 5) & 1;
    o.round_money = (opt2 >> 6) & 1;
    o.line_items_unsorted = (opt2 >> 7) & 1;

    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct crm_store_writer *w;
    const unsigned flags = CRM_STORE_KEEP_IDS | CRM_STORE_NO_SYNC;
    enum crm_err rc;
    if (append) {
        FUZZ_CHECK(lseek(store_fd, 0, SEEK_SET) == 0, "lseek");
        rc = crm_store_writer_append(store_fd, "fuzz.crm", flags, &w, &e);
        FUZZ_CHECK(rc == CRM_OK, "cannot append to the store just written: %s", e.msg);
    } else {
        struct crm_store_meta meta = {"", 2};
        rc = crm_store_writer_new(store_fd, "fuzz.crm", &meta, flags, &w, &e);
        FUZZ_CHECK(rc == CRM_OK, "writer: %s", e.msg);
    }
    int rej_fd = fuzz_memfd("", 0);
    struct crm_out *rejects = crm_out_new(rej_fd, "rejects.csv", 0);
    struct crm_import *imp;
    rc = crm_import_new(&o, &w, 1, rejects, &imp, &e);
    FUZZ_CHECK(rc == CRM_OK, "import_new: %s", e.msg);
    if (opt & 0x80)
        FUZZ_CHECK(crm_import_add_status(imp, "refunded=LOST,退货中", &e) == CRM_OK, "status");
    if (append)
        FUZZ_CHECK(crm_import_load_existing(imp, &e) == CRM_OK, "load_existing: %s", e.msg);
    int in_fd = fuzz_memfd(text, n);
    rc = crm_import_fd(imp, in_fd, "fuzz.csv", NULL, 0, &e);
    if (rc == CRM_OK)
        rc = crm_import_finish(imp, &e);
    if (rc != CRM_OK)
        FUZZ_CHECK(e.msg[0] && strncmp(e.msg, "internal error", 14) != 0, "import: %s", e.msg);
    const struct crm_import_stats st = *crm_import_stats(imp);
    crm_import_free(imp);
    struct crm_errinfo e2;
    FUZZ_CHECK(crm_out_close(rejects, &e2) == CRM_OK, "rejects file: %s", e2.msg);
    long long result = -1;
    if (rc == CRM_OK) {
        /* Outside view of the accounting. */
        FUZZ_CHECK(st.rows == st.orders + st.merged + st.rejected_total + st.duplicates +
                                  st.skipped_total, "rows do not add up");
        int ok;
        struct crm_csvin_opts co = o.csv;
        if (o.preset && strcmp(o.preset, "cdnow") == 0 && !co.delimiter)
            co.delimiter = 0;
        uint64_t records = count_records(in_fd, &co, &ok);
        FUZZ_CHECK(ok, "the reader fails on a second pass over the same bytes");
        int cdnow = o.preset && strcmp(o.preset, "cdnow") == 0;
        uint64_t swallowed = st.rejected[CRM_REJ_QUOTE] - st.quote_records;
        FUZZ_CHECK(st.rejected[CRM_REJ_QUOTE] >= st.quote_records, "quote counts");
        uint64_t header = records > 0 && !o.no_header &&
                          (!cdnow || records > st.rows - swallowed + st.repeated_headers);
        FUZZ_CHECK(records == header + st.rows - swallowed + st.repeated_headers,
                   "%llu records, %llu rows + %llu repeated headers",
                   (unsigned long long)records, (unsigned long long)st.rows,
                   (unsigned long long)st.repeated_headers);
        struct crm_csvin_opts ro = {',', "utf-8"};
        uint64_t lines = count_records(rej_fd, &ro, &ok);
        FUZZ_CHECK(ok && lines == 1 + st.rejected_total - swallowed + st.duplicates +
                             st.skipped_total,
                   "rejects file has %llu records for %llu rejected, %llu duplicates, %llu "
                   "skipped", (unsigned long long)lines,
                   (unsigned long long)st.rejected_total, (unsigned long long)st.duplicates,
                   (unsigned long long)st.skipped_total);
        rc = crm_store_writer_finish(w, &e);
        FUZZ_CHECK(rc == CRM_OK, "finish: %s", e.msg);
        result = orders_before + (long long)(st.orders + st.refund_records);
    }
    crm_store_writer_free(w);
    close(in_fd);
    close(rej_fd);
    return result;
}

/* The store must hold exactly `orders` orders, all well-formed. */
static void check_store(int fd, long long orders)
{
    size_t n;
    unsigned char *b = fuzz_slurp_fd(fd, &n);
    struct crm_store *s;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    FUZZ_CHECK(crm_store_open_mem(b, n, "fuzz.crm", &s, &e) == CRM_OK, "open: %s", e.msg);
    struct crm_chunk c;
    enum crm_err rc;
    long long got = 0;
    while ((rc = crm_store_next(s, &c, CRM_COL_ALL, &e)) == CRM_OK && c.n > 0) {
        for (uint32_t i = 0; i < c.n; i++) {
            FUZZ_CHECK(c.amount[i] >= 0 && c.status[i] < CRM_STATUS_COUNT, "order values");
            size_t len;
            FUZZ_CHECK(c.customer[i] < crm_store_customer_count(s), "customer");
            const char *id = crm_store_customer_id(s, c.customer[i], &len);
            FUZZ_CHECK(len > 0 && strlen(id) == len, "empty or NUL customer id stored");
        }
        got += c.n;
    }
    /* an appended part may take the store's amounts past 2^63 together: refused, rightly */
    FUZZ_CHECK((rc == CRM_OK && got == orders) ||
                   (rc == CRM_EDATA && strstr(e.msg, "amounts add up past")),
               "store: %s; %lld orders, want %lld", e.msg, got, orders);
    crm_store_close(s);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    unsigned opt = fuzz_byte(&in), opt2 = fuzz_byte(&in);
    size_t first = in.n;
    if (opt & 0x40) {
        /* two parts: split after the middle line break (the header goes with the first) */
        const uint8_t *nl = memchr(in.p + in.n / 2, '\n', in.n - in.n / 2);
        first = nl ? (size_t)(nl - in.p) + 1 : in.n;
    }
    int store_fd = fuzz_memfd("", 0);
    long long orders = import_part(in.p, first, store_fd, 0, opt, opt2, 0);
    if (orders >= 0 && first < in.n) {
        /* the second part gets the first line again, as its header */
        const uint8_t *nl = memchr(in.p, '\n', first);
        size_t hl = nl && !(opt & 0x10) ? (size_t)(nl - in.p) + 1 : 0;
        unsigned char *part = malloc(hl + in.n - first + 1);
        FUZZ_CHECK(part != NULL, "out of memory");
        memcpy(part, in.p, hl);
        memcpy(part + hl, in.p + first, in.n - first);
        long long more = import_part(part, hl + in.n - first, store_fd, 1, opt, opt2, orders);
        if (more >= 0)
            orders = more;
        free(part);
    }
    if (orders >= 0)
        check_store(store_fd, orders);
    close(store_fd);
    return 0;
}
