/* err: the one error type of libcrm. Library functions never print and never exit; they
 * return an enum crm_err (CRM_OK == 0) and describe the failure in a struct crm_errinfo
 * that the command layer prints. */
#ifndef CRM_ERR_H
#define CRM_ERR_H

#include <stdarg.h>

enum crm_err {
    CRM_OK = 0,
    CRM_ENOMEM,     /* out of memory */
    CRM_EIO,        /* read/write/open failure, disk full */
    CRM_EDATA,      /* bad input data (over the tolerated rate, missing field, ...) */
    CRM_ECORRUPT,   /* store checksum/structure failure */
    CRM_EVERSION,   /* store written by an unknown format version */
    CRM_ETRUNC,     /* store or input ends early */
    CRM_EUSAGE,     /* bad option value or malformed option file: exit 2 */
    CRM_ELOCKED,    /* another writer holds the store */
    CRM_EMODEL,     /* model cannot be fitted / did not converge */
    CRM_EPIPE,      /* reader of our output went away: not an error to report */
    CRM_ERR_COUNT
};

/* Where and what. Any of file/line/column/chunk may be unset (empty string / -1). */
struct crm_errinfo {
    enum crm_err code;
    char file[256];
    long long line;     /* 1-based physical line, -1 when unknown */
    int column;         /* 1-based field number, -1 when unknown */
    long long chunk;    /* store chunk number (0-based), -1 when unknown */
    char msg[2048];     /* room for every column name of a wide export: never cut */
};

const char *crm_strerror(enum crm_err code);

/* Reset to "no error, nothing known". */
void crm_errinfo_clear(struct crm_errinfo *e);

/* Fill code and message (printf format); keeps file/line/column/chunk as they are.
 * Returns code so callers can write `return crm_errinfo_set(e, CRM_EIO, ...)`.
 * e may be NULL. */
enum crm_err crm_errinfo_set(struct crm_errinfo *e, enum crm_err code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
enum crm_err crm_errinfo_vset(struct crm_errinfo *e, enum crm_err code, const char *fmt,
                              va_list ap);

/* Set the location fields; -1 / NULL leave a field unknown. */
void crm_errinfo_where(struct crm_errinfo *e, const char *file, long long line, int column,
                       long long chunk);

/* Format "file:line: col N: msg" (whatever is known) into buf. */
void crm_errinfo_format(const struct crm_errinfo *e, char *buf, unsigned long size);

#endif
