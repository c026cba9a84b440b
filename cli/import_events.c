/*
 * loyalty CLI - importing events (visits, purchases, refunds, feedback).
 *
 * A batch goes to lty_record_batch(): one transaction, all rows or none.
 * When it fails, the rest of the batch is checked without writing
 * anything, so that every bad line is reported, not only the first: the
 * rows left are recorded again with a probe event appended whose customer
 * does not exist.  lty_record_batch() records events in order and applies
 * nothing when one fails, so the call fails at the first bad row left, or
 * at the probe when every row before it would have been recorded; each
 * bad row found is dropped and the call repeated.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { C_ID, C_CUSTOMER, C_TYPE, C_TIME, C_AMOUNT, C_ITEM, C_BRANCH,
       C_REFUND_OF, C_SCORE, C_COMMENT };

static const struct import_column columns[] = {
    {"id", 1},     {"customer_id", 1}, {"type", 1},      {"time", 1},
    {"amount", 0}, {"item", 0},        {"branch", 0},    {"refund_of", 0},
    {"score", 0},  {"comment", 0}};

/* Checks of a bad batch stop after this many rounds; the rows not yet
 * checked are then held back without a reason of their own. */
#define PROBE_ROUNDS_MAX 64

static int parse_row(struct import_ctx *ctx, struct import_row *row,
                     lty_event *ev)
{
    const char *const *f = row->f;
    const char *why;
    lty_event init = LTY_EVENT_INIT;
    *ev = init;
    ev->id = f[C_ID];
    ev->customer_id = f[C_CUSTOMER];
    const char *t = f[C_TYPE];
    if (strcmp(t, "visit") == 0)
        ev->type = LTY_EVENT_VISIT;
    else if (strcmp(t, "purchase") == 0)
        ev->type = LTY_EVENT_PURCHASE;
    else if (strcmp(t, "refund") == 0)
        ev->type = LTY_EVENT_REFUND;
    else if (strcmp(t, "feedback") == 0)
        ev->type = LTY_EVENT_FEEDBACK;
    else {
        import_reject(ctx, row, "type: not visit, purchase, refund or feedback");
        return -1;
    }
    if (import_parse_time(ctx, f[C_TIME], &ev->time, &why)) {
        import_reject(ctx, row, "time: %s", why);
        return -1;
    }
    if (f[C_AMOUNT] && import_parse_int(f[C_AMOUNT], 0, INT64_MAX, &ev->amount, &why)) {
        import_reject(ctx, row, "amount: %s (a whole number of minor units, not negative)",
                      why);
        return -1;
    }
    if (f[C_SCORE]) {
        int64_t sc;
        if (ev->type != LTY_EVENT_FEEDBACK) {
            import_reject(ctx, row, "score: only for feedback");
            return -1;
        }
        if (import_parse_int(f[C_SCORE], 0, 10, &sc, &why)) {
            import_reject(ctx, row, "score: %s (0..10)", why);
            return -1;
        }
        ev->score = (int)sc;
    } else if (ev->type == LTY_EVENT_FEEDBACK) {
        import_reject(ctx, row, "score: required for feedback");
        return -1;
    }
    if (f[C_REFUND_OF] && ev->type != LTY_EVENT_REFUND) {
        import_reject(ctx, row, "refund_of: only for refunds");
        return -1;
    }
    if (!f[C_REFUND_OF] && ev->type == LTY_EVENT_REFUND) {
        import_reject(ctx, row, "refund_of: required for refunds");
        return -1;
    }
    if (f[C_COMMENT] && ev->type != LTY_EVENT_FEEDBACK) {
        import_reject(ctx, row, "comment: only for feedback");
        return -1;
    }
    /* A refund takes its item from the purchase. */
    if (f[C_ITEM] && ev->type == LTY_EVENT_REFUND) {
        import_reject(ctx, row, "item: not for refunds (the purchase's is used)");
        return -1;
    }
    ev->item = f[C_ITEM];
    ev->branch = f[C_BRANCH];
    ev->refund_of = f[C_REFUND_OF];
    ev->comment = f[C_COMMENT];
    return 0;
}

/* A customer id no customer of the store has, for the probe event. */
static int probe_id(struct import_ctx *ctx, char *buf, size_t len)
{
    for (unsigned k = 0; k < 16; k++) {
        snprintf(buf, len, "cli-import-probe-%lx-%u",
                 (unsigned long)time(NULL), k);
        lty_customer *c = NULL;
        int rc = lty_customer_get(ctx->e, buf, &c);
        lty_customer_free(c);
        if (rc == LTY_ENOTFOUND)
            return LTY_OK;
        if (rc != LTY_OK)
            return rc;
    }
    return LTY_EEXISTS;
}

