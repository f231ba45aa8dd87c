/* importstream: one input file, header to last row — columns mapped, rows prepared by the
 * reader threads in batches, then placed one by one in input order by the main thread.
 * Invariant: every data row read is counted in st.rows and handed to do_row once (a
 * repeated header line is counted apart). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/idset.h"
#include "import/importint.h"

/* Prefetch a row's customer entry, order-id word and window bucket; the customer id's
 * number in its dictionary's form + 1 (0: none, or unknown), for crm_dict_intern_keynum. */
static uint64_t prefetch_keys(const struct crm_import *imp, const struct keys *k)
{
    uint64_t num1 = 0;
    if (!k->usable)
        return 0;
    if (k->cust_len) {
        struct crm_dict_key key = {k->cust, k->cust_len, k->cust_h, k->cust_num};
        num1 = crm_dict_prefetch_num(imp->dict[k->part], &key);
    }
    if (k->id_h) {
        crm_idset_prefetch(imp->seen, k->id_h, &k->id_num);
        if (imp->wmap_hot)              /* else most likely never read (wmap_find) */
            __builtin_prefetch(&imp->wmap[wbucket_of(k->id_h)]);
    }
    return num1;
}
/* Customer ids left unhashed by the readers that the dictionaries hashed after all: the
 * first ids of each page the direct map makes (a few thousand, each hashed twice) — many
 * more say the map does not take these ids (closed, or ids of another form), and then the
 * reader threads hash every id from now on instead of the main thread. */
static void watch_lazy_hashes(struct crm_import *imp)
{
    uint64_t lazy = 0;
    for (size_t i = 0; i < imp->nw; i++)
        lazy += crm_dict_lazy_hashes(imp->dict[i]);
    if (lazy > imp->st.rows / 4 + 65536)
        __atomic_store_n(&imp->cust_hash_all, 1, __ATOMIC_RELAXED);
}
void free_stream_header(struct crm_import *imp)
{
    for (size_t i = 0; i < imp->stream_nh; i++)
        free(imp->stream_hdr[i]);
    free(imp->stream_hdr);
    free(imp->stream_hlen);
    imp->stream_hdr = NULL;
    imp->stream_hlen = NULL;
    imp->stream_nh = 0;
}

/* The file's first record read: the columns mapped from it (a header) or for it (the first
 * row, --no-header); *is_header says which. */
static enum crm_err begin_file(struct crm_import *imp, struct crm_csvin *in,
                               struct crm_record *rec, struct colmap *m, int *is_header,
                               struct crm_errinfo *e)
{
    snprintf(imp->last_encoding, sizeof imp->last_encoding, "%s", crm_csvin_encoding(in));
    imp->last_delim = crm_csvin_delimiter(in);
    enum crm_err rc = crm_csvin_next(in, rec, e);
    if (rc != CRM_OK)
        return rc;
    if (rec->nfields == 0) {
        /* Not even a header: an export that failed, or `crm-import x | crm-rfm` where the
         * import failed before writing, which must not become an empty report and exit 0. */
        crm_errinfo_where(e, crm_csvin_name(in), -1, -1, -1);
        return crm_errinfo_set(e, CRM_EDATA, "empty input: no header line and no rows (from "
                               "a pipe: did the command before it fail?)");
    }
    if ((rc = first_record(imp, rec, is_header, e)) != CRM_OK)
        return rc;
    rc = map_columns(imp, in, rec, *is_header, m, e);
    if (rc == CRM_OK)
        rc = start_items(imp, m, crm_csvin_name(in), e);
    return rc;
}

/* Keep the header (nh fields; 0: none) to recognise it when repeated inside concatenated
 * exports: the reader threads compare each row with it (prep_rows) until the input closes. */
static enum crm_err keep_header(struct crm_import *imp, const struct crm_record *rec,
                                size_t nh, struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    char **hdr = calloc(nh + 1, sizeof *hdr);
    size_t *hlen = calloc(nh + 1, sizeof *hlen);
    if (!hdr || !hlen) {
        free(hdr);
        free(hlen);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nh && rc == CRM_OK; i++) {
        hlen[i] = rec->len[i];
        if (!(hdr[i] = malloc(rec->len[i] + 1)))
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        else
            memcpy(hdr[i], rec->field[i], rec->len[i] + 1);
    }
    free_stream_header(imp);            /* the last file's input is closed by now */
    imp->stream_hdr = hdr;
    imp->stream_hlen = hlen;
    imp->stream_nh = nh;
    return rc;
}

