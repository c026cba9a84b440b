/*
 * libloyalty - a customer's state in every program: one record,
 * "C\0<id>\0G", so recording an event reads and writes it once however
 * many programs run.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "codec_int.h"
#include "fastenc_int.h"
#include "keys_int.h"
#include "program_int.h"
#include "validate_int.h"

/* Most lots and day buckets one program state may hold: a customer who
 * earns every day of a 10-year rolling window stays below it. */
#define LOTS_MAX 4096
#define BUCKETS_MAX 3661

void lty__pstates_init(lty__pstates *ss, const lty_allocator *a)
{
    memset(ss, 0, sizeof *ss);
    ss->a = a;
}

void lty__pstates_release(lty__pstates *ss)
{
    for (size_t i = 0; i < ss->cap; i++) {
        lty__free(ss->a, ss->s[i].lots);
        lty__free(ss->a, ss->s[i].buckets);
    }
    lty__free(ss->a, ss->s);
    memset(ss, 0, sizeof *ss);
}

void lty__pstates_reset(lty__pstates *ss)
{
    ss->n = 0;
}

/* Clear a slot, keeping the lot and bucket arrays it owns (a reset set of
 * states reuses them instead of allocating on every event). */
static void clear_slot(lty__pstate *s)
{
    lty__lot *lots = s->lots;
    lty__bucket *buckets = s->buckets;
    size_t cl = s->caplots, cb = s->capbuckets;
    memset(s, 0, sizeof *s);
    s->lots = lots;
    s->caplots = cl;
    s->buckets = buckets;
    s->capbuckets = cb;
}

/* Make room for one more slot; the new ones start empty. */
static int reserve_slot(lty__pstates *ss)
{
    if (ss->n < ss->cap)
        return LTY_OK;
    size_t cap = ss->cap ? ss->cap * 2 : 4;
    lty__pstate *n = lty__realloc(ss->a, ss->s, cap * sizeof *n);
    if (!n)
        return LTY_ENOMEM;
    memset(n + ss->cap, 0, (cap - ss->cap) * sizeof *n);
    ss->s = n;
    ss->cap = cap;
    return LTY_OK;
}

static void start_state(lty__pstate *s, const lty__program *p)
{
    clear_slot(s);
    memcpy(s->program, p->id, p->idlen + 1);
    s->plen = p->idlen;
    s->def_version = p->def_version;
    s->step = -1;
    s->tier = p->ntiers ? 0 : -1;
    s->peak = s->tier;
    for (size_t i = 0; i < LTY_PROGRAM_TIERS_MAX; i++)
        s->until[i] = i == 0 ? LTY_TIME_NONE : 0;
}

int lty__pstates_get(lty__pstates *ss, const lty__program *p, lty__pstate **out)
{
    size_t at = 0;
    for (; at < ss->n; at++) {
        int c = strcmp(ss->s[at].program, p->id);
        if (c == 0) {
            *out = &ss->s[at];
            return LTY_OK;
        }
        if (c > 0)
            break;
    }
    if (reserve_slot(ss))
        return LTY_ENOMEM;
    /* the spare slot past the end moves to `at`, with its arrays */
    lty__pstate spare = ss->s[ss->n];
    memmove(&ss->s[at + 1], &ss->s[at], (ss->n - at) * sizeof *ss->s);
    ss->s[at] = spare;
    ss->n++;
    start_state(&ss->s[at], p);
    *out = &ss->s[at];
    return LTY_OK;
}

static int grow(const lty_allocator *a, void **arr, size_t *cap, size_t n,
                size_t elem, size_t max)
{
    if (n < *cap)
        return LTY_OK;
    if (n >= max)
        return LTY_ERANGE;
    size_t c = *cap ? *cap * 2 : 8;
    if (c > max)
        c = max;
    void *p = lty__realloc(a, *arr, c * elem);
    if (!p)
        return LTY_ENOMEM;
    *arr = p;
    *cap = c;
    return LTY_OK;
}

