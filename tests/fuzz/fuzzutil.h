/* fuzzutil: what the libFuzzer targets in tests/fuzz share — input bytes as a file
 * descriptor (memfd, so the library's fd paths run), a reader that takes option bytes off
 * the front of an input, and independent checks (UTF-8 validity) written here rather than
 * borrowed from lib, so a target never trusts the code it tests. A failed check aborts:
 * libFuzzer records the input as a crash. */
#ifndef CRM_FUZZUTIL_H
#define CRM_FUZZUTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                              \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "fuzz check failed: %s (%s:%d): ", #cond, __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* Option bytes taken from the front of the input; 0 once the input is used up. */
struct fuzz_in {
    const uint8_t *p;
    size_t n;
};

static inline unsigned fuzz_byte(struct fuzz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

/* A file descriptor holding bytes (an anonymous in-memory file, positioned at 0). */
static inline int fuzz_memfd(const void *data, size_t n)
{
    int fd = memfd_create("fuzz", 0);
    FUZZ_CHECK(fd >= 0, "memfd_create failed");
    const unsigned char *p = data;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        FUZZ_CHECK(k > 0, "write to memfd failed");
        p += k;
        n -= (size_t)k;
    }
    FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek failed");
    return fd;
}

/* The whole content of fd (from offset 0) in a malloc'ed buffer; *n gets its size. */
static inline unsigned char *fuzz_slurp_fd(int fd, size_t *n)
{
    off_t end = lseek(fd, 0, SEEK_END);
    FUZZ_CHECK(end >= 0, "lseek failed");
    unsigned char *b = malloc((size_t)end + 1);
    FUZZ_CHECK(b != NULL, "out of memory");
    FUZZ_CHECK(pread(fd, b, (size_t)end, 0) == (ssize_t)end, "pread failed");
    *n = (size_t)end;
    return b;
}

/* gzip (one member) of the bytes, for targets that feed compressed input. */
static inline unsigned char *fuzz_gzip(const void *data, size_t n, size_t *out_n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    FUZZ_CHECK(deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK, "zlib");
    size_t cap = deflateBound(&z, (uLong)n) + 64;
    unsigned char *out = malloc(cap);
    FUZZ_CHECK(out != NULL, "out of memory");
    z.next_in = (unsigned char *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
    *out_n = z.total_out;
    deflateEnd(&z);
    return out;
}

/* 1 when s[0..n) is valid UTF-8 with no NUL byte (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). */
static inline int fuzz_utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        else
            return 0;
        if (n - i < k)
            return 0;
        for (size_t j = 1; j < k; j++) {
            unsigned b = s[i + j];
            if (b < (j == 1 ? lo : 0x80) || b > (j == 1 ? hi : 0xBF))
                return 0;
        }
        i += k;
    }
    return 1;
}

#endif
