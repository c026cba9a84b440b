/*
 * libloyalty - reading a customer's standing, spending points and stars,
 * and the daily tick that expires, unlocks, downgrades and plans notices.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "codec_int.h"
#include "keys_int.h"
#include "ledger_int.h"
#include "program_int.h"
#include "validate_int.h"

/* ------------------------------------------------------------------ */
/* Status                                                              */
/* ------------------------------------------------------------------ */

static int customer_exists(lty_engine *e, const char *cid, size_t cn)
{
    lty__key k;
    lty__key_profile(&k, cid, cn);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "customer: not found");
    return rc;
}

static void copy_title(char dst[LTY_TITLE_MAX + 1], const char *src)
{
    size_t n = strlen(src);
    memcpy(dst, src, n + 1);
}

static void ladder_status(const lty__program *p, int64_t visits,
                          lty_program_status *out)
{
    int step = -1;
    for (size_t i = 0; i < p->nsteps; i++)
        if (visits >= p->steps[i].visits)
            step = (int)i;
    out->visits = visits;
    out->level = step;
    if (step >= 0)
        copy_title(out->title, p->steps[step].title);
    if (step + 1 < (int)p->nsteps) {
        copy_title(out->next_title, p->steps[step + 1].title);
        out->to_next = p->steps[step + 1].visits - visits;
    }
}

static void currency_status(const lty__program *p, const lty__pstate *s,
                            int64_t now, lty_program_status *out)
{
    out->balance = s->balance;
    out->earned_lifetime = s->earned_lifetime;
    out->level = s->tier;
    out->tier_until = LTY_TIME_NONE;
    out->next_expiry = LTY_TIME_NONE;
    int64_t q = s->earned_lifetime;
    if (p->window == LTY_WINDOW_CALENDAR_YEAR) {
        q = s->earned_year;
    } else if (p->window == LTY_WINDOW_ROLLING) {
        q = 0;
        for (size_t i = 0; i < s->nbuckets; i++)
            q += s->buckets[i].amount;
    }
    out->earned_window = q;
    if (s->tier >= 0) {
        copy_title(out->title, p->tiers[s->tier].name);
        if (p->downgrade == LTY_DOWNGRADE_PERIOD_END && s->tier > 0)
            out->tier_until = s->until[s->tier];
        if (s->tier + 1 < (int)p->ntiers) {
            copy_title(out->next_title, p->tiers[s->tier + 1].name);
            int64_t need = p->tiers[s->tier + 1].threshold - q;
            out->to_next = need > 0 ? need : 0;
        }
    }
    for (size_t i = 0; i < s->nlots; i++) {
        const lty__lot *l = &s->lots[i];
        if (l->unlocks > now) {
            out->locked += l->amount;
            continue;
        }
        if (l->expires == LTY_TIME_NONE)
            continue;
        if (l->expires < out->next_expiry) {
            out->next_expiry = l->expires;
            out->next_expiry_amount = l->amount;
        } else if (l->expires == out->next_expiry) {
            out->next_expiry_amount += l->amount;
        }
    }
}

int lty_program_status_get(lty_engine *e, const char *customer_id,
                           const char *program_id, lty_program_status *out)
{
    size_t cn, pn;
    const lty__programs *ps;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "program status: NULL");
    if ((rc = lty__check_version(e, "program status", out->version,
                                 LTY_PROGRAM_STATUS_VERSION)) ||
        (rc = lty__check_id(e, "customer id", customer_id, &cn)) ||
        (rc = lty__check_id(e, "program id", program_id, &pn)) ||
        (rc = customer_exists(e, customer_id, cn)) ||
        (rc = lty__programs_current(e, &ps)))
        return rc;
    const lty__program *p = lty__program_find(ps, program_id, pn);
    if (!p)
        return lty__err(e, LTY_ENOTFOUND, "program: not found");
    return lty__program_status(e, p, customer_id, cn, lty__now(e), out);
}

