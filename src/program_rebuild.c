/*
 * libloyalty - rebuilding program states from the ledger: after an import
 * of old events, a backfill or a changed rule.
 *
 * One customer is one transaction: their program history is dropped, their
 * events, points spends and credits made outside events (a referral's,
 * "C\0<id>\0R<cause>", with their taking back) are replayed in time order
 * through the current definitions, and the resulting states, and what each
 * purchase earned (kept in its ledger entry), replace the stored ones.
 * Rewards issued by rules and draws have codes derived from their cause, so
 * a replay finds them again instead of issuing new ones, and a draw counts
 * as won only if its prize was issued back then.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "keys_int.h"
#include "ledger_int.h"
#include "program_int.h"
#include "validate_int.h"

/* One record copied out of a scan (the connection cannot be used from
 * inside the scan callback). */
typedef struct rec {
    size_t koff, klen;         /* the key's rest after "C\0<id>\0" */
    size_t voff, vlen;
    uint64_t rev;
} rec;

typedef struct recs {
    const lty_allocator *a;
    size_t plen;               /* "C\0<id>\0" */
    lty_buf bytes;
    rec *r;
    size_t n, cap;
    int failed;                /* 1 corrupt, 2 no memory */
} recs;

static int collect_each(const char *key, size_t keylen, const void *val,
                        size_t len, uint64_t rev, void *ctx)
{
    recs *c = ctx;
    if (keylen <= c->plen) {
        c->failed = 1;
        return LTY_ECORRUPT;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        rec *p = lty__realloc(c->a, c->r, cap * sizeof *p);
        if (!p) {
            c->failed = 2;
            return LTY_ENOMEM;
        }
        c->r = p;
        c->cap = cap;
    }
    rec *m = &c->r[c->n];
    if (lty__buf_append(&c->bytes, key + c->plen, keylen - c->plen, &m->koff) ||
        lty__buf_append(&c->bytes, val, len, &m->voff)) {
        c->failed = 2;
        return LTY_ENOMEM;
    }
    m->klen = keylen - c->plen;
    m->vlen = len;
    m->rev = rev;
    c->n++;
    return LTY_OK;
}

/* Every record "C\0<id>\0<what>..." into c (reset first). */
static int collect(lty_engine *e, const char *cid, size_t cn, char what,
                   recs *c)
{
    lty__key k;
    lty__key_customer(&k, cid, cn);
    c->plen = k.n;
    c->n = 0;
    c->bytes.len = 0;
    c->failed = 0;
    lty__key_add(&k, &what, 1);
    int rc = lty__scan(e, k.b, k.n, NULL, 0, collect_each, c);
    if (c->failed == 2)
        return lty__err(e, LTY_ENOMEM, "rebuild: out of memory");
    if (c->failed == 1)
        return lty__corrupt(e, LTY_ECORRUPT, "customer key");
    return rc;
}

static int drop_all(lty_engine *e, const char *cid, size_t cn, const recs *c)
{
    lty__key k;
    for (size_t i = 0; i < c->n; i++) {
        lty__key_customer(&k, cid, cn);
        lty__key_add(&k, (const char *)c->bytes.data + c->r[i].koff, c->r[i].klen);
        int rc = lty__del(e, k.b, k.n, c->r[i].rev);
        if (rc)
            return rc;
    }
    return LTY_OK;
}

/* What a step of the replay is, in the order steps at one time run. */
enum { STEP_EVENT, STEP_SPEND, STEP_CREDIT, STEP_DEBIT };

/* A step of the replay: an event, a spend, a credit or its taking back,
 * in (time, kind, id) order. */
typedef struct step {
    int64_t time;
    const char *id;
    size_t idlen;
    int kind;                  /* STEP_* */
    size_t index;              /* into the events, spends or credits */
} step;

static int step_cmp(const void *a, const void *b)
{
    const step *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind - y->kind; /* events, spends, credits, debits */
    size_t m = x->idlen < y->idlen ? x->idlen : y->idlen;
    int c = memcmp(x->id, y->id, m);
    if (c)
        return c;
    return x->idlen < y->idlen ? -1 : x->idlen > y->idlen;
}