int lty__pstate_add_lot(lty__pstates *ss, lty__pstate *s, int64_t expires,
                        int64_t unlocks, int64_t amount)
{
    size_t at = 0;
    for (; at < s->nlots; at++) {
        lty__lot *l = &s->lots[at];
        if (l->expires == expires && l->unlocks == unlocks) {
            l->amount += amount;
            return LTY_OK;
        }
        if (l->expires > expires || (l->expires == expires && l->unlocks > unlocks))
            break;
    }
    void *arr = s->lots;
    int rc = grow(ss->a, &arr, &s->caplots, s->nlots, sizeof *s->lots, LOTS_MAX);
    s->lots = arr;
    if (rc)
        return rc;
    memmove(&s->lots[at + 1], &s->lots[at], (s->nlots - at) * sizeof *s->lots);
    s->lots[at] = (lty__lot){expires, unlocks, amount};
    s->nlots++;
    return LTY_OK;
}

int lty__pstate_add_bucket(lty__pstates *ss, lty__pstate *s, int64_t day,
                           int64_t amount)
{
    size_t at = s->nbuckets;
    while (at > 0 && s->buckets[at - 1].day > day)
        at--;
    if (at > 0 && s->buckets[at - 1].day == day) {
        s->buckets[at - 1].amount += amount;
        return LTY_OK;
    }
    void *arr = s->buckets;
    int rc = grow(ss->a, &arr, &s->capbuckets, s->nbuckets, sizeof *s->buckets,
                  BUCKETS_MAX);
    s->buckets = arr;
    if (rc)
        return rc;
    memmove(&s->buckets[at + 1], &s->buckets[at],
            (s->nbuckets - at) * sizeof *s->buckets);
    s->buckets[at] = (lty__bucket){day, amount};
    s->nbuckets++;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */
/* ------------------------------------------------------------------ */

enum { G_STATE = 1 };
/* Numbers holding their default are left out (a state is read and written
 * on every event); step, tier and peak are stored plus one, so that their
 * default, -1, is 0. */
enum {
    S_PROGRAM = 1, S_DEF_VERSION, S_STEP, S_BALANCE, S_EARNED, S_YEAR,
    S_EARNED_YEAR, S_TIER, S_PEAK, S_UNTIL, S_NOTICED, S_LOT, S_BUCKET,
    S_EXPIRY_NOTICED
};

static inline void put_nonzero(lty__writer *w, unsigned tag, int64_t v)
{
    if (v != 0)
        lty__put_i64(w, tag, v);
}

/* A time that may be LTY_TIME_NONE ("never"), stored as -1: one byte
 * instead of ten. */
static inline int64_t time_out(int64_t t)
{
    return t == LTY_TIME_NONE ? -1 : t;
}

static inline int64_t time_in(int64_t v)
{
    return v == -1 ? LTY_TIME_NONE : v;
}

/* The most bytes one state can take. */
static size_t state_most(const lty__pstate *s)
{
    return LTY__FIELD_BYTES_MAX(LTY_ID_MAX) +
           (10 + LTY_PROGRAM_TIERS_MAX) * LTY__FIELD_NUM_MAX +
           s->nlots * LTY__FIELD_BYTES_MAX(3 * LTY__FIELD_NUM_MAX) +
           s->nbuckets * LTY__FIELD_BYTES_MAX(2 * LTY__FIELD_NUM_MAX);
}

static void put_state(lty__writer *w, const lty__pstate *s)
{
    lty__put_bytes(w, S_PROGRAM, s->program, s->plen);
    lty__put_i64(w, S_DEF_VERSION, s->def_version);
    put_nonzero(w, S_STEP, (int64_t)s->step + 1);
    put_nonzero(w, S_BALANCE, s->balance);
    put_nonzero(w, S_EARNED, s->earned_lifetime);
    put_nonzero(w, S_YEAR, s->year);
    put_nonzero(w, S_EARNED_YEAR, s->earned_year);
    put_nonzero(w, S_TIER, (int64_t)s->tier + 1);
    put_nonzero(w, S_PEAK, (int64_t)s->peak + 1);
    /* the validity of tiers 1.. in order, up to the last one set (tier
     * 0's never ends) */
    size_t last = 0;
    for (size_t i = 1; i < LTY_PROGRAM_TIERS_MAX; i++)
        if (s->until[i])
            last = i;
    for (size_t i = 1; i <= last; i++)
        lty__put_i64(w, S_UNTIL, time_out(s->until[i]));
    put_nonzero(w, S_NOTICED, s->noticed_until);
    for (size_t i = 0; i < s->nlots; i++) {
        unsigned char sub[3 * LTY__FIELD_NUM_MAX];
        lty__writer sw = {sub};
        lty__put_i64(&sw, 1, time_out(s->lots[i].expires));
        lty__put_i64(&sw, 2, s->lots[i].unlocks);
        lty__put_i64(&sw, 3, s->lots[i].amount);
        lty__put_bytes(w, S_LOT, sub, (size_t)(sw.p - sub));
    }
    for (size_t i = 0; i < s->nbuckets; i++) {
        unsigned char sub[2 * LTY__FIELD_NUM_MAX];
        lty__writer sw = {sub};
        lty__put_i64(&sw, 1, s->buckets[i].day);
        lty__put_i64(&sw, 2, s->buckets[i].amount);
        lty__put_bytes(w, S_BUCKET, sub, (size_t)(sw.p - sub));
    }
    put_nonzero(w, S_EXPIRY_NOTICED, s->expiry_noticed);
}

int lty__pstates_encode(const lty__pstates *ss, lty_buf *out)
{
    size_t most = 2;
    for (size_t i = 0; i < ss->n; i++)
        most += LTY__FIELD_BYTES_MAX(state_most(&ss->s[i]));
    if (most > LTY_VALUE_MAX)
        return LTY_ERANGE;
    lty__writer w;
    int rc = lty__writer_begin(&w, out, most, LTY__REC_PSTATE, LTY__PSTATE_VERSION);
    if (rc)
        return rc;
    for (size_t i = 0; i < ss->n; i++) {
        /* the state goes after a length prefix of up to 3 bytes (a state
         * is far below 2 MiB), written once its size is known */
        *w.p++ = (unsigned char)(G_STATE << 3 | LTY__WIRE_BYTES);
        unsigned char *len_at = w.p;
        w.p += 3;
        put_state(&w, &ss->s[i]);
        size_t n = (size_t)(w.p - len_at - 3);
        size_t lb = n < 0x80 ? 1 : n < 0x4000 ? 2 : 3;
        if (lb < 3)
            memmove(len_at + lb, len_at + 3, n);
        lty__writer lw = {len_at};
        lty__put_varint(&lw, n);
        w.p = len_at + lb + n;
    }
    lty__writer_end(&w, out);
    return LTY_OK;
}

#define TIME_OR_NONE_OK(v) (((v) >= LTY_TIME_MIN && (v) <= LTY_TIME_MAX) || \
                            (v) == LTY_TIME_NONE)

