/*
 * libloyalty - the `lifetimes` summary (frequency, recency, T, monetary
 * value) from arrays of purchases and from the store.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clv_int.h"
#include "csv_int.h"
#include "keys_int.h"
#include "ledger_int.h"
#include "validate_int.h"

struct lty_clv_summary {
    lty_clv_row *rows;
    size_t n, cap;
    char *ids;         /* the ids, each NUL-terminated */
    size_t idlen, idcap;
};

/* One customer's purchase periods while they are gathered (in time order,
 * either direction). */
typedef struct acc {
    int64_t *per;
    double *amt;
    size_t k, cap;
} acc;

static int acc_add(acc *a, int64_t period, double amount)
{
    if (a->k && a->per[a->k - 1] == period) {
        a->amt[a->k - 1] += amount;
        return LTY_OK;
    }
    if (a->k == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 16;
        int64_t *p = realloc(a->per, nc * sizeof *p);
        if (!p)
            return LTY_ENOMEM;
        a->per = p;
        double *m = realloc(a->amt, nc * sizeof *m);
        if (!m)
            return LTY_ENOMEM;
        a->amt = m;
        a->cap = nc;
    }
    a->per[a->k] = period;
    a->amt[a->k++] = amount;
    return LTY_OK;
}

/* Turn the gathered periods into a row of s (nothing when there are none). */
static int acc_flush(acc *a, lty_clv_summary *s, const char *id, size_t idn,
                     int64_t end_period)
{
    if (!a->k)
        return LTY_OK;
    size_t first = 0, last = 0;
    double total = 0.0;
    for (size_t i = 0; i < a->k; i++) {
        if (a->per[i] < a->per[first])
            first = i;
        if (a->per[i] > a->per[last])
            last = i;
        total += a->amt[i];
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        lty_clv_row *r = realloc(s->rows, nc * sizeof *r);
        if (!r)
            return LTY_ENOMEM;
        s->rows = r;
        s->cap = nc;
    }
    if (s->idlen + idn + 1 > s->idcap) {
        size_t nc = s->idcap ? s->idcap * 2 : 1024;
        while (nc < s->idlen + idn + 1)
            nc *= 2;
        char *p = realloc(s->ids, nc);
        if (!p)
            return LTY_ENOMEM;
        s->ids = p;
        s->idcap = nc;
    }
    lty_clv_row *r = &s->rows[s->n++];
    /* the offset for now; made a pointer when the summary is complete */
    r->customer_id = (const char *)(uintptr_t)s->idlen;
    memcpy(s->ids + s->idlen, id, idn);
    s->ids[s->idlen + idn] = '\0';
    s->idlen += idn + 1;
    r->frequency = (double)(a->k - 1);
    r->recency = (double)(a->per[last] - a->per[first]);
    r->T = (double)(end_period - a->per[first]);
    r->monetary = a->k > 1 ? (total - a->amt[first]) / (double)(a->k - 1) : 0.0;
    a->k = 0;
    return LTY_OK;
}

static void acc_release(acc *a)
{
    free(a->per);
    free(a->amt);
}

static void finish(lty_clv_summary *s)
{
    for (size_t i = 0; i < s->n; i++)
        s->rows[i].customer_id = s->ids + (uintptr_t)s->rows[i].customer_id;
}

static int64_t period_of_day(int64_t day, lty_clv_period p)
{
    /* 1970-01-01 was a Thursday: day + 3 counts from a Monday */
    return p == LTY_CLV_PERIOD_WEEK ? lty__floordiv(day + 3, 7) : day;
}

void lty_clv_summary_free(lty_clv_summary *s)
{
    if (!s)
        return;
    free(s->rows);
    free(s->ids);
    free(s);
}

const lty_clv_row *lty_clv_summary_rows(const lty_clv_summary *s,
                                        size_t *count)
{
    if (count)
        *count = s ? s->n : 0;
    return s && s->n ? s->rows : NULL;
}

