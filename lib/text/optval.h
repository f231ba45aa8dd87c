/* optval: the values of command-line options — a number in a range, a whole number in a
 * range, a number of days (90, 90d, 13w, or all) — read and refused with one wording,
 * CRM_EUSAGE "OPTION TEXT: expected ...", for the tools (cmd/cli.c) and for the lib modules
 * that set options by name alike. Invariant: a value is accepted only when the whole text
 * is the number (no sign games past strtod/strtol, no trailing text) and it is in range. */
#ifndef CRM_OPTVAL_H
#define CRM_OPTVAL_H

#include <stdint.h>

#include "base/err.h"

/* opt: the option as the user writes it ("--min-support"). */
enum crm_err crm_optval_number(const char *opt, const char *text, double lo, double hi,
                               double *out, struct crm_errinfo *e);
enum crm_err crm_optval_integer(const char *opt, const char *text, long lo, long hi,
                                long *out, struct crm_errinfo *e);

/* Days: N, Nd or Nw (weeks), 0..1000000 days before the unit (1.. with allow_all); with
 * allow_all, "all" is 0. */
enum crm_err crm_optval_days(const char *opt, const char *text, int allow_all, int32_t *out,
                             struct crm_errinfo *e);

#endif
