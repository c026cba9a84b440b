/*
 * libloyalty - moving a customer's ledger and aggregates to another id, for
 * erasure (the right to be forgotten).
 *
 * The entries keep their times, event ids, amounts and items, which carry
 * no personal data and keep the statistics right; feedback comments are
 * free text a customer wrote, so they are dropped.  Each moved event's
 * "E\0<event id>" index is rewritten to point at the new id, so replays of
 * old events stay idempotent and refunds of old purchases keep working
 * under the new id.  The records are gathered with lty__rekey_collect()
 * (customer_rekey.c), which also moves the customer's other records.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "keys_int.h"
#include "ledger_int.h"
#include "rekey_int.h"
#include "validate_int.h"

/* Point the event's index at the new id.  An index that names yet another
 * customer does not belong to this entry and is left alone; a missing one
 * is recreated. */
static int move_index(lty_engine *e, const char *from, size_t fn,
                      const char *to, size_t tn, int64_t time,
                      const char *evid, size_t evn)
{
    lty__key k;
    lty__evindex ix;
    uint64_t rev = LTY_REV_NONE;
    lty__key_event(&k, evid, evn);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_OK) {
        if ((rc = lty__evindex_decode(e->rbuf.data, e->rbuf.len, &ix)))
            return lty__corrupt(e, rc, "event index");
        if (ix.customer_len != fn || memcmp(ix.customer_id, from, fn) != 0)
            return LTY_OK;
    } else if (rc != LTY_ENOTFOUND) {
        return rc;
    }
    if ((rc = lty__evindex_encode(to, tn, time, &e->wbuf2)))
        return lty__err(e, rc, "event index: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf2.data, e->wbuf2.len, rev, NULL);
}

static int move_entry(lty_engine *e, const lty__rekey_set *c, size_t i,
                      const char *from, size_t fn, const char *to, size_t tn)
{
    const char *rest = lty__rekey_rest(c, i);
    const lty__rekey_rec *m = &c->r[i];
    const void *val = lty__rekey_value(c, i);
    size_t vlen = m->vlen;
    lty__entry en;
    lty__key k;
    int64_t time;
    const char *evid;
    size_t evn;
    int rc;
    if (!lty__key_parse_ledger(rest, m->klen, &time, &evid, &evn) || evn == 0)
        return lty__corrupt(e, LTY_ECORRUPT, "ledger key");
    if ((rc = lty__entry_decode(val, vlen, &en)))
        return lty__corrupt(e, rc, "ledger entry");
    if (en.comment_len) {
        en.comment = NULL;
        en.comment_len = 0;
        if ((rc = lty__entry_encode(&en, &e->wbuf)))
            return lty__err(e, rc, "ledger entry: cannot encode");
        val = e->wbuf.data;
        vlen = e->wbuf.len;
    }
    lty__key_ledger(&k, to, tn, time, evid, evn);
    if ((rc = lty__put(e, k.b, k.n, val, vlen, LTY_REV_NONE, NULL)))
        return rc;
    lty__key_customer(&k, from, fn);
    lty__key_add(&k, rest, m->klen);
    if ((rc = lty__del(e, k.b, k.n, m->rev)))
        return rc;
    return move_index(e, from, fn, to, tn, time, evid, evn);
}

static int move_ledger(lty_engine *e, lty__rekey_set *c, const char *from,
                       size_t fn, const char *to, size_t tn)
{
    int rc = lty__rekey_collect(e, c, from, fn, "L", 1, "erase");
    if (rc)
        return rc;
    for (size_t i = 0; i < c->n; i++)
        if ((rc = move_entry(e, c, i, from, fn, to, tn)))
            return rc;
    return LTY_OK;
}

/* The aggregates hold counts, times and an item code: moved as they are. */
static int move_stats(lty_engine *e, const char *from, size_t fn,
                      const char *to, size_t tn)
{
    lty__key k;
    lty__stats s;
    uint64_t rev = 0;
    lty__key_stats(&k, from, fn);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc)
        return rc;
    if ((rc = lty__stats_decode(e->rbuf.data, e->rbuf.len, &s)))
        return lty__corrupt(e, rc, "customer aggregates");
    if ((rc = lty__del(e, k.b, k.n, rev)))
        return rc;
    if ((rc = lty__stats_encode(&s, &e->wbuf)))
        return lty__err(e, rc, "customer aggregates: cannot encode");
    lty__key_stats(&k, to, tn);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, LTY_REV_NONE,
                    NULL);
}

int lty__ledger_rekey(lty_engine *e, const char *from, size_t fn,
                      const char *to, size_t tn)
{
    lty__rekey_set c;
    lty__rekey_set_init(&c, &e->alloc);
    int rc = move_stats(e, from, fn, to, tn);
    if (rc == LTY_OK)
        rc = move_ledger(e, &c, from, fn, to, tn);
    lty__rekey_set_release(&c);
    return rc;
}
