/* private to lib/store/: included only by the modules of this folder (and their tests). */
/* storefmt: the store's on-disk constants and checksums, shared by the writer (store.c) and
 * the reader (storeread.c); docs/FORMAT.md describes the same bytes in prose. Internal to
 * lib: tools use store.h. */
#ifndef CRM_STOREFMT_H
#define CRM_STOREFMT_H

#include <stdint.h>
#include <zlib.h>

#include "base/buf.h"
#include "store/colcodec.h"
#include "store/store.h"

#define HDR_FIXED 40          /* bytes before the metadata */
#define HDR_COMMIT_OFF 20     /* commit crc (4), committed length (8), commit sequence (8) */
#define BLOCK_HDR 16
#define MAX_PAYLOAD (512u << 20)
#define MAX_META 4096
#define END_PAYLOAD 56
#define ORDS_FIXED 24         /* u32 rows, u32 columns, i64 min time, i64 max time */

#define TYPE(a, b, c, d)                                                                   \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define T_DICT TYPE('D', 'I', 'C', 'T')
#define T_ORDS TYPE('O', 'R', 'D', 'S')
#define T_CUST TYPE('C', 'U', 'S', 'T')
#define T_END TYPE('E', 'N', 'D', '.')

enum col_id {
    COL_CUSTOMER = 1, COL_TIME, COL_AMOUNT, COL_QUANTITY, COL_STATUS, COL_ORDER_ID,
    COL_CURRENCY, COL_ID_SUMMARY,   /* 8: the chunk's order-id summary (storeidx.h), first */
    COL_C_CUSTOMER = 16, COL_C_SIGNUP, COL_C_BIRTH, COL_C_BIRTH_YEAR_KNOWN, COL_C_BLOCKED,
    COL_D_IDS = 32,
};

#define ENC_WIDTH CRM_ENC_WIDTH
#define ENC_SHUFFLE CRM_ENC_SHUFFLE
#define ENC_DEFLATE CRM_ENC_DEFLATE
#define ENC_VARLEN CRM_ENC_VARLEN
#define ENC_NUMID CRM_ENC_NUMID
#define COLDESC 20          /* u8 id, u8 enc, u16 planes, u32 raw_len, u32 stored_len, i64 base */
#define PLANES 0x8000u      /* in the descriptor's u16: planes stored one by one; low 8 bits
                               say which planes are deflated */

static inline uint32_t crc_of(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, b, k);
        b += k;
        n -= k;
    }
    return crc;
}

/* A column descriptor (COLDESC bytes) of a column without planes stored one by one. */
static inline void coldesc_put(struct crm_buf *b, unsigned id, unsigned enc, size_t raw_len,
                               size_t stored_len, int64_t base)
{
    crm_buf_u8(b, id);
    crm_buf_u8(b, enc);
    crm_buf_le(b, 0, 2);
    crm_buf_le(b, raw_len, 4);
    crm_buf_le(b, stored_len, 4);
    crm_buf_le(b, (uint64_t)base, 8);
}

static inline uint32_t commit_crc(uint64_t length, uint64_t seq)
{
    unsigned char tmp[16];
    crm_le_put(tmp, length, 8);
    crm_le_put(tmp + 8, seq, 8);
    return crc_of(0, tmp, 16);
}

/* Where a reader's blocks start, its committed length (0: a stream) and commit sequence. */
void crm_store_layout(const struct crm_store *s, uint64_t *first_block, uint64_t *committed,
                      uint64_t *commits);

#endif
