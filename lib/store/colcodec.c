/* colcodec: column encodings of the store (see colcodec.h). */
#include "store/colcodec.h"

#include <math.h>
#include <string.h>

#include "base/simd.h"
#include "text/numid.h"

void crm_zctx_free(struct crm_zctx *z)
{
    if (z->d_ok)
        deflateEnd(&z->d);
    if (z->i_ok)
        inflateEnd(&z->i);
    z->d_ok = z->i_ok = 0;
}

/* Raw deflate of in[0..n) at the given level and zlib strategy (the stream is reset and
 * reused; deflateParams on a reset stream only records the level and strategy). */
static int deflate_at(struct crm_zctx *z, const unsigned char *in, size_t n,
                      struct crm_buf *out, int level, int strategy)
{
    if (z->raw)
        return -1;
    if (!z->d_ok) {
        memset(&z->d, 0, sizeof z->d);
        if (deflateInit2(&z->d, level, Z_DEFLATED, -15, 8, strategy) != Z_OK)
            return -1;
        z->d_ok = 1;
        z->d_strategy = strategy;
        z->d_level = level;
    } else if (deflateReset(&z->d) != Z_OK) {
        return -1;
    }
    if (strategy != z->d_strategy || level != z->d_level) {
        if (deflateParams(&z->d, level, strategy) != Z_OK)
            return -1;
        z->d_strategy = strategy;
        z->d_level = level;
    }
    size_t bound = (size_t)deflateBound(&z->d, (uLong)n);
    out->len = 0;
    if (crm_buf_reserve(out, bound) != 0)
        return -1;
    z->d.next_in = (unsigned char *)(uintptr_t)in;
    z->d.avail_in = (uInt)n;
    z->d.next_out = out->data;
    z->d.avail_out = (uInt)bound;
    if (deflate(&z->d, Z_FINISH) != Z_STREAM_END)
        return -1;
    out->len = z->d.total_out;
    return 0;
}

static int deflate_with(struct crm_zctx *z, const unsigned char *in, size_t n,
                        struct crm_buf *out, int strategy)
{
    return deflate_at(z, in, n, out, 1, strategy);
}

int crm_col_deflate(struct crm_zctx *z, const unsigned char *in, size_t n, struct crm_buf *out)
{
    return deflate_with(z, in, n, out, Z_DEFAULT_STRATEGY);
}

int crm_col_deflate_dense(struct crm_zctx *z, const unsigned char *in, size_t n,
                         struct crm_buf *out)
{
    return deflate_at(z, in, n, out, 5, Z_FILTERED);
}

int crm_col_inflate(struct crm_zctx *z, const unsigned char *in, size_t n, unsigned char *out,
                    size_t outn)
{
    if (!z->i_ok) {
        memset(&z->i, 0, sizeof z->i);
        if (inflateInit2(&z->i, -15) != Z_OK)
            return -1;
        z->i_ok = 1;
    } else if (inflateReset(&z->i) != Z_OK) {
        return -1;
    }
    unsigned char spare;
    z->i.next_in = (unsigned char *)(uintptr_t)in;
    z->i.avail_in = (uInt)n;
    z->i.next_out = outn ? out : &spare;
    z->i.avail_out = (uInt)outn;
    int rc = inflate(&z->i, Z_FINISH);
    /* Exactly outn bytes, and the stream ends there with all input consumed. */
    return rc == Z_STREAM_END && z->i.total_out == outn && z->i.avail_in == 0 ? 0 : -1;
}

int crm_col_width(uint64_t range)
{
    int w = 0;
    while (w < 8 && (range >> (8 * w)) != 0)
        w++;
    return w;
}

void crm_col_planes_put(struct crm_buf *raw, const int64_t *v, size_t n, int64_t lo, int w)
{
    if (crm_buf_reserve(raw, n * (size_t)w + 1) != 0)
        return;
    unsigned char *base = raw->data + raw->len;
    for (int j = 0; j < w; j++) {
        unsigned char *plane = base + (size_t)j * n;
        int shift = 8 * j;
        for (size_t i = 0; i < n; i++)
            plane[i] = (unsigned char)(((uint64_t)v[i] - (uint64_t)lo) >> shift);
    }
    raw->len += n * (size_t)w;
}