static int txn_cmp(const void *pa, const void *pb)
{
    const lty_clv_txn *a = *(const lty_clv_txn *const *)pa;
    const lty_clv_txn *b = *(const lty_clv_txn *const *)pb;
    int c = strcmp(a->customer_id, b->customer_id);
    if (c)
        return c;
    return a->time < b->time ? -1 : a->time > b->time;
}

int lty_clv_summary_from_txns(lty_clv_summary **out, const lty_clv_txn *txns,
                              size_t n, const lty_clv_summary_options *opts)
{
    if (!out)
        return LTY_EINVALID;
    *out = NULL;
    if (!opts || (!txns && n))
        return LTY_EINVALID;
    if (opts->version == 0 || opts->version > LTY_CLV_SUMMARY_OPTIONS_VERSION)
        return LTY_EVERSION;
    if ((opts->period != LTY_CLV_PERIOD_DAY &&
         opts->period != LTY_CLV_PERIOD_WEEK) || opts->end == 0 ||
        opts->utc_offset_minutes < -24 * 60 ||
        opts->utc_offset_minutes > 24 * 60)
        return LTY_EINVALID;
    for (size_t i = 0; i < n; i++)
        if (!txns[i].customer_id || txns[i].amount < 0 ||
            strlen(txns[i].customer_id) > LTY_ID_MAX)
            return LTY_EINVALID;
    int64_t off = (int64_t)opts->utc_offset_minutes * 60;
    int64_t end_period = period_of_day(lty__floordiv(opts->end + off, 86400),
                                       opts->period);
    lty_clv_summary *s = calloc(1, sizeof *s);
    const lty_clv_txn **v = malloc((n ? n : 1) * sizeof *v);
    acc a = {0};
    int rc = LTY_OK;
    if (!s || !v) {
        rc = LTY_ENOMEM;
        goto done;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (txns[i].time <= opts->end)
            v[k++] = &txns[i];
    qsort(v, k, sizeof *v, txn_cmp);
    for (size_t i = 0; i < k && !rc; i++) {
        if (i && strcmp(v[i]->customer_id, v[i - 1]->customer_id))
            rc = acc_flush(&a, s, v[i - 1]->customer_id,
                           strlen(v[i - 1]->customer_id), end_period);
        if (!rc) {
            int64_t day = lty__floordiv(v[i]->time + off, 86400);
            rc = acc_add(&a, period_of_day(day, opts->period),
                         (double)v[i]->amount);
        }
    }
    if (!rc && k)
        rc = acc_flush(&a, s, v[k - 1]->customer_id,
                       strlen(v[k - 1]->customer_id), end_period);
done:
    acc_release(&a);
    free(v);
    if (rc) {
        lty_clv_summary_free(s);
        return rc;
    }
    finish(s);
    *out = s;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* From a file (the reader is csv.c)                                   */
/* ------------------------------------------------------------------ */

typedef struct csv_gather {
    lty_clv_txn *t;    /* customer_id holds an offset into ids until done */
    size_t n, cap;
    char *ids;         /* the ids, each NUL-terminated */
    size_t idlen, idcap;
    size_t lastoff;    /* the last id added (consecutive lines share it) */
    size_t lastn;
    int64_t off;       /* the UTC offset, seconds */
    int64_t maxt;
    const char *path;
    char *err;
    size_t errlen;
} csv_gather;

static int gather_block(void *ctx, lty__csv_txn *t, size_t n)
{
    csv_gather *g = ctx;
    for (size_t i = 0; i < n; i++) {
        const lty__csv_txn *e = &t[i];
        if (e->amount < 0)
            return lty__csv_fail(g->err, g->errlen, g->path, e->line, "amount",
                                 "negative (purchases only: net refunds "
                                 "out first)");
        if (g->n == g->cap) {
            size_t nc = g->cap ? g->cap * 2 : 1024;
            lty_clv_txn *p = realloc(g->t, nc * sizeof *p);
            if (!p)
                goto nomem;
            g->t = p;
            g->cap = nc;
        }
        if (!g->n || e->idn != g->lastn ||
            memcmp(g->ids + g->lastoff, e->id, e->idn)) {
            if (g->idlen + e->idn + 1 > g->idcap) {
                size_t nc = g->idcap ? g->idcap * 2 : 4096;
                while (nc < g->idlen + e->idn + 1)
                    nc *= 2;
                char *p = realloc(g->ids, nc);
                if (!p)
                    goto nomem;
                g->ids = p;
                g->idcap = nc;
            }
            memcpy(g->ids + g->idlen, e->id, e->idn);
            g->ids[g->idlen + e->idn] = '\0';
            g->lastoff = g->idlen;
            g->lastn = e->idn;
            g->idlen += e->idn + 1;
        }
        lty_clv_txn *w = &g->t[g->n++];
        w->customer_id = (const char *)(uintptr_t)g->lastoff;
        /* a date is that local day: its local midnight */
        w->time = e->is_date ? e->time - g->off : e->time;
        w->amount = e->amount;
        if (w->time > g->maxt)
            g->maxt = w->time;
    }
    return LTY_OK;
nomem:
    lty__csv_errf(g->err, g->errlen, "%s:%lu: out of memory", g->path,
                  t->line);
    return LTY_ENOMEM;
}

int lty_clv_summary_from_csv(lty_clv_summary **out, const char *path,
                             const lty_clv_summary_options *opts, char *err,
                             size_t errlen)
{
    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    if (err && errlen)
        err[0] = '\0';
    if (!out || !path) {
        lty__csv_errf(err, errlen, "%s: missing", out ? "path" : "out");
        return LTY_EINVALID;
    }
    *out = NULL;
    if (opts) {
        if (opts->version == 0 ||
            opts->version > LTY_CLV_SUMMARY_OPTIONS_VERSION) {
            lty__csv_errf(err, errlen,
                          "lifetime summary options: version %u not supported",
                          opts->version);
            return LTY_EVERSION;
        }
        o = *opts;
    }
    if (o.period != LTY_CLV_PERIOD_DAY && o.period != LTY_CLV_PERIOD_WEEK) {
        lty__csv_errf(err, errlen, "period: unknown");
        return LTY_EINVALID;
    }
    if (o.utc_offset_minutes < -24 * 60 || o.utc_offset_minutes > 24 * 60) {
        lty__csv_errf(err, errlen, "utc_offset_minutes: must be -1440..1440");
        return LTY_EINVALID;
    }
    csv_gather g;
    memset(&g, 0, sizeof g);
    g.off = (int64_t)o.utc_offset_minutes * 60;
    g.maxt = INT64_MIN;
    g.path = path;
    g.err = err;
    g.errlen = errlen;
    lty__csv_sink s = {&g, NULL, gather_block};
    int rc = lty__csv_read_txns(path, &s, err, errlen);
    if (!rc) {
        for (size_t i = 0; i < g.n; i++)
            g.t[i].customer_id = g.ids + (uintptr_t)g.t[i].customer_id;
        if (o.end == 0) /* the latest purchase (1: none, or at the epoch) */
            o.end = g.n && g.maxt ? g.maxt : 1;
        rc = lty_clv_summary_from_txns(out, g.t, g.n, &o);
        if (rc == LTY_ENOMEM)
            lty__csv_errf(err, errlen, "%s: out of memory", path);
        else if (rc)
            lty__csv_errf(err, errlen, "%s: cannot summarise", path);
    }
    free(g.t);
    free(g.ids);
    return rc;
}

/* ------------------------------------------------------------------ */
/* From the store                                                      */
/* ------------------------------------------------------------------ */

typedef struct scan_ctx {
    lty_engine *e;
    lty_clv_summary *s;
    acc a;
    lty_clv_period period;
    int64_t end, end_period;
    char id[LTY_ID_MAX + 1];
    size_t idn;
    int have_id;
    int rc;             /* the error that stopped the scan, if ours */
} scan_ctx;

static int scan_each(const char *key, size_t keylen, const void *val,
                     size_t len, uint64_t rev, void *ctx)
{
    scan_ctx *c = ctx;
    const char *id, *rest, *evid;
    size_t idn, restn, evn;
    int64_t t, day;
    lty__entry en;
    (void)rev;
    if (!lty__key_parse_customer(key, keylen, &id, &idn, &rest, &restn) ||
        idn > LTY_ID_MAX) {
        c->rc = lty__corrupt(c->e, LTY_ECORRUPT, "customer key");
        return c->rc;
    }
    if (!c->have_id || idn != c->idn || memcmp(id, c->id, idn)) {
        if (c->have_id &&
            (c->rc = acc_flush(&c->a, c->s, c->id, c->idn, c->end_period)))
            return c->rc;
        memcpy(c->id, id, idn);
        c->idn = idn;
        c->have_id = 1;
    }
    if (!restn || rest[0] != 'L')
        return LTY_OK;
    if (!lty__key_parse_ledger(rest, restn, &t, &evid, &evn)) {
        c->rc = lty__corrupt(c->e, LTY_ECORRUPT, "ledger key");
        return c->rc;
    }
    if (t > c->end)
        return LTY_OK;
    int rc = lty__entry_decode(val, len, &en);
    if (rc) {
        c->rc = lty__corrupt(c->e, rc, "ledger entry");
        return c->rc;
    }
    if (en.type != LTY_EVENT_PURCHASE || en.amount - en.refunded <= 0)
        return LTY_OK;
    if ((c->rc = lty__local_day(c->e, t, &day)))
        return c->rc;
    if ((c->rc = acc_add(&c->a, period_of_day(day, c->period),
                         (double)(en.amount - en.refunded))))
        return c->rc;
    return LTY_OK;
}

int lty_clv_summary_from_store(lty_clv_summary **out, lty_engine *e,
                               const lty_clv_summary_options *opts)
{
    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "lifetime summary: NULL output");
    *out = NULL;
    if (opts) {
        int rc = lty__check_version(e, "lifetime summary options",
                                    opts->version,
                                    LTY_CLV_SUMMARY_OPTIONS_VERSION);
        if (rc)
            return rc;
        o = *opts;
    }
    if (o.period != LTY_CLV_PERIOD_DAY && o.period != LTY_CLV_PERIOD_WEEK)
        return lty__err(e, LTY_EINVALID, "lifetime summary: unknown period");
    scan_ctx c;
    memset(&c, 0, sizeof c);
    c.e = e;
    c.period = o.period;
    c.end = o.end ? o.end : lty__now(e);
    int64_t day;
    int rc = lty__local_day(e, c.end, &day);
    if (rc)
        return rc;
    c.end_period = period_of_day(day, o.period);
    c.s = calloc(1, sizeof *c.s);
    if (!c.s)
        return lty__err(e, LTY_ENOMEM, "lifetime summary: out of memory");
    lty__key k;
    lty__key_reset(&k);
    lty__key_add(&k, "C", 1);
    lty__key_sep(&k);
    rc = lty__scan(e, k.b, k.n, NULL, 0, scan_each, &c);
    if (c.rc)
        rc = c.rc;
    if (!rc && c.have_id)
        rc = acc_flush(&c.a, c.s, c.id, c.idn, c.end_period);
    acc_release(&c.a);
    if (rc == LTY_ENOMEM)
        rc = lty__err(e, rc, "lifetime summary: out of memory");
    if (rc) {
        lty_clv_summary_free(c.s);
        return rc;
    }
    finish(c.s);
    *out = c.s;
    return LTY_OK;
}
