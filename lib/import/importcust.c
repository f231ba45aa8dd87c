/* importcust: the customers file (--customers: signup time, birthday, blocked) into the
 * store's customer table. Invariant: a row that cannot be read whole is rejected with its
 * reason and counted in customer_rejects; nothing is changed silently. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "import/importint.h"
#include "text/timeparse.h"

/* ---- customers file ---- */

static const char *const cust_names[4] = {
    "customerid|customer|customerno|clientid|userid|buyerid|memberid|email|买家会员名|会员名|"
    "客户编号|客户id|客户|用户id|会员id",
    "signuptime|signup|signupdate|signedup|registered|registeredat|registrationdate|"
    "registrationtime|createdat|joined|joindate|注册时间|注册日期|入会时间",
    "birthday|birthdate|dateofbirth|dob|生日|出生日期",
    "blocked|isblocked|blacklisted|blacklist|banned|malicious|黑名单|是否拉黑|拉黑",
};

static int parse_bool(const char *s, size_t len, uint8_t *v)
{
    static const char *const yes[] = {"true", "1", "yes", "y", "t", "是", "x"};
    static const char *const no[] = {"false", "0", "no", "n", "f", "否", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strlen(yes[i]) == len && strncasecmp(s, yes[i], len) == 0) {
            *v = 1;
            return 0;
        }
        if (strlen(no[i]) == len && strncasecmp(s, no[i], len) == 0) {
            *v = 0;
            return 0;
        }
    }
    return -1;
}

/* Birthday: a full date, or month and day only (MM-DD, --MM-DD, MM/DD, M月D日). */
static int parse_birthday(const char *s, size_t len, int32_t *day, uint8_t *year_known)
{
    struct crm_time_parsed t;
    if (crm_time_parse(s, len, &t) == 0) {
        *day = crm_time_day(t.secs);
        *year_known = 1;
        return 0;
    }
    while (len && *s == '-') {
        s++;
        len--;
    }
    unsigned mm = 0, dd = 0;
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i < 2)
        mm = mm * 10 + (unsigned)(s[i++] - '0');
    if (i == 0 || i >= len)
        return -1;
    if (s[i] == '-' || s[i] == '/' || s[i] == '.')
        i++;
    else if (len - i >= 3 && memcmp(s + i, "月", 3) == 0)
        i += 3;
    else
        return -1;
    size_t d0 = i;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i - d0 < 2)
        dd = dd * 10 + (unsigned)(s[i++] - '0');
    if (i == d0 || !(i == len || (len - i == 3 && memcmp(s + i, "日", 3) == 0)))
        return -1;
    if (mm < 1 || mm > 12 || dd < 1 || (int)dd > crm_days_in_month(2000, mm))
        return -1;
    *day = crm_days_from_civil(2000, mm, dd);
    *year_known = 0;
    return 0;
}

enum crm_err crm_import_customers(struct crm_import *imp, const char *path,
                                  struct crm_errinfo *e)
{
    struct crm_csvin *in;
    struct crm_csvin_opts co = {.encoding = imp->o.csv.encoding};
    enum crm_err rc = crm_csvin_open(path, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_record rec;
    rc = crm_csvin_next(in, &rec, e);
    if (rc != CRM_OK || rec.nfields == 0) {
        crm_csvin_close(in);
        return rc;
    }
    int col[4];
    size_t ncols = rec.nfields;
    uint64_t *nrej = &imp->st.customer_rejects;
    for (int k = 0; k < 4; k++)
        col[k] = find_candidates(&rec, cust_names[k], NULL);
    if (col[0] < 0 || (col[1] < 0 && col[2] < 0 && col[3] < 0)) {
        char cols[512];
        list_columns(&rec, cols, sizeof cols);
        crm_errinfo_where(e, crm_csvin_name(in), 1, -1, -1);
        crm_csvin_close(in);
        return crm_errinfo_set(e, CRM_EDATA, "customers file needs customer_id and at least one "
                               "of signup_time, birthday, blocked (columns: %s)", cols);
    }
    while ((rc = crm_csvin_next(in, &rec, e)) == CRM_OK && rec.nfields > 0) {
        if (rec.bad_bytes) {
            reject_record(imp, in, &rec, nrej, "bytes invalid in %s", crm_csvin_encoding(in));
            continue;
        }
        if (rec.nfields != ncols) {
            reject_record(imp, in, &rec, nrej, "%zu fields, expected %zu", rec.nfields, ncols);
            continue;
        }
        struct crm_customer_info ci = {0, CRM_NO_DAY, CRM_NO_DAY, 0, 0};
        const char *s = rec.field[col[0]];
        size_t len = rec.len[col[0]];
        clean_text(&s, &len);
        if (!len) {
            reject_record(imp, in, &rec, nrej, "empty customer_id in column %d", col[0] + 1);
            continue;
        }
        if (len > CRM_ID_MAX) {
            reject_record(imp, in, &rec, nrej, "customer_id of %zu bytes in column %d: a store "
                          "keeps ids of at most %d bytes", len, col[0] + 1, CRM_ID_MAX);
            continue;
        }
        const char *v;
        size_t vl;
        if (col[1] >= 0 && (v = rec.field[col[1]], vl = rec.len[col[1]], clean_text(&v, &vl), vl)) {
            int64_t t;
            if (parse_time(imp, v, vl, &t) != 0) {
                reject_record(imp, in, &rec, nrej, "bad signup_time \"%.*s\" in column %d",
                              (int)cap_len(vl, 64), v, col[1] + 1);
                continue;
            }
            ci.signup_day = crm_time_day(t);
        }
        if (col[2] >= 0 && (v = rec.field[col[2]], vl = rec.len[col[2]], clean_text(&v, &vl), vl) &&
            parse_birthday(v, vl, &ci.birth_day, &ci.birth_year_known) != 0) {
            reject_record(imp, in, &rec, nrej, "bad birthday \"%.*s\" in column %d",
                          (int)cap_len(vl, 64), v, col[2] + 1);
            continue;
        }
        if (col[3] >= 0 && (v = rec.field[col[3]], vl = rec.len[col[3]], clean_text(&v, &vl), 1) &&
            parse_bool(v, vl, &ci.blocked) != 0) {
            reject_record(imp, in, &rec, nrej, "bad blocked flag \"%.*s\" in column %d "
                          "(true/false)", (int)cap_len(vl, 64), v, col[3] + 1);
            continue;
        }
        uint32_t idx;     /* new customers are counted at finish (crm_import_finish) */
        struct crm_store_writer *w = imp->w[crm_import_partition(s, len, imp->nw)];
        rc = crm_store_writer_customer(w, s, len, &idx, e);
        if (rc != CRM_OK)
            break;
        ci.customer = idx;
        rc = crm_store_writer_add_customer(w, &ci, e);
        if (rc != CRM_OK)
            break;
        imp->st.customer_rows++;
    }
    crm_csvin_close(in);
    return rc;
}