void crm_col_planes_get(const unsigned char *raw, size_t n, int w, int shuffled, int64_t base,
                        int64_t *out)
{
    uint64_t b = (uint64_t)base;
    if (w == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = base;
        return;
    }
    if (!shuffled && w > 1) {
        for (size_t i = 0; i < n; i++) {
            uint64_t v = 0;
            for (int k = 0; k < w; k++)
                v |= (uint64_t)raw[i * (size_t)w + (size_t)k] << (8 * k);
            out[i] = (int64_t)(b + v);
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (int64_t)(b + raw[i]);
    for (int j = 1; j < w; j++) {
        const unsigned char *plane = raw + (size_t)j * n;
        int shift = 8 * j;
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)((uint64_t)out[i] + ((uint64_t)plane[i] << shift));
    }
}

/* What a byte plane looks like, from a sample of at most 4096 of its bytes: the Shannon
 * entropy in bits per byte, and the share of sampled bytes equal to the byte before them. */
static void plane_stats(const unsigned char *p, size_t n, double *entropy, double *repeats)
{
    unsigned count[256] = {0};
    size_t step = n > 4096 ? n / 4096 : 1, m = 0, same = 0;
    for (size_t i = 1; i < n; i += step, m++) {
        count[p[i]]++;
        same += p[i] == p[i - 1];
    }
    double h = 0;
    for (int b = 0; b < 256; b++) {
        if (!count[b])
            continue;
        double q = (double)count[b] / (double)m;
        h -= q * log2(q);
    }
    *entropy = h;
    *repeats = m ? (double)same / (double)m : 0;
}

void crm_col_planes_pack(struct crm_zctx *z, const int64_t *v, size_t n, int64_t lo, int w,
                         struct crm_buf *scratch, struct crm_buf *packed, struct crm_buf *out,
                         unsigned *mask)
{
    *mask = 0;
    scratch->len = 0;
    crm_col_planes_put(scratch, v, n, lo, w);
    if (scratch->oom)
        return;
    for (int j = 0; j < w; j++) {
        const unsigned char *plane = scratch->data + (size_t)j * n;
        /* Random bytes do not deflate; a plane under ~7 bits/byte usually does. A plane is
         * one byte of each value, so what deflate finds there is runs of a byte (high bytes
         * of sorted or small values: run-length matches only) or skewed byte frequencies
         * (Huffman codes only): both are found at a fraction of the cost of the general
         * match search, which seldom finds anything longer in a plane. */
        double entropy = 8, repeats = 0;
        if (!z->raw && n >= 256)
            plane_stats(plane, n, &entropy, &repeats);
        int strategy = repeats >= 0.5 ? Z_RLE : Z_HUFFMAN_ONLY;
        if (entropy < 7.0 && deflate_with(z, plane, n, packed, strategy) == 0 &&
            packed->len < n - n / 8) {
            crm_buf_le(out, packed->len, 4);
            crm_buf_put(out, packed->data, packed->len);
            *mask |= 1u << j;
        } else {
            crm_buf_le(out, n, 4);
            crm_buf_put(out, plane, n);
        }
    }
}

/* out[i] = base + the value whose byte k is p[k][i]: all planes in one pass, so each value
 * is written once (a pass per plane read and wrote the 512 KB of values w times). */
CRM_SIMD_CLONES
static void planes_join(const unsigned char *const *p, size_t n, int w, uint64_t b,
                        int64_t *out)
{
    const unsigned char *p0 = p[0], *p1 = p[w > 1], *p2 = p[w > 2 ? 2 : 0],
                        *p3 = p[w > 3 ? 3 : 0];
    switch (w) {
    case 1:
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)(b + p0[i]);
        return;
    case 2:
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)(b + (p0[i] | (uint64_t)p1[i] << 8));
        return;
    case 3:
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)(b + (p0[i] | (uint64_t)p1[i] << 8 | (uint64_t)p2[i] << 16));
        return;
    case 4:
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)(b + (p0[i] | (uint64_t)p1[i] << 8 | (uint64_t)p2[i] << 16 |
                                    (uint64_t)p3[i] << 24));
        return;
    default:
        for (size_t i = 0; i < n; i++) {
            uint64_t v = 0;
            for (int j = 0; j < w; j++)
                v |= (uint64_t)p[j][i] << (8 * j);
            out[i] = (int64_t)(b + v);
        }
    }
}

int crm_col_planes_unpack(struct crm_zctx *z, const unsigned char *stored, size_t len,
                          size_t n, int w, unsigned mask, int64_t base, unsigned char *plane,
                          int64_t *out)
{
    size_t at = 0;
    if (w == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = base;
        return len == 0 ? 0 : -1;
    }
    if (w > 8)
        return -1;
    const unsigned char *p[8];
    for (int j = 0; j < w; j++) {
        if (len - at < 4)
            return -1;
        size_t plen = (size_t)crm_le_get(stored + at, 4);
        at += 4;
        if (plen > len - at)
            return -1;
        p[j] = stored + at;
        if (mask & (1u << j)) {
            unsigned char *into = plane + (size_t)j * n;
            if (crm_col_inflate(z, p[j], plen, into, n) != 0)
                return -1;
            p[j] = into;
        } else if (plen != n) {
            return -1;
        }
        at += plen;
    }
    if (at != len)
        return -1;
    planes_join(p, n, w, (uint64_t)base, out);
    return 0;
}

