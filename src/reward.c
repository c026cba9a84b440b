/*
 * libloyalty - rewards and coupons: issue, redeem exactly once, void, read.
 *
 * Records (layout in docs/guide/record-format.md):
 *
 *   W\0<code>                    the reward (kind LTY__REC_REWARD, version 1)
 *   C\0<customer id>\0W<code>    empty value: the customer's index entry, so
 *                                lty_reward_list() is one prefix scan
 *
 * The code is the reward's key and is unique in the store.  Rewards issued
 * by program rules and draws get a code derived from what caused them
 * (lty__reward_code()), and lty__reward_put_new() treats the same code for
 * the same customer and program as a replay, so replaying an event never
 * issues a second coupon.
 *
 * Redemption reads the record with its revision and writes it back with
 * that revision: of two engines redeeming one code at once, the second's
 * write conflicts, its transaction is run again by lty__txn() and then sees
 * the reward redeemed (LTY_ESTATE).
 *
 * Error messages name fields and carry codes and ids only: a reward's name
 * may be personal ("Minji's birthday cake") and never appears in them.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "codec_int.h"
#include "engine_int.h"
#include "keys_int.h"
#include "program_int.h"
#include "validate_int.h"

#define RECORD_VERSION 1u
#define VALID_DAYS_MAX 3660
#define SECONDS_PER_DAY INT64_C(86400)
/* The widest UTC offset the engine accepts (18 hours), in seconds. */
#define OFFSET_MAX_SECONDS INT64_C(64800)

/* Fields of the reward record. */
enum {
    RW_CUSTOMER = 1,
    RW_PROGRAM = 2,
    RW_NAME = 3,
    RW_KIND = 4,
    RW_VALUE = 5,
    RW_SOURCE = 6,
    RW_STATE = 7,
    RW_ISSUED = 8,
    RW_EXPIRES = 9,
    RW_CLOSED = 10
};

#define RW_REQUIRED                                                        \
    ((UINT64_C(1) << RW_CUSTOMER) | (UINT64_C(1) << RW_NAME) |             \
     (UINT64_C(1) << RW_KIND) | (UINT64_C(1) << RW_SOURCE) |               \
     (UINT64_C(1) << RW_STATE) | (UINT64_C(1) << RW_ISSUED))

/* A reward as stored.  Texts point into the caller's arguments or into the
 * buffer the record was decoded from; they are not NUL-terminated. */
typedef struct rec {
    const char *cid;
    size_t cn;
    const char *pid;           /* pn == 0: no program */
    size_t pn;
    const char *name;
    size_t nn;
    int kind;                  /* lty_reward_kind */
    int64_t value;
    int source;                /* lty_reward_source */
    int state;                 /* lty_reward_state */
    int64_t issued;
    int64_t expires;           /* LTY_TIME_NONE: never */
    int64_t closed;            /* present exactly when state != ISSUED */
} rec;

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

/* "W\0<code>" */
static void key_reward(lty__key *k, const char *code, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "W", 1);
    lty__key_sep(k);
    lty__key_add(k, code, n);
}

/* "C\0<customer id>\0W", the prefix of a customer's index entries. */
static void key_index_prefix(lty__key *k, const char *cid, size_t cn)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "W", 1);
}

/* "C\0<customer id>\0W<code>" */
static void key_index(lty__key *k, const char *cid, size_t cn,
                      const char *code, size_t n)
{
    key_index_prefix(k, cid, cn);
    lty__key_add(k, code, n);
}

/* ------------------------------------------------------------------ */
/* Hashes and derived codes                                            */
/* ------------------------------------------------------------------ */

uint64_t lty__hash64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

