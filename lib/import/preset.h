/* private to lib/import/: included only by the modules of this folder (and their tests). */
/* preset: what import knows about real exports — each preset's column names, status texts,
 * rules and the header signature that recognises it without --preset; the generic header
 * names of every field in English and Chinese; the built-in status texts; and how header
 * names compare (normalised). To teach import a column name, add it to a '|' list in
 * preset.c; to teach it an export, add a row to its table. Invariant: tables only, never
 * written after start-up (the reader threads read them). */
#ifndef CRM_PRESET_H
#define CRM_PRESET_H

#include <stddef.h>

#include "import/import.h"

/* What a preset changes beyond column names: UCI's C/A invoices and missing customers,
 * CDNOW's fixed columns, e-mail customers compared without case, orders with neither
 * e-mail nor phone skipped as guests, and the order total repeated on each line (JD). */
enum preset_rules { P_NONE = 0, P_UCI = 1, P_CDNOW = 2, P_EMAIL = 4, P_GUEST = 8, P_ONCE = 16 };

struct crm_preset {
    const char *name;
    unsigned rules;
    const char *columns[CRM_F_COUNT];  /* '|'-separated header names, in priority order */
    const char *date_format;           /* tried when auto-detection fails */
    const char *statuses;              /* extra "status=text,text;status=..." */
    const char *signature;             /* '|'-separated header names that all together
                                          say "this export" (preset taken without --preset) */
};

/* The preset of that name, or NULL. */
const struct crm_preset *crm_preset_find(const char *name);

/* Preset i of the table; NULL past the last. */
const struct crm_preset *crm_preset_at(size_t i);

/* Generic header names by field, '|'-separated in priority order, compared normalised;
 * NULL: the field is taken from a preset or --map only. */
extern const char *const crm_preset_generic[CRM_F_COUNT];

/* The built-in status texts: "paid=text,text;cancelled=...;..." */
extern const char crm_preset_statuses[];

/* A header name normalised for comparison: ASCII lower case, without spaces, tabs, '_',
 * '-' or '.'; out gets at most cap - 1 bytes and a NUL. Returns the length. */
size_t crm_preset_normalise(const char *s, size_t len, char *out, size_t cap);

#endif
