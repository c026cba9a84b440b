/*
 * libloyalty - lty_verify(): recompute every customer's aggregates from the
 * ledger and compare them with the stored ones.
 *
 * The records of one customer sit together under "C\0<id>\0" ("A" the
 * aggregates, then "L..." the ledger newest first, then "P" the profile), so
 * one pass over "C\0" sees each customer whole and keeps only that
 * customer's working state.  A second pass over "E\0" checks that every
 * event-id index entry leads to a ledger entry.
 *
 * A scan callback may not call back into the connection, and the ledger
 * checks need reads of their own, so both passes read in batches: a scan
 * copies up to BATCH_RECORDS records and stops, the batch is checked with
 * whatever reads it needs, and the next scan resumes after the last key.
 *
 * Everything runs in one read-only transaction, so a store that other
 * engines write meanwhile is seen as of one instant.  Mismatches are
 * collected and reported to the caller's callback after the transaction,
 * because a transaction that meets a conflict runs again.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "keys_int.h"
#include "ledger_int.h"
#include "validate_int.h"

#define BATCH_RECORDS 1024
#define BATCH_BYTES (4u * 1024u * 1024u)

/* ------------------------------------------------------------------ */
/* Batched scans                                                       */
/* ------------------------------------------------------------------ */

typedef struct brec {
    size_t koff, klen, voff, vlen;
} brec;

typedef struct batch {
    lty_buf bytes;             /* the batch's keys and values, packed */
    brec *recs;
    size_t n;
    int nomem;
} batch;

static int batch_each(const char *key, size_t keylen, const void *val,
                      size_t len, uint64_t rev, void *ctx)
{
    batch *b = ctx;
    brec *r = &b->recs[b->n];
    (void)rev;
    if (lty__buf_append(&b->bytes, key, keylen, &r->koff) ||
        lty__buf_append(&b->bytes, val, len, &r->voff)) {
        b->nomem = 1;
        return LTY_ENOMEM;
    }
    r->klen = keylen;
    r->vlen = len;
    b->n++;
    return b->n == BATCH_RECORDS || b->bytes.len >= BATCH_BYTES ? LTY_SCAN_STOP
                                                           : LTY_OK;
}

typedef int (*batch_fn)(lty_engine *e, const batch *b, void *ctx);

/* Scan prefix in batches, calling fn (free to read the store) per batch. */
static int scan_batched(lty_engine *e, batch *b, const char *prefix,
                        size_t plen, batch_fn fn, void *ctx)
{
    char after[LTY_KEY_MAX];
    size_t alen = 0;
    for (;;) {
        b->bytes.len = b->n = 0;
        b->nomem = 0;
        int rc = lty__scan(e, prefix, plen, after, alen, batch_each, b);
        if (b->nomem)
            return lty__err(e, LTY_ENOMEM, "verify: out of memory");
        if (rc)
            return rc;
        if (b->n == 0)
            return LTY_OK;
        const brec *last = &b->recs[b->n - 1];
        if (last->klen > sizeof after)
            return lty__err(e, LTY_ECORRUPT, "store key: longer than %d bytes",
                            LTY_KEY_MAX);
        memcpy(after, b->bytes.data + last->koff, last->klen);
        alen = last->klen;
        if ((rc = fn(e, b, ctx)))
            return rc;
    }
}

/* ------------------------------------------------------------------ */
/* Mismatches                                                          */
/* ------------------------------------------------------------------ */

typedef struct mismatch {
    char customer[LTY_ID_MAX + 1];
    const char *field;         /* a static name */
    int64_t stored, expected;
    int has_text;
    char stored_text[LTY_CODE_MAX + 1];
    char expected_text[LTY_CODE_MAX + 1];
    int stored_null, expected_null;
} mismatch;

typedef struct mismatch_list {
    const lty_allocator *a;
    mismatch *m;
    size_t n, cap;
} mismatch_list;