static int dec_pair(const lty__field *pf, int64_t *a, int64_t *b, int64_t *c)
{
    lty__dec d = {0};
    lty__field f;
    int r, have = 0;
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        int64_t *dst = f.tag == 1 ? a : f.tag == 2 ? b : f.tag == 3 ? c : NULL;
        if (!dst || lty__field_i64(&f, dst) || (have & (1 << f.tag)))
            return LTY_ECORRUPT;
        have |= 1 << f.tag;
    }
    int want = c ? 14 : 6;
    return r == 0 && have == want ? LTY_OK : LTY_ECORRUPT;
}

static int dec_state(lty__pstates *ss, const lty__field *pf, lty__pstate *s)
{
    lty__dec d = {0};
    lty__field f;
    uint64_t seen = 0;
    size_t nuntil = 1;
    int64_t v;
    int r;
    clear_slot(s);
    s->until[0] = LTY_TIME_NONE;
    s->step = s->tier = s->peak = -1;
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != S_UNTIL && f.tag != S_LOT && f.tag != S_BUCKET &&
            lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case S_PROGRAM: {
            const char *p;
            if (lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &p, &s->plen))
                return LTY_ECORRUPT;
            memcpy(s->program, p, s->plen);
            s->program[s->plen] = '\0';
            break;
        }
        case S_DEF_VERSION:
            if (lty__field_int(&f, 1, INT64_MAX, &s->def_version))
                return LTY_ECORRUPT;
            break;
        case S_STEP:
            if (lty__field_int(&f, 1, LTY_PROGRAM_STEPS_MAX, &v))
                return LTY_ECORRUPT;
            s->step = (int)v - 1;
            break;
        case S_BALANCE:
            if (lty__field_i64(&f, &s->balance))
                return LTY_ECORRUPT;
            break;
        case S_EARNED:
            if (lty__field_i64(&f, &s->earned_lifetime))
                return LTY_ECORRUPT;
            break;
        case S_YEAR:
            if (lty__field_int(&f, 0, 9999, &s->year))
                return LTY_ECORRUPT;
            break;
        case S_EARNED_YEAR:
            if (lty__field_i64(&f, &s->earned_year))
                return LTY_ECORRUPT;
            break;
        case S_TIER:
            if (lty__field_int(&f, 1, LTY_PROGRAM_TIERS_MAX, &v))
                return LTY_ECORRUPT;
            s->tier = (int)v - 1;
            break;
        case S_PEAK:
            if (lty__field_int(&f, 1, LTY_PROGRAM_TIERS_MAX, &v))
                return LTY_ECORRUPT;
            s->peak = (int)v - 1;
            break;
        case S_UNTIL:
            if (nuntil == LTY_PROGRAM_TIERS_MAX || lty__field_i64(&f, &v) ||
                (v != 0 && !TIME_OR_NONE_OK(time_in(v))))
                return LTY_ECORRUPT;
            s->until[nuntil++] = time_in(v);
            break;
        case S_NOTICED:
            if (lty__field_i64(&f, &s->noticed_until))
                return LTY_ECORRUPT;
            break;
        case S_LOT: {
            int64_t ex, un, am;
            if (dec_pair(&f, &ex, &un, &am))
                return LTY_ECORRUPT;
            ex = time_in(ex);
            if (!TIME_OR_NONE_OK(ex) ||
                un < 0 || un > LTY_TIME_MAX || am <= 0)
                return LTY_ECORRUPT;
            if (s->nlots && (s->lots[s->nlots - 1].expires > ex ||
                             (s->lots[s->nlots - 1].expires == ex &&
                              s->lots[s->nlots - 1].unlocks >= un)))
                return LTY_ECORRUPT;
            if ((r = lty__pstate_add_lot(ss, s, ex, un, am)))
                return r == LTY_ENOMEM ? r : LTY_ECORRUPT;
            break;
        }
        case S_BUCKET: {
            int64_t day, am;
            if (dec_pair(&f, &day, &am, NULL) || day < 0 || day > 3000000 ||
                (s->nbuckets && s->buckets[s->nbuckets - 1].day >= day))
                return LTY_ECORRUPT;
            if ((r = lty__pstate_add_bucket(ss, s, day, am)))
                return r == LTY_ENOMEM ? r : LTY_ECORRUPT;
            break;
        }
        case S_EXPIRY_NOTICED:
            if (lty__field_i64(&f, &s->expiry_noticed))
                return LTY_ECORRUPT;
            break;
        default:
            return LTY_ECORRUPT;
        }
    }
    if (r < 0 || !s->plen || !s->def_version)
        return LTY_ECORRUPT;
    return LTY_OK;
}

