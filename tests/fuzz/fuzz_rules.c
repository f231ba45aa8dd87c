/* fuzz_rules: any bytes as a crm-segment --rules file (lib/customer/segment.c). Checks: a file is
 * either loaded or refused as a usage error naming the file (and a line); a loaded table
 * has at least one rule, each with a name of valid UTF-8 without NUL and ranges
 * 1 <= min <= max <= 5; and crm_segment_rules_match gives, for every (r, f, m), the first
 * rule that holds it, computed here independently. No option byte. */
#include "fuzzutil.h"

#include "customer/segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = fuzz_memfd(data, size);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct crm_segment_rules *rules;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_segment_rules_load(path, &rules, &e);
    if (rc != CRM_OK) {
        FUZZ_CHECK(rc == CRM_EUSAGE || rc == CRM_EDATA, "error %d: %s", rc, e.msg);
        FUZZ_CHECK(e.code == rc && e.msg[0] && strcmp(e.file, path) == 0,
                   "error without a message naming the file: \"%s\" \"%s\"", e.file, e.msg);
        FUZZ_CHECK(rc != CRM_EUSAGE || e.line >= 1, "usage error without a line: %s", e.msg);
        close(fd);
        return 0;
    }
    FUZZ_CHECK(rules->n >= 1, "a table without rules");
    for (size_t i = 0; i < rules->n; i++) {
        const struct crm_segment_rule *r = &rules->rule[i];
        size_t len = strlen(r->name);
        FUZZ_CHECK(len > 0 && fuzz_utf8_ok((const unsigned char *)r->name, len), "rule %zu name",
                   i);
        FUZZ_CHECK(strcmp(crm_segment_rules_name(rules, i), r->name) == 0, "name of rule %zu", i);
        for (int d = 0; d < 3; d++)
            FUZZ_CHECK(r->lo[d] >= 1 && r->lo[d] <= r->hi[d] && r->hi[d] <= 5,
                       "rule %zu: %d..%d", i, r->lo[d], r->hi[d]);
    }
    for (int r = 1; r <= 5; r++)
        for (int f = 1; f <= 5; f++)
            for (int m = 1; m <= 5; m++) {
                size_t want = rules->n;
                for (size_t i = 0; i < rules->n && want == rules->n; i++) {
                    const struct crm_segment_rule *x = &rules->rule[i];
                    if (x->lo[0] <= r && r <= x->hi[0] && x->lo[1] <= f && f <= x->hi[1] &&
                        x->lo[2] <= m && m <= x->hi[2])
                        want = i;
                }
                FUZZ_CHECK(crm_segment_rules_match(rules, r, f, m) == want,
                           "(%d,%d,%d) matched rule %zu, want %zu", r, f, m,
                           crm_segment_rules_match(rules, r, f, m), want);
            }
    FUZZ_CHECK(strcmp(crm_segment_rules_name(rules, rules->n), "Others") == 0, "Others");
    crm_segment_rules_free(rules);
    close(fd);
    return 0;
}