typedef struct rebuild_op {
    const char *cid;
    size_t cn;
    recs ledger, spends, credits, scratch;
    step *steps;
    int64_t *refunded;         /* per ledger entry: refunded so far */
} rebuild_op;

/* The replay's view of the purchases' earnings: one blob per ledger entry
 * in an arena, rewritten as spends and refunds change it. */
typedef struct xview {
    lty_buf arena;
    size_t *off, *len;         /* per ledger entry; len 0: none */
} xview;

static int xview_get(const xview *xv, size_t j, lty__earnings *x)
{
    x->n = 0;
    if (!xv->len[j])
        return LTY_OK;
    return lty__earnings_read(xv->arena.data + xv->off[j], xv->len[j], x);
}

static int xview_set(lty_engine *e, xview *xv, size_t j, const lty__earnings *x)
{
    unsigned char blob[LTY__EARNINGS_MAX];
    size_t n = lty__earnings_write(x, blob);
    xv->len[j] = n;
    if (n && lty__buf_append(&xv->arena, blob, n, &xv->off[j]))
        return lty__err(e, LTY_ENOMEM, "rebuild: out of memory");
    return LTY_OK;
}

/* The ledger entry of purchase `id`, or ne. */
static size_t find_purchase(const rebuild_op *op, const lty__entry *entries,
                            const char *id, size_t idn)
{
    for (size_t j = 0; j < op->ledger.n; j++) {
        const rec *r = &op->ledger.r[j];
        int64_t t;
        const char *k;
        size_t kn;
        if (entries[j].type == LTY_EVENT_PURCHASE &&
            lty__key_parse_ledger((const char *)op->ledger.bytes.data + r->koff,
                                  r->klen, &t, &k, &kn) &&
            kn == idn && memcmp(k, id, idn) == 0)
            return j;
    }
    return op->ledger.n;
}

static int replay_spend(lty_engine *e, const lty__programs *ps, lty__pstates *ss,
                        rebuild_op *op, const rec *r, const lty__entry *entries,
                        xview *xv)
{
    lty__spend sp;
    const lty__program *p;
    lty__pstate *s;
    int rc, changed;
    if (lty__spend_decode(op->spends.bytes.data + r->voff, r->vlen, &sp))
        return lty__corrupt(e, LTY_ECORRUPT, "points spend");
    p = lty__program_find(ps, sp.program, strlen(sp.program));
    if (!p || (p->kind != LTY_PROGRAM_STARS && p->kind != LTY_PROGRAM_POINTS))
        return LTY_OK; /* the program is gone or changed kind */
    if ((rc = lty__pstates_get(ss, p, &s)))
        return lty__err(e, rc, "program state: out of memory");
    if ((rc = lty__pstate_advance(e, p, ss, s, sp.time, op->cid, op->cn, 1,
                                  &changed)))
        return rc;
    /* what was spent stays spent, even if changed rules left less to
     * spend: the rest becomes a debt */
    s->balance -= sp.amount;
    lty__lots_take(s, sp.time, sp.amount);
    if (!sp.for_event[0])
        return LTY_OK;
    size_t j = find_purchase(op, entries, sp.for_event, strlen(sp.for_event));
    if (j == op->ledger.n)
        return LTY_OK; /* checked when spent; the purchase cannot vanish */
    lty__earnings x;
    if (xview_get(xv, j, &x))
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
    share->spent += sp.amount;
    return xview_set(e, xv, j, &x);
}