/* A batch of n records, prepared by the reader threads (prep: their struct prow each) or,
 * when read before the hook was set, here; placed one by one in input order. */
static enum crm_err place_batch(struct crm_import *imp, struct rowctx *r,
                                const struct colmap *m, const struct crm_record *recs,
                                size_t n, const void *prep, struct crm_errinfo *e)
{
    enum { ahead = 8 };               /* prefetch distance in rows */
    enum crm_err rc = CRM_OK;
    if (!prep) {
        if (crm_buf_reserve(&imp->keybuf, n * sizeof(struct prow)) != 0)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        prep_rows(imp, recs, n, imp->keybuf.data);
        prep = imp->keybuf.data;
    }
    const struct prow *p = prep;
    uint64_t finds = imp->wmap_finds;
    uint64_t num1[ahead];             /* prefetch_keys' numbers, row i at [i % ahead] */
    for (size_t i = 0; i < n && i < ahead; i++)
        num1[i] = prefetch_keys(imp, &p[i].r.k);
    for (size_t i = 0; i < n && rc == CRM_OK; i++) {
        imp->cust_num1 = num1[i % ahead];
        if (i + ahead < n)
            num1[i % ahead] = prefetch_keys(imp, &p[i + ahead].r.k);
        r->rec = &recs[i];
        if (p[i].header) {
            imp->st.repeated_headers++;
            continue;
        }
        if ((++imp->st.rows & 0x3fff) == 0 && imp->o.progress)
            imp->o.progress(imp->o.progress_ctx, crm_csvin_bytes(r->in));
        rc = do_row(r, m, &p[i], e);
    }
    imp->cust_num1 = 0;               /* no row of this batch's after it */
    imp->wmap_hot = imp->wmap_finds != finds;
    if (!imp->cust_hash_all)
        watch_lazy_hashes(imp);
    if (rc == CRM_OK && imp->rejects && crm_out_failed(imp->rejects))
        rc = crm_errinfo_set(e, CRM_EIO, "cannot write the rejects file");
    return rc;
}

static enum crm_err import_stream(struct crm_import *imp, struct crm_csvin *in,
                                  struct crm_errinfo *e)
{
    struct crm_record rec;
    struct colmap m;
    int is_header;
    enum crm_err rc = begin_file(imp, in, &rec, &m, &is_header, e);
    if (rc != CRM_OK)
        return rc;
    imp->stream_map = m;
    if ((rc = keep_header(imp, &rec, is_header ? rec.nfields : 0, e)) != CRM_OK)
        return rc;
    struct rowctx r = {imp, in, &rec, 0, &imp->last_status};
    crm_csvin_set_prep(in, prep_rows, imp, sizeof(struct prow));
    const struct crm_record *recs = &rec;
    size_t n = is_header ? 0 : 1;     /* without a header the first record is data */
    while (rc == CRM_OK) {
        const void *prep = NULL;
        if (n == 0 && ((rc = crm_csvin_next_batch_prep(in, &recs, &n, &prep, e)) != CRM_OK ||
                       n == 0))
            break;
        rc = place_batch(imp, &r, &m, recs, n, prep, e);
        n = 0;
    }
    crm_csvin_set_prep(in, NULL, NULL, 0);
    return rc;
}

enum crm_err crm_import_fd(struct crm_import *imp, int fd, const char *name, const void *head,
                           size_t head_len, struct crm_errinfo *e)
{
    struct crm_csvin *in;
    struct crm_csvin_opts co = imp->o.csv;
    enum crm_err rc = crm_csvin_open_fd(fd, name, head, head_len, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    rc = import_stream(imp, in, e);
    crm_csvin_close(in);
    return rc;
}

enum crm_err crm_import_file(struct crm_import *imp, const char *path, struct crm_errinfo *e)
{
    struct crm_csvin *in;
    struct crm_csvin_opts co = imp->o.csv;
    enum crm_err rc = crm_csvin_open(path, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    rc = import_stream(imp, in, e);
    crm_csvin_close(in);
    return rc;
}