static int add_mismatch(lty_engine *e, mismatch_list *l, const char *cid,
                        size_t cn, const char *field, int64_t stored,
                        int64_t expected, mismatch **out)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        mismatch *p = lty__realloc(l->a, l->m, cap * sizeof *p);
        if (!p)
            return lty__err(e, LTY_ENOMEM, "verify: out of memory");
        l->m = p;
        l->cap = cap;
    }
    mismatch *m = &l->m[l->n++];
    memset(m, 0, sizeof *m);
    memcpy(m->customer, cid, cn);
    m->customer[cn] = '\0';
    m->field = field;
    m->stored = stored;
    m->expected = expected;
    if (out)
        *out = m;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Per-customer recomputation                                          */
/* ------------------------------------------------------------------ */

/* A purchase's stored refunded amount, or a refund's amount, by event id:
 * sorted and matched when the customer is complete. */
typedef struct money_ref {
    char id[LTY_ID_MAX + 1];
    int64_t amount;
} money_ref;

typedef struct growable {
    void *p;
    size_t n, cap, size;
} growable;

static void *grow_push(const lty_allocator *a, growable *g)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        void *p = lty__realloc(a, g->p, cap * g->size);
        if (!p)
            return NULL;
        g->p = p;
        g->cap = cap;
    }
    return (char *)g->p + g->size * g->n++;
}

typedef struct verify_ctx {
    lty_engine *e;
    mismatch_list list;
    batch b;
    /* The customer being read. */
    int active;
    char id[LTY_ID_MAX + 1];
    size_t idlen;
    lty__stats stored;         /* zeros when the customer has none */
    lty__stats calc;
    /* Net spend as a 128-bit sum (carry in net_hi): refunds and purchases
     * arrive newest first, so a running int64 could overflow on the way
     * to a result that fits. */
    uint64_t net_lo;
    int64_t net_hi;
    int has_visit;
    growable days;             /* int64_t: local days with a visit */
    growable purchases;        /* money_ref: refunded so far */
    growable refunds;          /* money_ref: refund amounts */
} verify_ctx;

static void customer_start(verify_ctx *v, const char *id, size_t n)
{
    v->active = 1;
    memcpy(v->id, id, n);
    v->id[n] = '\0';
    v->idlen = n;
    memset(&v->stored, 0, sizeof v->stored);
    memset(&v->calc, 0, sizeof v->calc);
    v->has_visit = 0;
    v->net_lo = 0;
    v->net_hi = 0;
    v->days.n = v->purchases.n = v->refunds.n = 0;
}

static int cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_ref(const void *a, const void *b)
{
    return strcmp(((const money_ref *)a)->id, ((const money_ref *)b)->id);
}

static int64_t distinct_days(growable *g)
{
    int64_t *d = g->p;
    int64_t count = 0;
    if (g->n == 0)
        return 0;
    qsort(d, g->n, sizeof *d, cmp_day);
    for (size_t i = 0; i < g->n; i++)
        if (i == 0 || d[i] != d[i - 1])
            count++;
    return count;
}

static int compare_field(verify_ctx *v, const char *field, int64_t stored,
                         int64_t expected)
{
    if (stored == expected)
        return LTY_OK;
    return add_mismatch(v->e, &v->list, v->id, v->idlen, field, stored,
                        expected, NULL);
}

static int compare_last_item(verify_ctx *v)
{
    mismatch *m;
    if (strcmp(v->stored.last_item, v->calc.last_item) == 0)
        return LTY_OK;
    int rc = add_mismatch(v->e, &v->list, v->id, v->idlen, "last_item", 0, 0,
                          &m);
    if (rc)
        return rc;
    m->has_text = 1;
    strcpy(m->stored_text, v->stored.last_item);
    strcpy(m->expected_text, v->calc.last_item);
    m->stored_null = !v->stored.last_item[0];
    m->expected_null = !v->calc.last_item[0];
    return LTY_OK;
}

/* Each purchase's refunded amount must be the sum of the refunds naming
 * it; a refund naming no purchase of the customer is reported too. */
