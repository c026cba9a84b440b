/*
 * libloyalty - lty_plan_day(): the daily planning run for birthdays,
 * anniversaries and win-back.
 *
 * Customers are gathered by one scan of the profiles first (the storage
 * connection cannot be used inside a scan callback), then each is planned
 * in a transaction of its own, so one run over a large store never holds a
 * long transaction and a conflict with a busy front desk retries one
 * customer only.
 *
 * Every message id names its occasion ("birthday/<customer>/<year>",
 * "anniv/<customer>/<label>/<year>", "winback/<customer>/<last visit day>"),
 * so running the day again, or the next day over an overlapping window,
 * plans nothing twice.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "customer_int.h"
#include "keys_int.h"
#include "ledger_int.h"
#include "plan_int.h"
#include "program_int.h"
#include "validate_int.h"

#define YEAR_LEN 4u
#define DAY_LEN 10u

/* The options, checked and with defaults filled in. */
typedef struct day_opts {
    unsigned include;
    int days_ahead;
    int minute;
    const char *tpl_birthday, *tpl_anniv, *tpl_winback;
    lty_purpose purpose;
    lty_channel channel;
    int lapse_days, factor_pct, min_visits, min_days, max_days;
} day_opts;

typedef struct day_op {
    const day_opts *o;
    const char *cid;
    size_t cn;
    int64_t start;             /* the given day */
    int64_t from, end;         /* birthdays and anniversaries: from..end */
    int64_t today;             /* the engine's current local day */
    lty_buf profile;           /* the customer's profile record */
    size_t planned;            /* new messages of this customer */
} day_op;

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

static int check_range(lty_engine *e, const char *field, int v, int lo, int hi)
{
    if (v < lo || v > hi)
        return lty__err(e, LTY_EINVALID, "%s: outside %d..%d", field, lo, hi);
    return LTY_OK;
}

static int check_template(lty_engine *e, const char *field, const char *given,
                          const char *dflt, const char **out)
{
    size_t n;
    if (!given) {
        *out = dflt;
        return LTY_OK;
    }
    *out = given;
    return lty__check_text(e, field, given, 1, LTY_MESSAGE_ID_MAX,
                           LTY__TEXT_LINE, &n);
}

