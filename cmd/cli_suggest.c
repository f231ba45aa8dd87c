/* cli_suggest: a long option getopt would not take (unknown, or a prefix of several) gets
 * "did you mean" with the nearest name of the tool's table, before getopt's own message.
 * Invariant: an exact name or the prefix of exactly one is left to getopt. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "import/import.h"

void cli_suggest_option(const struct cli *c, int argc, char **argv,
                        const struct option *longopts)
{
    const char *names[256];
    size_t n = 0;
    for (const struct option *lo = longopts; lo->name && n < 256; lo++)
        names[n++] = lo->name;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strncmp(argv[i], "--", 2) != 0 || !argv[i][2])
            continue;
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)strcspn(argv[i] + 2, "="), argv[i] + 2);
        size_t matches = 0, exact = 0;
        for (size_t k = 0; k < n; k++) {
            exact += strcmp(names[k], word) == 0;
            matches += strncmp(names[k], word, strlen(word)) == 0;
        }
        const char *near = exact || matches == 1 ? NULL : crm_import_nearest(word, names, n);
        if (near)
            cli_usage_error(c, "unknown option --%s; did you mean --%s?", word, near);
    }
}
