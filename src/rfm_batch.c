/*
 * libloyalty - RFM in batch, without a store: from arrays of transactions
 * and from a CSV file.
 *
 * Customers are gathered in one pass through an open-addressing hash
 * (rfm.c); the file is read in blocks, never whole (csv.c), so memory
 * grows with the customers, not the file.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_int.h"
#include "rfm_int.h"
#include "validate_int.h"

typedef struct batch {
    lty__rfm_opts o;
    int64_t lo;
    lty__rfm_data d;
} batch;

static int batch_begin(batch *b, const lty_rfm_options *opts, char *err,
                       size_t errlen)
{
    lty_allocator a;
    int rc = lty__rfm_opts_check(opts, &b->o, err, errlen);
    if (rc)
        return rc;
    if (b->o.window_days && b->o.as_of == LTY_TIME_NOW) {
        lty__rfm_errf(err, errlen,
                      "as_of: required with a window in batch");
        return LTY_EINVALID;
    }
    b->lo = b->o.window_days
                ? b->o.as_of - (int64_t)b->o.window_days * 86400 + 1
                : LTY_TIME_MIN;
    lty__alloc_init(&a, NULL);
    lty__rfm_data_init(&b->d, &a);
    return LTY_OK;
}

/* One transaction; the caller checked the id's length and the time. */
static inline int batch_add_h(batch *b, const char *id, size_t n, uint64_t h,
                              int64_t t, int64_t amount)
{
    size_t row;
    int created, rc;
    if ((b->o.as_of != LTY_TIME_NOW && t > b->o.as_of) || t < b->lo)
        return LTY_OK;
    if ((rc = lty__rfm_data_upsert_h(&b->d, id, n, h, &row, &created)))
        return rc;
    lty__rfm_row *w = &b->d.rows[row];
    if (__builtin_add_overflow(w->mon, amount, &w->mon))
        return LTY_ERANGE;
    if (amount >= 0) {
        w->freq++;
        if (t > w->last)
            w->last = t;
    }
    return LTY_OK;
}

static inline int batch_add(batch *b, const char *id, size_t n, int64_t t,
                            int64_t amount)
{
    return batch_add_h(b, id, n, lty__rfm_hash(id, n), t, amount);
}

/* Drop customers with no counted transaction, resolve as_of, score. */
static int batch_end(batch *b, lty_rfm_result **out, char *err, size_t errlen)
{
    lty__rfm_data *d = &b->d;
    size_t k = 0;
    int64_t maxt = LTY_TIME_MIN;
    for (size_t i = 0; i < d->n; i++) {
        if (d->rows[i].freq == 0)
            continue;
        if (d->rows[i].last > maxt)
            maxt = d->rows[i].last;
        d->rows[k++] = d->rows[i];
    }
    if (k != d->n) {
        d->n = k;
        lty__free(&d->alloc, d->hash);
        d->hash = NULL;
        d->hcap = 0;
    }
    if (b->o.as_of == LTY_TIME_NOW)
        b->o.as_of = maxt;
    return lty__rfm_finish(d, &b->o, out, err, errlen);
}

int lty_rfm_from_transactions(lty_rfm_result **out, const char *const *ids,
                              const int64_t *times, const int64_t *amounts,
                              size_t n, const lty_rfm_options *opts,
                              char *err, size_t errlen)
{
    batch b;
    int rc;
    if (!out) {
        lty__rfm_errf(err, errlen, "out: missing");
        return LTY_EINVALID;
    }
    *out = NULL;
    if (n && (!ids || !times || !amounts)) {
        lty__rfm_errf(err, errlen, "transactions: missing arrays");
        return LTY_EINVALID;
    }
    if ((rc = batch_begin(&b, opts, err, errlen)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        size_t len = ids[i] ? strlen(ids[i]) : 0;
        if (len == 0 || len > LTY_ID_MAX) {
            lty__rfm_errf(err, errlen,
                          "transaction %zu: customer id: must be 1..%d bytes",
                          i, LTY_ID_MAX);
            rc = LTY_EINVALID;
        } else if (times[i] < LTY_TIME_MIN || times[i] > LTY_TIME_MAX) {
            lty__rfm_errf(err, errlen, "transaction %zu: time: out of range", i);
            rc = LTY_EINVALID;
        } else if ((rc = batch_add(&b, ids[i], len, times[i], amounts[i]))) {
            lty__rfm_errf(err, errlen, "transaction %zu: %s", i,
                          rc == LTY_ERANGE ? "monetary: would overflow"
                                           : "out of memory");
        }
        if (rc) {
            lty__rfm_data_release(&b.d);
            return rc;
        }
    }
    return batch_end(&b, out, err, errlen);
}

/* ------------------------------------------------------------------ */
/* CSV (the reader is csv.c)                                           */
/* ------------------------------------------------------------------ */

typedef struct rfm_csv {
    batch *b;
    const char *path;
    char *err;
    size_t errlen;
} rfm_csv;

/* As each line is parsed: its hash, and its hash slot prefetched. */
static void rfm_csv_row(void *ctx, lty__csv_txn *t)
{
    rfm_csv *r = ctx;
    t->hash = lty__rfm_hash(t->id, t->idn);
    lty__rfm_data_prefetch(&r->b->d, t->hash, 0);
}

/* A block of lines: their rows, then ids prefetched in stages, then added
 * in file order. */
static int rfm_csv_block(void *ctx, lty__csv_txn *t, size_t n)
{
    rfm_csv *r = ctx;
    batch *b = r->b;
    for (size_t i = 0; i < n; i++)
        lty__rfm_data_prefetch(&b->d, t[i].hash, 1);
    for (size_t i = 0; i < n; i++)
        lty__rfm_data_prefetch(&b->d, t[i].hash, 2);
    for (size_t i = 0; i < n; i++) {
        const lty__csv_txn *e = &t[i];
        int rc = batch_add_h(b, e->id, e->idn, e->hash, e->time, e->amount);
        if (rc) {
            if (rc == LTY_ERANGE)
                return lty__csv_fail(r->err, r->errlen, r->path, e->line,
                                     "amount", "customer total would overflow");
            lty__rfm_errf(r->err, r->errlen, "%s:%lu: out of memory", r->path,
                          e->line);
            return rc;
        }
    }
    return LTY_OK;
}

int lty_rfm_from_csv(lty_rfm_result **out, const char *path,
                     const lty_rfm_options *opts, char *err, size_t errlen)
{
    batch b;
    int rc;
    if (!out || !path) {
        lty__rfm_errf(err, errlen, "%s: missing", out ? "path" : "out");
        return LTY_EINVALID;
    }
    *out = NULL;
    if ((rc = batch_begin(&b, opts, err, errlen)))
        return rc;
    rfm_csv r = {&b, path, err, errlen};
    lty__csv_sink s = {&r, rfm_csv_row, rfm_csv_block};
    if ((rc = lty__csv_read_txns(path, &s, err, errlen))) {
        lty__rfm_data_release(&b.d);
        return rc;
    }
    return batch_end(&b, out, err, errlen);
}
