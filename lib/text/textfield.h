/* internal to lib/: the tools in cmd/ do not include it. */
/* textfield: what every field parser strips first — surrounding spaces (space, tab, CR,
 * LF) and the text-forcing decorations spreadsheets and shop exports add to keep a value
 * as text: the `="…"` wrapper, or one leading '=' or '\''. Shared by the money, time and
 * id parsers so that all of them read the same field the same way. */
#ifndef CRM_TEXTFIELD_H
#define CRM_TEXTFIELD_H

#include <stddef.h>

static inline int crm_text_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Narrow (*s, *len) past leading and trailing spaces and tabs only (a header cell or a
 * rules-file field, where CR and LF never stand). */
static inline void crm_text_trim_blanks(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Narrow [*ps, *pe) to the value inside the decorations. */
static inline void crm_text_unwrap(const char **ps, const char **pe)
{
    const char *p = *ps, *e = *pe;
    if (p == e || (!crm_text_space(*p) && *p != '=' && *p != '\'' && !crm_text_space(e[-1])))
        return;                      /* the common case: nothing to strip */
    while (p < e && crm_text_space(*p))
        p++;
    while (e > p && crm_text_space(e[-1]))
        e--;
    if (p < e && (*p == '=' || *p == '\'')) {
        if (e - p >= 3 && p[0] == '=' && p[1] == '"' && e[-1] == '"') {
            p++;
            e--;
        }
        p++;
        while (p < e && crm_text_space(*p))
            p++;
        while (e > p && crm_text_space(e[-1]))
            e--;
    }
    *ps = p;
    *pe = e;
}

#endif
