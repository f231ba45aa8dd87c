/* source: the input of an analytic tool. A store is recognised by its magic bytes (never
 * by file name); any other input is imported on the fly exactly as crm-import with no
 * options would (auto-detected headers), into a scratch store that is removed on close. */
#ifndef CRM_SOURCE_H
#define CRM_SOURCE_H

#include "base/err.h"
#include "import/import.h"
#include "store/store.h"

struct crm_source_info {
    int imported;                    /* the input was an order file, not a store */
    struct crm_import_stats import;  /* its import counts */
    char encoding[32];
};

/* path NULL or "-": stdin. */
enum crm_err crm_source_open(const char *path, struct crm_store **out,
                             struct crm_source_info *info, struct crm_errinfo *e);

#endif