/* ---- order ids ---- */

/* a == b for n bytes: a loop for the usual prefix of a few bytes, memcmp past that */
static int same_prefix(const char *a, const char *b, size_t n)
{
    if (n > 8)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

unsigned crm_col_ids_encode(const char *text, const uint32_t *off, size_t n,
                            const int64_t *numbers, const uint8_t *digits, int64_t *scratch,
                            struct crm_buf *raw, int64_t *base)
{
    raw->len = 0;
    *base = 0;
    /* Numeric form: one prefix for all, 1..18 digits, either all of one width (zero-
     * padded) or all without leading zeros. */
    int numeric = n > 0;
    size_t plen = 0, width = 0;
    int same_width = 1, no_lead = 1;
    for (size_t i = 0; i < n && numeric; i++) {
        const char *s = text + off[i];
        size_t len = off[i + 1] - off[i];
        struct crm_numid num = digits && digits[i] ? (struct crm_numid){numbers[i], digits[i]}
                                                   : crm_numid_split(s, len);
        size_t d = num.digits;
        if (d == 0 || len - d > 255) {
            numeric = 0;
            break;
        }
        if (i == 0) {
            plen = len - d;
            width = d;
        } else if (len - d != plen || !same_prefix(s, text + off[0], plen)) {
            numeric = 0;
            break;
        }
        same_width &= d == width;
        no_lead &= s[plen] != '0' || d == 1;
        scratch[i] = num.number;
    }
    if (numeric && (same_width || no_lead)) {
        int64_t lo = scratch[0], hi = lo;
        for (size_t i = 1; i < n; i++) {
            lo = scratch[i] < lo ? scratch[i] : lo;
            hi = scratch[i] > hi ? scratch[i] : hi;
        }
        int w = crm_col_width((uint64_t)hi - (uint64_t)lo);
        crm_buf_u8(raw, (unsigned)plen);
        crm_buf_put(raw, text + off[0], plen);
        crm_buf_u8(raw, same_width ? (unsigned)width : 0u);
        crm_col_planes_put(raw, scratch, n, lo, w);
        *base = lo;
        return CRM_ENC_NUMID | (unsigned)w | (w > 1 ? CRM_ENC_SHUFFLE : 0u);
    }
    for (size_t i = 0; i < n; i++)
        crm_buf_varint(raw, off[i + 1] - off[i]);
    crm_buf_put(raw, text + off[0], off[n] - off[0]);
    return CRM_ENC_VARLEN;
}

int crm_col_ids_decode(unsigned enc, const unsigned char *raw, size_t raw_len, size_t n,
                       int64_t base, int64_t *scratch, struct crm_buf *text, uint32_t *off)
{
    text->len = 0;
    off[0] = 0;
    if (enc & CRM_ENC_VARLEN) {
        size_t at = 0;
        uint64_t total = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t len;
            if (crm_varint_get(raw, raw_len, &at, &len) != 0 || len > raw_len)
                return -1;
            total += len;
            if (total > raw_len)
                return -1;
            off[i + 1] = (uint32_t)total;
        }
        if (raw_len - at != total)
            return -1;
        crm_buf_put(text, raw + at, (size_t)total);
    } else if (enc & CRM_ENC_NUMID) {
        int w = (int)(enc & CRM_ENC_WIDTH);
        if (raw_len < 2 || (size_t)raw[0] + 2 > raw_len)
            return -1;
        size_t plen = raw[0], digits = raw[1 + plen];
        const unsigned char *prefix = raw + 1;
        size_t at = 2 + plen;
        if (w > 8 || digits > 18 || raw_len - at != n * (size_t)w ||
            (w == 1 && (enc & CRM_ENC_SHUFFLE)))
            return -1;
        crm_col_planes_get(raw + at, n, w, (enc & CRM_ENC_SHUFFLE) != 0, base, scratch);
        if (crm_buf_reserve(text, n * (plen + 20) + 1) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            int64_t v = scratch[i];
            if (v < 0 || v > 999999999999999999LL)
                return -1;
            memcpy(text->data + text->len, prefix, plen);
            size_t k = crm_numid_format(v, digits, (char *)text->data + text->len + plen);
            if (!k)
                return -1;                 /* more digits than the column's width */
            text->len += plen + k;
            off[i + 1] = (uint32_t)text->len;
        }
    } else {
        return -1;
    }
    crm_buf_u8(text, 0);
    text->len--;
    return text->oom ? -1 : 0;
}
