/*
 * loyalty CLI - importing appointments, booked or already closed.
 *
 * Each row books the appointment (lty_appointment_book()) and, when its
 * status is arrived, no_show or cancelled, closes it as well (arrival
 * records the visit).  Rows the store already has in the same state are
 * replays.  Batches are checked on a scratch engine and against the store
 * before any row is written (import_scratch.c), then written in one
 * lty_transaction(): all of a batch or nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include "import_int.h"

#include <stdlib.h>
#include <string.h>

enum { C_ID, C_CUSTOMER, C_START, C_DURATION, C_ITEM, C_BRANCH, C_STAFF,
       C_STATUS, C_CLOSED_AT };

static const struct import_column columns[] = {
    {"id", 1},     {"customer_id", 1}, {"start", 1},  {"duration", 1},
    {"item", 0},   {"branch", 0},      {"staff", 0},  {"status", 0},
    {"closed_at", 0}};

static const char *const state_names[] = {"", "booked", "arrived", "no_show",
                                          "cancelled"};

struct appt_row {
    lty_appointment_spec spec;
    lty_appointment_state state;
    int64_t closed_at;   /* arrival time (arrived only) */
    int book;            /* 0: the store has it booked already */
    int close;           /* the state must still be set */
};

static int parse_row(struct import_ctx *ctx, struct import_row *row,
                     struct appt_row *a)
{
    const char *const *f = row->f;
    const char *why;
    lty_appointment_spec init = LTY_APPOINTMENT_SPEC_INIT;
    int64_t v;
    a->spec = init;
    a->spec.id = f[C_ID];
    a->spec.customer_id = f[C_CUSTOMER];
    if (import_parse_time(ctx, f[C_START], &a->spec.start, &why)) {
        import_reject(ctx, row, "start: %s", why);
        return -1;
    }
    if (import_parse_int(f[C_DURATION], 1, LTY_APPOINTMENT_DURATION_MAX, &v, &why)) {
        import_reject(ctx, row, "duration: %s (minutes, 1..%d)", why,
                      LTY_APPOINTMENT_DURATION_MAX);
        return -1;
    }
    a->spec.duration = (int)v;
    a->spec.item = f[C_ITEM];
    a->spec.branch = f[C_BRANCH];
    a->spec.staff = f[C_STAFF];
    a->state = LTY_APPOINTMENT_BOOKED;
    if (f[C_STATUS]) {
        a->state = 0;
        for (int s = 1; s <= 4; s++)
            if (strcmp(f[C_STATUS], state_names[s]) == 0)
                a->state = (lty_appointment_state)s;
        if (!a->state) {
            import_reject(ctx, row,
                          "status: not booked, arrived, no_show or cancelled");
            return -1;
        }
    }
    a->closed_at = a->spec.start;
    if (f[C_CLOSED_AT]) {
        if (a->state != LTY_APPOINTMENT_ARRIVED) {
            import_reject(ctx, row, "closed_at: only for status arrived");
            return -1;
        }
        if (import_parse_time(ctx, f[C_CLOSED_AT], &a->closed_at, &why)) {
            import_reject(ctx, row, "closed_at: %s", why);
            return -1;
        }
    }
    a->book = 1;
    a->close = a->state != LTY_APPOINTMENT_BOOKED;
    return 0;
}

static int close_appt(lty_engine *e, const struct appt_row *a)
{
    switch (a->state) {
    case LTY_APPOINTMENT_ARRIVED:
        return lty_appointment_arrive(e, a->spec.id, a->closed_at, NULL);
    case LTY_APPOINTMENT_NO_SHOW:
        return lty_appointment_no_show(e, a->spec.id);
    case LTY_APPOINTMENT_CANCELLED:
        return lty_appointment_cancel(e, a->spec.id);
    default:
        return LTY_OK;
    }
}

static int same_spec(const lty_appointment *s, const lty_appointment_spec *p)
{
    return strcmp(s->customer_id, p->customer_id) == 0 && s->start == p->start &&
           s->duration == p->duration &&
           strcmp(s->item, p->item ? p->item : "") == 0 &&
           strcmp(s->branch, p->branch ? p->branch : "") == 0 &&
           strcmp(s->staff, p->staff ? p->staff : "") == 0;
}

/* Check one row against the store; 1 when it is bad (rejected), -1 on a
 * store failure (message set). */
