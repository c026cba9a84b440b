/*
 * libloyalty - what programs do when an event is recorded: ladder steps,
 * earning, tiers, rewards by rule, draws, and taking back what a refunded
 * purchase earned.  Also the calendar arithmetic the programs share
 * (expiry times, tier validity) and the program history.
 *
 * Everything here runs inside the caller's storage transaction and keeps
 * its effects in the store, so a retried transaction starts over cleanly.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "codec_int.h"
#include "fastenc_int.h"
#include "keys_int.h"
#include "ledger_int.h"
#include "outbox_int.h"
#include "program_int.h"
#include "validate_int.h"

/* ------------------------------------------------------------------ */
/* Calendar                                                            */
/* ------------------------------------------------------------------ */

int lty__local_day_end(lty_engine *e, int64_t day, int64_t *out)
{
    /* The last second of local day `day`; the offset is taken at that
     * moment (a guess first, then corrected once for zones with DST). */
    int m = 0;
    int64_t t = (day + 1) * 86400 - 1;
    int rc = lty__utc_offset(e, t, &m);
    if (rc == LTY_OK)
        rc = lty__utc_offset(e, t - (int64_t)m * 60, &m);
    if (rc)
        return rc;
    t -= (int64_t)m * 60;
    *out = t < LTY_TIME_MIN ? LTY_TIME_MIN : t > LTY_TIME_MAX ? LTY_TIME_MAX : t;
    return LTY_OK;
}

static int local_year(lty_engine *e, int64_t t, int64_t *year)
{
    int64_t day;
    lty_date d;
    int rc = lty__local_day(e, t, &day);
    if (rc)
        return rc;
    lty__civil_from_days(day, &d);
    *year = d.year;
    return LTY_OK;
}

/* The last second of local year y (y may be 10000: clamped). */
static int year_end(lty_engine *e, int64_t y, int64_t *out)
{
    if (y >= 9999) {
        *out = LTY_TIME_MAX;
        return LTY_OK;
    }
    return lty__local_day_end(e, lty__days_from_civil((int)y + 1, 1, 1) - 1, out);
}

int lty__points_expiry(lty_engine *e, const lty__program *p, int64_t t,
                       int64_t *out)
{
    int64_t day;
    lty_date d;
    int rc;
    switch (p->expiry) {
    case LTY_EXPIRY_AFTER_DAYS:
        if ((rc = lty__local_day(e, t, &day)))
            return rc;
        return lty__local_day_end(e, day + p->expiry_days, out);
    case LTY_EXPIRY_END_OF_MONTH:
        if ((rc = lty__local_day(e, t, &day)))
            return rc;
        lty__civil_from_days(day, &d);
        return lty__local_day_end(
            e, lty__days_from_civil(d.year, d.month,
                                    lty__days_in_month(d.year, d.month)),
            out);
    case LTY_EXPIRY_END_OF_YEAR: {
        int64_t y;
        if ((rc = local_year(e, t, &y)))
            return rc;
        return year_end(e, y, out);
    }
    default:
        *out = LTY_TIME_NONE;
        return LTY_OK;
    }
}

/* How long a tier qualified at t holds: the end of the next period (the
 * next calendar year, or a rolling window from the day), plus grace. */
