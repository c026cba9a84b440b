/*
 * libloyalty - the daily front-desk briefing: a card (card.c) for every
 * appointment of a local day that is not cancelled, in time order.
 *
 * The day's appointments come from lty_appointment_list_day() (the day
 * index, by start time then id); the cards are built one after the other
 * with what only the whole day knows:
 *
 *   - which customers are booked that day, or came ("came together": the
 *     referrer is among them; a no-show is not);
 *   - which entry is a customer's first booked one of the day (only that
 *     visit can reach a ladder's next step: visits count once a day).
 *
 * Read-only: no transaction of its own, nothing written.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "card_int.h"
#include "plan_int.h"
#include "validate_int.h"

/* The day's customers, sorted, for "is the referrer booked today?". */
typedef struct booked_set {
    const char **ids;
    size_t n;
} booked_set;

static int id_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int booked_on_day(const void *ud, const char *id)
{
    const booked_set *s = ud;
    return s->n && bsearch(&id, s->ids, s->n, sizeof *s->ids, id_cmp) != NULL;
}

void lty_briefing_free(lty_briefing *b)
{
    if (!b)
        return;
    lty_allocator a = b->alloc;
    for (size_t i = 0; i < b->n; i++)
        lty_card_free(b->cards[i]);
    lty__free(&a, b->cards);
    lty__free(&a, b);
}

/* Every appointment of the day into a new array (*out, freed by the
 * caller), the cancelled ones left out. */
static int list_day(lty_engine *e, const lty_date *d, lty_appointment **out,
                    size_t *count)
{
    lty_appointment *all = NULL;
    size_t cap = 0, n = 0;
    int rc;
    *out = NULL;
    *count = 0;
    /* how many, then all of them (again if more were booked meanwhile) */
    if ((rc = lty_appointment_list_day(e, d, NULL, 0, &n)))
        return rc;
    while (n > cap) {
        lty__free(&e->alloc, all);
        cap = n;
        if (!(all = lty__malloc(&e->alloc, cap * sizeof *all)))
            return lty__err(e, LTY_ENOMEM, "briefing: out of memory");
        for (size_t i = 0; i < cap; i++)
            all[i] = (lty_appointment)LTY_APPOINTMENT_INIT;
        if ((rc = lty_appointment_list_day(e, d, all, cap, &n))) {
            lty__free(&e->alloc, all);
            return rc;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i].state != LTY_APPOINTMENT_CANCELLED)
            all[kept++] = all[i];
    *out = all;
    *count = kept;
    return LTY_OK;
}

/* Is entry i its customer's first booked appointment of the day? */
static int first_booked(const lty_appointment *a, size_t i)
{
    if (a[i].state != LTY_APPOINTMENT_BOOKED)
        return 0;
    for (size_t j = 0; j < i; j++)
        if (a[j].state == LTY_APPOINTMENT_BOOKED &&
            strcmp(a[j].customer_id, a[i].customer_id) == 0)
            return 0;
    return 1;
}

int lty_briefing_day_with(lty_engine *e, const lty_date *local_date,
                          const lty_briefing_options *opts,
                          lty_briefing **out)
{
    lty_briefing_options o;
    lty__card_ctx ctx;
    booked_set booked = {NULL, 0};
    lty_appointment *appts = NULL;
    size_t n = 0;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "briefing: NULL output");
    *out = NULL;
    int rc = lty__check_date(e, "briefing date", local_date, 0);
    if (rc || (rc = lty__briefing_options(e, opts, &o)))
        return rc;

    memset(&ctx, 0, sizeof ctx);
    ctx.opts = &o;
    ctx.before_day = 1;
    ctx.day = lty__days_from_civil(local_date->year, local_date->month,
                                   local_date->day);
    if ((rc = lty__local_to_utc(e, ctx.day, 0, &ctx.day_start)))
        return rc;

    lty_briefing *b = lty__zalloc(&e->alloc, sizeof *b);
    if (!b)
        return lty__err(e, LTY_ENOMEM, "briefing: out of memory");
    b->alloc = e->alloc;
    b->date = *local_date;
    if ((rc = list_day(e, local_date, &appts, &n)))
        goto fail;
    if (n) {
        b->cards = lty__zalloc(&e->alloc, n * sizeof *b->cards);
        booked.ids = lty__malloc(&e->alloc, n * sizeof *booked.ids);
        if (!b->cards || !booked.ids) {
            rc = lty__err(e, LTY_ENOMEM, "briefing: out of memory");
            goto fail;
        }
        for (size_t i = 0; i < n; i++)
            if (appts[i].state != LTY_APPOINTMENT_NO_SHOW)
                booked.ids[booked.n++] = appts[i].customer_id;
        qsort(booked.ids, booked.n, sizeof *booked.ids, id_cmp);
    }
    ctx.booked_on_day = booked_on_day;
    ctx.booked_ud = &booked;
    int64_t now = lty__now(e);
    for (size_t i = 0; i < n; i++) {
        ctx.appt = &appts[i];
        ctx.ready_at = appts[i].start > now ? appts[i].start : now;
        ctx.promotion_allowed = first_booked(appts, i);
        if ((rc = lty__card_build(e, appts[i].customer_id, NULL, &ctx,
                                  &b->cards[i])))
            goto fail;
        b->n = i + 1;
    }
    lty__free(&e->alloc, booked.ids);
    lty__free(&e->alloc, appts);
    *out = b;
    return LTY_OK;
fail:
    lty__free(&e->alloc, booked.ids);
    lty__free(&e->alloc, appts);
    lty_briefing_free(b);
    return rc;
}

int lty_briefing_day(lty_engine *e, const lty_date *local_date,
                     lty_briefing **out)
{
    return lty_briefing_day_with(e, local_date, NULL, out);
}

int lty_briefing_date(const lty_briefing *b, lty_date *out)
{
    if (!b || !out)
        return LTY_EINVALID;
    *out = b->date;
    return LTY_OK;
}

size_t lty_briefing_count(const lty_briefing *b)
{
    return b ? b->n : 0;
}

const lty_card *lty_briefing_entry(const lty_briefing *b, size_t index)
{
    if (!b || index >= b->n)
        return NULL;
    return b->cards[index];
}

/* The text is in briefing_text.c. */