static int check_opts(lty_engine *e, const lty_plan_day_options *in,
                      day_opts *o)
{
    static const lty_plan_day_options defaults = LTY_PLAN_DAY_OPTIONS_INIT;
    int rc;
    if (!in)
        in = &defaults;
    if ((rc = lty__check_version(e, "plan day options", in->version,
                                 LTY_PLAN_DAY_OPTIONS_VERSION)))
        return rc;
    memset(o, 0, sizeof *o);
    if (in->include & ~(unsigned)(LTY_PLAN_BIRTHDAYS | LTY_PLAN_ANNIVERSARIES |
                                  LTY_PLAN_WINBACK))
        return lty__err(e, LTY_EINVALID, "include: unknown kinds");
    o->include = in->include;
    if ((rc = check_range(e, "days_ahead", in->days_ahead, 0, 366)) ||
        (rc = check_range(e, "local_minute", in->local_minute, 0, 1439)) ||
        (rc = check_template(e, "birthday_template", in->birthday_template,
                             "birthday", &o->tpl_birthday)) ||
        (rc = check_template(e, "anniversary_template",
                             in->anniversary_template, "anniversary",
                             &o->tpl_anniv)) ||
        (rc = check_template(e, "winback_template", in->winback_template,
                             "winback", &o->tpl_winback)) ||
        (rc = lty__plan_check_route(e, "plan day", in->purpose, in->channel)) ||
        (rc = check_range(e, "lapse_days", in->lapse_days, 0,
                          LTY_PLAN_DAYS_MAX)) ||
        (rc = check_range(e, "lapse_min_visits", in->lapse_min_visits, 2,
                          1000)) ||
        (rc = check_range(e, "lapse_min_days", in->lapse_min_days, 1,
                          LTY_PLAN_DAYS_MAX)) ||
        (rc = check_range(e, "lapse_max_days", in->lapse_max_days, 0,
                          LTY_PLAN_DAYS_MAX)))
        return rc;
    if (in->lapse_factor_pct != 0 &&
        (rc = check_range(e, "lapse_factor_pct", in->lapse_factor_pct, 100,
                          10000)))
        return rc;
    if ((in->include & LTY_PLAN_WINBACK) && !in->lapse_days &&
        !in->lapse_factor_pct)
        return lty__err(e, LTY_EINVALID,
                        "lapse_days: win-back needs lapse_days or "
                        "lapse_factor_pct");
    o->days_ahead = in->days_ahead;
    o->minute = in->local_minute;
    o->purpose = in->purpose;
    o->channel = in->channel;
    o->lapse_days = in->lapse_days;
    o->factor_pct = in->lapse_factor_pct;
    o->min_visits = in->lapse_min_visits;
    o->min_days = in->lapse_min_days;
    o->max_days = in->lapse_max_days;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Planning one message                                                */
/* ------------------------------------------------------------------ */

static int plan(lty_engine *e, day_op *op, const lty__msgid *id,
                const char *template_id, int64_t day, const lty_param *params,
                size_t nparams)
{
    int64_t due;
    int found = 0;
    int rc = lty__local_to_utc(e, day, op->o->minute, &due);
    if (rc || (rc = lty__message_exists(e, id->b, id->n, &found)))
        return rc;
    lty__plan p;
    memset(&p, 0, sizeof p);
    p.id = id->b;
    p.idlen = id->n;
    p.cid = op->cid;
    p.cn = op->cn;
    p.template_id = template_id;
    p.purpose = op->o->purpose;
    p.channel = op->o->channel;
    p.due = due;
    p.params = params;
    p.nparams = nparams;
    if ((rc = lty__plan_check(e, &p)) || (rc = lty__outbox_plan(e, &p)))
        return rc;
    op->planned += !found;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Birthdays and anniversaries                                         */
/* ------------------------------------------------------------------ */

/* The day a date recurs on in year y: 29 February is kept on 28 February
 * in common years. */
static int64_t recur_day(const lty_date *d, int y)
{
    int day = d->day;
    if (d->month == 2 && day == 29 && !lty__is_leap(y))
        day = 28;
    return lty__days_from_civil(y, d->month, day);
}

/* Plan a yearly date's recurrences within from..end: id prefix given,
 * the year as the tail.  The year of the date itself, when known, is not
 * an anniversary of it. */
static int plan_yearly(lty_engine *e, day_op *op, lty__msgid *id,
                       const lty_date *d, const char *template_id)
{
    lty_date a, b;
    if (op->from > op->end)
        return LTY_OK;
    lty__civil_from_days(op->from, &a);
    lty__civil_from_days(op->end, &b);
    for (int y = a.year; y <= b.year; y++) {
        if (d->year && y <= d->year)
            continue;
        int64_t day = recur_day(d, y);
        if (day < op->from || day > op->end)
            continue;
        char year[8], date[16];
        snprintf(year, sizeof year, "%04d", y);
        lty__day_text(day, date);
        lty__msgid_tail(id, year);
        lty_param params[1] = {{"date", date}};
        int rc = plan(e, op, id, template_id, day, params, 1);
        if (rc)
            return rc;
    }
    return LTY_OK;
}

static int plan_dates(lty_engine *e, day_op *op, const lty__profile *p)
{
    lty__msgid id;
    int rc;
    if ((op->o->include & LTY_PLAN_BIRTHDAYS) && p->birthday.month) {
        lty__idpart parts[1] = {{op->cid, op->cn}};
        lty__msgid_prefix(&id, "birthday", parts, 1, YEAR_LEN);
        if ((rc = plan_yearly(e, op, &id, &p->birthday, op->o->tpl_birthday)))
            return rc;
    }
    if (!(op->o->include & LTY_PLAN_ANNIVERSARIES))
        return LTY_OK;
    for (size_t i = 0; i < p->nanniv; i++) {
        const lty__anniv *a = &p->anniv[i];
        lty__idpart parts[2] = {{op->cid, op->cn}, {a->label.p, a->label.n}};
        lty__msgid_prefix(&id, "anniv", parts, 2, YEAR_LEN);
        if ((rc = plan_yearly(e, op, &id, &a->date, op->o->tpl_anniv)))
            return rc;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Win-back                                                            */
/* ------------------------------------------------------------------ */

/* Days without a visit that make this customer lapsed, 0 for never. */
static int64_t lapse_after(const day_opts *o, const lty__stats *s,
                           int64_t first_day, int64_t last_day)
{
    if (o->factor_pct && s->visits >= o->min_visits) {
        /* the usual interval between counted visits, times the factor,
         * rounded up: ceil((last - first) * pct / ((visits - 1) * 100)) */
        int64_t num = (last_day - first_day) * o->factor_pct;
        int64_t den = (s->visits - 1) * 100;
        int64_t t = (num + den - 1) / den;
        return t < o->min_days ? o->min_days : t;
    }
    return o->lapse_days;
}

static int plan_winback(lty_engine *e, day_op *op)
{
    lty__stats s;
    uint64_t rev;
    int64_t first_day, last_day;
    if (op->start < op->today || op->start > lty__days_from_civil(9999, 12, 30))
        return LTY_OK; /* a past day: never planned late */
    int rc = lty__stats_load(e, op->cid, op->cn, &s, &rev);
    if (rc || s.visits < 1)
        return rc;
    if ((rc = lty__local_day(e, s.first_visit, &first_day)) ||
        (rc = lty__local_day(e, s.last_visit, &last_day)))
        return rc;
    int64_t gap = op->start - last_day;
    int64_t after = lapse_after(op->o, &s, first_day, last_day);
    if (after <= 0 || gap < after ||
        (op->o->max_days && gap > op->o->max_days))
        return LTY_OK;
    char last[16], days[24];
    lty__day_text(last_day, last);
    snprintf(days, sizeof days, "%lld", (long long)gap);
    lty__msgid id;
    lty__idpart parts[1] = {{op->cid, op->cn}};
    lty__msgid_prefix(&id, "winback", parts, 1, DAY_LEN);
    lty__msgid_tail(&id, last);
    lty_param params[2] = {{"date", last}, {"days", days}};
    return plan(e, op, &id, op->o->tpl_winback, op->start, params, 2);
}

/* ------------------------------------------------------------------ */
/* One customer, one transaction                                       */
/* ------------------------------------------------------------------ */

static int customer_body(lty_engine *e, void *arg)
{
    day_op *op = arg;
    lty__profile p;
    lty__key k;
    int rc;
    op->planned = 0;
    lty__key_profile(&k, op->cid, op->cn);
    rc = lty__get(e, k.b, k.n, &op->profile, NULL);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK; /* erased since the scan */
    if (rc)
        return rc;
    if ((rc = lty__profile_decode(op->profile.data, op->profile.len, &p)))
        return lty__corrupt(e, rc, "customer profile");
    if ((op->o->include & (LTY_PLAN_BIRTHDAYS | LTY_PLAN_ANNIVERSARIES)) &&
        (rc = plan_dates(e, op, &p)))
        return rc;
    if (op->o->include & LTY_PLAN_WINBACK)
        return plan_winback(e, op);
    return LTY_OK;
}

int lty_plan_day(lty_engine *e, const lty_date *local_date,
                 const lty_plan_day_options *opts, size_t *planned)
{
    day_opts o;
    day_op op;
    lty_buf ids;
    size_t total = 0;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (planned)
        *planned = 0;
    if ((rc = lty__check_date(e, "local_date", local_date, 0)) ||
        (rc = check_opts(e, opts, &o)))
        return rc;
    memset(&op, 0, sizeof op);
    op.o = &o;
    op.start = lty__days_from_civil(local_date->year, local_date->month,
                                    local_date->day);
    if ((rc = lty__local_day(e, lty__now(e), &op.today)))
        return rc;
    op.from = op.start > op.today ? op.start : op.today;
    op.end = op.start + o.days_ahead;
    int64_t last = lty__days_from_civil(9999, 12, 30);
    if (op.end > last)
        op.end = last;
    if (!o.include)
        return LTY_OK;
    if ((rc = lty__collect_customers(e, 'P', &ids)))
        return rc;
    lty__buf_init(&op.profile, &e->alloc);
    for (size_t off = 0; off < ids.len;) {
        op.cid = (const char *)ids.data + off;
        op.cn = strlen(op.cid);
        if ((rc = lty__txn(e, customer_body, &op)))
            break;
        total += op.planned;
        off += op.cn + 1;
    }
    lty__buf_release(&op.profile);
    lty__buf_release(&ids);
    if (planned)
        *planned = total;
    return rc;
}