static int tier_validity(lty_engine *e, const lty__program *p, int64_t t,
                         int64_t *out)
{
    int64_t end, day;
    int rc;
    if (p->window == LTY_WINDOW_LIFETIME ||
        p->downgrade != LTY_DOWNGRADE_PERIOD_END) {
        *out = LTY_TIME_NONE;
        return LTY_OK;
    }
    if (p->window == LTY_WINDOW_CALENDAR_YEAR) {
        int64_t y;
        if ((rc = local_year(e, t, &y)) || (rc = year_end(e, y + 1, &end)))
            return rc;
    } else {
        if ((rc = lty__local_day(e, t, &day)) ||
            (rc = lty__local_day_end(e, day + p->window_days, &end)))
            return rc;
    }
    if (end > LTY_TIME_MAX - (int64_t)p->grace_days * 86400)
        end = LTY_TIME_MAX;
    else
        end += (int64_t)p->grace_days * 86400;
    *out = end;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Messages: the staff's notice of a promotion, the customer's notices  */
/* ------------------------------------------------------------------ */

void lty__format_local_date(lty_engine *e, int64_t t, char out[16])
{
    int64_t day = 0;
    lty_date d;
    if (lty__local_day(e, t, &day))
        day = lty__floordiv(t, 86400);
    lty__civil_from_days(day, &d);
    snprintf(out, 16, "%04d-%02d-%02d", d.year, d.month, d.day);
}

int lty__program_plan(lty_engine *e, const lty__program *p, const char *cid,
                      size_t cn, const char *kind, const char *cause,
                      size_t causelen, const char *template_id,
                      lty_channel channel, int64_t due, const lty_param *params,
                      size_t nparams, int customer_known)
{
    char id[LTY_MESSAGE_ID_MAX + 1];
    /* "program/<program>/<customer>/<kind>/<cause>", or a hash of it when
     * that is too long (ids of 64 bytes each do not fit) */
    size_t kn = strlen(kind);
    int n = -1;
    if (8 + p->idlen + 1 + cn + 1 + kn + 1 + causelen <= LTY_MESSAGE_ID_MAX &&
        !memchr(cause, 0, causelen)) {
        char *w = id;
        memcpy(w, "program/", 8);
        w += 8;
        memcpy(w, p->id, p->idlen);
        w += p->idlen;
        *w++ = '/';
        memcpy(w, cid, cn);
        w += cn;
        *w++ = '/';
        memcpy(w, kind, kn);
        w += kn;
        *w++ = '/';
        memcpy(w, cause, causelen);
        w += causelen;
        *w = '\0';
        n = (int)(w - id);
    }
    if (n < 0) {
        uint64_t h = lty__hash64(LTY__HASH_SEED, p->id, p->idlen + 1);
        h = lty__hash64(h, cid, cn);
        h = lty__hash64(h, kind, strlen(kind) + 1);
        h = lty__hash64(h, cause, causelen);
        n = snprintf(id, sizeof id, "program/%016llx", (unsigned long long)h);
    }
    /* every part was checked where it came from: the ids and the event id
     * by the calls that took them, the template id and the titles with
     * the definition */
    lty__plan pl = {id, (size_t)n, cid, cn, template_id, LTY_PURPOSE_TRANSACTIONAL,
                    channel, due, params, nparams, customer_known};
    int rc = lty__outbox_plan(e, &pl);
    if (rc == LTY_ENOTFOUND) {
        /* an erased customer's anonymous id has no profile to write to */
        lty__err_clear(e);
        return LTY_OK;
    }
    return rc;
}

/* A promotion: the staff's notice, and the customer's message when the
 * program has one. */
static int plan_promotion(lty_engine *e, const lty__program *p,
                          const lty__program_event *ev, const char *key,
                          const char *title)
{
    if (ev->replay)
        return LTY_OK; /* a rebuild plans nothing for the past */
    lty_param param = {key, title};
    /* recording an event checked that the customer exists */
    int rc = lty__program_plan(e, p, ev->cid, ev->cn, "promotion", ev->evid,
                               ev->en, p->staff_template, LTY_CHANNEL_STAFF,
                               ev->time, &param, 1, 1);
    if (rc == LTY_OK && p->promotion_template[0])
        rc = lty__program_plan(e, p, ev->cid, ev->cn, "promotion-message",
                               ev->evid, ev->en, p->promotion_template,
                               LTY_CHANNEL_NONE, ev->time, &param, 1, 1);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The program history ("C\0<id>\0H<time><program>\0<kind><cause>")    */
/* ------------------------------------------------------------------ */

enum { L_KIND = 1, L_TITLE, L_CODE, L_AMOUNT, L_DUE };

int lty__plog_add(lty_engine *e, const char *cid, size_t cn, int64_t time,
                  const lty__pstate *s, lty_program_log_kind kind,
                  const char *cause, size_t causelen, const char *title,
                  const char *code, int64_t amount, int64_t due)
{
    lty__key k;
    lty__enc w;
    unsigned char kb = (unsigned char)kind;
    lty__key_customer(&k, cid, cn);
    lty__key_add(&k, "H", 1);
    lty__key_be64(&k, (uint64_t)time);
    lty__key_add(&k, s->program, s->plen);
    lty__key_sep(&k);
    lty__key_add(&k, &kb, 1);
    lty__key_add(&k, cause, causelen);
    lty__enc_begin(&w, &e->wbuf2, LTY__REC_PLOG, 1);
    lty__enc_i64(&w, L_KIND, (int64_t)kind);
    if (title && title[0])
        lty__enc_str(&w, L_TITLE, title);
    if (code && code[0])
        lty__enc_str(&w, L_CODE, code);
    if (amount)
        lty__enc_i64(&w, L_AMOUNT, amount);
    if (due)
        lty__enc_i64(&w, L_DUE, due);
    int rc = lty__enc_end(&w);
    if (rc)
        return lty__err(e, rc, "program history: cannot encode");
    /* The same cause writes the same entry: replays overwrite it. */
    return lty__put(e, k.b, k.n, e->wbuf2.data, e->wbuf2.len, LTY_REV_ANY, NULL);
}

typedef struct history_ctx {
    lty_program_log_entry *out;
    size_t cap, n;
    size_t plen;               /* "C\0<id>\0H" */
    int corrupt;
} history_ctx;

static int history_each(const char *key, size_t keylen, const void *val,
                        size_t len, uint64_t rev, void *ctx)
{
    history_ctx *h = ctx;
    (void)rev;
    size_t i = h->n++;
    if (i >= h->cap)
        return LTY_OK;
    lty_program_log_entry *o = &h->out[i];
    memset(o, 0, sizeof *o);
    const char *rest = key + h->plen;
    size_t rn = keylen - h->plen;
    const char *nul = rn > 8 ? memchr(rest + 8, 0, rn - 8) : NULL;
    if (!nul || nul == rest + 8 || (size_t)(nul - rest - 8) > LTY_ID_MAX) {
        h->corrupt = 1;
        return LTY_ECORRUPT;
    }
    uint64_t t = 0;
    for (int b = 0; b < 8; b++)
        t = t << 8 | (unsigned char)rest[b];
    if (t > (uint64_t)LTY_TIME_MAX) {
        h->corrupt = 1;
        return LTY_ECORRUPT;
    }
    o->time = (int64_t)t;
    memcpy(o->program_id, rest + 8, (size_t)(nul - rest - 8));
    lty__dec d;
    lty__field f;
    unsigned version;
    int r;
    int64_t v;
    if (lty__dec_begin(&d, val, len, LTY__REC_PLOG, 1, &version)) {
        h->corrupt = 1;
        return LTY_ECORRUPT;
    }
    while ((r = lty__dec_next(&d, &f)) > 0) {
        const char *s;
        size_t n;
        switch (f.tag) {
        case L_KIND:
            if (lty__field_int(&f, LTY_PLOG_PROMOTED, LTY_PLOG_DEBIT, &v))
                r = -1;
            else
                o->kind = (lty_program_log_kind)v;
            break;
        case L_TITLE:
            if (lty__field_text(&f, 1, LTY_TITLE_MAX, LTY__TEXT_LINE, &s, &n))
                r = -1;
            else
                memcpy(o->title, s, n);
            break;
        case L_CODE:
            if (lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &s, &n))
                r = -1;
            else
                memcpy(o->code, s, n);
            break;
        case L_AMOUNT:
            if (lty__field_i64(&f, &o->amount))
                r = -1;
            break;
        case L_DUE:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_NONE, &o->due))
                r = -1;
            break;
        default:
            r = -1;
        }
        if (r < 0)
            break;
    }
    if (r < 0 || !o->kind) {
        h->corrupt = 1;
        return LTY_ECORRUPT;
    }
    return LTY_OK;
}

int lty_program_history(lty_engine *e, const char *customer_id,
                        lty_program_log_entry *out, size_t cap, size_t *count)
{
    size_t cn;
    lty__key k;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!count || (cap && !out))
        return lty__err(e, LTY_EINVALID, "program history: NULL");
    int rc = lty__check_id(e, "customer id", customer_id, &cn);
    if (rc)
        return rc;
    lty__key_profile(&k, customer_id, cn);
    if ((rc = lty__get(e, k.b, k.n, NULL, NULL)) == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "customer: not found");
    if (rc)
        return rc;
    lty__key_customer(&k, customer_id, cn);
    lty__key_add(&k, "H", 1);
    history_ctx h = {out, cap, 0, k.n, 0};
    rc = lty__scan(e, k.b, k.n, NULL, 0, history_each, &h);
    if (h.corrupt)
        return lty__corrupt(e, LTY_ECORRUPT, "program history entry");
    if (rc)
        return rc;
    *count = h.n;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* What a purchase earned: the earnings field of its ledger entry       */
/* ------------------------------------------------------------------ */

enum { X_ENTRY = 1 };
enum { XE_PROGRAM = 1, XE_EARNED, XE_EXPIRES, XE_UNLOCKS, XE_DAY, XE_SPENT };

/* One program's share: at most this many bytes (with its field header). */
#define EARNING_MOST (LTY__FIELD_BYTES_MAX(LTY_ID_MAX) + 5 * LTY__FIELD_NUM_MAX)