/* Write back every purchase whose earnings the replay changed. */
static int store_earnings(lty_engine *e, const rebuild_op *op,
                          lty__entry *entries, const xview *xv)
{
    lty__key k;
    for (size_t j = 0; j < op->ledger.n; j++) {
        lty__entry *en = &entries[j];
        if (en->type != LTY_EVENT_PURCHASE)
            continue;
        const unsigned char *now = xv->len[j] ? xv->arena.data + xv->off[j] : NULL;
        if (en->earnings_len == xv->len[j] &&
            (!xv->len[j] || memcmp(en->earnings, now, xv->len[j]) == 0))
            continue;
        en->earnings = now;
        en->earnings_len = xv->len[j];
        int rc = lty__entry_encode(en, &e->wbuf);
        if (rc)
            return lty__err(e, rc, "ledger entry: cannot encode");
        const rec *r = &op->ledger.r[j];
        lty__key_customer(&k, op->cid, op->cn);
        lty__key_add(&k, (const char *)op->ledger.bytes.data + r->koff, r->klen);
        if ((rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, r->rev, NULL)))
            return rc;
    }
    return LTY_OK;
}

/* A credit made outside an event (a referral's), or its taking back. */
static int replay_credit(lty_engine *e, const lty__programs *ps,
                         lty__pstates *ss, rebuild_op *op, const step *st)
{
    const rec *r = &op->credits.r[st->index];
    lty__credit c;
    lty__pstate *s;
    int rc;
    if (lty__credit_decode(op->credits.bytes.data + r->voff, r->vlen, &c))
        return lty__corrupt(e, LTY_ECORRUPT, "program credit");
    const lty__program *p = lty__program_find(ps, c.program, strlen(c.program));
    if (!p || (p->kind != LTY_PROGRAM_STARS && p->kind != LTY_PROGRAM_POINTS))
        return LTY_OK; /* the program is gone or changed kind */
    if ((rc = lty__pstates_get(ss, p, &s)))
        return lty__err(e, rc, "program state: out of memory");
    if (st->kind == STEP_CREDIT)
        return lty__credit_apply(e, p, ss, s, op->cid, op->cn, st->id,
                                 st->idlen, c.amount, c.time, 1);
    return lty__debit_apply(e, p, ss, s, op->cid, op->cn, st->id, st->idlen,
                            &c, c.taken);
}

