/* testutil: what every cmocka test binary shares — includes in cmocka's required order
 * and a helper to find ../shared/data for real-data tests (skipped when absent). */
#ifndef CRM_TESTUTIL_H
#define CRM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Path of a file in ../shared/data (relative to the repository root, where tests run),
 * or NULL when it is not there; CRM_SHARED_DATA overrides the folder. */
static inline const char *shared_data(const char *name, char *buf, size_t size)
{
    const char *dir = getenv("CRM_SHARED_DATA");
    if (!dir)
        dir = "../shared/data";
    snprintf(buf, size, "%s/%s", dir, name);
    return access(buf, R_OK) == 0 ? buf : NULL;
}

/* Skip the current test with a message when a shared data file is missing. */
#define REQUIRE_SHARED(name, buf)                                                          \
    do {                                                                                   \
        if (!shared_data((name), (buf), sizeof(buf))) {                                    \
            print_message("skipped: %s not found (../shared/data absent)\n", (name));     \
            skip();                                                                        \
        }                                                                                  \
    } while (0)

#endif