size_t lty__earnings_write(const lty__earnings *x, unsigned char *out)
{
    _Static_assert(LTY_PROGRAMS_MAX * LTY__FIELD_BYTES_MAX(EARNING_MOST) <=
                       LTY__EARNINGS_MAX,
                   "the earnings of every program fit an entry");
    lty__writer w = {out};
    for (size_t i = 0; i < x->n; i++) {
        const lty__earning *en = &x->e[i];
        unsigned char sub[EARNING_MOST];
        lty__writer s = {sub};
        lty__put_bytes(&s, XE_PROGRAM, en->program, en->plen);
        lty__put_i64(&s, XE_EARNED, en->earned);
        /* "never" is stored as 0: one byte instead of ten */
        lty__put_i64(&s, XE_EXPIRES, en->expires == LTY_TIME_NONE ? 0 : en->expires);
        lty__put_i64(&s, XE_UNLOCKS, en->unlocks);
        lty__put_i64(&s, XE_DAY, en->day);
        lty__put_i64(&s, XE_SPENT, en->spent);
        lty__put_bytes(&w, X_ENTRY, sub, (size_t)(s.p - sub));
    }
    return (size_t)(w.p - out);
}

int lty__earnings_read(const void *data, size_t len, lty__earnings *x)
{
    lty__dec d, s;
    lty__field f, g;
    int r, q;
    x->n = 0;
    d.p = data;
    d.end = d.p + len;
    d.last_tag = 0;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != X_ENTRY || x->n == LTY_PROGRAMS_MAX || lty__dec_sub(&s, &f))
            return LTY_ECORRUPT;
        lty__earning *en = &x->e[x->n++];
        memset(en, 0, sizeof *en);
        uint64_t seen = 0;
        while ((q = lty__dec_next(&s, &g)) > 0) {
            const char *p;
            size_t n;
            if (lty__dec_once(&seen, g.tag))
                return LTY_ECORRUPT;
            switch (g.tag) {
            case XE_PROGRAM:
                if (lty__field_text(&g, 1, LTY_ID_MAX, LTY__TEXT_LINE, &p, &n))
                    return LTY_ECORRUPT;
                memcpy(en->program, p, n);
                en->program[n] = '\0';
                en->plen = n;
                break;
            case XE_EARNED:
                if (lty__field_int(&g, 0, INT64_MAX, &en->earned))
                    return LTY_ECORRUPT;
                break;
            case XE_EXPIRES:
                if (lty__field_int(&g, LTY_TIME_MIN, LTY_TIME_MAX, &en->expires))
                    return LTY_ECORRUPT;
                if (en->expires == 0)
                    en->expires = LTY_TIME_NONE;
                break;
            case XE_UNLOCKS:
                if (lty__field_int(&g, 0, LTY_TIME_MAX, &en->unlocks))
                    return LTY_ECORRUPT;
                break;
            case XE_DAY:
                if (lty__field_int(&g, 0, 3000000, &en->day))
                    return LTY_ECORRUPT;
                break;
            case XE_SPENT:
                if (lty__field_int(&g, 0, INT64_MAX, &en->spent))
                    return LTY_ECORRUPT;
                break;
            default:
                return LTY_ECORRUPT;
            }
        }
        if (q < 0 || !en->plen)
            return LTY_ECORRUPT;
    }
    return r == 0 ? LTY_OK : LTY_ECORRUPT;
}

