/*
 * loyalty CLI - the scratch engine a customer or appointment batch is
 * checked on before the store is touched.
 *
 * The public API has no batch call for customers or appointments (only
 * lty_record_batch() for events), so those batches cannot be one
 * transaction.  Instead each batch is first run on an empty memory store,
 * where the library itself validates every row with its own rules and
 * messages; then the rows are checked against the real store (ids, phones,
 * e-mail addresses, customers, appointment states); only a batch that
 * passes both is written, row by row.
 *
 * SPDX-License-Identifier: MIT
 */
#include "import_int.h"

static int64_t scratch_clock(void *ud)
{
    return *(const int64_t *)ud;
}

int import_scratch_new(struct import_ctx *ctx, lty_engine **out)
{
    lty_memstore *ms = NULL;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    int rc;
    *out = NULL;
    ctx->scratch_now = lty_engine_now(ctx->e);
    if ((rc = lty_memstore_new(&ms, NULL)) != LTY_OK)
        return rc;
    lty_storage_ops ops;
    void *conn = NULL;
    rc = lty_memstore_connect(ms, &ops, &conn);
    lty_memstore_free(ms);  /* the connection keeps the store */
    if (rc != LTY_OK)
        return rc;
    o.storage = &ops;
    o.storage_userdata = conn;
    o.clock = scratch_clock;
    o.clock_userdata = &ctx->scratch_now;
    rc = lty_engine_new(out, &o);
    if (rc != LTY_OK && ops.destroy)
        ops.destroy(conn);
    return rc;
}
