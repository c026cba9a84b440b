/*
 * loyalty CLI - importing customer profiles.
 *
 * A row with a new id creates the customer; a row with an id the store
 * has updates the fields the row gives (empty fields leave a field alone),
 * so importing the same file twice changes nothing the second time.
 * Batches are checked on a scratch engine and against the store before
 * any row is written (import_scratch.c), then written in one
 * lty_transaction(): all of a batch or nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include "import_int.h"

#include <stdlib.h>
#include <string.h>

enum { C_ID, C_NAME, C_PHONE, C_EMAIL, C_BIRTHDAY, C_CHANNEL };

static const struct import_column columns[] = {
    {"id", 1}, {"name", 0}, {"phone", 0}, {"email", 0}, {"birthday", 0},
    {"preferred_channel", 0}};

static int parse_row(struct import_ctx *ctx, struct import_row *row,
                     lty_customer_fields *cf)
{
    const char *const *f = row->f;
    const char *why;
    lty_customer_fields init = LTY_CUSTOMER_FIELDS_INIT;
    *cf = init;
    cf->id = f[C_ID];
    if (f[C_NAME]) {
        cf->set |= LTY_FIELD_NAME;
        cf->name = f[C_NAME];
    }
    if (f[C_PHONE]) {
        cf->set |= LTY_FIELD_PHONE;
        cf->phone = f[C_PHONE];
    }
    if (f[C_EMAIL]) {
        cf->set |= LTY_FIELD_EMAIL;
        cf->email = f[C_EMAIL];
    }
    if (f[C_BIRTHDAY]) {
        if (import_parse_date(f[C_BIRTHDAY], &cf->birthday, &why)) {
            import_reject(ctx, row, "birthday: %s", why);
            return -1;
        }
        cf->set |= LTY_FIELD_BIRTHDAY;
    }
    if (f[C_CHANNEL]) {
        if (import_parse_channel(f[C_CHANNEL], &cf->preferred_channel, &why)) {
            import_reject(ctx, row, "preferred_channel: %s", why);
            return -1;
        }
        cf->set |= LTY_FIELD_PREFERRED_CHANNEL;
    }
    return 0;
}

static int same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Whether the stored profile already has every field the row gives
 * (compared on the scratch engine's normalised copy of the row). */
static int unchanged(const lty_customer *stored, const lty_customer *row,
                     unsigned set)
{
    if ((set & LTY_FIELD_NAME) && !same_str(lty_customer_name(stored), lty_customer_name(row)))
        return 0;
    if ((set & LTY_FIELD_PHONE) && !same_str(lty_customer_phone(stored), lty_customer_phone(row)))
        return 0;
    if ((set & LTY_FIELD_EMAIL) && !same_str(lty_customer_email(stored), lty_customer_email(row)))
        return 0;
    if (set & LTY_FIELD_BIRTHDAY) {
        lty_date a = {0, 0, 0}, b = {0, 0, 0};
        lty_customer_birthday(stored, &a);
        lty_customer_birthday(row, &b);
        if (a.year != b.year || a.month != b.month || a.day != b.day)
            return 0;
    }
    if ((set & LTY_FIELD_PREFERRED_CHANNEL) &&
        lty_customer_preferred_channel(stored) != lty_customer_preferred_channel(row))
        return 0;
    return 1;
}

/* Another customer of the store holds this phone or e-mail address. */
static int taken(lty_engine *e, const char *id, const char *value, int phone,
                 int *rc)
{
    lty_customer *c = NULL;
    *rc = phone ? lty_customer_find_by_phone(e, value, &c)
                : lty_customer_find_by_email(e, value, &c);
    int other = *rc == LTY_OK && strcmp(lty_customer_id(c), id) != 0;
    lty_customer_free(c);
    if (*rc == LTY_ENOTFOUND || *rc == LTY_EINVALID)
        *rc = LTY_OK;
    return other;
}

enum { ACT_CREATE, ACT_UPDATE, ACT_NONE };