lty__earning *lty__earnings_find(lty__earnings *x, const char *program)
{
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->e[i].program, program) == 0)
            return &x->e[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Tiers                                                               */
/* ------------------------------------------------------------------ */

/* Earnings that count toward a tier now. */
static int64_t qualifying(const lty__program *p, const lty__pstate *s)
{
    switch (p->window) {
    case LTY_WINDOW_CALENDAR_YEAR:
        return s->earned_year;
    case LTY_WINDOW_ROLLING: {
        int64_t sum = 0;
        for (size_t i = 0; i < s->nbuckets; i++)
            sum += s->buckets[i].amount;
        return sum;
    }
    default:
        return s->earned_lifetime;
    }
}

static int tier_for(const lty__program *p, int64_t q)
{
    int t = 0;
    for (size_t i = 1; i < p->ntiers; i++)
        if (q >= p->tiers[i].threshold)
            t = (int)i;
    return t;
}

/* Count earnings (or take them back, amount < 0) toward the window, as of
 * local day `day`.  Window bookkeeping first rolls forward to `today`. */
static int count_toward(lty_engine *e, const lty__program *p, lty__pstates *ss,
                        lty__pstate *s, int64_t day, int64_t amount)
{
    lty_date d;
    s->earned_lifetime += amount;
    if (p->window == LTY_WINDOW_CALENDAR_YEAR) {
        lty__civil_from_days(day, &d);
        if (d.year == s->year)
            s->earned_year += amount;
        else if (d.year > s->year) {
            s->year = d.year;
            s->earned_year = amount;
        }
        return LTY_OK;
    }
    if (p->window == LTY_WINDOW_ROLLING) {
        int rc = lty__pstate_add_bucket(ss, s, day, amount);
        if (rc)
            return rc == LTY_ENOMEM ? lty__err(e, rc, "program state: out of memory")
                                    : lty__err(e, rc, "program state: too many days");
    }
    return LTY_OK;
}

/* The tier by policy, after the window has moved to `now`. */
static int settle_tier(lty_engine *e, const lty__program *p, lty__pstate *s,
                       int64_t now, int rising_only, int *rose, int *fell)
{
    int q = tier_for(p, qualifying(p, s));
    int rc;
    *rose = *fell = 0;
    if (p->ntiers == 0)
        return LTY_OK;
    /* only tiers that end keep a validity */
    if (q > 0 && p->downgrade == LTY_DOWNGRADE_PERIOD_END) {
        int64_t until;
        if ((rc = tier_validity(e, p, now, &until)))
            return rc;
        for (int i = 1; i <= q; i++)
            if (until > s->until[i])
                s->until[i] = until;
    }
    int t;
    switch (p->downgrade) {
    case LTY_DOWNGRADE_PERIOD_END:
        t = 0;
        for (size_t i = 1; i < p->ntiers; i++)
            if (s->until[i] >= now)
                t = (int)i;
        break;
    case LTY_DOWNGRADE_ON_REFUND:
        t = rising_only ? (q > s->tier ? q : s->tier) : q;
        break;
    default:
        t = q > s->peak ? q : s->peak;
        break;
    }
    if (t >= (int)p->ntiers)
        t = (int)p->ntiers - 1;
    *rose = t > s->tier;
    *fell = t < s->tier;
    s->tier = t;
    if (t > s->peak)
        s->peak = t;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Balances                                                            */
/* ------------------------------------------------------------------ */

/* Take `amount` off the unlocked lots, earliest expiry first; returns what
 * could not be covered. */
int64_t lty__lots_take(lty__pstate *s, int64_t now, int64_t amount)
{
    size_t w = 0;
    for (size_t i = 0; i < s->nlots; i++) {
        lty__lot *l = &s->lots[i];
        if (amount > 0 && l->unlocks <= now) {
            int64_t x = l->amount < amount ? l->amount : amount;
            l->amount -= x;
            amount -= x;
        }
        if (l->amount > 0)
            s->lots[w++] = *l;
    }
    s->nlots = w;
    return amount;
}

/* Credit an unlocked earning: repay a debt first, the rest into its lot. */
static int credit_unlocked(lty_engine *e, lty__pstates *ss, lty__pstate *s,
                           int64_t expires, int64_t amount)
{
    int64_t repay = 0;
    if (s->balance < 0)
        repay = -s->balance < amount ? -s->balance : amount;
    s->balance += amount;
    amount -= repay;
    if (amount > 0) {
        int rc = lty__pstate_add_lot(ss, s, expires, 0, amount);
        if (rc)
            return rc == LTY_ENOMEM ? lty__err(e, rc, "program state: out of memory")
                                    : lty__err(e, rc, "program state: too many lots");
    }
    return LTY_OK;
}

/* Move the state to `now`: unlock, expire, roll the window, settle the
 * tier.  Log entries are written unless `quiet` (status reads). */
int lty__pstate_advance(lty_engine *e, const lty__program *p, lty__pstates *ss,
                        lty__pstate *s, int64_t now, const char *cid, size_t cn,
                        int write_log, int *changed)
{
    int rc, rose, fell;
    int64_t today;
    *changed = 0;
    if ((rc = lty__local_day(e, now, &today)))
        return rc;
    /* unlock: the lot joins the balance and starts counting */
    for (size_t i = 0; i < s->nlots;) {
        lty__lot l = s->lots[i];
        if (l.unlocks == 0 || l.unlocks > now) {
            i++;
            continue;
        }
        memmove(&s->lots[i], &s->lots[i + 1], (s->nlots - i - 1) * sizeof l);
        s->nlots--;
        int64_t uday;
        if ((rc = lty__local_day(e, l.unlocks, &uday)) ||
            (rc = count_toward(e, p, ss, s, uday, l.amount)) ||
            (rc = credit_unlocked(e, ss, s, l.expires, l.amount)))
            return rc;
        *changed = 1;
        i = 0; /* the array changed under us */
    }
    /* expire */
    int64_t expired = 0;
    size_t w = 0;
    for (size_t i = 0; i < s->nlots; i++) {
        if (s->lots[i].expires != LTY_TIME_NONE && s->lots[i].expires < now &&
            s->lots[i].unlocks == 0)
            expired += s->lots[i].amount;
        else
            s->lots[w++] = s->lots[i];
    }
    s->nlots = w;
    if (expired) {
        s->balance -= expired;
        *changed = 1;
        if (write_log && (rc = lty__plog_add(e, cid, cn, now, s, LTY_PLOG_EXPIRED,
                                             "", 0, NULL, NULL, expired, 0)))
            return rc;
    }
    /* roll the window */
    if (p->window == LTY_WINDOW_CALENDAR_YEAR) {
        lty_date d;
        lty__civil_from_days(today, &d);
        if (d.year > s->year) {
            s->year = d.year;
            s->earned_year = 0;
            *changed = 1;
        }
    } else if (p->window == LTY_WINDOW_ROLLING) {
        size_t k = 0;
        while (k < s->nbuckets && s->buckets[k].day <= today - p->window_days)
            k++;
        if (k) {
            memmove(s->buckets, s->buckets + k,
                    (s->nbuckets - k) * sizeof *s->buckets);
            s->nbuckets -= k;
            *changed = 1;
        }
    }
    /* unlocked points may reach a tier; a period may have ended */
    if (p->ntiers) {
        if ((rc = settle_tier(e, p, s, now, 1, &rose, &fell)))
            return rc;
        if (fell || rose) {
            *changed = 1;
            if (write_log &&
                (rc = lty__plog_add(e, cid, cn, now, s,
                                    fell ? LTY_PLOG_TIER_DOWN : LTY_PLOG_TIER_UP,
                                    "", 0, p->tiers[s->tier].name, NULL, 0, 0)))
                return rc;
        }
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Rewards by rule                                                     */
/* ------------------------------------------------------------------ */

static int issue_rewards(lty_engine *e, const lty__program *p, lty__pstates *ss,
                         lty__pstate *s, const lty__program_event *ev,
                         lty__program_effects *fx)
{
    (void)ss;
    if (s->tier < 0)
        return LTY_OK;
    const lty__tierdef *t = &p->tiers[s->tier];
    if (!t->reward_every)
        return LTY_OK;
    for (unsigned seq = 0; s->balance >= t->reward_every; seq++) {
        char code[LTY_ID_MAX + 1];
        int existed = 0, rc;
        lty__reward_code(code, p->id, p->idlen, ev->evid, ev->en, seq);
        lty__reward_new r = {code, ev->cid, ev->cn, p->id, t->reward_name,
                             t->reward_kind, t->reward_value,
                             t->reward_valid_days, LTY_REWARD_BY_RULE, ev->time};
        if ((rc = lty__reward_put_new(e, &r, &existed)))
            return rc;
        s->balance -= t->reward_every;
        if (lty__lots_take(s, ev->time, t->reward_every))
            return lty__err(e, LTY_ECORRUPT,
                            "program state record: lots below the balance");
        if (!existed)
            fx->rewards++;
        /* one entry per reward: the cause is the event id and the
         * reward's number within the event */
        char cause[LTY_ID_MAX + 5];
        memcpy(cause, ev->evid, ev->en);
        cause[ev->en] = '\0';
        for (int b = 0; b < 4; b++)
            cause[ev->en + 1 + b] = (char)(seq >> (24 - 8 * b));
        if ((rc = lty__plog_add(e, ev->cid, ev->cn, ev->time, s, LTY_PLOG_REWARD,
                                cause, ev->en + 5, t->reward_name, code,
                                t->reward_every, 0)))
            return rc;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Per kind                                                            */
/* ------------------------------------------------------------------ */

static int ladder_event(lty_engine *e, const lty__program *p, lty__pstate *s,
                        const lty__program_event *ev, lty__program_effects *fx)
{
    int step = -1;
    for (size_t i = 0; i < p->nsteps; i++)
        if (ev->visits >= p->steps[i].visits)
            step = (int)i;
    if (step <= s->step)
        return LTY_OK;
    s->step = step;
    fx->promotions++;
    memcpy(fx->title, p->steps[step].title, sizeof fx->title);
    int rc = lty__plog_add(e, ev->cid, ev->cn, ev->time, s, LTY_PLOG_PROMOTED,
                           ev->evid, ev->en, p->steps[step].title, NULL,
                           p->steps[step].visits, 0);
    if (rc == LTY_OK)
        rc = plan_promotion(e, p, ev, "title", p->steps[step].title);
    return rc;
}

static int mul_add(int64_t *acc, int64_t a, int64_t b)
{
    int64_t m;
    if (__builtin_mul_overflow(a, b, &m) || __builtin_add_overflow(*acc, m, acc))
        return LTY_ERANGE;
    return LTY_OK;
}

/* What the event earns before the tier multiplier. */
static int base_earning(lty_engine *e, const lty__program *p,
                        const lty__program_event *ev, int64_t *out)
{
    int64_t sum = 0;
    for (size_t i = 0; i < p->nrules; i++) {
        const lty__rule *r = &p->rules[i];
        int rc = LTY_OK;
        switch (r->kind) {
        case LTY_EARN_PER_AMOUNT:
            if (ev->type == LTY_EVENT_PURCHASE)
                rc = mul_add(&sum, ev->amount / r->per_amount, r->earn);
            break;
        case LTY_EARN_PER_VISIT:
            if (ev->visit_counted)
                rc = mul_add(&sum, 1, r->earn);
            break;
        case LTY_EARN_PER_ITEM:
            if (ev->itemlen && strlen(r->item) == ev->itemlen &&
                memcmp(r->item, ev->item, ev->itemlen) == 0)
                rc = mul_add(&sum, 1, r->earn);
            break;
        }
        if (rc)
            return lty__err(e, rc, "program earnings: would overflow");
    }
    *out = sum;
    return LTY_OK;
}

static int currency_earn(lty_engine *e, const lty__program *p, lty__pstates *ss,
                         lty__pstate *s, const lty__program_event *ev,
                         lty__program_effects *fx)
{
    int64_t base = 0, earned, expires, unlocks = 0;
    int rc, rose, fell;
    if ((rc = base_earning(e, p, ev, &base)))
        return rc;
    if (base == 0)
        return LTY_OK;
    int mult = s->tier >= 0 ? p->tiers[s->tier].multiplier_pct : 100;
    if (__builtin_mul_overflow(base, (int64_t)mult, &earned))
        return lty__err(e, LTY_ERANGE, "program earnings: would overflow");
    earned /= 100;
    if (earned == 0)
        return LTY_OK;
    if (__builtin_add_overflow(s->earned_lifetime, earned, &base) ||
        __builtin_add_overflow(s->balance, earned, &base))
        return lty__err(e, LTY_ERANGE, "program balance: would overflow");
    if ((rc = lty__points_expiry(e, p, ev->time, &expires)))
        return rc;
    if (p->lock_days)
        unlocks = ev->time + (int64_t)p->lock_days * 86400;
    /* what a purchase earned, so that a refund takes back exactly that */
    lty__earnings *x = ev->type == LTY_EVENT_PURCHASE ? ev->earned : NULL;
    if (x && x->n < LTY_PROGRAMS_MAX) {
        lty__earning *en = &x->e[x->n++];
        memset(en, 0, sizeof *en);
        memcpy(en->program, p->id, p->idlen + 1);
        en->plen = p->idlen;
        en->earned = earned;
        en->expires = expires;
        en->unlocks = unlocks;
        en->day = ev->day;
    }
    if (unlocks) {
        rc = lty__pstate_add_lot(ss, s, expires, unlocks, earned);
        if (rc)
            return rc == LTY_ENOMEM ? lty__err(e, rc, "program state: out of memory")
                                    : lty__err(e, rc, "program state: too many lots");
        return LTY_OK; /* counts when it unlocks */
    }
    if ((rc = count_toward(e, p, ss, s, ev->day, earned)) ||
        (rc = credit_unlocked(e, ss, s, expires, earned)) ||
        (rc = settle_tier(e, p, s, ev->time, 1, &rose, &fell)))
        return rc;
    if (rose) {
        fx->promotions++;
        memcpy(fx->title, p->tiers[s->tier].name, sizeof fx->title);
        if ((rc = lty__plog_add(e, ev->cid, ev->cn, ev->time, s, LTY_PLOG_TIER_UP,
                                ev->evid, ev->en, p->tiers[s->tier].name, NULL,
                                0, 0)) ||
            (rc = plan_promotion(e, p, ev, "tier", p->tiers[s->tier].name)))
            return rc;
    }
    return issue_rewards(e, p, ss, s, ev, fx);
}

/* Take back the share of the purchase's earnings this refund stands for,
 * and give back the share of the points spent on it. */
static int currency_refund(lty_engine *e, const lty__program *p,
                           lty__pstates *ss, lty__pstate *s,
                           const lty__program_event *ev, const lty__earning *en)
{
    int64_t a = ev->purchase_amount, before = ev->refunded_before;
    int64_t after = before + ev->amount;
    int rc, rose, fell;
    if (a <= 0 || !en)
        return LTY_OK;
    /* shares computed on the running total, so partial refunds that add
     * up to the whole take back exactly what was earned */
    __int128 e0 = (__int128)en->earned * before / a;
    __int128 e1 = (__int128)en->earned * after / a;
    int64_t back = (int64_t)(e1 - e0);
    __int128 s0 = (__int128)en->spent * before / a;
    __int128 s1 = (__int128)en->spent * after / a;
    int64_t give = (int64_t)(s1 - s0);
    if (back > 0) {
        /* still in its lot (locked or not) comes out of the lot */
        int64_t left = back;
        /* advance() has already unlocked what was due by now */
        int64_t unlocks = en->unlocks > ev->time ? en->unlocks : 0;
        for (size_t i = 0; i < s->nlots && left; i++) {
            lty__lot *l = &s->lots[i];
            if (l->expires != en->expires || l->unlocks != unlocks)
                continue;
            int64_t x = l->amount < left ? l->amount : left;
            l->amount -= x;
            left -= x;
            if (l->unlocks == 0) {
                s->balance -= x;
                if ((rc = count_toward(e, p, ss, s, en->day, -x)))
                    return rc;
            }
        }
        lty__lots_take(s, ev->time, 0); /* drop emptied lots */
        if (left) {
            /* already spent or merged away: from the balance, into debt */
            s->balance -= left;
            lty__lots_take(s, ev->time, left);
            if ((rc = count_toward(e, p, ss, s, en->day, -left)))
                return rc;
        }
    }
    if (give > 0) {
        int64_t expires;
        if ((rc = lty__points_expiry(e, p, ev->time, &expires)) ||
            (rc = credit_unlocked(e, ss, s, expires, give)))
            return rc;
    }
    if (p->downgrade == LTY_DOWNGRADE_ON_REFUND && p->ntiers) {
        if ((rc = settle_tier(e, p, s, ev->time, 0, &rose, &fell)))
            return rc;
        if (fell && (rc = lty__plog_add(e, ev->cid, ev->cn, ev->time, s,
                                        LTY_PLOG_TIER_DOWN, ev->evid, ev->en,
                                        p->tiers[s->tier].name, NULL, 0, 0)))
            return rc;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Draws                                                               */
/* ------------------------------------------------------------------ */

static void drawday_key(lty__key *k, const lty__program *p, int64_t day)
{
    lty__key_reset(k);
    lty__key_add(k, "D", 1);
    lty__key_sep(k);
    lty__key_add(k, p->id, p->idlen);
    lty__key_sep(k);
    lty__key_be64(k, (uint64_t)day);
}

/* Prizes won so far on the day, per prize. */
static int drawday_load(lty_engine *e, const lty__key *k, int64_t *won,
                        size_t n, uint64_t *rev)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    int r;
    size_t i = 0;
    memset(won, 0, n * sizeof *won);
    int rc = lty__get(e, k->b, k->n, NULL, rev);
    if (rc == LTY_ENOTFOUND) {
        *rev = LTY_REV_NONE;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if (lty__dec_begin(&d, e->rbuf.data, e->rbuf.len, LTY__REC_DRAWDAY, 1,
                       &version))
        return lty__corrupt(e, LTY_ECORRUPT, "draw day");
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != 1 || i == LTY_PROGRAM_PRIZES_MAX ||
            lty__field_int(&f, 0, INT64_MAX, &won[i < n ? i : 0]))
            return lty__corrupt(e, LTY_ECORRUPT, "draw day");
        i++;
    }
    if (r < 0)
        return lty__corrupt(e, LTY_ECORRUPT, "draw day");
    return LTY_OK;
}

static int draw_event(lty_engine *e, const lty__program *p, lty__pstate *s,
                      const lty__program_event *ev, lty__program_effects *fx)
{
    if (!ev->visit_counted)
        return LTY_OK;
    /* the outcome is a function of the program and the event id alone */
    uint64_t h = lty__hash64(LTY__HASH_SEED, p->id, p->idlen + 1);
    h = lty__hash64(h, ev->evid, ev->en);
    int64_t u = (int64_t)(h % 1000000u), acc = 0;
    int prize = -1, rc;
    for (size_t i = 0; i < p->nprizes; i++) {
        acc += p->prizes[i].odds_ppm;
        if (u < acc) {
            prize = (int)i;
            break;
        }
    }
    char code[LTY_ID_MAX + 1] = "";
    if (prize >= 0)
        lty__reward_code(code, p->id, p->idlen, ev->evid, ev->en, 0);
    if (prize >= 0 && ev->replay) {
        /* a rebuild replays the draw: it won if its prize was issued (the
         * day's caps were counted when it was drawn) */
        int exists = 0;
        if ((rc = lty__reward_exists(e, code, &exists)))
            return rc;
        if (!exists)
            prize = -1;
    } else if (prize >= 0) {
        const lty__prizedef *z = &p->prizes[prize];
        lty__key k;
        int64_t won[LTY_PROGRAM_PRIZES_MAX];
        uint64_t rev;
        drawday_key(&k, p, ev->day);
        if ((rc = drawday_load(e, &k, won, p->nprizes, &rev)))
            return rc;
        if (z->daily_cap && won[prize] >= z->daily_cap) {
            prize = -1; /* the day's prizes of that kind are gone */
        } else {
            lty__enc w;
            won[prize]++;
            lty__enc_begin(&w, &e->wbuf, LTY__REC_DRAWDAY, 1);
            for (size_t i = 0; i < p->nprizes; i++)
                lty__enc_i64(&w, 1, won[i]);
            if ((rc = lty__enc_end(&w)))
                return lty__err(e, rc, "draw day: cannot encode");
            if ((rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL)))
                return rc;
            int existed = 0;
            lty__reward_new r = {code, ev->cid, ev->cn, p->id, z->name, z->kind,
                                 z->value, z->valid_days, LTY_REWARD_BY_DRAW,
                                 ev->time};
            if ((rc = lty__reward_put_new(e, &r, &existed)))
                return rc;
            if (!existed)
                fx->rewards++;
        }
    }
    if (prize < 0)
        code[0] = '\0';
    return lty__plog_add(e, ev->cid, ev->cn, ev->time, s, LTY_PLOG_DRAW, ev->evid,
                         ev->en, prize >= 0 ? p->prizes[prize].name : NULL,
                         code, 0, 0);
}

/* ------------------------------------------------------------------ */
/* The hook                                                            */
/* ------------------------------------------------------------------ */

/* The refunded purchase's share of program p, or NULL. */
static const lty__earning *refunded_share(const lty__program_event *ev,
                                          const lty__program *p)
{
    if (!ev->refunded)
        return NULL;
    for (size_t i = 0; i < ev->refunded->n; i++)
        if (ev->refunded->e[i].plen == p->idlen &&
            memcmp(ev->refunded->e[i].program, p->id, p->idlen) == 0)
            return &ev->refunded->e[i];
    return NULL;
}

int lty__programs_apply(lty_engine *e, const lty__programs *ps,
                        lty__pstates *ss, const lty__program_event *ev,
                        lty__program_effects *fx, int *touched)
{
    int rc, changed;
    *touched = 0;
    if (ev->earned)
        ev->earned->n = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const lty__program *p = &ps->p[i];
        const lty__earning *share = NULL;
        lty__pstate *s;
        if (ev->type == LTY_EVENT_FEEDBACK)
            break;
        if (p->kind == LTY_PROGRAM_LADDER || p->kind == LTY_PROGRAM_DRAW) {
            if (!ev->visit_counted)
                continue;
        } else if (ev->type == LTY_EVENT_REFUND &&
                   !(share = refunded_share(ev, p))) {
            continue;
        }
        if ((rc = lty__pstates_get(ss, p, &s)))
            return lty__err(e, rc, "program state: out of memory");
        *touched = 1;
        s->def_version = p->def_version;
        switch (p->kind) {
        case LTY_PROGRAM_LADDER:
            rc = ladder_event(e, p, s, ev, fx);
            break;
        case LTY_PROGRAM_DRAW:
            rc = draw_event(e, p, s, ev, fx);
            break;
        default:
            rc = lty__pstate_advance(e, p, ss, s, ev->time, ev->cid, ev->cn, 1,
                                     &changed);
            if (rc)
                break;
            if (ev->type == LTY_EVENT_REFUND)
                rc = currency_refund(e, p, ss, s, ev, share);
            else
                rc = currency_earn(e, p, ss, s, ev, fx);
            break;
        }
        if (rc)
            return rc;
    }
    return LTY_OK;
}

int lty__programs_on_event(lty_engine *e, const lty__program_event *ev,
                           lty__program_effects *fx)
{
    const lty__programs *ps;
    uint64_t rev;
    int rc, touched = 0;
    if ((rc = lty__programs_current(e, &ps)))
        return rc;
    if (ps->n == 0 || ev->type == LTY_EVENT_FEEDBACK)
        return LTY_OK;
    /* ps is the engine's cache: its scratch states keep their memory from
     * one event to the next */
    lty__programs *cache = e->programs;
    if (!cache->scratch) {
        cache->scratch = lty__malloc(&e->alloc, sizeof *cache->scratch);
        if (!cache->scratch)
            return lty__err(e, LTY_ENOMEM, "program state: out of memory");
        lty__pstates_init(cache->scratch, &e->alloc);
    }
    lty__pstates *ss = cache->scratch;
    lty__pstates_reset(ss);
    rc = lty__pstates_load(e, ev->cid, ev->cn, ss, &rev);
    if (rc == LTY_OK)
        rc = lty__programs_apply(e, ps, ss, ev, fx, &touched);
    if (rc == LTY_OK && touched)
        rc = lty__pstates_store(e, ev->cid, ev->cn, ss, rev);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Credits outside an event ("C\0<id>\0R<cause>")                       */
/* ------------------------------------------------------------------ */

/* The largest single credit: far beyond any referral's, far below what
 * could overflow a balance by accident. */
#define CREDIT_MAX INT64_C(1000000000)

enum { CR_PROGRAM = 1, CR_AMOUNT, CR_TIME, CR_TAKEN };

static void credit_key(lty__key *k, const char *cid, size_t cn,
                       const char *cause, size_t causelen)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "R", 1);
    lty__key_add(k, cause, causelen);
}

static int credit_encode(lty_engine *e, const lty__credit *c)
{
    lty__enc w;
    lty__enc_begin(&w, &e->wbuf, LTY__REC_PCREDIT, 1);
    lty__enc_str(&w, CR_PROGRAM, c->program);
    lty__enc_i64(&w, CR_AMOUNT, c->amount);
    lty__enc_i64(&w, CR_TIME, c->time);
    if (c->taken)
        lty__enc_i64(&w, CR_TAKEN, c->taken);
    int rc = lty__enc_end(&w);
    return rc ? lty__err(e, rc, "program credit: cannot encode") : LTY_OK;
}

int lty__credit_decode(const void *data, size_t len, lty__credit *c)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int r;
    memset(c, 0, sizeof *c);
    if ((r = lty__dec_begin(&d, data, len, LTY__REC_PCREDIT, 1, &version)))
        return r == LTY_EVERSION ? r : LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        const char *s;
        size_t n;
        if (f.tag <= CR_TAKEN && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case CR_PROGRAM:
            if (lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &s, &n))
                return LTY_ECORRUPT;
            memcpy(c->program, s, n);
            c->program[n] = '\0';
            break;
        case CR_AMOUNT:
            if (lty__field_int(&f, 1, CREDIT_MAX, &c->amount))
                return LTY_ECORRUPT;
            break;
        case CR_TIME:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &c->time))
                return LTY_ECORRUPT;
            break;
        case CR_TAKEN:
            if (lty__field_int(&f, 1, LTY_TIME_MAX, &c->taken))
                return LTY_ECORRUPT;
            break;
        default:
            break; /* a field of a later minor version */
        }
    }
    if (r < 0 || !c->program[0] || !c->amount ||
        !(seen & (UINT64_C(1) << CR_TIME)))
        return LTY_ECORRUPT;
    return LTY_OK;
}

