/* private to lib/store/: included only by the modules of this folder (and their tests). */
/* colcodec: how one store column becomes bytes and back (docs/FORMAT.md, "Columns").
 * Internal to the store: fixed-width integers as byte planes, order ids either as a
 * common prefix plus integers or as length-prefixed text, and raw deflate through
 * reusable zlib streams (the store's block CRC32 protects the bytes, so zlib's own adler32
 * would be wasted work). Every decoder checks sizes and never trusts a length. */
#ifndef CRM_COLCODEC_H
#define CRM_COLCODEC_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "base/buf.h"

#define CRM_ENC_WIDTH 0x0fu     /* bytes per value of a fixed-width column; 0 = constant */
#define CRM_ENC_SHUFFLE 0x10u   /* fixed-width values stored as byte planes */
#define CRM_ENC_DEFLATE 0x20u   /* stored bytes are raw deflate */
#define CRM_ENC_VARLEN 0x40u    /* strings: LEB128 lengths, then the bytes */
#define CRM_ENC_NUMID 0x80u     /* ids: prefix + zero-padded or plain decimal integers */

struct crm_zctx {
    z_stream d, i;
    int d_ok, i_ok;
    int d_strategy;            /* the deflate stream's zlib strategy */
    int d_level;               /* and its level (0 until the stream exists) */
    int raw;                   /* set by the owner: crm_col_deflate declines, columns stay raw */
};

void crm_zctx_free(struct crm_zctx *z);
/* Raw deflate (level 1) of in[0..n) into out (replacing its content); -1 on failure or
 * when z->raw is set (the caller then stores the bytes as they are). */
int crm_col_deflate(struct crm_zctx *z, const unsigned char *in, size_t n, struct crm_buf *out);
/* The same at level 5 with Z_FILTERED (matches only where they beat Huffman codes of the
 * bytes): line items' planes of small, skewed values deflate 8 % smaller than at level 1,
 * at about half the writer's time of level 9 for the same bytes (UCI Online Retail:
 * 1,040 KB vs 1,041 KB at level 9; import of 1 M generated orders 1.2 s vs 6.9 s CPU). */
int crm_col_deflate_dense(struct crm_zctx *z, const unsigned char *in, size_t n,
                         struct crm_buf *out);
/* Inflate exactly outn bytes; -1 when the data is damaged or has another size. */
int crm_col_inflate(struct crm_zctx *z, const unsigned char *in, size_t n, unsigned char *out,
                    size_t outn);

/* Smallest whole number of bytes that holds range. */
int crm_col_width(uint64_t range);
/* Append n values as w-byte planes of (v - lo). */
void crm_col_planes_put(struct crm_buf *raw, const int64_t *v, size_t n, int64_t lo, int w);
/* Decode n values of width w (shuffled or not) plus base. */
void crm_col_planes_get(const unsigned char *raw, size_t n, int w, int shuffled, int64_t base,
                        int64_t *out);

/* Per-plane form of a fixed-width column: each byte plane is deflated on its own when
 * that pays (an entropy estimate skips the attempt for near-random planes, typically the
 * low bytes of ids, times and amounts, which are stored as they are and decode at memcpy
 * speed), with zlib's run-length strategy when most sampled bytes repeat the one before
 * and with Huffman codes only otherwise. Stored bytes: for each plane, u32 stored length and the plane (raw or raw
 * deflate). *mask gets bit j set when plane j is deflated. Appends to out; scratch and
 * packed are work buffers kept by the caller (reused, so no page is zeroed twice). */
void crm_col_planes_pack(struct crm_zctx *z, const int64_t *v, size_t n, int64_t lo, int w,
                         struct crm_buf *scratch, struct crm_buf *packed, struct crm_buf *out,
                         unsigned *mask);
/* Inverse of crm_col_planes_pack; -1 when the bytes do not fit n values of width w (<= 8).
 * plane: room for w * n bytes (each deflated plane is inflated into its own n). */
int crm_col_planes_unpack(struct crm_zctx *z, const unsigned char *stored, size_t len,
                          size_t n, int w, unsigned mask, int64_t base, unsigned char *plane,
                          int64_t *out);

/* Encode n ids (text + offsets off[0..n]) into raw; returns the encoding bits and sets
 * *base (the integer base for CRM_ENC_NUMID). scratch holds n int64. numbers and digits
 * (both may be NULL) are the ids' crm_numid_split where the caller has it: an id whose
 * digits entry is 0 is split here. */
unsigned crm_col_ids_encode(const char *text, const uint32_t *off, size_t n,
                            const int64_t *numbers, const uint8_t *digits, int64_t *scratch,
                            struct crm_buf *raw, int64_t *base);
/* Decode ids into text (NUL-terminated at the end) and off[0..n]; -1 when damaged. */
int crm_col_ids_decode(unsigned enc, const unsigned char *raw, size_t raw_len, size_t n,
                       int64_t base, int64_t *scratch, struct crm_buf *text, uint32_t *off);

#endif