static int replay(lty_engine *e, const lty__programs *ps, lty__pstates *ss,
                  rebuild_op *op)
{
    size_t ne = op->ledger.n, ns = op->spends.n, nc = op->credits.n;
    lty__entry *entries;
    xview xv;
    int rc = LTY_OK;
    int64_t visits = 0, last_day = INT64_MIN;
    lty__buf_init(&xv.arena, &e->alloc);
    op->steps = lty__malloc(&e->alloc,
                            (ne + ns + 2 * nc + 1) * sizeof *op->steps);
    op->refunded = lty__zalloc(&e->alloc, (ne + 1) * sizeof *op->refunded);
    entries = lty__malloc(&e->alloc, (ne + 1) * sizeof *entries);
    xv.off = lty__zalloc(&e->alloc, (ne + 1) * sizeof *xv.off);
    xv.len = lty__zalloc(&e->alloc, (ne + 1) * sizeof *xv.len);
    if (!op->steps || !op->refunded || !entries || !xv.off || !xv.len) {
        rc = lty__err(e, LTY_ENOMEM, "rebuild: out of memory");
        goto out;
    }
    for (size_t i = 0; i < ne; i++) {
        const rec *r = &op->ledger.r[i];
        const char *rest = (const char *)op->ledger.bytes.data + r->koff;
        step *st = &op->steps[i];
        if (!lty__key_parse_ledger(rest, r->klen, &st->time, &st->id, &st->idlen) ||
            lty__entry_decode(op->ledger.bytes.data + r->voff, r->vlen, &entries[i])) {
            rc = lty__corrupt(e, LTY_ECORRUPT, "ledger entry");
            goto out;
        }
        st->kind = STEP_EVENT;
        st->index = i;
    }
    for (size_t i = 0; i < ns; i++) {
        const rec *r = &op->spends.r[i];
        lty__spend sp;
        step *st = &op->steps[ne + i];
        if (lty__spend_decode(op->spends.bytes.data + r->voff, r->vlen, &sp)) {
            rc = lty__corrupt(e, LTY_ECORRUPT, "points spend");
            goto out;
        }
        st->time = sp.time;
        st->id = (const char *)op->spends.bytes.data + r->koff + 1;
        st->idlen = r->klen - 1;
        st->kind = STEP_SPEND;
        st->index = i;
    }
    size_t nsteps = ne + ns;
    for (size_t i = 0; i < nc; i++) {
        const rec *r = &op->credits.r[i];
        lty__credit c;
        if (lty__credit_decode(op->credits.bytes.data + r->voff, r->vlen, &c)) {
            rc = lty__corrupt(e, LTY_ECORRUPT, "program credit");
            goto out;
        }
        /* the key's rest is "R<cause>" */
        step *st = &op->steps[nsteps++];
        st->time = c.time;
        st->id = (const char *)op->credits.bytes.data + r->koff + 1;
        st->idlen = r->klen - 1;
        st->kind = STEP_CREDIT;
        st->index = i;
        if (c.taken) {
            step *dt = &op->steps[nsteps++];
            *dt = *st;
            dt->time = c.taken;
            dt->kind = STEP_DEBIT;
        }
    }
    qsort(op->steps, nsteps, sizeof *op->steps, step_cmp);
    for (size_t k = 0; rc == LTY_OK && k < nsteps; k++) {
        const step *st = &op->steps[k];
        if (st->kind == STEP_SPEND) {
            rc = replay_spend(e, ps, ss, op, &op->spends.r[st->index], entries,
                              &xv);
            continue;
        }
        if (st->kind != STEP_EVENT) {
            rc = replay_credit(e, ps, ss, op, st);
            continue;
        }
        const lty__entry *en = &entries[st->index];
        lty__program_event ev;
        lty__program_effects fx;
        int touched;
        memset(&ev, 0, sizeof ev);
        memset(&fx, 0, sizeof fx);
        ev.cid = op->cid;
        ev.cn = op->cn;
        ev.evid = st->id;
        ev.en = st->idlen;
        ev.type = en->type;
        ev.time = st->time;
        ev.amount = en->amount;
        ev.item = en->item;
        ev.itemlen = en->item_len;
        ev.replay = 1;
        if ((rc = lty__local_day(e, st->time, &ev.day)))
            break;
        if (en->type == LTY_EVENT_VISIT || en->type == LTY_EVENT_PURCHASE) {
            /* visits count once per local day, as the ledger counts them */
            if (ev.day != last_day) {
                visits++;
                last_day = ev.day;
                ev.visit_counted = 1;
            }
        }
        ev.visits = visits;
        lty__earnings earned, refunded;
        earned.n = refunded.n = 0;
        if (en->type == LTY_EVENT_REFUND) {
            ev.refund_of = en->refund_of;
            ev.rn = en->refund_of_len;
            size_t j = find_purchase(op, entries, en->refund_of, en->refund_of_len);
            if (j < ne) {
                ev.purchase_amount = entries[j].amount;
                ev.refunded_before = op->refunded[j];
                op->refunded[j] += en->amount;
                if (xview_get(&xv, j, &refunded)) {
                    rc = lty__corrupt(e, LTY_ECORRUPT, "ledger entry");
                    break;
                }
            }
            ev.refunded = &refunded;
        }
        if (en->type == LTY_EVENT_PURCHASE)
            ev.earned = &earned;
        rc = lty__programs_apply(e, ps, ss, &ev, &fx, &touched);
        if (rc == LTY_OK && en->type == LTY_EVENT_PURCHASE)
            rc = xview_set(e, &xv, st->index, &earned);
    }
    if (rc == LTY_OK)
        rc = store_earnings(e, op, entries, &xv);
out:
    lty__free(&e->alloc, entries);
    lty__free(&e->alloc, xv.off);
    lty__free(&e->alloc, xv.len);
    lty__buf_release(&xv.arena);
    return rc;
}

