/*
 * libloyalty - internal: the engine structure, error detail, time, and the
 * transaction runner every mutating call goes through.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_ENGINE_INT_H
#define LTY_ENGINE_INT_H

#include <stdarg.h>

#include "alloc_int.h"
#include "loyalty/engine.h"
#include "loyalty/message.h"

#define LTY__ERRMSG_MAX 256

struct lty__programs;
struct lty__messaging_cache;
struct lty__treatments;
struct lty__referral_cache;

struct lty_engine {
    lty_allocator alloc;
    lty_storage_ops ops;
    void *sud;                 /* storage connection */
    lty_clock_fn clock;
    void *clock_ud;
    int utc_offset;            /* minutes, when tz is NULL */
    lty_tz_offset_fn tz;
    void *tz_ud;
    int currency_exponent;
    int country_code;
    int retry_limit;
    int in_txn;                /* a transaction is open on the connection */
    int in_group;              /* inside lty_transaction(): calls join it */
    int group_rc;              /* the first failure of a call in the group */
    lty_buf rbuf;              /* scratch for reads (values from get) */
    lty_buf wbuf;              /* scratch for encoding records */
    lty_buf wbuf2;             /* second encode scratch (two records per write) */
    struct lty__programs *programs; /* cached program definitions, or NULL */
    struct lty__messaging_cache *messaging; /* cached messaging policy, or NULL */
    struct lty__treatments *treatments; /* cached treatment catalogue, or NULL */
    struct lty__referral_cache *referrals; /* cached referral policy, or NULL */
    lty_messenger_ops messenger; /* the host's messenger; send NULL: none */
    void *messenger_ud;
    char err[LTY__ERRMSG_MAX];
};

/* Set the last-error text and return code.  The format must never be given
 * personal data: callers pass field names and fixed texts only. */
LTY_INTERNAL int lty__err(lty_engine *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
LTY_INTERNAL void lty__err_clear(lty_engine *e);

/* Map a failed storage call: keep the code, describe the operation and add
 * the backend's own text (errmsg op) when it has one. */
LTY_INTERNAL int lty__storage_err(lty_engine *e, int rc, const char *op);

/* A record that failed to decode: LTY_ECORRUPT (or LTY_EVERSION) with the
 * kind of record in the message. */
LTY_INTERNAL int lty__corrupt(lty_engine *e, int rc, const char *what);

/* The engine's clock, clamped to the supported range. */
LTY_INTERNAL int64_t lty__now(lty_engine *e);
/* Local offset in minutes at UTC time t (checks the callback's answer). */
LTY_INTERNAL int lty__utc_offset(lty_engine *e, int64_t t, int *minutes);
/* Local day number (days since 1970-01-01 local) of UTC time t. */
LTY_INTERNAL int lty__local_day(lty_engine *e, int64_t t, int64_t *day);

/* Storage wrappers: errors other than LTY_ENOTFOUND get a message.  Reads
 * land in e->rbuf unless another buffer is given. */
LTY_INTERNAL int lty__get(lty_engine *e, const char *key, size_t keylen,
                          lty_buf *into, uint64_t *rev);
LTY_INTERNAL int lty__put(lty_engine *e, const char *key, size_t keylen,
                          const void *val, size_t len, uint64_t expected,
                          uint64_t *new_rev);
LTY_INTERNAL int lty__del(lty_engine *e, const char *key, size_t keylen,
                          uint64_t expected);
LTY_INTERNAL int lty__scan(lty_engine *e, const char *prefix, size_t plen,
                           const char *after, size_t alen, lty_scan_fn fn,
                           void *ctx);

/* Read the customer's record "C\0<id>\0<kind>" into e->rbuf; a missing one
 * is LTY_ENOTFOUND with "<what>: none stored for the customer". */
LTY_INTERNAL int lty__get_customer_record(lty_engine *e, const char *id,
                                          size_t n, char kind,
                                          const char *what);

/* Tell the backend which keys a call is about to touch (optional op). */
static inline void lty__prefetch(lty_engine *e, const char *key, size_t keylen)
{
    if (e->ops.prefetch)
        e->ops.prefetch(key, keylen, e->sud);
}

/* The body of a mutating call.  It may run several times (after a
 * conflict), so it must keep every effect inside the storage transaction
 * and reset anything it computes for the caller each time. */
typedef int (*lty__txn_body)(lty_engine *e, void *arg);

/* Run body in a transaction: begin, body, commit; rollback on any failure;
 * run again on LTY_ECONFLICT up to the retry limit. */
LTY_INTERNAL int lty__txn(lty_engine *e, lty__txn_body body, void *arg);

/* Check a versioned struct's version field. */
LTY_INTERNAL int lty__check_version(lty_engine *e, const char *what,
                                    unsigned got, unsigned current);

#endif /* LTY_ENGINE_INT_H */