int lty__credit_apply(lty_engine *e, const lty__program *p, lty__pstates *ss,
                      lty__pstate *s, const char *cid, size_t cn,
                      const char *cause, size_t causelen, int64_t amount,
                      int64_t time, int replay)
{
    lty__program_event ev;
    lty__program_effects fx;
    int64_t expires, sum;
    int rc, changed, rose, fell;
    memset(&ev, 0, sizeof ev);
    memset(&fx, 0, sizeof fx);
    ev.cid = cid;
    ev.cn = cn;
    ev.evid = cause;
    ev.en = causelen;
    ev.time = time;
    ev.replay = replay;
    s->def_version = p->def_version;
    if ((rc = lty__pstate_advance(e, p, ss, s, time, cid, cn, 1, &changed)) ||
        (rc = lty__local_day(e, time, &ev.day)))
        return rc;
    /* the history entry's code is the cause, NUL-terminated */
    char code[LTY_ID_MAX + 1];
    if (causelen > LTY_ID_MAX)
        return lty__err(e, LTY_EINVALID, "credit cause: malformed");
    memcpy(code, cause, causelen);
    code[causelen] = '\0';
    if (__builtin_add_overflow(s->earned_lifetime, amount, &sum) ||
        __builtin_add_overflow(s->balance, amount, &sum))
        return lty__err(e, LTY_ERANGE, "program balance: would overflow");
    /* like an earning: its own lot by the program's expiry rule, counted
     * toward the tiers at once (a credit is not locked: it pays for no
     * purchase that could be returned) */
    if ((rc = lty__points_expiry(e, p, time, &expires)) ||
        (rc = count_toward(e, p, ss, s, ev.day, amount)) ||
        (rc = credit_unlocked(e, ss, s, expires, amount)) ||
        (rc = lty__plog_add(e, cid, cn, time, s, LTY_PLOG_CREDIT, cause,
                            causelen, NULL, code, amount, 0)) ||
        (rc = settle_tier(e, p, s, time, 1, &rose, &fell)))
        return rc;
    if (rose &&
        ((rc = lty__plog_add(e, cid, cn, time, s, LTY_PLOG_TIER_UP, cause,
                             causelen, p->tiers[s->tier].name, NULL, 0, 0)) ||
         (rc = plan_promotion(e, p, &ev, "tier", p->tiers[s->tier].name))))
        return rc;
    return issue_rewards(e, p, ss, s, &ev, &fx);
}