static int check_store(struct import_ctx *ctx, struct import_row *row,
                       struct appt_row *a)
{
    lty_customer *c = NULL;
    int r = lty_customer_get(ctx->e, a->spec.customer_id, &c);
    lty_customer_free(c);
    if (r == LTY_ENOTFOUND) {
        import_reject(ctx, row, "customer_id: no such customer");
        return 1;
    }
    if (r != LTY_OK) {
        import_fail(ctx, r, "line %lu: %s", row->line, lty_engine_last_error(ctx->e));
        return -1;
    }
    lty_appointment st = LTY_APPOINTMENT_INIT;
    r = lty_appointment_get(ctx->e, a->spec.id, &st);
    if (r == LTY_ENOTFOUND)
        return 0;
    if (r != LTY_OK) {
        import_fail(ctx, r, "line %lu: %s", row->line, lty_engine_last_error(ctx->e));
        return -1;
    }
    if (!same_spec(&st, &a->spec)) {
        import_reject(ctx, row, "id: the store has another appointment with this id");
        return 1;
    }
    a->book = 0;
    if (st.state == a->state) {
        a->close = 0;
    } else if (st.state != LTY_APPOINTMENT_BOOKED) {
        import_reject(ctx, row, "status: the appointment is already %s",
                      state_names[st.state]);
        return 1;
    } else if (a->state == LTY_APPOINTMENT_BOOKED) {
        a->close = 0;
    }
    return 0;
}

/* The batch's writes, as the body of lty_transaction(): repeatable (the
 * engine runs it again after a conflict), so it counts nothing. */
struct write_op {
    const struct appt_row *ar;
    size_t n;
    size_t failed;             /* the row whose call failed */
};

static int write_rows(lty_engine *e, void *arg)
{
    struct write_op *w = arg;
    for (size_t i = 0; i < w->n; i++) {
        const struct appt_row *a = &w->ar[i];
        int r = LTY_OK;
        if (a->book)
            r = lty_appointment_book(e, &a->spec);
        if (r == LTY_OK && a->close)
            r = close_appt(e, a);
        if (r != LTY_OK) {
            w->failed = i;
            return r;
        }
    }
    return LTY_OK;
}

static int write_batch(struct import_ctx *ctx, struct import_row *rows, size_t n)
{
    struct appt_row *ar = calloc(n, sizeof *ar);
    lty_engine *scratch = NULL;
    int rc = LTY_OK;
    if (!ar) {
        rc = import_fail(ctx, LTY_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = import_scratch_new(ctx, &scratch)) != LTY_OK) {
        rc = import_fail(ctx, rc, "checking the batch: %s", lty_strerror(rc));
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        struct import_row *row = &rows[i];
        struct appt_row *a = &ar[i];
        if (row->bad || parse_row(ctx, row, a))
            continue;
        lty_appointment tmp = LTY_APPOINTMENT_INIT;
        if (lty_appointment_get(scratch, a->spec.id, &tmp) == LTY_OK) {
            import_reject(ctx, row, "id: given twice in this batch");
            continue;
        }
        /* The scratch store needs the customer to book for. */
        lty_customer_fields cf = LTY_CUSTOMER_FIELDS_INIT;
        cf.id = a->spec.customer_id;
        int r = lty_customer_create(scratch, &cf);
        if (r != LTY_OK && r != LTY_EEXISTS) {
            import_reject(ctx, row, "customer_id: %s", lty_engine_last_error(scratch));
            continue;
        }
        if (lty_appointment_book(scratch, &a->spec) != LTY_OK ||
            close_appt(scratch, a) != LTY_OK) {
            import_reject(ctx, row, "%s", lty_engine_last_error(scratch));
            continue;
        }
        if (check_store(ctx, row, a) < 0) {
            rc = LTY_ESTORAGE;
            goto done;
        }
    }
    if (ctx->batch_bad)
        goto done;
    /* one transaction: the batch is written whole or not at all */
    struct write_op w = {ar, n, 0};
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
        ctx->sum->duplicates += !ar[i].book && !ar[i].close;
    }
done:
    lty_engine_free(scratch);
    free(ar);
    return rc;
}

const struct import_kind cli_import_appointments = {
    "appointments", columns, sizeof columns / sizeof columns[0], write_batch};