void lty__reward_code(char out[LTY_ID_MAX + 1], const char *program,
                      size_t pn, const char *cause, size_t cn, unsigned seq)
{
    static const char hex[] = "0123456789abcdef";
    static const unsigned char zero = 0;
    const unsigned char s[4] = {(unsigned char)seq, (unsigned char)(seq >> 8),
                                (unsigned char)(seq >> 16),
                                (unsigned char)(seq >> 24)};
    /* The hash covers the whole program id; only the readable prefix is
     * truncated, at a character boundary so the code stays valid UTF-8. */
    uint64_t h = lty__hash64(LTY__HASH_SEED, program, program ? pn : 0);
    h = lty__hash64(h, &zero, 1);
    h = lty__hash64(h, cause, cause ? cn : 0);
    h = lty__hash64(h, &zero, 1);
    h = lty__hash64(h, s, sizeof s);

    size_t keep = program ? pn : 0;
    if (keep > LTY_ID_MAX - 17) {
        keep = LTY_ID_MAX - 17;
        while (keep > 0 && ((unsigned char)program[keep] & 0xC0) == 0x80)
            keep--;
    }
    if (keep)
        memcpy(out, program, keep);
    out[keep] = '-';
    for (int i = 0; i < 16; i++)
        out[keep + 1 + (size_t)i] = hex[(h >> (60 - 4 * i)) & 0xF];
    out[keep + 17] = '\0';
}

/* ------------------------------------------------------------------ */
/* The record                                                          */
/* ------------------------------------------------------------------ */

static int rec_encode(const rec *r, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_REWARD, RECORD_VERSION);
    lty__enc_bytes(&w, RW_CUSTOMER, r->cid, r->cn);
    if (r->pn)
        lty__enc_bytes(&w, RW_PROGRAM, r->pid, r->pn);
    lty__enc_bytes(&w, RW_NAME, r->name, r->nn);
    lty__enc_u64(&w, RW_KIND, (uint64_t)r->kind);
    if (r->value)
        lty__enc_u64(&w, RW_VALUE, (uint64_t)r->value);
    lty__enc_u64(&w, RW_SOURCE, (uint64_t)r->source);
    lty__enc_u64(&w, RW_STATE, (uint64_t)r->state);
    lty__enc_u64(&w, RW_ISSUED, (uint64_t)r->issued);
    if (r->expires != LTY_TIME_NONE)
        lty__enc_u64(&w, RW_EXPIRES, (uint64_t)r->expires);
    if (r->state != LTY_REWARD_ISSUED)
        lty__enc_u64(&w, RW_CLOSED, (uint64_t)r->closed);
    return lty__enc_end(&w);
}

/* An unsigned varint within min..max. */
static int field_uint(const lty__field *f, int64_t min, int64_t max,
                      int64_t *out)
{
    uint64_t v;
    if (lty__field_u64(f, &v) || v > (uint64_t)max || (int64_t)v < min)
        return LTY_ECORRUPT;
    *out = (int64_t)v;
    return LTY_OK;
}

/* Every field is checked against what the API could have written; the
 * texts point into data. */
static int rec_decode(const void *data, size_t len, rec *r)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    int64_t v = 0;
    int rc = lty__dec_begin(&d, data, len, LTY__REC_REWARD, RECORD_VERSION,
                            NULL);
    if (rc)
        return rc;
    memset(r, 0, sizeof *r);
    r->expires = LTY_TIME_NONE;
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        if (f.tag <= RW_CLOSED && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case RW_CUSTOMER:
            rc = lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &r->cid,
                                 &r->cn);
            break;
        case RW_PROGRAM:
            rc = lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &r->pid,
                                 &r->pn);
            break;
        case RW_NAME:
            rc = lty__field_text(&f, 1, LTY_TITLE_MAX, LTY__TEXT_LINE,
                                 &r->name, &r->nn);
            break;
        case RW_KIND:
            rc = field_uint(&f, LTY_REWARD_SERVICE, LTY_REWARD_CASH, &v);
            r->kind = (int)v;
            break;
        case RW_VALUE:
            rc = field_uint(&f, 0, INT64_MAX, &r->value);
            break;
        case RW_SOURCE:
            rc = field_uint(&f, LTY_REWARD_BY_RULE, LTY_REWARD_BY_HAND, &v);
            r->source = (int)v;
            break;
        case RW_STATE:
            rc = field_uint(&f, LTY_REWARD_ISSUED, LTY_REWARD_VOID, &v);
            r->state = (int)v;
            break;
        case RW_ISSUED:
            rc = field_uint(&f, LTY_TIME_MIN, LTY_TIME_MAX, &r->issued);
            break;
        case RW_EXPIRES:
            rc = field_uint(&f, LTY_TIME_MIN, LTY_TIME_MAX, &r->expires);
            break;
        case RW_CLOSED:
            rc = field_uint(&f, LTY_TIME_MIN, LTY_TIME_MAX, &r->closed);
            break;
        default:
            rc = LTY_OK; /* a field of a later minor version */
            break;
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    if (rc < 0)
        return rc;
    if ((seen & RW_REQUIRED) != RW_REQUIRED)
        return LTY_ECORRUPT;
    if (r->expires != LTY_TIME_NONE && r->expires < r->issued)
        return LTY_ECORRUPT;
    int has_closed = (seen & (UINT64_C(1) << RW_CLOSED)) != 0;
    if (has_closed != (r->state != LTY_REWARD_ISSUED))
        return LTY_ECORRUPT;
    return LTY_OK;
}