static int compare_refunds(verify_ctx *v)
{
    money_ref *p = v->purchases.p, *r = v->refunds.p;
    size_t np = v->purchases.n, nr = v->refunds.n, j = 0;
    int rc;
    if (np)
        qsort(p, np, sizeof *p, cmp_ref);
    if (nr)
        qsort(r, nr, sizeof *r, cmp_ref);
    for (size_t i = 0; i < np; i++) {
        int64_t sum = 0;
        while (j < nr && strcmp(r[j].id, p[i].id) < 0) {
            if ((rc = compare_field(v, "refund_of", r[j].amount, 0)))
                return rc;
            j++;
        }
        for (; j < nr && strcmp(r[j].id, p[i].id) == 0; j++)
            sum = sum > INT64_MAX - r[j].amount ? INT64_MAX : sum + r[j].amount;
        if ((rc = compare_field(v, "refunded", p[i].amount, sum)))
            return rc;
    }
    for (; j < nr; j++)
        if ((rc = compare_field(v, "refund_of", r[j].amount, 0)))
            return rc;
    return LTY_OK;
}

static void net_add(verify_ctx *v, int64_t amount)
{
    uint64_t lo = v->net_lo + (uint64_t)amount;
    v->net_hi += lo < v->net_lo;
    v->net_lo = lo;
}

static void net_sub(verify_ctx *v, int64_t amount)
{
    uint64_t lo = v->net_lo - (uint64_t)amount;
    v->net_hi -= lo > v->net_lo;
    v->net_lo = lo;
}

/* The sum as an int64, saturated when it does not fit. */
static int64_t net_value(const verify_ctx *v)
{
    if (v->net_hi == 0 && v->net_lo <= (uint64_t)INT64_MAX)
        return (int64_t)v->net_lo;
    if (v->net_hi == -1 && v->net_lo > (uint64_t)INT64_MAX)
        return -(int64_t)(~v->net_lo) - 1;
    return v->net_hi < 0 ? INT64_MIN : INT64_MAX;
}

static int customer_finish(verify_ctx *v)
{
    const lty__stats *s = &v->stored;
    lty__stats *c = &v->calc;
    int rc;
    if (!v->active)
        return LTY_OK;
    v->active = 0;
    c->visits = distinct_days(&v->days);
    c->net_spend = net_value(v);
    if ((rc = compare_field(v, "first_visit", s->first_visit,
                            c->first_visit)) ||
        (rc = compare_field(v, "last_visit", s->last_visit, c->last_visit)) ||
        (rc = compare_field(v, "visits", s->visits, c->visits)) ||
        (rc = compare_field(v, "purchases", s->purchases, c->purchases)) ||
        (rc = compare_field(v, "net_spend", s->net_spend, c->net_spend)) ||
        (rc = compare_field(v, "refunds", s->refunds, c->refunds)) ||
        (rc = compare_field(v, "feedbacks", s->feedbacks, c->feedbacks)) ||
        (rc = compare_last_item(v)))
        return rc;
    return compare_refunds(v);
}

static int add_money_ref(verify_ctx *v, growable *g, const char *id, size_t n,
                         int64_t amount)
{
    money_ref *m = grow_push(&v->e->alloc, g);
    if (!m)
        return lty__err(v->e, LTY_ENOMEM, "verify: out of memory");
    memcpy(m->id, id, n);
    m->id[n] = '\0';
    m->amount = amount;
    return LTY_OK;
}


/* The same "latest (time, event id)" rule lty_record() applies. */
static void note_item(lty__stats *c, int64_t t, const char *evid, size_t evn,
                      const lty__entry *en)
{
    char id[LTY_ID_MAX + 1];
    if (!en->item_len)
        return;
    memcpy(id, evid, evn);
    id[evn] = '\0';
    if (c->last_item[0] &&
        (t < c->last_item_time ||
         (t == c->last_item_time && strcmp(id, c->last_item_event) <= 0)))
        return;
    memcpy(c->last_item, en->item, en->item_len);
    c->last_item[en->item_len] = '\0';
    memcpy(c->last_item_event, id, evn + 1);
    c->last_item_time = t;
}