/* The batch's writes, as the body of lty_transaction(): repeatable (the
 * engine runs it again after a conflict), so it counts nothing. */
struct write_op {
    const lty_customer_fields *cf;
    const unsigned char *act;
    size_t n;
    size_t failed;             /* the row whose call failed */
};

static int write_rows(lty_engine *e, void *arg)
{
    struct write_op *w = arg;
    for (size_t i = 0; i < w->n; i++) {
        if (w->act[i] == ACT_NONE)
            continue;
        int r = w->act[i] == ACT_CREATE ? lty_customer_create(e, &w->cf[i])
                                        : lty_customer_update(e, &w->cf[i]);
        if (r != LTY_OK) {
            w->failed = i;
            return r;
        }
    }
    return LTY_OK;
}

static int write_batch(struct import_ctx *ctx, struct import_row *rows, size_t n)
{
    lty_customer_fields *cf = malloc(n * sizeof *cf);
    unsigned char *act = malloc(n);
    lty_engine *scratch = NULL;
    int rc = LTY_OK;
    if (!cf || !act) {
        rc = import_fail(ctx, LTY_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = import_scratch_new(ctx, &scratch)) != LTY_OK) {
        rc = import_fail(ctx, rc, "checking the batch: %s", lty_strerror(rc));
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        struct import_row *row = &rows[i];
        if (row->bad || parse_row(ctx, row, &cf[i]))
            continue;
        lty_customer *sc = NULL, *stored = NULL;
        if (lty_customer_get(scratch, cf[i].id, &sc) == LTY_OK) {
            lty_customer_free(sc);
            import_reject(ctx, row, "id: given twice in this batch");
            continue;
        }
        if (lty_customer_create(scratch, &cf[i]) != LTY_OK) {
            import_reject(ctx, row, "%s", lty_engine_last_error(scratch));
            continue;
        }
        lty_customer_get(scratch, cf[i].id, &sc);
        int r = lty_customer_get(ctx->e, cf[i].id, &stored);
        if (r != LTY_OK && r != LTY_ENOTFOUND) {
            lty_customer_free(sc);
            rc = import_fail(ctx, r, "line %lu: %s", row->line,
                             lty_engine_last_error(ctx->e));
            goto done;
        }
        act[i] = r == LTY_ENOTFOUND ? ACT_CREATE
                 : (sc && unchanged(stored, sc, cf[i].set)) ? ACT_NONE
                                                            : ACT_UPDATE;
        lty_customer_free(stored);
        const char *phone = sc ? lty_customer_phone(sc) : NULL;
        const char *email = sc ? lty_customer_email(sc) : NULL;
        r = LTY_OK;
        int t1 = phone && taken(ctx->e, cf[i].id, phone, 1, &r);
        int t2 = r == LTY_OK && !t1 && email && taken(ctx->e, cf[i].id, email, 0, &r);
        lty_customer_free(sc);
        if (r != LTY_OK) {
            rc = import_fail(ctx, r, "line %lu: %s", row->line,
                             lty_engine_last_error(ctx->e));
            goto done;
        }
        if (t1)
            import_reject(ctx, row, "phone: belongs to another customer");
        else if (t2)
            import_reject(ctx, row, "email: belongs to another customer");
    }
    if (ctx->batch_bad)
        goto done;
    /* one transaction: the batch is written whole or not at all */
    struct write_op w = {cf, act, n, 0};
    int r = lty_transaction(ctx->e, write_rows, &w);
    if (r != LTY_OK) {
        rc = import_fail(ctx, r,
                         "line %lu: %s; nothing of its batch was written, "
                         "nor the rest of the file",
                         rows[w.failed].line, lty_engine_last_error(ctx->e));
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        ctx->sum->accepted++;
        ctx->sum->duplicates += act[i] == ACT_NONE;
    }
done:
    lty_engine_free(scratch);
    free(cf);
    free(act);
    return rc;
}

const struct import_kind cli_import_customers = {
    "customers", columns, sizeof columns / sizeof columns[0], write_batch};