/* memmove: the list refills out->code from itself. */
static void copy_text(char *dst, const char *s, size_t n)
{
    if (n)
        memmove(dst, s, n);
    dst[n] = '\0';
}

/* Fill a caller's struct (version 1 has every field). */
static void rec_out(const rec *r, const char *code, size_t codelen,
                    lty_reward *out)
{
    copy_text(out->code, code, codelen);
    copy_text(out->customer_id, r->cid, r->cn);
    copy_text(out->program_id, r->pid, r->pn);
    copy_text(out->name, r->name, r->nn);
    out->kind = (lty_reward_kind)r->kind;
    out->value = r->value;
    out->source = (lty_reward_source)r->source;
    out->state = (lty_reward_state)r->state;
    out->issued = r->issued;
    out->expires = r->expires;
    out->closed = r->state == LTY_REWARD_ISSUED ? 0 : r->closed;
}

/* Read and decode the reward under code (into e->rbuf, which r then
 * points into). */
static int load_reward(lty_engine *e, const char *code, size_t n, rec *r,
                       uint64_t *rev)
{
    lty__key k;
    key_reward(&k, code, n);
    int rc = lty__get(e, k.b, k.n, NULL, rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "reward: not found");
    if (rc)
        return rc;
    if ((rc = rec_decode(e->rbuf.data, e->rbuf.len, r)))
        return lty__corrupt(e, rc, "reward");
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Expiry                                                              */
/* ------------------------------------------------------------------ */

/* 1 when UTC time t falls on a local day after day. */
static int after_day(lty_engine *e, int64_t t, int64_t day, int *after)
{
    int64_t d;
    int rc = lty__local_day(e, t, &d);
    if (rc == LTY_OK)
        *after = d > day;
    return rc;
}

/* The first UTC second of the local day after day, found by bisection:
 * local time is UTC plus at most 18 hours either way, so it lies within
 * 18 hours of the local midnight read as UTC.  (The local day never goes
 * back as t grows unless a zone turns its clocks back across midnight;
 * then this still returns a second at which the local day has changed.) */
static int next_day_start_search(lty_engine *e, int64_t day, int64_t *out)
{
    int64_t midnight = (day + 1) * SECONDS_PER_DAY;
    int64_t lo = midnight - OFFSET_MAX_SECONDS - 1; /* not after day */
    int64_t hi = midnight + OFFSET_MAX_SECONDS;     /* after day */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        int after = 0;
        int rc = after_day(e, mid, day, &after);
        if (rc)
            return rc;
        if (after)
            hi = mid;
        else
            lo = mid;
    }
    *out = hi;
    return LTY_OK;
}

/* The last second of local day (day of issued) + valid_days, clamped to
 * LTY_TIME_MAX; LTY_TIME_NONE for valid_days 0. */