int lty__pstates_decode(const void *data, size_t len, lty__pstates *ss)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    int r;
    if (lty__dec_begin(&d, data, len, LTY__REC_PSTATE, LTY__PSTATE_VERSION,
                       &version))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != G_STATE || ss->n >= LTY_PROGRAMS_MAX * 4)
            return LTY_ECORRUPT;
        if (reserve_slot(ss))
            return LTY_ENOMEM;
        lty__pstate *s = &ss->s[ss->n];
        int rc = dec_state(ss, &f, s);
        if (rc)
            return rc;
        ss->n++;
        if (ss->n > 1 && strcmp(ss->s[ss->n - 2].program, s->program) >= 0)
            return LTY_ECORRUPT;
    }
    return r == 0 ? LTY_OK : LTY_ECORRUPT;
}

/* ------------------------------------------------------------------ */
/* Load and store                                                      */
/* ------------------------------------------------------------------ */

static void state_key(lty__key *k, const char *cid, size_t cn)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "G", 1);
}

int lty__pstates_load(lty_engine *e, const char *cid, size_t cn,
                      lty__pstates *ss, uint64_t *rev)
{
    lty__key k;
    state_key(&k, cid, cn);
    *rev = LTY_REV_NONE;
    int rc = lty__get(e, k.b, k.n, NULL, rev);
    if (rc == LTY_ENOTFOUND) {
        *rev = LTY_REV_NONE;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if ((rc = lty__pstates_decode(e->rbuf.data, e->rbuf.len, ss)))
        return rc == LTY_ENOMEM ? lty__err(e, rc, "program state: out of memory")
                                : lty__corrupt(e, rc, "program state");
    return LTY_OK;
}

int lty__pstates_store(lty_engine *e, const char *cid, size_t cn,
                       const lty__pstates *ss, uint64_t rev)
{
    lty__key k;
    state_key(&k, cid, cn);
    int rc = lty__pstates_encode(ss, &e->wbuf);
    if (rc)
        return lty__err(e, rc, "program state: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}