static int note_visit(verify_ctx *v, int64_t t)
{
    lty__stats *c = &v->calc;
    int64_t *day = grow_push(&v->e->alloc, &v->days);
    if (!day)
        return lty__err(v->e, LTY_ENOMEM, "verify: out of memory");
    int rc = lty__local_day(v->e, t, day);
    if (rc)
        return rc;
    if (!v->has_visit || t < c->first_visit)
        c->first_visit = t;
    if (!v->has_visit || t > c->last_visit)
        c->last_visit = t;
    v->has_visit = 1;
    return LTY_OK;
}

/* The event-id index must lead back to this entry. */
static int check_index_of(verify_ctx *v, int64_t t, const char *evid,
                          size_t evn)
{
    lty_engine *e = v->e;
    lty__key k;
    lty__evindex ix;
    lty__key_event(&k, evid, evn);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return add_mismatch(e, &v->list, v->id, v->idlen, "event_index", 0, 1,
                            NULL);
    if (rc)
        return rc;
    if ((rc = lty__evindex_decode(e->rbuf.data, e->rbuf.len, &ix)))
        return lty__corrupt(e, rc, "event index");
    if (ix.time != t || ix.customer_len != v->idlen ||
        memcmp(ix.customer_id, v->id, v->idlen) != 0)
        return add_mismatch(e, &v->list, v->id, v->idlen, "event_index", 0, 1,
                            NULL);
    return LTY_OK;
}

static int ledger_record(verify_ctx *v, const char *rest, size_t restn,
                         const void *val, size_t len)
{
    lty__stats *c = &v->calc;
    lty__entry en;
    int64_t t;
    const char *evid;
    size_t evn;
    int rc;
    if (!lty__key_parse_ledger(rest, restn, &t, &evid, &evn) || evn == 0 ||
        !lty__text_valid(evid, evn, LTY__TEXT_LINE) || memchr(evid, 0, evn))
        return lty__corrupt(v->e, LTY_ECORRUPT, "ledger key");
    if ((rc = lty__entry_decode(val, len, &en)))
        return lty__corrupt(v->e, rc, "ledger entry");
    switch (en.type) {
    case LTY_EVENT_PURCHASE:
        c->purchases++;
        net_add(v, en.amount);
        if ((rc = add_money_ref(v, &v->purchases, evid, evn, en.refunded)))
            return rc;
        /* a purchase marks a visit too */
        if ((rc = note_visit(v, t)))
            return rc;
        note_item(c, t, evid, evn, &en);
        break;
    case LTY_EVENT_VISIT:
        if ((rc = note_visit(v, t)))
            return rc;
        note_item(c, t, evid, evn, &en);
        break;
    case LTY_EVENT_REFUND:
        c->refunds++;
        net_sub(v, en.amount);
        if ((rc = add_money_ref(v, &v->refunds, en.refund_of,
                                en.refund_of_len, en.amount)))
            return rc;
        break;
    case LTY_EVENT_FEEDBACK:
        c->feedbacks++;
        break;
    }
    return check_index_of(v, t, evid, evn);
}

static int customer_record(verify_ctx *v, const char *key, size_t keylen,
                           const void *val, size_t len)
{
    const char *id, *rest;
    size_t idlen, restn;
    int rc;
    if (!lty__key_parse_customer(key, keylen, &id, &idlen, &rest, &restn) ||
        !lty__text_valid(id, idlen, LTY__TEXT_LINE))
        return lty__corrupt(v->e, LTY_ECORRUPT, "customer key");
    if (!v->active || idlen != v->idlen || memcmp(id, v->id, idlen) != 0) {
        if ((rc = customer_finish(v)))
            return rc;
        customer_start(v, id, idlen);
    }
    if (restn == 1 && rest[0] == 'A') {
        if ((rc = lty__stats_decode(val, len, &v->stored)))
            return lty__corrupt(v->e, rc, "customer aggregates");
        return LTY_OK;
    }
    if (rest[0] == 'L')
        return ledger_record(v, rest, restn, val, len);
    return LTY_OK; /* the profile and other modules' records */
}