static int expiry_of(lty_engine *e, int64_t issued, int valid_days,
                     int64_t *out)
{
    int64_t day, next;
    int minutes = 0, rc;
    if (valid_days == 0) {
        *out = LTY_TIME_NONE;
        return LTY_OK;
    }
    if ((rc = lty__local_day(e, issued, &day)))
        return rc;
    day += valid_days;
    int64_t midnight = (day + 1) * SECONDS_PER_DAY;
    if (midnight - OFFSET_MAX_SECONDS > LTY_TIME_MAX) {
        *out = LTY_TIME_MAX;
        return LTY_OK;
    }
    /* With a zone callback, guess with the offset near the boundary and
     * check the guess; search only when the offset changes right there. */
    if ((rc = lty__utc_offset(e, midnight - (int64_t)e->utc_offset * 60,
                              &minutes)))
        return rc;
    next = midnight - (int64_t)minutes * 60;
    if (e->tz) {
        int a = 0, b = 0;
        if ((rc = after_day(e, next, day, &a)) ||
            (rc = after_day(e, next - 1, day, &b)))
            return rc;
        if (!a || b) {
            if ((rc = next_day_start_search(e, day, &next)))
                return rc;
        }
    }
    next -= 1;
    if (next > LTY_TIME_MAX)
        next = LTY_TIME_MAX;
    if (next < issued)
        next = issued; /* cannot happen for valid_days >= 1; kept decodable */
    *out = next;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Storing a new reward (lty_reward_issue and the program engine)       */
/* ------------------------------------------------------------------ */

/* Inside a transaction: store r under code with its index entry.  A code
 * already in use is LTY_EEXISTS, except that with existed non-NULL the same
 * customer and program is a replay (*existed = 1, nothing written). */
static int store_new(lty_engine *e, const char *code, size_t codelen, rec *r,
                     int valid_days, int *existed)
{
    lty__key k;
    rec old;
    key_reward(&k, code, codelen);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_OK) {
        if (!existed)
            return lty__err(e, LTY_EEXISTS, "reward code: already issued");
        if ((rc = rec_decode(e->rbuf.data, e->rbuf.len, &old)))
            return lty__corrupt(e, rc, "reward");
        if (old.cn == r->cn && memcmp(old.cid, r->cid, r->cn) == 0 &&
            old.pn == r->pn && (r->pn == 0 ||
                                memcmp(old.pid, r->pid, r->pn) == 0)) {
            *existed = 1;
            return LTY_OK;
        }
        return lty__err(e, LTY_EEXISTS, "reward code: already issued");
    }
    if (rc != LTY_ENOTFOUND)
        return rc;
    r->state = LTY_REWARD_ISSUED;
    r->closed = 0;
    if ((rc = expiry_of(e, r->issued, valid_days, &r->expires)))
        return rc;
    if ((rc = rec_encode(r, &e->wbuf)))
        return lty__err(e, rc, "reward: cannot encode");
    if ((rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, LTY_REV_NONE,
                       NULL)))
        return rc;
    key_index(&k, r->cid, r->cn, code, codelen);
    return lty__put(e, k.b, k.n, "", 0, LTY_REV_NONE, NULL);
}

static int check_kind(lty_engine *e, int kind)
{
    if (kind < LTY_REWARD_SERVICE || kind > LTY_REWARD_CASH)
        return lty__err(e, LTY_EINVALID, "reward kind: unknown kind");
    return LTY_OK;
}

static int check_value(lty_engine *e, int64_t value)
{
    if (value < 0)
        return lty__err(e, LTY_EINVALID, "reward value: negative");
    return LTY_OK;
}

static int check_valid_days(lty_engine *e, int days)
{
    if (days < 0 || days > VALID_DAYS_MAX)
        return lty__err(e, LTY_EINVALID, "reward valid_days: outside 0..%d",
                        VALID_DAYS_MAX);
    return LTY_OK;
}

int lty__reward_put_new(lty_engine *e, const lty__reward_new *r, int *existed)
{
    rec nr;
    size_t codelen;
    int rc;
    *existed = 0;
    /* The program engine passes checked values; these checks only keep a
     * mistake from writing a record that would not decode. */
    if ((rc = lty__check_id(e, "reward code", r->code, &codelen)))
        return rc;
    if (!r->customer_id || r->cn < 1 || r->cn > LTY_ID_MAX ||
        memchr(r->customer_id, 0, r->cn) ||
        !lty__text_valid(r->customer_id, r->cn, LTY__TEXT_LINE))
        return lty__err(e, LTY_EINVALID, "customer id: malformed");
    memset(&nr, 0, sizeof nr);
    nr.cid = r->customer_id;
    nr.cn = r->cn;
    if (r->program_id && (rc = lty__check_text(e, "program id", r->program_id,
                                               0, LTY_ID_MAX, LTY__TEXT_LINE,
                                               &nr.pn)))
        return rc;
    nr.pid = r->program_id;
    if ((rc = lty__check_text(e, "reward name", r->name, 1, LTY_TITLE_MAX,
                              LTY__TEXT_LINE, &nr.nn)))
        return rc;
    nr.name = r->name;
    if ((rc = check_kind(e, (int)r->kind)) || (rc = check_value(e, r->value)) ||
        (rc = check_valid_days(e, r->valid_days)))
        return rc;
    if ((int)r->source < LTY_REWARD_BY_RULE ||
        (int)r->source > LTY_REWARD_BY_HAND)
        return lty__err(e, LTY_EINVALID, "reward source: unknown source");
    if ((rc = lty__check_time(e, "reward issued", r->issued)))
        return rc;
    nr.kind = (int)r->kind;
    nr.value = r->value;
    nr.source = (int)r->source;
    nr.issued = r->issued;
    return store_new(e, r->code, codelen, &nr, r->valid_days, existed);
}

