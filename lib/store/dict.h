/* internal to lib/: the tools in cmd/ do not include it. */
/* dict: the customer-id dictionary. Maps id text to a dense index 0..count-1 in order of
 * first appearance; indexes never change once given, so per-customer work elsewhere is
 * plain array indexing. Ids are arbitrary bytes (UTF-8 text in practice) without NUL. */
#ifndef CRM_DICT_H
#define CRM_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "text/numid.h"

struct crm_dict;

struct crm_dict *crm_dict_new(void);
void crm_dict_free(struct crm_dict *d);

/* Index of id, adding it when new (*added = 1). CRM_ENOMEM, or CRM_EDATA past 2^32-2
 * entries. */
enum crm_err crm_dict_intern(struct crm_dict *d, const char *id, size_t len, uint32_t *idx,
                             int *added);

/* 1 and *idx when present, else 0. */
int crm_dict_find(const struct crm_dict *d, const char *id, size_t len, uint32_t *idx);

/* The next index: entries are first .. count - 1 (first is 0 unless set below). */
uint32_t crm_dict_count(const struct crm_dict *d);
/* Number the entries of an empty dictionary from `first` on (an append's batch: entries
 * after the stored ones); no effect once it holds an entry. */
void crm_dict_set_base(struct crm_dict *d, uint32_t first);

/* The id of idx (NUL-terminated; *len without the NUL when len != NULL). The pointer is
 * valid until the next intern. */
const char *crm_dict_id(const struct crm_dict *d, uint32_t idx, size_t *len);

/* Batch lookups: make an id's key once (maybe on another thread: it reads nothing of the
 * dictionary), prefetch where it lives, then find or intern it by the key. */
struct crm_dict_key {
    const char *id;
    size_t len;
    uint64_t hash;             /* crm_dict_hash(id, len), or 0: computed when needed (an id
                                  that the direct map takes by its number needs none) */
    struct crm_numid num;      /* crm_numid_split(id, len) */
};

uint64_t crm_dict_hash(const char *id, size_t len);
void crm_dict_key(struct crm_dict_key *k, const char *id, size_t len);
/* Hashes computed for keys given with hash 0 (none needed when the direct map takes them). */
uint64_t crm_dict_lazy_hashes(const struct crm_dict *d);
int crm_dict_find_key(const struct crm_dict *d, const struct crm_dict_key *k, uint32_t *idx);
enum crm_err crm_dict_intern_key(struct crm_dict *d, const struct crm_dict_key *k,
                                 uint32_t *idx, int *added);
/* The same, in two steps that find k's number in the direct map's form once: the prefetch
 * (of k's entry, some rows ahead) returns it + 1 (0: not of the form, or no form yet), the
 * intern takes it (0: found there again). A nonzero value stays right for this dictionary
 * and key from then on. */
uint64_t crm_dict_prefetch_num(const struct crm_dict *d, const struct crm_dict_key *k);
enum crm_err crm_dict_intern_keynum(struct crm_dict *d, const struct crm_dict_key *k,
                                    uint64_t num1, uint32_t *idx, int *added);

/* Bytes of heap the dictionary holds (for memory reports). */
size_t crm_dict_memory(const struct crm_dict *d);

#endif
