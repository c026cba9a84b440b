/*
 * libloyalty - internal: moving a customer's records to another id, for
 * erasure (customer.c, ledger_rekey.c, customer_rekey.c).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_REKEY_INT_H
#define LTY_REKEY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "engine_int.h"

/* One record copied out of a scan: the storage connection cannot be used
 * from inside the scan callback, so records are gathered first and moved
 * afterwards. */
typedef struct lty__rekey_rec {
    size_t koff, klen;         /* the key's rest after "C\0<id>\0" */
    size_t voff, vlen;         /* the value */
    uint64_t rev;
} lty__rekey_rec;

typedef struct lty__rekey_set {
    const lty_allocator *a;
    lty_buf bytes;             /* the keys' rests and the values, packed */
    lty__rekey_rec *r;
    size_t n, cap;
    size_t plen;               /* length of "C\0<id>\0" */
    int failed;                /* 1 malformed key, 2 no memory */
} lty__rekey_set;

LTY_INTERNAL void lty__rekey_set_init(lty__rekey_set *s,
                                      const lty_allocator *a);
LTY_INTERNAL void lty__rekey_set_release(lty__rekey_set *s);

/* Inside a transaction: copy every record "C\0<id>\0<sub>..." (subn may be
 * 0: every record of the customer) into s, which is emptied first.  what
 * names the operation in an out-of-memory message ("erase"). */
LTY_INTERNAL int lty__rekey_collect(lty_engine *e, lty__rekey_set *s,
                                    const char *id, size_t n, const char *sub,
                                    size_t subn, const char *what);

/* The key's rest (after "C\0<id>\0") and the value of record i. */
static inline const char *lty__rekey_rest(const lty__rekey_set *s, size_t i)
{
    return (const char *)s->bytes.data + s->r[i].koff;
}

static inline const void *lty__rekey_value(const lty__rekey_set *s, size_t i)
{
    return s->bytes.data + s->r[i].voff;
}

/* Inside the erase transaction, after lty__ledger_rekey(): move every
 * record of the customer other than the profile, the aggregates and the
 * ledger (program state, per-event earnings, points spends, program
 * history, reward index entries) to the other id, and rewrite the customer
 * id inside the customer's reward records.  A record of a kind this code
 * does not know refuses the erasure (LTY_EVERSION): it might hold personal
 * data. */
LTY_INTERNAL int lty__customer_rekey_rest(lty_engine *e, const char *from,
                                          size_t fn, const char *to,
                                          size_t tn);

/* *used = 1 when any record "C\0<id>\0..." exists (a profile, or records
 * an erased customer left under an anonymous id). */
LTY_INTERNAL int lty__customer_id_used(lty_engine *e, const char *id, size_t n,
                                       int *used);

#endif /* LTY_REKEY_INT_H */
