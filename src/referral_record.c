/*
 * libloyalty - referral records: the policy, the referral, a referrer's
 * recent registrations; their keys, the policy's checks and the engine's
 * cache of the policy.  Layouts in docs/guide/record-format.md
 * ("Referrals").
 *
 * Decoding treats its input as hostile: every field is range-checked, and
 * a decoded policy must pass the same rules lty_referral_policy_set()
 * applies (but for the programs it names, which only the store knows).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "codec_int.h"
#include "referral_int.h"
#include "validate_int.h"

#define POLICY_KEY "referrals"

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

void lty__key_referral(lty__key *k, const char *referred, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "R", 1);
    lty__key_sep(k);
    lty__key_add(k, referred, n);
}

void lty__key_referral_entry(lty__key *k, const char *referrer, size_t rn,
                             const char *referred, size_t n)
{
    lty__key_customer(k, referrer, rn);
    lty__key_add(k, "F", 1);
    lty__key_add(k, referred, n);
}

/* ------------------------------------------------------------------ */
/* The policy's rules                                                  */
/* ------------------------------------------------------------------ */

/* LTY_EINVALID, with a message when there is an engine to keep it. */
#define REFUSE(e, ...) ((e) ? lty__err((e), LTY_EINVALID, __VA_ARGS__) \
                            : LTY_EINVALID)

/* A text in a fixed array: NUL-terminated inside it, one line of UTF-8,
 * min..size-1 bytes. */
static int array_text_ok(const char *s, size_t size, size_t min)
{
    const char *nul = memchr(s, 0, size);
    if (!nul)
        return 0;
    size_t n = (size_t)(nul - s);
    return n >= min && (n == 0 || lty__text_valid(s, n, LTY__TEXT_LINE));
}

static int check_gift(lty_engine *e, const char *which,
                      const lty_referral_gift *g)
{
    switch (g->kind) {
    case LTY_REFERRAL_GIFT_NONE:
        if (g->program_id[0] || g->amount || g->reward_name[0] ||
            g->reward_kind || g->reward_value || g->reward_valid_days)
            return REFUSE(e, "referral %s: fields set without a kind", which);
        return LTY_OK;
    case LTY_REFERRAL_GIFT_PROGRAM:
        if (!array_text_ok(g->program_id, sizeof g->program_id, 1))
            return REFUSE(e, "referral %s program_id: required, one line of "
                             "1..%d bytes", which, LTY_ID_MAX);
        if (g->amount < 1 || g->amount > LTY_REFERRAL_AMOUNT_MAX)
            return REFUSE(e, "referral %s amount: outside 1..%lld", which,
                          (long long)LTY_REFERRAL_AMOUNT_MAX);
        if (g->reward_name[0] || g->reward_kind || g->reward_value ||
            g->reward_valid_days)
            return REFUSE(e, "referral %s reward fields: do not apply to "
                             "stars or points", which);
        return LTY_OK;
    case LTY_REFERRAL_GIFT_REWARD:
        if (!array_text_ok(g->program_id, sizeof g->program_id, 0))
            return REFUSE(e, "referral %s program_id: malformed", which);
        if (g->amount)
            return REFUSE(e, "referral %s amount: does not apply to a reward",
                          which);
        if (!array_text_ok(g->reward_name, sizeof g->reward_name, 1))
            return REFUSE(e, "referral %s reward_name: required, one line of "
                             "1..%d bytes", which, LTY_TITLE_MAX);
        if ((int)g->reward_kind < LTY_REWARD_SERVICE ||
            (int)g->reward_kind > LTY_REWARD_CASH)
            return REFUSE(e, "referral %s reward_kind: unknown kind", which);
        if (g->reward_value < 0)
            return REFUSE(e, "referral %s reward_value: negative", which);
        if (g->reward_valid_days < 0 ||
            g->reward_valid_days > LTY_REFERRAL_DAYS_MAX)
            return REFUSE(e, "referral %s reward_valid_days: outside 0..%d",
                          which, LTY_REFERRAL_DAYS_MAX);
        return LTY_OK;
    }
    return REFUSE(e, "referral %s kind: unknown kind", which);
}