int lty__debit_apply(lty_engine *e, const lty__program *p, lty__pstates *ss,
                     lty__pstate *s, const char *cid, size_t cn,
                     const char *cause, size_t causelen, const lty__credit *c,
                     int64_t time)
{
    int64_t expires, day, left = c->amount;
    int rc, changed, rose, fell;
    char code[LTY_ID_MAX + 1];
    if (causelen > LTY_ID_MAX)
        return lty__err(e, LTY_EINVALID, "credit cause: malformed");
    memcpy(code, cause, causelen);
    code[causelen] = '\0';
    s->def_version = p->def_version;
    if ((rc = lty__pstate_advance(e, p, ss, s, time, cid, cn, 1, &changed)) ||
        (rc = lty__points_expiry(e, p, c->time, &expires)) ||
        (rc = lty__local_day(e, c->time, &day)))
        return rc;
    /* still in its lot comes out of the lot (as a refund takes back what
     * a purchase earned) */
    for (size_t i = 0; i < s->nlots && left; i++) {
        lty__lot *l = &s->lots[i];
        if (l->expires != expires || l->unlocks != 0)
            continue;
        int64_t x = l->amount < left ? l->amount : left;
        l->amount -= x;
        left -= x;
    }
    lty__lots_take(s, time, 0); /* drop emptied lots */
    /* spent or expired meanwhile: from the other lots, the rest a debt */
    if (left)
        lty__lots_take(s, time, left);
    s->balance -= c->amount;
    if ((rc = count_toward(e, p, ss, s, day, -c->amount)) ||
        (rc = lty__plog_add(e, cid, cn, time, s, LTY_PLOG_DEBIT, cause,
                            causelen, NULL, code, c->amount, 0)))
        return rc;
    if (p->downgrade == LTY_DOWNGRADE_ON_REFUND && p->ntiers) {
        if ((rc = settle_tier(e, p, s, time, 0, &rose, &fell)))
            return rc;
        if (fell && (rc = lty__plog_add(e, cid, cn, time, s, LTY_PLOG_TIER_DOWN,
                                        cause, causelen, p->tiers[s->tier].name,
                                        NULL, 0, 0)))
            return rc;
    }
    return LTY_OK;
}