static int rebuild_body(lty_engine *e, void *arg)
{
    rebuild_op *op = arg;
    const lty__programs *ps;
    lty__pstates ss;
    lty__key k;
    uint64_t rev;
    int rc, changed;
    lty__free(&e->alloc, op->steps);
    lty__free(&e->alloc, op->refunded);
    op->steps = NULL;
    op->refunded = NULL;
    lty__key_profile(&k, op->cid, op->cn);
    if ((rc = lty__get(e, k.b, k.n, NULL, NULL)) == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "customer: not found");
    if (rc || (rc = lty__programs_current(e, &ps)))
        return rc;
    /* drop what the replay rewrites: the program history (what purchases
     * earned is rewritten in their ledger entries) */
    if ((rc = collect(e, op->cid, op->cn, 'H', &op->scratch)) ||
        (rc = drop_all(e, op->cid, op->cn, &op->scratch)) ||
        (rc = collect(e, op->cid, op->cn, 'L', &op->ledger)) ||
        (rc = collect(e, op->cid, op->cn, 'S', &op->spends)) ||
        (rc = collect(e, op->cid, op->cn, 'R', &op->credits)))
        return rc;
    lty__pstates_init(&ss, &e->alloc);
    if ((rc = lty__pstates_load(e, op->cid, op->cn, &ss, &rev)) == LTY_OK) {
        lty__pstates_release(&ss); /* replaced: only the revision is kept */
        lty__pstates_init(&ss, &e->alloc);
        rc = replay(e, ps, &ss, op);
    }
    int64_t now = lty__now(e);
    for (size_t i = 0; rc == LTY_OK && i < ss.n; i++) {
        lty__pstate *s = &ss.s[i];
        const lty__program *p = lty__program_find(ps, s->program, s->plen);
        if (p && (p->kind == LTY_PROGRAM_STARS || p->kind == LTY_PROGRAM_POINTS))
            rc = lty__pstate_advance(e, p, &ss, s, now, op->cid, op->cn, 1,
                                     &changed);
    }
    if (rc == LTY_OK) {
        if (ss.n)
            rc = lty__pstates_store(e, op->cid, op->cn, &ss, rev);
        else if (rev != LTY_REV_NONE) {
            lty__key_customer(&k, op->cid, op->cn);
            lty__key_add(&k, "G", 1);
            rc = lty__del(e, k.b, k.n, rev);
        }
    }
    lty__pstates_release(&ss);
    return rc;
}

static void recs_init(recs *c, const lty_allocator *a)
{
    memset(c, 0, sizeof *c);
    c->a = a;
    lty__buf_init(&c->bytes, a);
}

static void recs_release(recs *c)
{
    lty__buf_release(&c->bytes);
    lty__free(c->a, c->r);
}

static int rebuild_one(lty_engine *e, const char *cid, size_t cn)
{
    rebuild_op op;
    memset(&op, 0, sizeof op);
    op.cid = cid;
    op.cn = cn;
    recs_init(&op.ledger, &e->alloc);
    recs_init(&op.spends, &e->alloc);
    recs_init(&op.credits, &e->alloc);
    recs_init(&op.scratch, &e->alloc);
    int rc = lty__txn(e, rebuild_body, &op);
    recs_release(&op.ledger);
    recs_release(&op.spends);
    recs_release(&op.credits);
    recs_release(&op.scratch);
    lty__free(&e->alloc, op.steps);
    lty__free(&e->alloc, op.refunded);
    return rc;
}

int lty_programs_rebuild(lty_engine *e, const char *customer_id)
{
    size_t cn;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (customer_id) {
        if ((rc = lty__check_id(e, "customer id", customer_id, &cn)))
            return rc;
        return rebuild_one(e, customer_id, cn);
    }
    lty_buf ids;
    if ((rc = lty__collect_customers(e, 'P', &ids)))
        return rc;
    for (size_t off = 0; off < ids.len;) {
        const char *id = (const char *)ids.data + off;
        size_t n = strlen(id);
        if ((rc = rebuild_one(e, id, n)))
            break;
        off += n + 1;
    }
    lty__buf_release(&ids);
    return rc;
}