int lty__referral_policy_check(lty_engine *e, const lty_referral_policy *p)
{
    int rc;
    if ((rc = check_gift(e, "credit", &p->credit)) ||
        (rc = check_gift(e, "welcome", &p->welcome)))
        return rc;
    if (p->min_purchase < 0)
        return REFUSE(e, "referral min_purchase: negative");
    if (p->visit_qualifies != 0 && p->visit_qualifies != 1)
        return REFUSE(e, "referral visit_qualifies: must be 0 or 1");
    if (p->reversal_days < 0 || p->reversal_days > LTY_REFERRAL_DAYS_MAX)
        return REFUSE(e, "referral reversal_days: outside 0..%d days",
                      LTY_REFERRAL_DAYS_MAX);
    if (p->cap_count < 0 || p->cap_count > LTY_REFERRAL_CAP_MAX)
        return REFUSE(e, "referral cap_count: outside 0..%d",
                      LTY_REFERRAL_CAP_MAX);
    if (p->cap_count && (p->cap_days < 1 || p->cap_days > LTY_REFERRAL_DAYS_MAX))
        return REFUSE(e, "referral cap_days: outside 1..%d days",
                      LTY_REFERRAL_DAYS_MAX);
    if (!p->cap_count && p->cap_days)
        return REFUSE(e, "referral cap_days: set without a cap_count");
    if (!array_text_ok(p->booked_template, sizeof p->booked_template, 0))
        return REFUSE(e, "referral booked_template: malformed template id");
    if (!array_text_ok(p->thanks_template, sizeof p->thanks_template, 0))
        return REFUSE(e, "referral thanks_template: malformed template id");
    if (p->purpose != LTY_PURPOSE_TRANSACTIONAL &&
        p->purpose != LTY_PURPOSE_MARKETING)
        return REFUSE(e, "referral purpose: must be transactional or marketing");
    if ((int)p->channel < LTY_CHANNEL_NONE || (int)p->channel > LTY_CHANNEL_STAFF)
        return REFUSE(e, "referral channel: unknown");
    if (p->channel == LTY_CHANNEL_STAFF && p->purpose != LTY_PURPOSE_TRANSACTIONAL)
        return REFUSE(e, "referral channel: staff notices are transactional");
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The policy record (kind 23)                                         */
/* ------------------------------------------------------------------ */

enum {
    P_CREDIT = 1, P_WELCOME, P_MIN_PURCHASE, P_VISIT_QUALIFIES,
    P_REVERSAL_DAYS, P_CAP_COUNT, P_CAP_DAYS, P_BOOKED_TEMPLATE,
    P_THANKS_TEMPLATE, P_PURPOSE, P_CHANNEL
};
enum { G_KIND = 1, G_PROGRAM, G_AMOUNT, G_NAME, G_REWARD_KIND, G_VALUE,
       G_VALID_DAYS };

static void put_nonempty(lty__enc *w, unsigned tag, const char *s)
{
    if (s[0])
        lty__enc_str(w, tag, s);
}

static int gift_encode(lty__enc *w, unsigned tag, const lty_referral_gift *g,
                       lty_buf *scratch)
{
    lty__enc s;
    lty__enc_begin_sub(&s, scratch);
    lty__enc_i64(&s, G_KIND, g->kind);
    put_nonempty(&s, G_PROGRAM, g->program_id);
    if (g->amount)
        lty__enc_i64(&s, G_AMOUNT, g->amount);
    put_nonempty(&s, G_NAME, g->reward_name);
    if (g->reward_kind)
        lty__enc_i64(&s, G_REWARD_KIND, g->reward_kind);
    if (g->reward_value)
        lty__enc_i64(&s, G_VALUE, g->reward_value);
    if (g->reward_valid_days)
        lty__enc_i64(&s, G_VALID_DAYS, g->reward_valid_days);
    int rc = lty__enc_end(&s);
    if (rc == LTY_OK)
        lty__enc_bytes(w, tag, scratch->data, scratch->len);
    return rc;
}

int lty__referral_policy_encode(const lty_referral_policy *p, lty_buf *out,
                                lty_buf *scratch)
{
    lty__enc w;
    int rc;
    lty__enc_begin(&w, out, LTY__REC_REFERRAL_POLICY,
                   LTY__REFERRAL_POLICY_VERSION);
    if ((rc = gift_encode(&w, P_CREDIT, &p->credit, scratch)) ||
        (rc = gift_encode(&w, P_WELCOME, &p->welcome, scratch)))
        return rc;
    lty__enc_i64(&w, P_MIN_PURCHASE, p->min_purchase);
    lty__enc_i64(&w, P_VISIT_QUALIFIES, p->visit_qualifies);
    lty__enc_i64(&w, P_REVERSAL_DAYS, p->reversal_days);
    lty__enc_i64(&w, P_CAP_COUNT, p->cap_count);
    lty__enc_i64(&w, P_CAP_DAYS, p->cap_days);
    put_nonempty(&w, P_BOOKED_TEMPLATE, p->booked_template);
    put_nonempty(&w, P_THANKS_TEMPLATE, p->thanks_template);
    lty__enc_i64(&w, P_PURPOSE, p->purpose);
    lty__enc_i64(&w, P_CHANNEL, p->channel);
    return lty__enc_end(&w);
}

/* A text field into a fixed array of size bytes (at most size - 1). */
static int text_into(const lty__field *f, size_t max, char *dst)
{
    const char *s;
    size_t n;
    if (lty__field_text(f, 1, max, LTY__TEXT_LINE, &s, &n))
        return LTY_ECORRUPT;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return LTY_OK;
}

static int int_into(const lty__field *f, int64_t min, int64_t max, int *dst)
{
    int64_t v;
    if (lty__field_int(f, min, max, &v))
        return LTY_ECORRUPT;
    *dst = (int)v;
    return LTY_OK;
}

static int gift_decode(const lty__field *f, lty_referral_gift *g)
{
    lty__dec d;
    lty__field x;
    uint64_t seen = 0;
    int r, v = 0;
    if (lty__dec_sub(&d, f))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &x)) > 0) {
        int rc = LTY_OK;
        if (x.tag <= G_VALID_DAYS && lty__dec_once(&seen, x.tag))
            return LTY_ECORRUPT;
        switch (x.tag) {
        case G_KIND:
            rc = int_into(&x, LTY_REFERRAL_GIFT_NONE, LTY_REFERRAL_GIFT_REWARD,
                          &v);
            g->kind = (lty_referral_gift_kind)v;
            break;
        case G_PROGRAM:
            rc = text_into(&x, LTY_ID_MAX, g->program_id);
            break;
        case G_AMOUNT:
            rc = lty__field_int(&x, 1, LTY_REFERRAL_AMOUNT_MAX, &g->amount);
            break;
        case G_NAME:
            rc = text_into(&x, LTY_TITLE_MAX, g->reward_name);
            break;
        case G_REWARD_KIND:
            rc = int_into(&x, LTY_REWARD_SERVICE, LTY_REWARD_CASH, &v);
            g->reward_kind = (lty_reward_kind)v;
            break;
        case G_VALUE:
            rc = lty__field_int(&x, 0, INT64_MAX, &g->reward_value);
            break;
        case G_VALID_DAYS:
            rc = int_into(&x, 0, LTY_REFERRAL_DAYS_MAX, &g->reward_valid_days);
            break;
        default:
            break; /* a field of a later minor version */
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    return r < 0 ? LTY_ECORRUPT : LTY_OK;
}

int lty__referral_policy_decode(const void *data, size_t len,
                                lty_referral_policy *p)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int r, v = 0;
    lty_referral_policy init = LTY_REFERRAL_POLICY_INIT;
    if ((r = lty__dec_begin(&d, data, len, LTY__REC_REFERRAL_POLICY,
                            LTY__REFERRAL_POLICY_VERSION, &version)))
        return r == LTY_EVERSION ? r : LTY_ECORRUPT;
    *p = init;
    p->thanks_template[0] = '\0'; /* absent from a record: none */
    while ((r = lty__dec_next(&d, &f)) > 0) {
        int rc = LTY_OK;
        if (f.tag <= P_CHANNEL && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case P_CREDIT:
            rc = gift_decode(&f, &p->credit);
            break;
        case P_WELCOME:
            rc = gift_decode(&f, &p->welcome);
            break;
        case P_MIN_PURCHASE:
            rc = lty__field_int(&f, 0, INT64_MAX, &p->min_purchase);
            break;
        case P_VISIT_QUALIFIES:
            rc = int_into(&f, 0, 1, &p->visit_qualifies);
            break;
        case P_REVERSAL_DAYS:
            rc = int_into(&f, 0, LTY_REFERRAL_DAYS_MAX, &p->reversal_days);
            break;
        case P_CAP_COUNT:
            rc = int_into(&f, 0, LTY_REFERRAL_CAP_MAX, &p->cap_count);
            break;
        case P_CAP_DAYS:
            rc = int_into(&f, 0, LTY_REFERRAL_DAYS_MAX, &p->cap_days);
            break;
        case P_BOOKED_TEMPLATE:
            rc = text_into(&f, LTY_MESSAGE_ID_MAX, p->booked_template);
            break;
        case P_THANKS_TEMPLATE:
            rc = text_into(&f, LTY_MESSAGE_ID_MAX, p->thanks_template);
            break;
        case P_PURPOSE:
            rc = int_into(&f, LTY_PURPOSE_TRANSACTIONAL, LTY_PURPOSE_MARKETING,
                          &v);
            p->purpose = (lty_purpose)v;
            break;
        case P_CHANNEL:
            rc = int_into(&f, LTY_CHANNEL_NONE, LTY_CHANNEL_STAFF, &v);
            p->channel = (lty_channel)v;
            break;
        default:
            break; /* a field of a later minor version */
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    if (r < 0 || !(seen & (UINT64_C(1) << P_PURPOSE)))
        return LTY_ECORRUPT;
    return lty__referral_policy_check(NULL, p) ? LTY_ECORRUPT : LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The referral record (kind 24)                                       */
/* ------------------------------------------------------------------ */

enum {
    R_REFERRER = 1, R_NUMBER, R_STAGE, R_REGISTERED, R_BOOKED, R_COMPLETED,
    R_CREDITED, R_REVERSED, R_EVENT, R_AMOUNT, R_MINIMUM, R_REVERSIBLE,
    R_CREDIT, R_WELCOME
};
enum { V_KIND = 1, V_PROGRAM, V_AMOUNT, V_CODE, V_LOST };

static void put_time(lty__enc *w, unsigned tag, int64_t t)
{
    if (t)
        lty__enc_i64(w, tag, t);
}

static int given_encode(lty__enc *w, unsigned tag, const lty__given *g,
                        lty_buf *scratch)
{
    lty__enc s;
    if (g->kind == LTY_REFERRAL_GIFT_NONE)
        return LTY_OK;
    lty__enc_begin_sub(&s, scratch);
    lty__enc_i64(&s, V_KIND, g->kind);
    put_nonempty(&s, V_PROGRAM, g->program);
    if (g->amount)
        lty__enc_i64(&s, V_AMOUNT, g->amount);
    put_nonempty(&s, V_CODE, g->code);
    if (g->lost)
        lty__enc_i64(&s, V_LOST, 1);
    int rc = lty__enc_end(&s);
    if (rc == LTY_OK)
        lty__enc_bytes(w, tag, scratch->data, scratch->len);
    return rc;
}

int lty__referral_encode(const lty__referral *r, lty_buf *out,
                         lty_buf *scratch)
{
    lty__enc w;
    int rc;
    lty__enc_begin(&w, out, LTY__REC_REFERRAL, LTY__REFERRAL_VERSION);
    lty__enc_bytes(&w, R_REFERRER, r->referrer, r->rn);
    lty__enc_u64(&w, R_NUMBER, r->number);
    lty__enc_i64(&w, R_STAGE, r->stage);
    lty__enc_i64(&w, R_REGISTERED, r->registered);
    put_time(&w, R_BOOKED, r->booked);
    put_time(&w, R_COMPLETED, r->completed);
    put_time(&w, R_CREDITED, r->credited);
    put_time(&w, R_REVERSED, r->reversed);
    if (r->evn)
        lty__enc_bytes(&w, R_EVENT, r->event, r->evn);
    if (r->amount)
        lty__enc_i64(&w, R_AMOUNT, r->amount);
    if (r->minimum)
        lty__enc_i64(&w, R_MINIMUM, r->minimum);
    put_time(&w, R_REVERSIBLE, r->reversible_until);
    if ((rc = given_encode(&w, R_CREDIT, &r->credit, scratch)) ||
        (rc = given_encode(&w, R_WELCOME, &r->welcome, scratch)))
        return rc;
    return lty__enc_end(&w);
}

static int given_decode(const lty__field *f, lty__given *g)
{
    lty__dec d;
    lty__field x;
    uint64_t seen = 0;
    int r, v = 0;
    if (lty__dec_sub(&d, f))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &x)) > 0) {
        int rc = LTY_OK;
        if (x.tag <= V_LOST && lty__dec_once(&seen, x.tag))
            return LTY_ECORRUPT;
        switch (x.tag) {
        case V_KIND:
            rc = int_into(&x, LTY_REFERRAL_GIFT_PROGRAM,
                          LTY_REFERRAL_GIFT_REWARD, &g->kind);
            break;
        case V_PROGRAM:
            rc = text_into(&x, LTY_ID_MAX, g->program);
            break;
        case V_AMOUNT:
            rc = lty__field_int(&x, 1, LTY_REFERRAL_AMOUNT_MAX, &g->amount);
            break;
        case V_CODE:
            rc = text_into(&x, LTY_ID_MAX, g->code);
            break;
        case V_LOST:
            rc = int_into(&x, 1, 1, &v);
            g->lost = v;
            break;
        default:
            break;
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    if (r < 0 || !g->kind)
        return LTY_ECORRUPT;
    /* stars or points name their program and amount; a reward its code */
    if (g->kind == LTY_REFERRAL_GIFT_PROGRAM ? !g->program[0] || !g->amount
                                             : !g->code[0] || g->amount)
        return LTY_ECORRUPT;
    return LTY_OK;
}

int lty__referral_decode(const void *data, size_t len, lty__referral *r)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int rc;
    const char *s;
    size_t n;
    memset(r, 0, sizeof *r);
    if ((rc = lty__dec_begin(&d, data, len, LTY__REC_REFERRAL,
                             LTY__REFERRAL_VERSION, &version)))
        return rc == LTY_EVERSION ? rc : LTY_ECORRUPT;
    while ((rc = lty__dec_next(&d, &f)) > 0) {
        int bad = 0;
        if (f.tag <= R_WELCOME && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case R_REFERRER:
            bad = lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &s, &n);
            if (!bad) {
                memcpy(r->referrer, s, n);
                r->referrer[n] = '\0';
                r->rn = n;
            }
            break;
        case R_NUMBER:
            bad = lty__field_u64(&f, &r->number) || r->number == 0;
            break;
        case R_STAGE:
            bad = int_into(&f, LTY_REFERRAL_REGISTERED, LTY_REFERRAL_REVERSED,
                           &r->stage);
            break;
        case R_REGISTERED:
            bad = lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &r->registered);
            break;
        case R_BOOKED:
            bad = lty__field_int(&f, 1, LTY_TIME_MAX, &r->booked);
            break;
        case R_COMPLETED:
            bad = lty__field_int(&f, 1, LTY_TIME_MAX, &r->completed);
            break;
        case R_CREDITED:
            bad = lty__field_int(&f, 1, LTY_TIME_MAX, &r->credited);
            break;
        case R_REVERSED:
            bad = lty__field_int(&f, 1, LTY_TIME_MAX, &r->reversed);
            break;
        case R_EVENT:
            bad = lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &s, &n);
            if (!bad) {
                memcpy(r->event, s, n);
                r->event[n] = '\0';
                r->evn = n;
            }
            break;
        case R_AMOUNT:
            bad = lty__field_int(&f, 0, INT64_MAX, &r->amount);
            break;
        case R_MINIMUM:
            bad = lty__field_int(&f, 0, INT64_MAX, &r->minimum);
            break;
        case R_REVERSIBLE:
            bad = lty__field_int(&f, 1, LTY_TIME_MAX, &r->reversible_until);
            break;
        case R_CREDIT:
            bad = given_decode(&f, &r->credit);
            break;
        case R_WELCOME:
            bad = given_decode(&f, &r->welcome);
            break;
        default:
            break; /* a field of a later minor version */
        }
        if (bad)
            return LTY_ECORRUPT;
    }
    if (rc < 0)
        return LTY_ECORRUPT;
    uint64_t need = UINT64_C(1) << R_REFERRER | UINT64_C(1) << R_NUMBER |
                    UINT64_C(1) << R_STAGE | UINT64_C(1) << R_REGISTERED;
    if ((seen & need) != need)
        return LTY_ECORRUPT;
    /* a completed referral knows what completed it and when */
    int done = r->stage >= LTY_REFERRAL_COMPLETED;
    if (done != (r->completed != 0) || done != (r->evn != 0) ||
        (r->stage == LTY_REFERRAL_BOOKED && !r->booked) ||
        (r->stage == LTY_REFERRAL_CREDITED && !r->credited) ||
        (r->stage == LTY_REFERRAL_REVERSED) != (r->reversed != 0))
        return LTY_ECORRUPT;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* A referrer's recent registrations (kind 25)                         */
