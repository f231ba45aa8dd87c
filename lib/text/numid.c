/* numid: ids as a prefix and a decimal number (see numid.h). Invariant: for a form f and
 * v >= 0, crm_numform_number(f, crm_numform_format(f, v)) == v, and an id of the form is
 * exactly the text crm_numform_format gives for its number. */
#include "text/numid.h"

#include <string.h>

struct crm_numid crm_numid_split(const char *id, size_t len)
{
    return crm_numid_split_inline(id, len);
}

void crm_numform_of(struct crm_numform *f, const char *id, size_t len)
{
    struct crm_numid n = crm_numid_split(id, len);
    memset(f, 0, sizeof *f);
    if (!n.digits || len - n.digits > CRM_NUMID_PREFIX)
        return;
    f->plen = len - n.digits;
    memcpy(f->prefix, id, f->plen);
    f->width = n.digits;
    f->kind = id[f->plen] == '0' && n.digits > 1 ? CRM_NUMFORM_FIXED : CRM_NUMFORM_PLAIN;
}

size_t crm_numid_format(int64_t v, size_t width, char *out)
{
    char tmp[24];
    size_t k = 0, n = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    if (width && k > width)
        return 0;
    for (size_t z = k; z < width; z++)
        out[n++] = '0';
    while (k > 0)
        out[n++] = tmp[--k];
    return n;
}

size_t crm_numform_format(const struct crm_numform *f, int64_t v, char *out)
{
    memcpy(out, f->prefix, f->plen);
    return f->plen + crm_numid_format(v, f->kind == CRM_NUMFORM_FIXED ? f->width : 0,
                                      out + f->plen);
}
