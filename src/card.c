/*
 * libloyalty - the summary card of a customer: what the front desk sees in
 * the daily briefing (briefing.c) and when the phone rings (recognize.c).
 *
 * A card is built from the public read calls of the other modules, one
 * after the other, outside any transaction of its own (those calls open
 * their own where they need one):
 *
 *   lty_customer_get()         profile, notes, preferences, aggregates
 *   lty_history_list()         the last visit before the card's day, when
 *                              the aggregates already hold one on or after it
 *   lty_program_status_get()   title, tier, "promotion due"
 *   lty_reward_list()          rewards ready to redeem
 *   lty_appointment_list()     caller ID's appointment; "came together"
 *   lty_referral_get/list()    who referred them, how many they referred
 *   lty_rfm_customer_get()     the stored RFM segment and scores
 *   lty_clv_customer_get()     the stored P(alive) and lifetime value
 *
 * Nothing is written.  Every failure frees what was built and returns the
 * code of the call that failed (its message stays the engine's last
 * error).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "card_int.h"
#include "plan_int.h"
#include "program_int.h"
#include "validate_int.h"
#include "loyalty/clv.h"
#include "loyalty/referral.h"
#include "loyalty/rfm.h"

/* Rewards and appointments read in one call before reading them all. */
#define LIST_FIRST 8
/* Events per page when looking for the last visit before a day. */
#define HISTORY_PAGE 64

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