int lty__program_status(lty_engine *e, const lty__program *p, const char *cid,
                        size_t cn, int64_t now, lty_program_status *out)
{
    lty__pstates ss;
    uint64_t rev;
    int rc, changed;
    unsigned version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    out->kind = p->kind;
    out->level = -1;
    out->tier_until = LTY_TIME_NONE;
    out->next_expiry = LTY_TIME_NONE;
    if (p->kind == LTY_PROGRAM_LADDER) {
        lty__stats st;
        if ((rc = lty__stats_load(e, cid, cn, &st, &rev)))
            return rc;
        ladder_status(p, st.visits, out);
        return LTY_OK;
    }
    if (p->kind == LTY_PROGRAM_DRAW)
        return LTY_OK;
    lty__pstates_init(&ss, &e->alloc);
    rc = lty__pstates_load(e, cid, cn, &ss, &rev);
    lty__pstate *s = NULL;
    if (rc == LTY_OK && (rc = lty__pstates_get(&ss, p, &s)))
        rc = lty__err(e, rc, "program state: out of memory");
    /* what the tick would do by now, without writing anything */
    if (rc == LTY_OK)
        rc = lty__pstate_advance(e, p, &ss, s, now, cid, cn, 0, &changed);
    if (rc == LTY_OK)
        currency_status(p, s, now, out);
    lty__pstates_release(&ss);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Spending ("C\0<id>\0S<spend id>")                                   */
/* ------------------------------------------------------------------ */

enum { SP_PROGRAM = 1, SP_AMOUNT, SP_TIME, SP_FOR };

typedef struct spend_op {
    const char *cid, *pid, *sid, *forev;
    size_t cn, pn, sn, fn;
    int64_t amount;
} spend_op;

static void spend_key(lty__key *k, const char *cid, size_t cn, const char *sid,
                      size_t sn)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "S", 1);
    lty__key_add(k, sid, sn);
}

int lty__spend_decode(const void *data, size_t len, lty__spend *sp)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int r;
    memset(sp, 0, sizeof *sp);
    if (lty__dec_begin(&d, data, len, LTY__REC_SPEND, 1, &version))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        const char *s;
        size_t n;
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case SP_PROGRAM:
            if (lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &s, &n))
                return LTY_ECORRUPT;
            memcpy(sp->program, s, n);
            sp->program[n] = '\0';
            break;
        case SP_AMOUNT:
            if (lty__field_int(&f, 1, INT64_MAX, &sp->amount))
                return LTY_ECORRUPT;
            break;
        case SP_TIME:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &sp->time))
                return LTY_ECORRUPT;
            break;
        case SP_FOR:
            if (lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &s, &n))
                return LTY_ECORRUPT;
            memcpy(sp->for_event, s, n);
            sp->for_event[n] = '\0';
            break;
        default:
            return LTY_ECORRUPT;
        }
    }
    if (r < 0 || !sp->program[0] || !sp->amount)
        return LTY_ECORRUPT;
    return LTY_OK;
}

/* The purchase a spend pays for must be this customer's purchase; its
 * ledger entry remembers what was spent on it, so that its refund gives
 * that back instead of deducting twice. */