static int customer_batch(lty_engine *e, const batch *b, void *ctx)
{
    verify_ctx *v = ctx;
    (void)e;
    for (size_t i = 0; i < b->n; i++) {
        const brec *r = &b->recs[i];
        int rc = customer_record(v, (const char *)b->bytes.data + r->koff, r->klen,
                                 b->bytes.data + r->voff, r->vlen);
        if (rc)
            return rc;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The event-id index                                                  */
/* ------------------------------------------------------------------ */

static int index_record(verify_ctx *v, const char *key, size_t keylen,
                        const void *val, size_t len)
{
    lty_engine *e = v->e;
    lty__evindex ix;
    lty__key k;
    char cid[LTY_ID_MAX + 1];
    const char *evid = key + 2;
    size_t evn = keylen - 2, cn;
    int rc;
    if (keylen < 3 || keylen - 2 > LTY_ID_MAX || memchr(evid, 0, evn) ||
        !lty__text_valid(evid, evn, LTY__TEXT_LINE))
        return lty__corrupt(e, LTY_ECORRUPT, "event index key");
    if ((rc = lty__evindex_decode(val, len, &ix)))
        return lty__corrupt(e, rc, "event index");
    cn = ix.customer_len;
    memcpy(cid, ix.customer_id, cn);
    lty__key_ledger(&k, cid, cn, ix.time, evid, evn);
    rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return add_mismatch(e, &v->list, cid, cn, "event_index", 1, 0, NULL);
    return rc;
}

static int index_batch(lty_engine *e, const batch *b, void *ctx)
{
    (void)e;
    for (size_t i = 0; i < b->n; i++) {
        const brec *r = &b->recs[i];
        int rc = index_record(ctx, (const char *)b->bytes.data + r->koff, r->klen,
                              b->bytes.data + r->voff, r->vlen);
        if (rc)
            return rc;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* lty_verify                                                          */
/* ------------------------------------------------------------------ */

static int verify_body(lty_engine *e, void *arg)
{
    verify_ctx *v = arg;
    v->list.n = 0;
    v->active = 0;
    int rc = scan_batched(e, &v->b, "C", 2, customer_batch, v);
    if (rc == LTY_OK)
        rc = customer_finish(v);
    if (rc == LTY_OK)
        rc = scan_batched(e, &v->b, "E", 2, index_batch, v);
    return rc;
}

static int report(const verify_ctx *v, lty_verify_fn each, void *userdata)
{
    for (size_t i = 0; i < v->list.n; i++) {
        const mismatch *m = &v->list.m[i];
        lty_verify_mismatch out;
        out.customer_id = m->customer;
        out.field = m->field;
        out.stored = m->stored;
        out.expected = m->expected;
        out.stored_text = m->has_text && !m->stored_null ? m->stored_text
                                                         : NULL;
        out.expected_text = m->has_text && !m->expected_null
                                ? m->expected_text
                                : NULL;
        int rc = each(&out, userdata);
        if (rc)
            return rc;
    }
    return LTY_OK;
}

int lty_verify(lty_engine *e, size_t *mismatches, lty_verify_fn each,
               void *userdata)
{
    verify_ctx v;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (mismatches)
        *mismatches = 0;
    memset(&v, 0, sizeof v);
    v.e = e;
    v.list.a = &e->alloc;
    lty__buf_init(&v.b.bytes, &e->alloc);
    v.days.size = sizeof(int64_t);
    v.purchases.size = v.refunds.size = sizeof(money_ref);
    v.b.recs = lty__malloc(&e->alloc, BATCH_RECORDS * sizeof *v.b.recs);
    int rc = v.b.recs ? lty__txn(e, verify_body, &v)
                      : lty__err(e, LTY_ENOMEM, "verify: out of memory");
    if (rc == LTY_OK) {
        if (mismatches)
            *mismatches = v.list.n;
        if (each && (rc = report(&v, each, userdata)))
            lty__err(e, rc, "verify: the mismatch callback failed");
    }
    lty__free(&e->alloc, v.b.recs);
    lty__buf_release(&v.b.bytes);
    lty__free(&e->alloc, v.list.m);
    lty__free(&e->alloc, v.days.p);
    lty__free(&e->alloc, v.purchases.p);
    lty__free(&e->alloc, v.refunds.p);
    return rc;
}