int lty__reward_exists(lty_engine *e, const char *code, int *exists)
{
    lty__key k;
    size_t n;
    *exists = 0;
    int rc = lty__check_id(e, "reward code", code, &n);
    if (rc)
        return rc;
    key_reward(&k, code, n);
    rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc == LTY_OK)
        *exists = 1;
    return rc;
}

/* A reversed referral (referral.c) takes back the reward it issued: void
 * while still issued (even past its expiry: it can no longer be redeemed
 * anyway, and void says why); a redeemed one is gone and stays as it is. */
int lty__reward_withdraw(lty_engine *e, const char *code, size_t n,
                         int64_t when, int *voided)
{
    lty__key k;
    rec r;
    uint64_t rev = 0;
    *voided = 0;
    int rc = load_reward(e, code, n, &r, &rev);
    if (rc)
        return rc;
    if (r.state != LTY_REWARD_ISSUED)
        return LTY_OK;
    r.state = LTY_REWARD_VOID;
    r.closed = when;
    if ((rc = rec_encode(&r, &e->wbuf)))
        return lty__err(e, rc, "reward: cannot encode");
    key_reward(&k, code, n);
    if ((rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL)))
        return rc;
    *voided = 1;
    return LTY_OK;
}

/* Erasure (customer_rekey.c): the reward now belongs to the anonymous id.
 * Everything else in the record is kept: the program id, kind, value,
 * source, times and state carry no personal data, and an issued reward
 * stays redeemable by its code (the coupon may be in someone's hand).  The
 * name is kept when a program definition gave it (rules, draws); a name
 * the host typed (by hand, by campaign) may be personal ("Minji's birthday
 * cake"), so it becomes a neutral one. */
int lty__reward_rekey(lty_engine *e, const char *code, size_t n,
                      const char *from, size_t fn, const char *to, size_t tn)
{
    static const char neutral[] = "reward";
    lty__key k;
    rec r;
    uint64_t rev = 0;
    if (n == 0 || n > LTY_ID_MAX || memchr(code, 0, n) ||
        !lty__text_valid(code, n, LTY__TEXT_LINE))
        return lty__err(e, LTY_ECORRUPT, "reward index key: malformed");
    int rc = load_reward(e, code, n, &r, &rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ECORRUPT,
                        "reward index: names a missing reward");
    if (rc)
        return rc;
    if (r.cn != fn || memcmp(r.cid, from, fn) != 0)
        return lty__err(e, LTY_ECORRUPT,
                        "reward index: names another customer's reward");
    r.cid = to;
    r.cn = tn;
    if (r.source == LTY_REWARD_BY_HAND || r.source == LTY_REWARD_BY_CAMPAIGN) {
        r.name = neutral;
        r.nn = sizeof neutral - 1;
    }
    if ((rc = rec_encode(&r, &e->wbuf)))
        return lty__err(e, rc, "reward: cannot encode");
    key_reward(&k, code, n);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

/* ------------------------------------------------------------------ */
/* Issue                                                               */
/* ------------------------------------------------------------------ */

typedef struct issue_op {
    const char *code;
    size_t codelen;
    rec r;                     /* everything but the times and state */
    int valid_days;
} issue_op;

/* The customer's profile must exist. */
static int check_customer(lty_engine *e, const char *cid, size_t cn)
{
    lty__key k;
    lty__key_profile(&k, cid, cn);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "customer: not found");
    return rc;
}

