/*
 * libloyalty - storage calls with error detail, and the transaction runner.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engine_int.h"
#include "keys_int.h"

int lty__get(lty_engine *e, const char *key, size_t keylen, lty_buf *into,
             uint64_t *rev)
{
    lty_buf *b = into ? into : &e->rbuf;
    uint64_t r = 0;
    b->len = 0;
    int rc = e->ops.get(key, keylen, b, &r, e->sud);
    if (rc == LTY_ENOTFOUND)
        return rc;
    if (rc)
        return lty__storage_err(e, rc < 0 ? rc : LTY_ESTORAGE, "get");
    if (r == 0 || r == LTY_REV_ANY)
        return lty__err(e, LTY_ESTORAGE, "storage get: invalid revision");
    if (rev)
        *rev = r;
    return LTY_OK;
}

int lty__put(lty_engine *e, const char *key, size_t keylen, const void *val,
             size_t len, uint64_t expected, uint64_t *new_rev)
{
    int rc = e->ops.put(key, keylen, val, len, expected, new_rev, e->sud);
    if (rc)
        return lty__storage_err(e, rc < 0 ? rc : LTY_ESTORAGE, "put");
    return LTY_OK;
}

int lty__del(lty_engine *e, const char *key, size_t keylen, uint64_t expected)
{
    int rc = e->ops.del(key, keylen, expected, e->sud);
    if (rc == LTY_ENOTFOUND && expected != LTY_REV_ANY)
        return lty__storage_err(e, LTY_ECONFLICT, "delete");
    if (rc)
        return lty__storage_err(e, rc < 0 ? rc : LTY_ESTORAGE, "delete");
    return LTY_OK;
}

int lty__scan(lty_engine *e, const char *prefix, size_t plen, const char *after,
              size_t alen, lty_scan_fn fn, void *ctx)
{
    int rc = e->ops.scan(prefix, plen, after, alen, fn, ctx, e->sud);
    if (rc > 0)
        rc = LTY_OK; /* a stop reported by a backend as positive */
    if (rc && !e->err[0])
        return lty__storage_err(e, rc, "scan");
    return rc;
}

/* A call inside lty_transaction(): its body joins the open transaction.
 * A failure poisons the group (the call may have written part of its
 * work), so the group rolls back even if the host's body ignores it. */
static int join_group(lty_engine *e, lty__txn_body body, void *arg)
{
    lty__err_clear(e);
    e->in_txn = 1;
    int rc = body(e, arg);
    e->in_txn = 0;
    if (rc && !e->group_rc)
        e->group_rc = rc;
    return rc;
}

int lty__txn(lty_engine *e, lty__txn_body body, void *arg)
{
    if (e->in_txn)
        return lty__err(e, LTY_ESTATE,
                        "engine: called from inside one of its own callbacks");
    if (e->in_group)
        return join_group(e, body, arg);
    for (int attempt = 0;; attempt++) {
        lty__err_clear(e);
        int rc = e->ops.begin(e->sud);
        if (rc) {
            rc = lty__storage_err(e, rc < 0 ? rc : LTY_ESTORAGE, "begin");
            if (rc == LTY_ECONFLICT && attempt < e->retry_limit)
                continue;
            return rc;
        }
        e->in_txn = 1;
        rc = body(e, arg);
        if (rc == LTY_OK) {
            rc = e->ops.commit(e->sud);
            if (rc == LTY_OK) {
                e->in_txn = 0;
                return LTY_OK;
            }
            rc = lty__storage_err(e, rc < 0 ? rc : LTY_ESTORAGE, "commit");
        }
        /* Whatever failed, the transaction's writes must go; the original
         * error is what the caller needs to see. */
        (void)e->ops.rollback(e->sud);
        e->in_txn = 0;
        if (rc == LTY_ECONFLICT && attempt < e->retry_limit)
            continue;
        return rc;
    }
}

int lty__get_customer_record(lty_engine *e, const char *id, size_t n, char kind,
                             const char *what)
{
    lty__key k;
    lty__key_customer(&k, id, n);
    lty__key_add(&k, &kind, 1);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "%s: none stored for the customer", what);
    return rc;
}

int lty_transaction(lty_engine *e, lty_transaction_fn body, void *userdata)
{
    if (!e)
        return LTY_EINVALID;
    if (e->in_txn || e->in_group) {
        if (e->in_group && !e->group_rc)
            e->group_rc = LTY_ESTATE; /* the outer one must not commit */
        return lty__err(e, LTY_ESTATE, "transaction: already inside one, or "
                                       "called from an engine callback");
    }
    lty__err_clear(e);
    if (!body)
        return lty__err(e, LTY_EINVALID, "transaction body: NULL");
    for (int attempt = 0;; attempt++) {
        int rc = e->ops.begin(e->sud);
        if (rc) {
            rc = lty__storage_err(e, rc < 0 ? rc : LTY_ESTORAGE, "begin");
            if (rc == LTY_ECONFLICT && attempt < e->retry_limit)
                continue;
            return rc;
        }
        e->in_group = 1;
        e->group_rc = LTY_OK;
        rc = body(e, userdata);
        if (rc == LTY_OK)
            rc = e->group_rc;
        e->in_group = 0;
        if (rc == LTY_OK) {
            rc = e->ops.commit(e->sud);
            if (rc == LTY_OK)
                return LTY_OK;
            rc = lty__storage_err(e, rc < 0 ? rc : LTY_ESTORAGE, "commit");
        } else if (!e->err[0]) {
            (void)lty__err(e, rc < 0 ? rc : LTY_EUSER,
                           "transaction: the body returned %d", rc);
        }
        (void)e->ops.rollback(e->sud);
        if (rc == LTY_ECONFLICT && attempt < e->retry_limit)
            continue;
        return rc;
    }
}
