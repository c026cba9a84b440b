/*
 * bench/soak_faulty.c - the soak's random numbers, and its engines: each on
 * its own SQLite connection behind a storage layer that fails a random
 * share of transactions, with a messenger that lists what it is handed.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loyalty.h>
#include <loyalty/sqlite.h>

#include "soak.h"

uint64_t next_random(uint64_t *s)
{
    /* xorshift64*: each thread has its own state */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

/* A uniform double in [0, 1). */
double uniform(uint64_t *s)
{
    return (double)(next_random(s) >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------------------------ */
/* The fault-injecting storage layer                                   */
/* ------------------------------------------------------------------ */

static int pick_fault(faulty *f)
{
    if (next_random(&f->rng) & 1) {
        f->storage_faults++;
        return LTY_ESTORAGE;
    }
    f->conflict_faults++;
    return LTY_ECONFLICT;
}

/* LTY_OK, or the fault to report instead of making the call.  A doomed
 * transaction fails at a random one of its first 32 calls (at its commit
 * when it has fewer), so large and small operations fail alike; a call
 * outside any transaction fails with the same probability. */
static int fault(faulty *f)
{
    f->calls++;
    if (!f->armed)
        return LTY_OK;
    if (!f->in_tx)
        return uniform(&f->rng) < f->rate ? pick_fault(f) : LTY_OK;
    if (f->tx_fault_at && ++f->tx_calls == f->tx_fault_at) {
        f->tx_fault_at = 0;
        return pick_fault(f);
    }
    return LTY_OK;
}

static int f_begin(void *ud)
{
    faulty *f = ud;
    f->calls++;
    f->tx_calls = 1;
    f->tx_fault_at = 0;
    if (f->armed && uniform(&f->rng) < f->rate) {
        f->tx_fault_at = 1 + (long)(next_random(&f->rng) % 32);
        if (f->tx_fault_at == 1) {
            f->tx_fault_at = 0;
            return pick_fault(f);
        }
    }
    int rc = f->inner.begin(f->inner_ud);
    f->in_tx = rc == LTY_OK;
    return rc;
}

static int f_commit(void *ud)
{
    faulty *f = ud;
    if (f->tx_fault_at) {
        /* doomed, and not failed yet: fail here (the engine rolls back) */
        f->calls++;
        f->tx_fault_at = 0;
        return pick_fault(f);
    }
    int rc = fault(f);
    if (rc)
        return rc;
    rc = f->inner.commit(f->inner_ud);
    if (rc == LTY_OK)
        f->in_tx = 0;
    return rc;
}

/* Never failed: the engine must be able to undo. */
static int f_rollback(void *ud)
{
    faulty *f = ud;
    f->in_tx = 0;
    f->tx_fault_at = 0;
    return f->inner.rollback(f->inner_ud);
}

static int f_get(const char *key, size_t keylen, lty_buf *value, uint64_t *rev,
                 void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.get(key, keylen, value, rev, f->inner_ud);
}

static int f_put(const char *key, size_t keylen, const void *value, size_t len,
                 uint64_t expected_rev, uint64_t *new_rev, void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc
              : f->inner.put(key, keylen, value, len, expected_rev, new_rev,
                             f->inner_ud);
}

static int f_del(const char *key, size_t keylen, uint64_t expected_rev,
                 void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.del(key, keylen, expected_rev, f->inner_ud);
}

static int f_scan(const char *prefix, size_t prefixlen, const char *after,
                  size_t afterlen, lty_scan_fn each, void *each_ctx, void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc
              : f->inner.scan(prefix, prefixlen, after, afterlen, each,
                              each_ctx, f->inner_ud);
}

static const char *f_errmsg(void *ud)
{
    faulty *f = ud;
    return f->inner.errmsg ? f->inner.errmsg(f->inner_ud) : NULL;
}

static void f_prefetch(const char *key, size_t keylen, void *ud)
{
    faulty *f = ud;
    if (f->inner.prefetch)
        f->inner.prefetch(key, keylen, f->inner_ud);
}

/* The engine owns the layer: freeing it closes the connection.  The
 * counters are read before lty_engine_free(). */
static void f_destroy(void *ud)
{
    faulty *f = ud;
    if (f->inner.destroy)
        f->inner.destroy(f->inner_ud);
    free(f);
}

/* ------------------------------------------------------------------ */
/* Engines                                                             */
/* ------------------------------------------------------------------ */

static int record_send(const lty_message *msg, void *ud)
{
    delivered *d = ud;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 256;
        void *p = realloc(d->id, cap * sizeof *d->id);
        if (!p)
            return LTY_ENOMEM;
        d->id = p;
        d->cap = cap;
    }
    snprintf(d->id[d->n++], sizeof d->id[0], "%s", msg->id);
    return LTY_OK;
}

/* An engine on its own connection to path, through a faulty layer (armed
 * later), with a messenger that lists what it was handed. */
int open_engine(const char *path, uint64_t seed, double rate,
                       delivered *d, lty_engine **out, faulty **fout)
{
    faulty *f = xcalloc(1, sizeof *f);
    lty_sqlite_options so = LTY_SQLITE_OPTIONS_INIT;
    so.synchronous_full = 0;
    int rc = lty_sqlite_open(path, &so, &f->inner, &f->inner_ud);
    if (rc) {
        const char *why = lty_sqlite_open_error();
        fprintf(stderr, "soak: open %s: %s (%s)\n", path, lty_strerror(rc),
                why ? why : "");
        free(f);
        return rc;
    }
    f->rate = rate;
    f->rng = seed ? seed : 1;
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    ops.begin = f_begin;
    ops.commit = f_commit;
    ops.rollback = f_rollback;
    ops.get = f_get;
    ops.put = f_put;
    ops.del = f_del;
    ops.scan = f_scan;
    ops.errmsg = f_errmsg;
    ops.destroy = f_destroy;
    ops.prefetch = f_prefetch;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = f;
    o.utc_offset_minutes = 540;
    rc = lty_engine_new(out, &o);
    if (rc) {
        fprintf(stderr, "soak: engine: %s\n", lty_strerror(rc));
        f_destroy(f);
        return rc;
    }
    lty_messenger_ops m = LTY_MESSENGER_OPS_INIT;
    m.send = record_send;
    rc = lty_messenger_register(*out, &m, d);
    if (rc) {
        fprintf(stderr, "soak: messenger: %s\n", lty_strerror(rc));
        lty_engine_free(*out);
        return rc;
    }
    *fout = f;
    return LTY_OK;
}