int lty__briefing_options(lty_engine *e, const lty_briefing_options *in,
                          lty_briefing_options *out)
{
    const lty_briefing_options def = LTY_BRIEFING_OPTIONS_INIT;
    *out = def;
    if (!in)
        return LTY_OK;
    int rc = lty__check_version(e, "briefing options", in->version,
                                LTY_BRIEFING_OPTIONS_VERSION);
    if (rc)
        return rc;
    if (in->welcome_back_days < 0 || in->welcome_back_days > 36600)
        return lty__err(e, LTY_EINVALID,
                        "briefing welcome_back_days: outside 0..36600");
    if (in->occasion_days < 0 || in->occasion_days > 366)
        return lty__err(e, LTY_EINVALID,
                        "briefing occasion_days: outside 0..366");
    out->welcome_back_days = in->welcome_back_days;
    out->occasion_days = in->occasion_days;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Building                                                            */
/* ------------------------------------------------------------------ */

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static int local_date(lty_engine *e, int64_t t, lty_date *out, int *minute)
{
    int m = 0;
    int rc = lty__utc_offset(e, t, &m);
    if (rc)
        return rc;
    int64_t local = t + (int64_t)m * 60;
    int64_t day = lty__floordiv(local, 86400);
    lty__civil_from_days(day, out);
    if (minute)
        *minute = (int)((local - day * 86400) / 60);
    return LTY_OK;
}

/* The latest visit or purchase before `before`, and the item of the
 * latest one that had an item (at equal times the larger event id is the
 * later, as the aggregates order them). */
static int last_visit_before(lty_engine *e, lty_card *c, int64_t before)
{
    lty_history *h = NULL;
    char *cursor = NULL;
    int64_t item_time = 0;
    char item_event[LTY_ID_MAX + 1] = "";
    int rc = LTY_OK, done = 0;
    c->last_visit = 0;
    c->has_last_item = 0;
    c->last_item[0] = '\0';
    while (!done) {
        rc = lty_history_list(e, c->id, cursor, HISTORY_PAGE, &h);
        if (rc)
            break;
        size_t n = lty_history_count(h);
        for (size_t i = 0; i < n && !done; i++) {
            lty_event ev = LTY_EVENT_INIT;
            if ((rc = lty_history_get(h, i, &ev)))
                break;
            if (ev.time >= before)
                continue;
            if (ev.type != LTY_EVENT_VISIT && ev.type != LTY_EVENT_PURCHASE)
                continue;
            if (!c->last_visit)
                c->last_visit = ev.time;
            if (c->has_last_item) {
                /* older than the item found: nothing can replace it */
                if (ev.time != item_time) {
                    done = 1;
                    break;
                }
                if (ev.item && *ev.item && strcmp(ev.id, item_event) > 0) {
                    copy_text(c->last_item, sizeof c->last_item, ev.item);
                    copy_text(item_event, sizeof item_event, ev.id);
                }
                continue;
            }
            if (ev.item && *ev.item) {
                c->has_last_item = 1;
                item_time = ev.time;
                copy_text(c->last_item, sizeof c->last_item, ev.item);
                copy_text(item_event, sizeof item_event, ev.id);
            }
        }
        if (rc)
            break;
        const char *next = lty_history_cursor(h);
        lty__free(&e->alloc, cursor);
        cursor = NULL;
        if (!next || done) {
            break;
        }
        if (!(cursor = lty__strdup(&e->alloc, next))) {
            rc = lty__err(e, LTY_ENOMEM, "briefing: out of memory");
            break;
        }
        lty_history_free(h);
        h = NULL;
    }
    lty_history_free(h);
    lty__free(&e->alloc, cursor);
    return rc;
}

/* Visits: counted, last, first visit, welcome back. */
static int card_visits(lty_engine *e, lty_card *c, const lty__card_ctx *ctx,
                       int64_t *latest)
{
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    int rc = lty_customer_stats_get(c->cust, &st);
    if (rc)
        return lty__err(e, rc, "briefing: customer aggregates");
    c->visits = st.visits;
    *latest = st.last_visit;
    if (ctx->before_day && st.visits > 0 && st.last_visit >= ctx->day_start) {
        if ((rc = last_visit_before(e, c, ctx->day_start)))
            return rc;
    } else {
        c->last_visit = st.visits > 0 ? st.last_visit : 0;
        c->has_last_item = st.last_item != NULL && *st.last_item;
        copy_text(c->last_item, sizeof c->last_item, st.last_item);
    }
    if (!c->last_visit)
        return LTY_OK;
    int64_t lday;
    if ((rc = lty__local_day(e, c->last_visit, &lday)) ||
        (rc = local_date(e, c->last_visit, &c->last_visit_date, NULL)))
        return rc;
    c->days_away = ctx->day - lday;
    if (c->days_away < 0)
        c->days_away = 0;
    c->welcome_back = ctx->opts->welcome_back_days > 0 &&
                      c->days_away > ctx->opts->welcome_back_days;
    return LTY_OK;
}

/* The day a yearly date recurs on in year y: 29 February on 28 February
 * in common years (as the birthday messages have it). */
static int64_t recur_day(const lty_date *d, int y)
{
    int day = d->day;
    if (d->month == 2 && day == 29 && !lty__is_leap(y))
        day = 28;
    return lty__days_from_civil(y, d->month, day);
}

static void add_occasion(lty_card *c, const lty__card_ctx *ctx,
                         lty_occasion_kind kind, const char *label,
                         const lty_date *d)
{
    lty_date today;
    lty__civil_from_days(ctx->day, &today);
    for (int y = today.year; y <= today.year + 1 && y <= 9999; y++) {
        /* the recorded year itself is not an anniversary of the date */
        if (d->year && y <= d->year)
            continue;
        int64_t r = recur_day(d, y);
        if (r < ctx->day)
            continue;
        if (r - ctx->day > ctx->opts->occasion_days || c->nocc >= LTY__OCCASIONS_MAX)
            return;
        lty__card_occasion *o = &c->occ[c->nocc++];
        o->kind = kind;
        o->label = label;
        o->date = *d;
        lty__civil_from_days(r, &o->on);
        o->days_until = (int)(r - ctx->day);
        o->years = d->year ? y - d->year : 0;
        return;
    }
}

static int occasion_cmp(const void *pa, const void *pb)
{
    const lty__card_occasion *a = pa, *b = pb;
    if (a->days_until != b->days_until)
        return a->days_until < b->days_until ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(a->label, b->label);
}

static void card_occasions(lty_card *c, const lty__card_ctx *ctx)
{
    lty_date d;
    if (lty_customer_birthday(c->cust, &d) == LTY_OK)
        add_occasion(c, ctx, LTY_OCCASION_BIRTHDAY, "birthday", &d);
    size_t n = lty_customer_anniversary_count(c->cust);
    for (size_t i = 0; i < n; i++) {
        const char *label;
        if (lty_customer_anniversary_at(c->cust, i, &label, &d) == LTY_OK)
            add_occasion(c, ctx, LTY_OCCASION_ANNIVERSARY, label, &d);
    }
    qsort(c->occ, c->nocc, sizeof c->occ[0], occasion_cmp);
}

/* Title, tier and "promotion due" in every ladder and currency program. */
static int card_programs(lty_engine *e, lty_card *c, const lty__card_ctx *ctx,
                         int64_t latest_visit)
{
    const lty__programs *ps;
    int rc = lty__programs_current(e, &ps);
    if (rc)
        return rc;
    size_t n = 0;
    for (size_t i = 0; i < ps->n; i++)
        n += ps->p[i].kind != LTY_PROGRAM_DRAW;
    if (n == 0)
        return LTY_OK;
    c->prog = lty__zalloc(&e->alloc, n * sizeof *c->prog);
    if (!c->prog)
        return lty__err(e, LTY_ENOMEM, "briefing: out of memory");
    /* copy what is needed first: the status calls may reload the cache */
    for (size_t i = 0; i < ps->n; i++) {
        const lty__program *p = &ps->p[i];
        if (p->kind == LTY_PROGRAM_DRAW)
            continue;
        lty__card_program *cp = &c->prog[c->nprog++];
        memcpy(cp->id, p->id, p->idlen + 1);
        copy_text(cp->name, sizeof cp->name, p->name);
        cp->kind = p->kind;
    }
    /* A promotion is due when the next counted visit reaches a step.  In a
     * briefing, that visit is this entry's only if the customer has no
     * counted visit on the day (or after) yet. */
    int may_promote = ctx->before_day
                          ? ctx->promotion_allowed && latest_visit < ctx->day_start
                          : 1;
    for (size_t i = 0; i < c->nprog; i++) {
        lty__card_program *cp = &c->prog[i];
        lty_program_status st = LTY_PROGRAM_STATUS_INIT;
        if ((rc = lty_program_status_get(e, c->id, cp->id, &st)))
            return rc;
        copy_text(cp->title, sizeof cp->title, st.title);
        copy_text(cp->next_title, sizeof cp->next_title, st.next_title);
        cp->to_next = st.to_next;
        if (cp->kind == LTY_PROGRAM_LADDER) {
            cp->promotion_due = may_promote && st.to_next == 1 && st.next_title[0];
            if (c->title_at < 0)
                c->title_at = (int)i;
            if (cp->promotion_due && c->promo_at < 0)
                c->promo_at = (int)i;
        } else {
            cp->balance = st.balance;
            if (st.level >= 0 && c->tier_at < 0)
                c->tier_at = (int)i;
        }
    }
    return LTY_OK;
}

/* Rewards issued and not expired at ctx->ready_at. */
static int card_rewards(lty_engine *e, lty_card *c, const lty__card_ctx *ctx)
{
    lty_reward first[LIST_FIRST];
    lty_reward *all = first;
    size_t cap = LIST_FIRST, count = 0;
    int rc;
    for (;;) {
        for (size_t i = 0; i < cap; i++)
            all[i] = (lty_reward)LTY_REWARD_INIT;
        if ((rc = lty_reward_list(e, c->id, all, cap, &count)))
            goto out;
        if (count <= cap)
            break;
        /* more than the first read held: read them all */
        if (all != first)
            lty__free(&e->alloc, all);
        cap = count;
        if (!(all = lty__malloc(&e->alloc, cap * sizeof *all))) {
            all = first;
            rc = lty__err(e, LTY_ENOMEM, "briefing: out of memory");
            goto out;
        }
    }
    size_t ready = 0;
    for (size_t i = 0; i < count; i++)
        ready += all[i].state == LTY_REWARD_ISSUED &&
                 (all[i].expires == LTY_TIME_NONE || ctx->ready_at <= all[i].expires);
    if (ready) {
        c->rewards = lty__malloc(&e->alloc, ready * sizeof *c->rewards);
        if (!c->rewards) {
            rc = lty__err(e, LTY_ENOMEM, "briefing: out of memory");
            goto out;
        }
        for (size_t i = 0; i < count; i++)
            if (all[i].state == LTY_REWARD_ISSUED &&
                (all[i].expires == LTY_TIME_NONE || ctx->ready_at <= all[i].expires))
                c->rewards[c->nrewards++] = all[i];
    }
out:
    if (all != first)
        lty__free(&e->alloc, all);
    return rc;
}

/* A customer's appointments, all of them: *out is first[] or a new block
 * the caller frees with lty__free (when it is not first). */
static int list_appointments(lty_engine *e, const char *id,
                             lty_appointment *first, size_t first_cap,
                             lty_appointment **out, size_t *count)
{
    lty_appointment *all = first;
    size_t cap = first_cap;
    int rc;
    *out = first;
    for (;;) {
        for (size_t i = 0; i < cap; i++)
            all[i] = (lty_appointment)LTY_APPOINTMENT_INIT;
        if ((rc = lty_appointment_list(e, id, all, cap, count))) {
            if (all != first)
                lty__free(&e->alloc, all);
            return rc;
        }
        if (*count <= cap)
            break;
        if (all != first)
            lty__free(&e->alloc, all);
        cap = *count;
        if (!(all = lty__malloc(&e->alloc, cap * sizeof *all)))
            return lty__err(e, LTY_ENOMEM, "briefing: out of memory");
    }
    *out = all;
    return LTY_OK;
}

/* Caller ID: the first appointment today that is not cancelled, else the
 * next booked one after now. */
static int card_find_appointment(lty_engine *e, lty_card *c,
                                 const lty__card_ctx *ctx)
{
    lty_appointment first[LIST_FIRST], *all;
    size_t count = 0;
    int rc = list_appointments(e, c->id, first, LIST_FIRST, &all, &count);
    if (rc)
        return rc;
    int64_t now = lty__now(e), day;
    const lty_appointment *today = NULL, *next = NULL;
    for (size_t i = 0; i < count && !today; i++) {
        const lty_appointment *a = &all[i];
        if (a->state == LTY_APPOINTMENT_CANCELLED)
            continue;
        if ((rc = lty__local_day(e, a->start, &day)))
            break;
        if (day == ctx->day)
            today = a;
        else if (!next && a->state == LTY_APPOINTMENT_BOOKED && a->start > now)
            next = a;
    }
    if (rc == LTY_OK && (today || next)) {
        c->has_appt = 1;
        c->appt = today ? *today : *next;
    }
    if (all != first)
        lty__free(&e->alloc, all);
    return rc;
}

/* Caller ID: does the referrer have an appointment on the local day of the
 * card's appointment that is booked or kept (not cancelled, not missed)? */
static int referrer_booked_on(lty_engine *e, const char *id, int64_t on,
                              int *booked)
{
    lty_appointment first[LIST_FIRST], *all;
    size_t count = 0;
    int64_t day;
    *booked = 0;
    int rc = list_appointments(e, id, first, LIST_FIRST, &all, &count);
    if (rc)
        return rc;
    for (size_t i = 0; i < count && !*booked; i++) {
        if (all[i].state != LTY_APPOINTMENT_BOOKED &&
            all[i].state != LTY_APPOINTMENT_ARRIVED)
            continue;
        if ((rc = lty__local_day(e, all[i].start, &day)))
            break;
        *booked = day == on;
    }
    if (all != first)
        lty__free(&e->alloc, all);
    return rc;
}

/* Who referred the customer, "came together", how many they referred. */
static int card_referrals(lty_engine *e, lty_card *c, const lty__card_ctx *ctx)
{
    lty_referral r = LTY_REFERRAL_INIT;
    lty_customer *who = NULL;
    size_t count = 0;
    int rc = lty_referral_list(e, c->id, NULL, 0, &count);
    if (rc && rc != LTY_ENOTFOUND)
        return rc;
    c->referrals = rc ? 0 : count;
    rc = lty_referral_get(e, c->id, &r);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;              /* nobody referred them */
    if (rc)
        return rc;
    copy_text(c->referrer_id, sizeof c->referrer_id, r.referrer);
    rc = lty_customer_get(e, r.referrer, &who);
    if (rc == LTY_ENOTFOUND) {
        /* the referrer was erased: the referral names the anonymous id,
         * which has no profile (and came with nobody) */
        c->referrer_erased = 1;
        return LTY_OK;
    }
    if (rc == LTY_OK && lty_customer_name(who) &&
        !(c->referrer_name = lty__strdup(&e->alloc, lty_customer_name(who))))
        rc = lty__err(e, LTY_ENOMEM, "briefing: out of memory");
    lty_customer_free(who);
    if (rc || !c->has_appt)
        return rc;
    if (ctx->booked_on_day) {
        c->came_together = ctx->booked_on_day(ctx->booked_ud, c->referrer_id);
        return LTY_OK;
    }
    int64_t day;
    if ((rc = lty__local_day(e, c->appt.start, &day)))
        return rc;
    return referrer_booked_on(e, c->referrer_id, day, &c->came_together);
}

/* The analytics' slot: the stored RFM segment and scores, P(alive) and
 * lifetime value, and the VIP mark (briefing.h gives the rule). */
static int card_analytics(lty_engine *e, lty_card *c)
{
    lty_rfm_scores rs = LTY_RFM_SCORES_INIT;
    lty_clv_figures cf = LTY_CLV_FIGURES_INIT;
    int rc = lty_rfm_customer_get(e, c->id, &rs);
    if (rc == LTY_OK) {
        c->has_rfm = 1;
        copy_text(c->segment, sizeof c->segment, rs.segment);
        c->rfm_r = rs.r;
        c->rfm_f = rs.f;
        c->rfm_m = rs.m;
    } else if (rc != LTY_ENOTFOUND) {
        return rc;
    }
    rc = lty_clv_customer_get(e, c->id, &cf);
    if (rc == LTY_OK) {
        c->has_clv = 1;
        c->p_alive = cf.p_alive;
        c->clv = cf.clv;
    } else if (rc != LTY_ENOTFOUND) {
        return rc;
    }
    c->vip = (c->has_rfm && strcmp(c->segment, LTY_CARD_VIP_SEGMENT) == 0) ||
             (c->has_clv && cf.p_alive >= LTY_CARD_VIP_P_ALIVE &&
              lty_clv_figures_top_decile(&cf));
    return LTY_OK;
}

static void card_free(lty_card *c)
{
    if (!c)
        return;
    lty_allocator a = c->alloc;
    lty_customer_free(c->cust);
    lty__free(&a, c->prog);
    lty__free(&a, c->rewards);
    lty__free(&a, c->referrer_name);
    lty__free(&a, c);
}

int lty__card_build(lty_engine *e, const char *id, lty_customer *cust,
                    const lty__card_ctx *ctx, lty_card **out)
{
    int rc;
    int64_t latest = 0;
    *out = NULL;
    lty_card *c = lty__zalloc(&e->alloc, sizeof *c);
    if (!c) {
        lty_customer_free(cust);
        return lty__err(e, LTY_ENOMEM, "briefing: out of memory");
    }
    c->alloc = e->alloc;
    c->title_at = c->tier_at = c->promo_at = -1;
    c->caller = !ctx->before_day;
    lty__civil_from_days(ctx->day, &c->day);
    copy_text(c->id, sizeof c->id, id);
    c->cust = cust;
    if (ctx->appt) {
        c->has_appt = 1;
        c->appt = *ctx->appt;
    }
    if (!c->cust) {
        rc = lty_customer_get(e, id, &c->cust);
        if (rc == LTY_ENOTFOUND) {
            /* erased (its appointments carry the anonymous id): no
             * personal data, nothing else to show */
            lty__err_clear(e);
            rc = LTY_OK;
            goto appt;
        }
        if (rc)
            goto fail;
    }
    if ((rc = card_visits(e, c, ctx, &latest)))
        goto fail;
    card_occasions(c, ctx);
    if ((rc = card_programs(e, c, ctx, latest)) ||
        (rc = card_rewards(e, c, ctx)))
        goto fail;
    if (!c->has_appt && !ctx->appt && (rc = card_find_appointment(e, c, ctx)))
        goto fail;
    if ((rc = card_referrals(e, c, ctx)) || (rc = card_analytics(e, c)))
        goto fail;
appt:
    if (c->has_appt &&
        (rc = local_date(e, c->appt.start, &c->appt_date, &c->appt_minute)))
        goto fail;
    lty__err_clear(e);
    *out = c;
    return LTY_OK;
fail:
    card_free(c);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */
/* ------------------------------------------------------------------ */

void lty_card_free(lty_card *c)
{
    card_free(c);
}

const char *lty_card_customer_id(const lty_card *c)
{
    return c ? c->id : NULL;
}

const char *lty_card_name(const lty_card *c)
{
    return c && c->cust ? lty_customer_name(c->cust) : NULL;
}

const lty_customer *lty_card_customer(const lty_card *c)
{
    return c ? c->cust : NULL;
}

int lty_card_appointment(const lty_card *c, lty_appointment *out)
{
    if (!c || !out)
        return LTY_EINVALID;
    if (out->version == 0 || out->version > LTY_APPOINTMENT_VERSION)
        return LTY_EVERSION;
    if (!c->has_appt)
        return LTY_ENOTFOUND;
    unsigned version = out->version;
    *out = c->appt;
    out->version = version;
    return LTY_OK;
}

int64_t lty_card_visits(const lty_card *c)
{
    return c ? c->visits : 0;
}

int64_t lty_card_last_visit(const lty_card *c)
{
    return c ? c->last_visit : 0;
}

const char *lty_card_last_item(const lty_card *c)
{
    return c && c->has_last_item ? c->last_item : NULL;
}

int lty_card_first_visit(const lty_card *c)
{
    return c && c->cust && c->last_visit == 0;
}

int lty_card_welcome_back(const lty_card *c, int64_t *days_away)
{
    if (days_away)
        *days_away = c ? c->days_away : 0;
    return c ? c->welcome_back : 0;
}

size_t lty_card_program_count(const lty_card *c)
{
    return c ? c->nprog : 0;
}

int lty_card_program_at(const lty_card *c, size_t index, lty_card_program *out)
{
    if (!c || !out || index >= c->nprog)
        return LTY_EINVALID;
    if (out->version == 0 || out->version > LTY_CARD_PROGRAM_VERSION)
        return LTY_EVERSION;
    const lty__card_program *p = &c->prog[index];
    out->program_id = p->id;
    out->name = p->name;
    out->kind = p->kind;
    out->title = p->title;
    out->next_title = p->next_title;
    out->to_next = p->to_next;
    out->balance = p->balance;
    out->promotion_due = p->promotion_due;
    return LTY_OK;
}

const char *lty_card_title(const lty_card *c)
{
    if (!c || c->title_at < 0 || !c->prog[c->title_at].title[0])
        return NULL;
    return c->prog[c->title_at].title;
}

const char *lty_card_tier(const lty_card *c)
{
    if (!c || c->tier_at < 0 || !c->prog[c->tier_at].title[0])
        return NULL;
    return c->prog[c->tier_at].title;
}

const char *lty_card_promotion_due(const lty_card *c)
{
    if (!c || c->promo_at < 0)
        return NULL;
    return c->prog[c->promo_at].next_title;
}

size_t lty_card_occasion_count(const lty_card *c)
{
    return c ? c->nocc : 0;
}

int lty_card_occasion_at(const lty_card *c, size_t index, lty_occasion *out)
{
    if (!c || !out || index >= c->nocc)
        return LTY_EINVALID;
    if (out->version == 0 || out->version > LTY_OCCASION_VERSION)
        return LTY_EVERSION;
    const lty__card_occasion *o = &c->occ[index];
    out->kind = o->kind;
    out->label = o->label;
    out->date = o->date;
    out->on = o->on;
    out->days_until = o->days_until;
    out->years = o->years;
    return LTY_OK;
}

size_t lty_card_reward_count(const lty_card *c)
{
    return c ? c->nrewards : 0;
}

int lty_card_reward_at(const lty_card *c, size_t index, lty_reward *out)
{
    if (!c || !out || index >= c->nrewards)
        return LTY_EINVALID;
    if (out->version == 0 || out->version > LTY_REWARD_VERSION)
        return LTY_EVERSION;
    unsigned version = out->version;
    *out = c->rewards[index];
    out->version = version;
    return LTY_OK;
}

const char *lty_card_referrer_id(const lty_card *c)
{
    return c && c->referrer_id[0] ? c->referrer_id : NULL;
}

const char *lty_card_referrer_name(const lty_card *c)
{
    return c ? c->referrer_name : NULL;
}

int lty_card_came_together(const lty_card *c)
{
    return c ? c->came_together : 0;
}

size_t lty_card_referral_count(const lty_card *c)
{
    return c ? c->referrals : 0;
}

const char *lty_card_segment(const lty_card *c)
{
    return c && c->has_rfm ? c->segment : NULL;
}

int lty_card_rfm(const lty_card *c, int *r, int *f, int *m)
{
    if (!c || !c->has_rfm)
        return 0;
    if (r)
        *r = c->rfm_r;
    if (f)
        *f = c->rfm_f;
    if (m)
        *m = c->rfm_m;
    return 1;
}

int lty_card_p_alive(const lty_card *c, double *out)
{
    if (!c || !c->has_clv)
        return 0;
    if (out)
        *out = c->p_alive;
    return 1;
}

int lty_card_clv(const lty_card *c, double *out)
{
    if (!c || !c->has_clv)
        return 0;
    if (out)
        *out = c->clv;
    return 1;
}

int lty_card_vip(const lty_card *c)
{
    return c ? c->vip : 0;
}