/* Find every bad row among evs[0..n) (with their rows in idx), writing
 * nothing.  The caller has rejected at least one row of the batch. */
static int find_bad_rows(struct import_ctx *ctx, struct import_row *rows,
                         lty_event *evs, size_t *idx, size_t n)
{
    /* Unknown customers first: one read each, instead of one round each. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        lty_customer *c = NULL;
        int rc = lty_customer_get(ctx->e, evs[i].customer_id, &c);
        lty_customer_free(c);
        if (rc == LTY_ENOTFOUND || rc == LTY_EINVALID) {
            import_reject(ctx, &rows[idx[i]], "customer_id: %s",
                          rc == LTY_ENOTFOUND ? "no such customer"
                                              : "not a valid id");
            continue;
        }
        if (rc != LTY_OK)
            return import_fail(ctx, rc, "reading customers: %s",
                               lty_engine_last_error(ctx->e));
        evs[k] = evs[i];
        idx[k++] = idx[i];
    }
    n = k;
    char probe[LTY_ID_MAX + 1];
    int rc = probe_id(ctx, probe, sizeof probe);
    if (rc != LTY_OK)
        return import_fail(ctx, rc, "checking the batch: %s",
                           lty_engine_last_error(ctx->e));
    lty_event pe = LTY_EVENT_INIT;
    pe.type = LTY_EVENT_VISIT;
    pe.id = probe;
    pe.customer_id = probe;
    for (int round = 0; round < PROBE_ROUNDS_MAX && n > 0; round++) {
        evs[n] = pe;
        size_t failed = n + 1;
        rc = lty_record_batch(ctx->e, evs, n + 1, NULL, &failed);
        if (rc == LTY_OK)   /* cannot happen: the probe's customer is unknown */
            return import_fail(ctx, LTY_ESTATE,
                               "checking the batch: the probe event was recorded");
        if (failed == n)    /* every row left would have been recorded */
            return LTY_OK;
        if (failed > n)
            return import_fail(ctx, rc, "checking the batch: %s",
                               lty_engine_last_error(ctx->e));
        import_reject(ctx, &rows[idx[failed]], "%s", import_engine_reason(ctx->e));
        memmove(&evs[failed], &evs[failed + 1], (n - failed - 1) * sizeof *evs);
        memmove(&idx[failed], &idx[failed + 1], (n - failed - 1) * sizeof *idx);
        n--;
    }
    return LTY_OK;
}

static int write_batch(struct import_ctx *ctx, struct import_row *rows, size_t n)
{
    lty_event *evs = calloc(n + 1, sizeof *evs);
    size_t *idx = malloc((n + 1) * sizeof *idx);
    lty_record_outcome *outs = malloc(n * sizeof *outs);
    int rc = LTY_OK;
    if (!evs || !idx || !outs) {
        rc = import_fail(ctx, LTY_ENOMEM, "out of memory");
        goto done;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].bad && parse_row(ctx, &rows[i], &evs[k]) == 0)
            idx[k++] = i;
    }
    if (ctx->batch_bad == 0) {
        lty_record_outcome oi = LTY_RECORD_OUTCOME_INIT;
        for (size_t i = 0; i < k; i++)
            outs[i] = oi;
        size_t failed = k;
        rc = lty_record_batch(ctx->e, evs, k, outs, &failed);
        if (rc == LTY_OK) {
            ctx->sum->accepted += k;
            for (size_t i = 0; i < k; i++)
                ctx->sum->duplicates += outs[i].duplicate != 0;
            goto done;
        }
        if (failed >= k) {
            rc = import_fail(ctx, rc, "line %lu..%lu: %s", rows[0].line,
                             rows[n - 1].line, lty_engine_last_error(ctx->e));
            goto done;
        }
        import_reject(ctx, &rows[idx[failed]], "%s", import_engine_reason(ctx->e));
        memmove(&evs[failed], &evs[failed + 1], (k - failed - 1) * sizeof *evs);
        memmove(&idx[failed], &idx[failed + 1], (k - failed - 1) * sizeof *idx);
        k--;
    }
    rc = find_bad_rows(ctx, rows, evs, idx, k);
done:
    free(evs);
    free(idx);
    free(outs);
    return rc;
}

const struct import_kind cli_import_events = {
    "events", columns, sizeof columns / sizeof columns[0], write_batch};