/* ------------------------------------------------------------------ */

enum { T_TIME = 1 };

int lty__referral_times_encode(const lty__referral_times *t, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_REFERRAL_TIMES,
                   LTY__REFERRAL_TIMES_VERSION);
    for (size_t i = 0; i < t->n; i++)
        lty__enc_i64(&w, T_TIME, t->t[i]);
    return lty__enc_end(&w);
}

int lty__referral_times_decode(const void *data, size_t len,
                               lty__referral_times *t)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    int r;
    t->n = 0;
    if ((r = lty__dec_begin(&d, data, len, LTY__REC_REFERRAL_TIMES,
                            LTY__REFERRAL_TIMES_VERSION, &version)))
        return r == LTY_EVERSION ? r : LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        int64_t v;
        if (f.tag != T_TIME)
            continue; /* a field of a later minor version */
        if (t->n == LTY__REFERRAL_TIMES_MAX ||
            lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &v) ||
            (t->n && v < t->t[t->n - 1]))
            return LTY_ECORRUPT;
        t->t[t->n++] = v;
    }
    return r < 0 ? LTY_ECORRUPT : LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The cache                                                           */
/* ------------------------------------------------------------------ */

void lty__referrals_release(lty_engine *e)
{
    lty__free(&e->alloc, e->referrals);
    e->referrals = NULL;
}

int lty__referral_policy_current(lty_engine *e, lty_referral_policy *out)
{
    static const lty_referral_policy defaults = LTY_REFERRAL_POLICY_INIT;
    lty__key k;
    uint64_t rev = 0;
    lty__key_meta(&k, POLICY_KEY);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND) {
        *out = defaults;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if (e->referrals && e->referrals->rev == rev) {
        *out = e->referrals->policy;
        return LTY_OK;
    }
    if (!e->referrals) {
        e->referrals = lty__zalloc(&e->alloc, sizeof *e->referrals);
        if (!e->referrals)
            return lty__err(e, LTY_ENOMEM, "referral policy: out of memory");
    }
    if ((rc = lty__referral_policy_decode(e->rbuf.data, e->rbuf.len,
                                          &e->referrals->policy))) {
        e->referrals->rev = 0;
        return lty__corrupt(e, rc, "referral policy");
    }
    e->referrals->rev = rev;
    *out = e->referrals->policy;
    return LTY_OK;
}