static int check_cause(lty_engine *e, const char *cause, size_t causelen)
{
    if (!cause || causelen == 0 || causelen > LTY_ID_MAX ||
        memchr(cause, 0, causelen) ||
        !lty__text_valid(cause, causelen, LTY__TEXT_LINE))
        return lty__err(e, LTY_EINVALID, "credit cause: malformed");
    return LTY_OK;
}

/* The program of a credit, which must be a currency. */
static int credit_program(lty_engine *e, const char *program, size_t pn,
                          const lty__program **out)
{
    const lty__programs *ps;
    int rc = lty__programs_current(e, &ps);
    if (rc)
        return rc;
    const lty__program *p = lty__program_find(ps, program, pn);
    if (!p)
        return lty__err(e, LTY_ENOTFOUND, "program: not found");
    if (p->kind != LTY_PROGRAM_STARS && p->kind != LTY_PROGRAM_POINTS)
        return lty__err(e, LTY_EINVALID,
                        "program: not a stars or points program");
    *out = p;
    return LTY_OK;
}

/* Load the customer's states, credit (or, with debit, take back) c in
 * program p's, store them.  p points into the engine's cache, which
 * nothing below reloads (the registry is read once per transaction). */
static int with_state(lty_engine *e, const lty__program *p, const char *cid,
                      size_t cn, const char *cause, size_t causelen,
                      const lty__credit *c, int64_t time, int debit)
{
    lty__pstates ss;
    lty__pstate *s = NULL;
    uint64_t rev;
    lty__pstates_init(&ss, &e->alloc);
    int rc = lty__pstates_load(e, cid, cn, &ss, &rev);
    if (rc == LTY_OK && (rc = lty__pstates_get(&ss, p, &s)))
        rc = lty__err(e, rc, "program state: out of memory");
    if (rc == LTY_OK)
        rc = debit ? lty__debit_apply(e, p, &ss, s, cid, cn, cause,
                                      causelen, c, time)
                   : lty__credit_apply(e, p, &ss, s, cid, cn, cause,
                                       causelen, c->amount, time, 0);
    if (rc == LTY_OK)
        rc = lty__pstates_store(e, cid, cn, &ss, rev);
    lty__pstates_release(&ss);
    return rc;
}