static int issue_body(lty_engine *e, void *arg)
{
    issue_op *op = arg;
    rec r = op->r;
    int rc = check_customer(e, r.cid, r.cn);
    if (rc)
        return rc;
    if (r.pn) {
        const lty__programs *ps;
        if ((rc = lty__programs_current(e, &ps)))
            return rc;
        const lty__program *p = lty__program_find(ps, r.pid, r.pn);
        if (!p)
            return lty__err(e, LTY_ENOTFOUND, "program: not found");
        if (p->medical && r.kind != LTY_REWARD_SERVICE)
            return lty__err(e, LTY_EINVALID,
                            "reward kind: cash-equivalent rewards are not "
                            "allowed in a medical program");
    }
    r.issued = lty__now(e);
    return store_new(e, op->code, op->codelen, &r, op->valid_days, NULL);
}

static int check_spec(lty_engine *e, const lty_reward_spec *s, issue_op *op)
{
    int rc;
    memset(op, 0, sizeof *op);
    if (!s)
        return lty__err(e, LTY_EINVALID, "reward spec: NULL");
    if ((rc = lty__check_version(e, "reward spec", s->version,
                                 LTY_REWARD_SPEC_VERSION)))
        return rc;
    if ((rc = lty__check_id(e, "reward code", s->code, &op->codelen)))
        return rc;
    op->code = s->code;
    if ((rc = lty__check_id(e, "customer id", s->customer_id, &op->r.cn)))
        return rc;
    op->r.cid = s->customer_id;
    /* NULL or "" (as lty_reward.program_id reads back): no program. */
    if ((rc = lty__check_text(e, "program id", s->program_id, 0, LTY_ID_MAX,
                              LTY__TEXT_LINE, &op->r.pn)))
        return rc;
    op->r.pid = s->program_id;
    if ((rc = lty__check_text(e, "reward name", s->name, 1, LTY_TITLE_MAX,
                              LTY__TEXT_LINE, &op->r.nn)))
        return rc;
    op->r.name = s->name;
    if ((rc = check_kind(e, (int)s->kind)) || (rc = check_value(e, s->value)) ||
        (rc = check_valid_days(e, s->valid_days)))
        return rc;
    if (s->source != LTY_REWARD_BY_HAND && s->source != LTY_REWARD_BY_CAMPAIGN)
        return lty__err(e, LTY_EINVALID,
                        "reward source: must be by hand or by campaign");
    op->r.kind = (int)s->kind;
    op->r.value = s->value;
    op->r.source = (int)s->source;
    op->valid_days = s->valid_days;
    return LTY_OK;
}

int lty_reward_issue(lty_engine *e, const lty_reward_spec *spec)
{
    issue_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_spec(e, spec, &op);
    if (rc)
        return rc;
    return lty__txn(e, issue_body, &op);
}

/* ------------------------------------------------------------------ */
/* Redeem and void                                                     */
/* ------------------------------------------------------------------ */

typedef struct close_op {
    const char *code;
    size_t n;
    lty_reward_state to;       /* REDEEMED or VOID */
    int64_t when;              /* redemption time; LTY_TIME_NOW: the clock */
} close_op;

static int close_body(lty_engine *e, void *arg)
{
    const close_op *op = arg;
    rec r;
    uint64_t rev = 0;
    lty__key k;
    int rc = load_reward(e, op->code, op->n, &r, &rev);
    if (rc)
        return rc;
    if (r.state == LTY_REWARD_REDEEMED)
        return lty__err(e, LTY_ESTATE, "reward: already redeemed");
    if (r.state == LTY_REWARD_VOID)
        return lty__err(e, LTY_ESTATE, "reward: void");
    int64_t at = op->when == LTY_TIME_NOW ? lty__now(e) : op->when;
    if (op->to == LTY_REWARD_REDEEMED && r.expires != LTY_TIME_NONE &&
        at > r.expires)
        return lty__err(e, LTY_ESTATE, "reward: expired");
    r.state = (int)op->to;
    r.closed = at;
    if ((rc = rec_encode(&r, &e->wbuf)))
        return lty__err(e, rc, "reward: cannot encode");
    key_reward(&k, op->code, op->n);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

static int close_reward(lty_engine *e, const char *code, int64_t when,
                        lty_reward_state to)
{
    close_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    int rc = lty__check_id(e, "reward code", code, &op.n);
    if (rc)
        return rc;
    if (when != LTY_TIME_NOW &&
        (rc = lty__check_time(e, "redemption time", when)))
        return rc;
    op.code = code;
    op.to = to;
    op.when = when;
    return lty__txn(e, close_body, &op);
}

int lty_reward_redeem(lty_engine *e, const char *code, int64_t when)
{
    return close_reward(e, code, when, LTY_REWARD_REDEEMED);
}

int lty_reward_void(lty_engine *e, const char *code)
{
    return close_reward(e, code, LTY_TIME_NOW, LTY_REWARD_VOID);
}

/* ------------------------------------------------------------------ */
/* Reads                                                               */
/* ------------------------------------------------------------------ */

int lty_reward_get(lty_engine *e, const char *code, lty_reward *out)
{
    rec r;
    size_t n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "reward: NULL output");
    int rc = lty__check_version(e, "reward", out->version, LTY_REWARD_VERSION);
    if (rc)
        return rc;
    if ((rc = lty__check_id(e, "reward code", code, &n)))
        return rc;
    if ((rc = load_reward(e, code, n, &r, NULL)))
        return rc;
    rec_out(&r, code, n, out);
    return LTY_OK;
}