static int mark_spent(lty_engine *e, const spend_op *op, const lty__program *p)
{
    lty__key k;
    lty__evindex ix;
    lty__entry en;
    lty__earnings x;
    uint64_t rev;
    unsigned char blob[LTY__EARNINGS_MAX];
    lty__key_event(&k, op->forev, op->fn);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "for_event: no such purchase");
    if (rc)
        return rc;
    if ((rc = lty__evindex_decode(e->rbuf.data, e->rbuf.len, &ix)))
        return lty__corrupt(e, rc, "event index");
    if (ix.customer_len != op->cn || memcmp(ix.customer_id, op->cid, op->cn))
        return lty__err(e, LTY_ENOTFOUND, "for_event: no such purchase");
    lty__key_ledger(&k, op->cid, op->cn, ix.time, op->forev, op->fn);
    if ((rc = lty__get(e, k.b, k.n, NULL, &rev)) == LTY_ENOTFOUND)
        return lty__err(e, LTY_ECORRUPT,
                        "event index record: points to a missing ledger entry");
    if (rc)
        return rc;
    if ((rc = lty__entry_decode(e->rbuf.data, e->rbuf.len, &en)))
        return lty__corrupt(e, rc, "ledger entry");
    if (en.type != LTY_EVENT_PURCHASE)
        return lty__err(e, LTY_EINVALID, "for_event: not a purchase");
    x.n = 0;
    if (en.earnings_len && lty__earnings_read(en.earnings, en.earnings_len, &x))
        return lty__corrupt(e, LTY_ECORRUPT, "ledger entry");
    lty__earning *share = lty__earnings_find(&x, p->id);
    if (!share) {
        if (x.n == LTY_PROGRAMS_MAX)
            return lty__corrupt(e, LTY_ECORRUPT, "ledger entry");
        share = &x.e[x.n++];
        memset(share, 0, sizeof *share);
        memcpy(share->program, p->id, p->idlen + 1);
        share->plen = p->idlen;
        share->expires = LTY_TIME_NONE;
    }
    if (__builtin_add_overflow(share->spent, op->amount, &share->spent))
        return lty__err(e, LTY_ERANGE, "amount: would overflow");
    en.earnings = blob;
    en.earnings_len = lty__earnings_write(&x, blob);
    if ((rc = lty__entry_encode(&en, &e->wbuf)))
        return lty__err(e, rc, "ledger entry: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

/* Apply a spend to a loaded state (also the rebuild's path). */
int lty__spend_apply(lty_engine *e, const lty__program *p, lty__pstates *ss,
                     lty__pstate *s, int64_t now, int64_t amount,
                     const char *cid, size_t cn)
{
    int changed;
    int rc = lty__pstate_advance(e, p, ss, s, now, cid, cn, 1, &changed);
    if (rc)
        return rc;
    if (amount > s->balance)
        return lty__err(e, LTY_ERANGE, "amount: more than the spendable balance");
    s->balance -= amount;
    if (lty__lots_take(s, now, amount))
        return lty__err(e, LTY_ECORRUPT,
                        "program state record: lots below the balance");
    return LTY_OK;
}

static int spend_body(lty_engine *e, void *arg)
{
    spend_op *op = arg;
    const lty__programs *ps;
    lty__pstates ss;
    lty__key k;
    uint64_t rev, srev;
    int rc;
    if ((rc = customer_exists(e, op->cid, op->cn)) ||
        (rc = lty__programs_current(e, &ps)))
        return rc;
    const lty__program *p = lty__program_find(ps, op->pid, op->pn);
    if (!p)
        return lty__err(e, LTY_ENOTFOUND, "program: not found");
    if (p->kind != LTY_PROGRAM_STARS && p->kind != LTY_PROGRAM_POINTS)
        return lty__err(e, LTY_EINVALID, "program: not a stars or points program");
    /* the same spend again is a replay */
    spend_key(&k, op->cid, op->cn, op->sid, op->sn);
    rc = lty__get(e, k.b, k.n, NULL, &srev);
    if (rc == LTY_OK) {
        lty__spend old;
        if ((rc = lty__spend_decode(e->rbuf.data, e->rbuf.len, &old)))
            return lty__corrupt(e, rc, "points spend");
        if (strcmp(old.program, p->id) || old.amount != op->amount ||
            strlen(old.for_event) != op->fn ||
            (op->fn && memcmp(old.for_event, op->forev, op->fn)))
            return lty__err(e, LTY_EEXISTS, "spend id: used for a different spend");
        return LTY_OK;
    }
    if (rc != LTY_ENOTFOUND)
        return rc;
    if (op->fn && (rc = mark_spent(e, op, p)))
        return rc;
    int64_t now = lty__now(e);
    lty__pstates_init(&ss, &e->alloc);
    lty__pstate *s = NULL;
    rc = lty__pstates_load(e, op->cid, op->cn, &ss, &rev);
    if (rc == LTY_OK && (rc = lty__pstates_get(&ss, p, &s)))
        rc = lty__err(e, rc, "program state: out of memory");
    if (rc == LTY_OK)
        rc = lty__spend_apply(e, p, &ss, s, now, op->amount, op->cid, op->cn);
    if (rc == LTY_OK)
        rc = lty__pstates_store(e, op->cid, op->cn, &ss, rev);
    lty__pstates_release(&ss);
    if (rc)
        return rc;
    lty__enc w;
    lty__enc_begin(&w, &e->wbuf, LTY__REC_SPEND, 1);
    lty__enc_str(&w, SP_PROGRAM, p->id);
    lty__enc_i64(&w, SP_AMOUNT, op->amount);
    lty__enc_i64(&w, SP_TIME, now);
    if (op->fn)
        lty__enc_bytes(&w, SP_FOR, op->forev, op->fn);
    if ((rc = lty__enc_end(&w)))
        return lty__err(e, rc, "points spend: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, LTY_REV_NONE, NULL);
}

int lty_points_spend(lty_engine *e, const char *customer_id,
                     const char *program_id, const char *spend_id,
                     int64_t amount, const char *for_event)
{
    spend_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    if ((rc = lty__check_id(e, "customer id", customer_id, &op.cn)) ||
        (rc = lty__check_id(e, "program id", program_id, &op.pn)) ||
        (rc = lty__check_id(e, "spend id", spend_id, &op.sn)))
        return rc;
    if (for_event && (rc = lty__check_id(e, "for_event", for_event, &op.fn)))
        return rc;
    if (amount <= 0)
        return lty__err(e, LTY_EINVALID, "amount: must be positive");
    op.cid = customer_id;
    op.pid = program_id;
    op.sid = spend_id;
    op.forev = for_event;
    op.amount = amount;
    return lty__txn(e, spend_body, &op);
}

/* ------------------------------------------------------------------ */
/* The tick                                                            */
/* ------------------------------------------------------------------ */

/* Customer ids that own a record of one kind, gathered by one scan. */
typedef struct idlist {
    lty_buf bytes;             /* ids, each followed by a NUL */
    char which;                /* the record: 'G' state, 'P' profile */
    int corrupt;
} idlist;

static int collect_state_owner(const char *key, size_t keylen, const void *val,
                               size_t len, uint64_t rev, void *ctx)
{
    idlist *l = ctx;
    const char *id, *rest;
    size_t idlen, restn;
    (void)val;
    (void)len;
    (void)rev;
    if (!lty__key_parse_customer(key, keylen, &id, &idlen, &rest, &restn)) {
        l->corrupt = 1;
        return LTY_ECORRUPT;
    }
    if (restn != 1 || rest[0] != l->which)
        return LTY_OK;
    /* the id comes from a key: the callers build message ids and keys from
     * it, so it must be what lty__check_id() would have accepted */
    if (idlen < 1 || idlen > LTY_ID_MAX ||
        !lty__text_valid(id, idlen, LTY__TEXT_LINE)) {
        l->corrupt = 1;
        return LTY_ECORRUPT;
    }
    if (lty__buf_append(&l->bytes, id, idlen, NULL) ||
        lty__buf_append(&l->bytes, "", 1, NULL))
        return LTY_ENOMEM;
    return LTY_OK;
}

/* Gather every customer id owning a record of kind `which` ('G', 'P'). */
int lty__collect_customers(lty_engine *e, char which, lty_buf *out)
{
    idlist l;
    memset(&l, 0, sizeof l);
    l.which = which;
    lty__buf_init(&l.bytes, &e->alloc);
    lty__key k;
    lty__key_reset(&k);
    lty__key_add(&k, "C", 1);
    lty__key_sep(&k);
    int rc = lty__scan(e, k.b, k.n, NULL, 0, collect_state_owner, &l);
    if (l.corrupt)
        rc = lty__corrupt(e, LTY_ECORRUPT, "customer key");
    else if (rc == LTY_ENOMEM)
        rc = lty__err(e, rc, "programs: out of memory");
    if (rc) {
        lty__buf_release(&l.bytes);
        return rc;
    }
    *out = l.bytes;
    return LTY_OK;
}

typedef struct tick_op {
    const char *cid;
    size_t cn;
    int64_t now;
    int changed;
} tick_op;

static int notices(lty_engine *e, const lty__program *p, lty__pstate *s,
                   tick_op *op)
{
    int rc;
    if (p->downgrade == LTY_DOWNGRADE_PERIOD_END && p->downgrade_notice_days &&
        s->tier > 0 && s->until[s->tier] != LTY_TIME_NONE &&
        s->noticed_until != s->until[s->tier] &&
        op->now >= s->until[s->tier] - (int64_t)p->downgrade_notice_days * 86400) {
        s->noticed_until = s->until[s->tier];
        op->changed = 1;
        char date[16], cause[24];
        lty__format_local_date(e, s->until[s->tier], date);
        snprintf(cause, sizeof cause, "%lld", (long long)s->until[s->tier]);
        lty_param params[2] = {{"tier", p->tiers[s->tier].name}, {"date", date}};
        if ((rc = lty__plog_add(e, op->cid, op->cn, op->now, s,
                                LTY_PLOG_DOWNGRADE_NOTICE, "", 0,
                                p->tiers[s->tier].name, NULL, 0,
                                s->until[s->tier])) ||
            (rc = lty__program_plan(e, p, op->cid, op->cn, "downgrade", cause,
                                    strlen(cause), p->notice_template,
                                    LTY_CHANNEL_NONE, op->now, params, 2, 0)))
            return rc;
    }
    if (p->expiry_notice_days) {
        int64_t first = LTY_TIME_NONE, amount = 0;
        for (size_t i = 0; i < s->nlots; i++) {
            const lty__lot *l = &s->lots[i];
            if (l->unlocks > op->now || l->expires == LTY_TIME_NONE)
                continue;
            if (l->expires < first) {
                first = l->expires;
                amount = l->amount;
            } else if (l->expires == first) {
                amount += l->amount;
            }
        }
        if (first != LTY_TIME_NONE && s->expiry_noticed != first &&
            op->now >= first - (int64_t)p->expiry_notice_days * 86400) {
            s->expiry_noticed = first;
            op->changed = 1;
            char date[16], cause[24], points[24];
            lty__format_local_date(e, first, date);
            snprintf(cause, sizeof cause, "%lld", (long long)first);
            snprintf(points, sizeof points, "%lld", (long long)amount);
            lty_param params[2] = {{"points", points}, {"date", date}};
            if ((rc = lty__plog_add(e, op->cid, op->cn, op->now, s,
                                    LTY_PLOG_EXPIRY_NOTICE, "", 0, NULL, NULL,
                                    amount, first)) ||
                (rc = lty__program_plan(e, p, op->cid, op->cn, "expiry", cause,
                                        strlen(cause), p->notice_template,
                                        LTY_CHANNEL_NONE, op->now, params, 2, 0)))
                return rc;
        }
    }
    return LTY_OK;
}

static int tick_body(lty_engine *e, void *arg)
{
    tick_op *op = arg;
    const lty__programs *ps;
    lty__pstates ss;
    uint64_t rev;
    int rc, changed;
    op->changed = 0;
    if ((rc = lty__programs_current(e, &ps)))
        return rc;
    lty__pstates_init(&ss, &e->alloc);
    rc = lty__pstates_load(e, op->cid, op->cn, &ss, &rev);
    for (size_t i = 0; rc == LTY_OK && i < ss.n; i++) {
        lty__pstate *s = &ss.s[i];
        const lty__program *p = lty__program_find(ps, s->program, s->plen);
        if (!p || (p->kind != LTY_PROGRAM_STARS && p->kind != LTY_PROGRAM_POINTS))
            continue;
        rc = lty__pstate_advance(e, p, &ss, s, op->now, op->cid, op->cn, 1,
                                 &changed);
        if (changed)
            op->changed = 1;
        if (rc == LTY_OK)
            rc = notices(e, p, s, op);
    }
    if (rc == LTY_OK && op->changed && rev != LTY_REV_NONE)
        rc = lty__pstates_store(e, op->cid, op->cn, &ss, rev);
    lty__pstates_release(&ss);
    return rc;
}

int lty_programs_tick(lty_engine *e, int64_t now, size_t *changed)
{
    lty_buf ids;
    size_t count = 0;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (changed)
        *changed = 0;
    if (now == LTY_TIME_NOW)
        now = lty__now(e);
    else if ((rc = lty__check_time(e, "tick time", now)))
        return rc;
    if ((rc = lty__collect_customers(e, 'G', &ids)))
        return rc;
    for (size_t off = 0; off < ids.len;) {
        const char *id = (const char *)ids.data + off;
        size_t n = strlen(id);
        tick_op op = {id, n, now, 0};
        if ((rc = lty__txn(e, tick_body, &op)))
            break;
        count += op.changed != 0;
        off += n + 1;
    }
    lty__buf_release(&ids);
    if (changed)
        *changed = count;
    return rc;
}