int lty__program_credit(lty_engine *e, const char *program, const char *cid,
                        size_t cn, int64_t amount, const char *cause,
                        size_t causelen, int64_t time)
{
    const lty__program *p;
    lty__credit c;
    lty__key k;
    size_t pn;
    int rc;
    if ((rc = check_cause(e, cause, causelen)) ||
        (rc = lty__check_id(e, "program id", program, &pn)))
        return rc;
    if (amount < 1 || amount > CREDIT_MAX)
        return lty__err(e, LTY_EINVALID, "credit amount: outside 1..%lld",
                        (long long)CREDIT_MAX);
    if ((rc = lty__check_time(e, "credit time", time)))
        return rc;
    credit_key(&k, cid, cn, cause, causelen);
    rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_OK) {
        if ((rc = lty__credit_decode(e->rbuf.data, e->rbuf.len, &c)))
            return lty__corrupt(e, rc, "program credit");
        if (strlen(c.program) != pn || memcmp(c.program, program, pn) ||
            c.amount != amount)
            return lty__err(e, LTY_EEXISTS,
                            "credit cause: used for a different credit");
        return LTY_OK; /* a replay */
    }
    if (rc != LTY_ENOTFOUND)
        return rc;
    if ((rc = credit_program(e, program, pn, &p)))
        return rc;
    memset(&c, 0, sizeof c);
    memcpy(c.program, program, pn + 1);
    c.amount = amount;
    c.time = time;
    if ((rc = with_state(e, p, cid, cn, cause, causelen, &c, time, 0)) ||
        (rc = credit_encode(e, &c)))
        return rc;
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, LTY_REV_NONE, NULL);
}

int lty__program_debit(lty_engine *e, const char *cid, size_t cn,
                       const char *cause, size_t causelen, int64_t time,
                       int64_t *taken)
{
    const lty__program *p;
    lty__credit c;
    lty__key k;
    uint64_t rev = 0;
    int rc;
    if (taken)
        *taken = 0;
    if ((rc = check_cause(e, cause, causelen)) ||
        (rc = lty__check_time(e, "debit time", time)))
        return rc;
    credit_key(&k, cid, cn, cause, causelen);
    rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "program credit: not found");
    if (rc)
        return rc;
    if ((rc = lty__credit_decode(e->rbuf.data, e->rbuf.len, &c)))
        return lty__corrupt(e, rc, "program credit");
    if (c.taken)
        return LTY_OK; /* taken back before */
    if ((rc = credit_program(e, c.program, strlen(c.program), &p)))
        return rc;
    /* never before the credit itself */
    c.taken = time > c.time ? time : c.time;
    if (c.taken < 1)
        c.taken = 1;
    if ((rc = with_state(e, p, cid, cn, cause, causelen, &c, c.taken, 1)) ||
        (rc = credit_encode(e, &c)) ||
        (rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL)))
        return rc;
    if (taken)
        *taken = c.amount;
    return LTY_OK;
}