typedef struct list_op {
    const char *cid;
    size_t cn;
    lty_reward *out;
    size_t cap;
    size_t total;
    size_t plen;               /* length of "C\0<id>\0W" */
    int bad_key;
} list_op;

/* Count every entry; keep the codes of the first cap in out[].code (the
 * connection cannot be used from inside the scan). */
static int list_each(const char *key, size_t keylen, const void *val,
                     size_t len, uint64_t rev, void *ctx)
{
    list_op *op = ctx;
    (void)val;
    (void)len;
    (void)rev;
    size_t n = keylen - op->plen;
    const char *code = key + op->plen;
    if (keylen <= op->plen || n > LTY_ID_MAX || memchr(code, 0, n) ||
        !lty__text_valid(code, n, LTY__TEXT_LINE)) {
        op->bad_key = 1;
        return LTY_ECORRUPT;
    }
    if (op->total < op->cap)
        copy_text(op->out[op->total].code, code, n);
    op->total++;
    return LTY_OK;
}

static int list_body(lty_engine *e, void *arg)
{
    list_op *op = arg;
    lty__key k;
    op->total = 0;
    op->bad_key = 0;
    int rc = check_customer(e, op->cid, op->cn);
    if (rc)
        return rc;
    key_index_prefix(&k, op->cid, op->cn);
    op->plen = k.n;
    rc = lty__scan(e, k.b, k.n, NULL, 0, list_each, op);
    if (op->bad_key)
        return lty__err(e, LTY_ECORRUPT, "reward index key: malformed");
    if (rc)
        return rc;
    for (size_t i = 0; i < op->total && i < op->cap; i++) {
        lty_reward *o = &op->out[i];
        size_t n = strlen(o->code);
        rec r;
        rc = load_reward(e, o->code, n, &r, NULL);
        if (rc == LTY_ENOTFOUND)
            return lty__err(e, LTY_ECORRUPT,
                            "reward index: names a missing reward");
        if (rc)
            return rc;
        if (r.cn != op->cn || memcmp(r.cid, op->cid, op->cn) != 0)
            return lty__err(e, LTY_ECORRUPT,
                            "reward index: names another customer's reward");
        rec_out(&r, o->code, n, o);
    }
    return LTY_OK;
}

int lty_reward_list(lty_engine *e, const char *customer_id, lty_reward *out,
                    size_t cap, size_t *count)
{
    list_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!count)
        return lty__err(e, LTY_EINVALID, "reward count: NULL output");
    *count = 0;
    if (cap && !out)
        return lty__err(e, LTY_EINVALID, "rewards: NULL output");
    memset(&op, 0, sizeof op);
    for (size_t i = 0; i < cap; i++) {
        int rc = lty__check_version(e, "reward", out[i].version,
                                    LTY_REWARD_VERSION);
        if (rc)
            return rc;
    }
    int rc = lty__check_id(e, "customer id", customer_id, &op.cn);
    if (rc)
        return rc;
    op.cid = customer_id;
    op.out = out;
    op.cap = cap;
    /* One transaction: the count and the rewards are one snapshot. */
    if ((rc = lty__txn(e, list_body, &op)))
        return rc;
    *count = op.total;
    return LTY_OK;
}
