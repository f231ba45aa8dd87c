/* libcsv-baseline: the yardstick of SPEC §10 — libcsv parsing a file with empty callbacks,
 * read in 1 MiB blocks. scripts/bench compares crm-import's speed with this program's. */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    (void)data;
}

static void on_record(int c, void *data)
{
    (void)c;
    (void)data;
}

int main(int argc, char **argv)
{
    static char buf[1 << 20];
    struct csv_parser p;
    if (argc != 2) {
        fprintf(stderr, "usage: libcsv-baseline FILE.csv\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0 || csv_init(&p, 0) != 0) {
        perror(argv[1]);
        return 1;
    }
    ssize_t k;
    while ((k = read(fd, buf, sizeof buf)) > 0)
        if (csv_parse(&p, buf, (size_t)k, on_field, on_record, NULL) != (size_t)k)
            return 1;
    csv_fini(&p, on_field, on_record, NULL);
    csv_free(&p);
    close(fd);
    return k < 0;
}
