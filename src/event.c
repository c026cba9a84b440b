/*
 * libloyalty - recording events: lty_record().
 *
 * One call is one transaction: the ledger entry, the event-id index and the
 * customer's aggregates change together.  The event id is the idempotency
 * key: the same event again is a duplicate that changes nothing, the same id
 * with other content is LTY_EEXISTS.
 *
 * This is the hot path of an ingest (a POS replaying its day), so it keeps to
 * a handful of storage calls, encodes into the engine's scratch buffers and
 * allocates nothing of its own.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "keys_int.h"
#include "ledger_int.h"
#include "plan_int.h"
#include "program_int.h"
#include "referral_int.h"
#include "validate_int.h"

/* The widest local offset the engine accepts (18 hours), in seconds. */
#define OFFSET_MAX_SECONDS (18 * 3600)

/* One lty_record() call: the validated event and what the body computes. */
typedef struct record_op {
    const lty_event *ev;
    int64_t time;          /* ev->time, or the clock's when that was NOW */
    int time_given;        /* ev->time was an explicit time */
    int64_t day;           /* local day of time (visits and purchases) */
    size_t idlen, cidlen, itemlen, branchlen, reflen, commentlen;
    /* Keys used twice (read, then written), built once. */
    const lty__key *event_key;
    const lty__key *stats_key;
    const lty__key *ledger_key;
    /* A refund's item, copied from its purchase. */
    char refund_item[LTY_CODE_MAX + 1];
    size_t refund_itemlen;
    /* Refunds: the purchase's amount and what it had had refunded. */
    int64_t purchase_amount;
    int64_t refunded_before;
    /* Results, reset on every run of the body. */
    lty__program_effects fx;
    int duplicate;
    int visit_counted;
    int64_t visits;
    int64_t net_spend;
} record_op;

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

/* lty__check_text(), with a fast path: ids and codes are nearly always
 * short printable ASCII, which one pass over the bytes settles.  Anything
 * else, and every refusal with its message, is left to the full check. */
static int check_text(lty_engine *e, const char *field, const char *s,
                      size_t min, size_t max, lty__text_kind kind,
                      size_t *len)
{
    if (s) {
        size_t n = 0;
        while (n <= max && (unsigned char)s[n] >= 0x20 &&
               (unsigned char)s[n] < 0x7f)
            n++;
        if (n <= max && s[n] == '\0' && n >= min) {
            *len = n;
            return LTY_OK;
        }
    }
    return lty__check_text(e, field, s, min, max, kind, len);
}

static int check_id(lty_engine *e, const char *field, const char *s,
                    size_t *len)
{
    return check_text(e, field, s, 1, LTY_ID_MAX, LTY__TEXT_LINE, len);
}

static const char *type_name(lty_event_type t)
{
    switch (t) {
    case LTY_EVENT_VISIT: return "a visit";
    case LTY_EVENT_PURCHASE: return "a purchase";
    case LTY_EVENT_REFUND: return "a refund";
    case LTY_EVENT_FEEDBACK: return "feedback";
    }
    return "this event type";
}

static int check_amount(lty_engine *e, const lty_event *ev)
{
    if (ev->amount < 0)
        return lty__err(e, LTY_EINVALID, "event amount: negative");
    if ((ev->type == LTY_EVENT_VISIT || ev->type == LTY_EVENT_FEEDBACK) &&
        ev->amount != 0)
        return lty__err(e, LTY_EINVALID, "event amount: does not apply to %s",
                        type_name(ev->type));
    if (ev->type == LTY_EVENT_REFUND && ev->amount == 0)
        return lty__err(e, LTY_EINVALID,
                        "event amount: a refund needs a positive amount");
    return LTY_OK;
}

/* Fields whose presence depends on the type (the table in event.h). */
static int check_type_fields(lty_engine *e, const lty_event *ev, record_op *op)
{
    int rc;
    if (ev->type == LTY_EVENT_REFUND) {
        if (ev->item)
            return lty__err(e, LTY_EINVALID,
                            "event item: does not apply to a refund (it is "
                            "taken from the purchase)");
        if ((rc = check_id(e, "event refund_of", ev->refund_of,
                                &op->reflen)))
            return rc;
    } else if (ev->refund_of) {
        return lty__err(e, LTY_EINVALID,
                        "event refund_of: applies to refunds only");
    }
    if (ev->type == LTY_EVENT_FEEDBACK) {
        if (ev->score < 0 || ev->score > 10)
            return lty__err(e, LTY_EINVALID, "event score: outside 0..10");
        return check_text(e, "event comment", ev->comment, 0,
                               LTY_COMMENT_MAX, LTY__TEXT_MULTILINE,
                               &op->commentlen);
    }
    if (ev->score != -1)
        return lty__err(e, LTY_EINVALID,
                        "event score: applies to feedback only (leave it -1)");
    if (ev->comment)
        return lty__err(e, LTY_EINVALID,
                        "event comment: applies to feedback only");
    return LTY_OK;
}

static int check_event(lty_engine *e, const lty_event *ev, record_op *op)
{
    int rc;
    if (ev->type < LTY_EVENT_VISIT || ev->type > LTY_EVENT_FEEDBACK)
        return lty__err(e, LTY_EINVALID, "event type: unknown");
    if ((rc = check_id(e, "event id", ev->id, &op->idlen)) ||
        (rc = check_id(e, "customer id", ev->customer_id, &op->cidlen)))
        return rc;
    if (ev->time == LTY_TIME_NOW) {
        op->time = lty__now(e);
    } else {
        if ((rc = lty__check_time(e, "event time", ev->time)))
            return rc;
        op->time = ev->time;
        op->time_given = 1;
    }
    if ((rc = check_amount(e, ev)))
        return rc;
    if ((rc = check_text(e, "event item", ev->item, 0, LTY_CODE_MAX,
                              LTY__TEXT_LINE, &op->itemlen)) ||
        (rc = check_text(e, "event branch", ev->branch, 0, LTY_CODE_MAX,
                              LTY__TEXT_LINE, &op->branchlen)))
        return rc;
    if ((rc = check_type_fields(e, ev, op)))
        return rc;
    /* The local day is computed once, outside the transaction: a time-zone
     * callback that fails then fails before anything is read. */
    if (ev->type == LTY_EVENT_VISIT || ev->type == LTY_EVENT_PURCHASE)
        return lty__local_day(e, op->time, &op->day);
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Duplicates                                                          */
/* ------------------------------------------------------------------ */

static int same_text(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* Does the stored entry hold the same event as the one given?  A refund's
 * stored item came from its purchase, so it is not compared. */
static int same_content(const record_op *op, const lty__entry *en)
{
    const lty_event *ev = op->ev;
    if (en->type != ev->type || en->amount != ev->amount)
        return 0;
    if (ev->type != LTY_EVENT_REFUND &&
        !same_text(en->item, en->item_len, ev->item, op->itemlen))
        return 0;
    if (!same_text(en->branch, en->branch_len, ev->branch, op->branchlen) ||
        !same_text(en->refund_of, en->refund_of_len, ev->refund_of,
                   op->reflen) ||
        !same_text(en->comment, en->comment_len, ev->comment, op->commentlen))
        return 0;
    return ev->type != LTY_EVENT_FEEDBACK || en->score == ev->score;
}

static int event_exists_elsewhere(lty_engine *e)
{
    return lty__err(e, LTY_EEXISTS,
                    "event id: already used for a different event");
}

/* Look the event id up.  *dup is set when the same event was recorded
 * before; LTY_EEXISTS when the id holds another event.  An event given
 * with LTY_TIME_NOW matches whatever time it was recorded at: "now" on a
 * replay is a different instant of the same event. */
static int check_duplicate(lty_engine *e, record_op *op, int *dup)
{
    lty__key k;
    lty__evindex ix;
    lty__entry en;
    *dup = 0;
    int rc = lty__get(e, op->event_key->b, op->event_key->n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc)
        return rc;
    if ((rc = lty__evindex_decode(e->rbuf.data, e->rbuf.len, &ix)))
        return lty__corrupt(e, rc, "event index");
    if (!same_text(ix.customer_id, ix.customer_len, op->ev->customer_id,
                   op->cidlen) ||
        (op->time_given && ix.time != op->time))
        return event_exists_elsewhere(e);
    /* The customer id is the caller's, so the key no longer needs rbuf. */
    lty__key_ledger(&k, op->ev->customer_id, op->cidlen, ix.time, op->ev->id,
                    op->idlen);
    rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ECORRUPT,
                        "event index record: points to a missing ledger entry");
    if (rc)
        return rc;
    if ((rc = lty__entry_decode(e->rbuf.data, e->rbuf.len, &en)))
        return lty__corrupt(e, rc, "ledger entry");
    if (!same_content(op, &en))
        return event_exists_elsewhere(e);
    *dup = 1;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Refunds                                                             */
/* ------------------------------------------------------------------ */

static int no_such_purchase(lty_engine *e)
{
    return lty__err(e, LTY_ENOTFOUND,
                    "event refund_of: no such purchase for this customer");
}

/* Check the refunded purchase, add the refund to what it has had refunded
 * and take the refund off the net spend. */
static int apply_refund(lty_engine *e, record_op *op, lty__stats *s,
                        lty__earnings *refunded)
{
    const lty_event *ev = op->ev;
    lty__key k;
    lty__evindex ix;
    lty__entry p;
    uint64_t rev = 0;
    lty__key_event(&k, ev->refund_of, op->reflen);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return no_such_purchase(e);
    if (rc)
        return rc;
    if ((rc = lty__evindex_decode(e->rbuf.data, e->rbuf.len, &ix)))
        return lty__corrupt(e, rc, "event index");
    /* Another customer's purchase is reported exactly like a missing one,
     * so an id guessed at the till reveals nothing. */
    if (!same_text(ix.customer_id, ix.customer_len, ev->customer_id,
                   op->cidlen))
        return no_such_purchase(e);
    lty__key_ledger(&k, ev->customer_id, op->cidlen, ix.time, ev->refund_of,
                    op->reflen);
    rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ECORRUPT,
                        "event index record: points to a missing ledger entry");
    if (rc)
        return rc;
    if ((rc = lty__entry_decode(e->rbuf.data, e->rbuf.len, &p)))
        return lty__corrupt(e, rc, "ledger entry");
    if (p.type != LTY_EVENT_PURCHASE)
        return lty__err(e, LTY_EINVALID, "event refund_of: not a purchase");
    /* what the purchase earned, for the programs to take back */
    if (p.earnings_len &&
        lty__earnings_read(p.earnings, p.earnings_len, refunded))
        return lty__corrupt(e, LTY_ECORRUPT, "ledger entry");
    if (ev->amount > p.amount - p.refunded)
        return lty__err(e, LTY_EINVALID,
                        "refund amount: exceeds what is left of the purchase");
    if (s->net_spend < ev->amount)
        return lty__err(e, LTY_ECORRUPT,
                        "customer aggregates record: net spend below a "
                        "refundable purchase");
    /* p's strings live in rbuf, which the next read reuses. */
    if (p.item_len)
        memcpy(op->refund_item, p.item, p.item_len);
    op->refund_itemlen = p.item_len;
    op->purchase_amount = p.amount;
    op->refunded_before = p.refunded;
    p.refunded += ev->amount;
    if ((rc = lty__entry_encode(&p, &e->wbuf)))
        return lty__err(e, rc, "ledger entry: cannot encode");
    if ((rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL)))
        return rc;
    s->net_spend -= ev->amount;
    s->refunds++;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Visits                                                              */
/* ------------------------------------------------------------------ */

typedef struct day_scan {
    lty_engine *e;
    size_t plen;        /* length of the ledger prefix "C\0<id>\0L" */
    int64_t day;
    int64_t lo;         /* earliest UTC time that can fall on the day */
    int found;
    int corrupt;        /* which record failed: 1 key, 2 entry */
} day_scan;

static int day_scan_each(const char *key, size_t keylen, const void *val,
                         size_t len, uint64_t rev, void *ctx)
{
    day_scan *ds = ctx;
    lty__entry en;
    int64_t t, day;
    const char *evid;
    size_t evn;
    (void)rev;
    if (keylen < ds->plen ||
        !lty__key_parse_ledger(key + ds->plen - 1, keylen - ds->plen + 1, &t,
                               &evid, &evn) || evn == 0) {
        ds->corrupt = 1;
        return LTY_ECORRUPT;
    }
    if (t < ds->lo)
        return LTY_SCAN_STOP; /* newest first: the rest are earlier */
    if (lty__entry_decode(val, len, &en)) {
        ds->corrupt = 2;
        return LTY_ECORRUPT;
    }
    if (en.type != LTY_EVENT_VISIT && en.type != LTY_EVENT_PURCHASE)
        return LTY_OK;
    int rc = lty__local_day(ds->e, t, &day);
    if (rc)
        return rc;
    if (day == ds->day) {
        ds->found = 1;
        return LTY_SCAN_STOP;
    }
    return LTY_OK;
}

/* The UTC times that can fall on local day `day`.  A fixed offset gives the
 * day exactly; a time-zone callback may change the offset within the day,
 * so the range is widened by the largest offset either way and the scan
 * checks each entry's own local day. */
static void day_bounds(lty_engine *e, int64_t day, int64_t *lo, int64_t *hi)
{
    int64_t start = day * 86400;
    if (!e->tz) {
        *lo = start - (int64_t)e->utc_offset * 60;
        *hi = *lo + 86399;
    } else {
        *lo = start - OFFSET_MAX_SECONDS;
        *hi = start + 86399 + OFFSET_MAX_SECONDS;
    }
    if (*lo < LTY_TIME_MIN)
        *lo = LTY_TIME_MIN;
    if (*hi > LTY_TIME_MAX)
        *hi = LTY_TIME_MAX;
}

/* Is there already a visit or purchase on the local day of the event?
 * Only asked for a day between the first and the last visit's. */
static int day_has_visit(lty_engine *e, const record_op *op, int *found)
{
    lty__key prefix, after;
    day_scan ds;
    int64_t hi;
    memset(&ds, 0, sizeof ds);
    ds.e = e;
    ds.day = op->day;
    day_bounds(e, op->day, &ds.lo, &hi);
    lty__key_ledger_prefix(&prefix, op->ev->customer_id, op->cidlen);
    ds.plen = prefix.n;
    /* A key with no event id sorts just before every entry at time hi, and
     * after every later one: the scan starts at the end of the day. */
    lty__key_ledger(&after, op->ev->customer_id, op->cidlen, hi, "", 0);
    int rc = lty__scan(e, prefix.b, prefix.n, after.b, after.n, day_scan_each,
                       &ds);
    if (ds.corrupt)
        return lty__corrupt(e, LTY_ECORRUPT,
                            ds.corrupt == 1 ? "ledger key" : "ledger entry");
    if (rc)
        return rc;
    *found = ds.found;
    return LTY_OK;
}

/* Visits are counted once per local day, whatever order events come in. */
static int count_visit(lty_engine *e, record_op *op, const lty__stats *s,
                       int *counted)
{
    int64_t first_day, last_day;
    int rc, found = 0;
    *counted = 1;
    if (s->visits == 0)
        return LTY_OK;
    if ((rc = lty__local_day(e, s->last_visit, &last_day)))
        return rc;
    if (op->day > last_day)
        return LTY_OK; /* the usual case: a new, later day */
    if ((rc = lty__local_day(e, s->first_visit, &first_day)))
        return rc;
    if (op->day < first_day)
        return LTY_OK;
    if (op->day == last_day || op->day == first_day) {
        *counted = 0;
        return LTY_OK;
    }
    /* Out of order, between the first and the last visit: only the ledger
     * knows whether that day already had one. */
    if ((rc = day_has_visit(e, op, &found)))
        return rc;
    *counted = !found;
    return LTY_OK;
}

/* The item of the latest visit or purchase, ordered by (time, event id). */
static void update_last_item(const record_op *op, lty__stats *s)
{
    const lty_event *ev = op->ev;
    if (op->itemlen == 0)
        return;
    if (s->last_item[0] &&
        (op->time < s->last_item_time ||
         (op->time == s->last_item_time &&
          strcmp(ev->id, s->last_item_event) <= 0)))
        return;
    memcpy(s->last_item, ev->item, op->itemlen);
    s->last_item[op->itemlen] = '\0';
    memcpy(s->last_item_event, ev->id, op->idlen);
    s->last_item_event[op->idlen] = '\0';
    s->last_item_time = op->time;
}

static int apply_visit(lty_engine *e, record_op *op, lty__stats *s)
{
    int counted = 0;
    int rc = count_visit(e, op, s, &counted);
    if (rc)
        return rc;
    if (op->ev->type == LTY_EVENT_PURCHASE) {
        if (op->ev->amount > INT64_MAX - s->net_spend)
            return lty__err(e, LTY_ERANGE, "net spend: would overflow");
        s->net_spend += op->ev->amount;
        s->purchases++;
    }
    if (s->visits == 0) {
        s->first_visit = s->last_visit = op->time;
    } else {
        if (op->time < s->first_visit)
            s->first_visit = op->time;
        if (op->time > s->last_visit)
            s->last_visit = op->time;
    }
    s->visits += counted;
    op->visit_counted = counted;
    update_last_item(op, s);
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The transaction                                                     */
/* ------------------------------------------------------------------ */

static int check_customer(lty_engine *e, const record_op *op)
{
    lty__key k;
    lty__key_profile(&k, op->ev->customer_id, op->cidlen);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "customer: not found");
    return rc;
}

static int write_records(lty_engine *e, const record_op *op,
                         const lty__stats *s, uint64_t stats_rev,
                         const lty__earnings *earned)
{
    unsigned char earnings[LTY__EARNINGS_MAX];
    const lty_event *ev = op->ev;
    lty__entry en;
    int rc;
    memset(&en, 0, sizeof en);
    en.type = ev->type;
    en.amount = ev->amount;
    en.score = ev->type == LTY_EVENT_FEEDBACK ? ev->score : -1;
    if (ev->type == LTY_EVENT_REFUND) {
        en.item = op->refund_item;
        en.item_len = op->refund_itemlen;
    } else {
        en.item = ev->item;
        en.item_len = op->itemlen;
    }
    en.branch = ev->branch;
    en.branch_len = op->branchlen;
    en.refund_of = ev->refund_of;
    en.refund_of_len = op->reflen;
    en.comment = ev->comment;
    en.comment_len = op->commentlen;
    if (ev->type == LTY_EVENT_PURCHASE && earned->n) {
        en.earnings = earnings;
        en.earnings_len = lty__earnings_write(earned, earnings);
    }
    if ((rc = lty__entry_encode(&en, &e->wbuf)) ||
        (rc = lty__evindex_encode(ev->customer_id, op->cidlen, op->time,
                                  &e->wbuf2)))
        return lty__err(e, rc, "ledger entry: cannot encode");
    if ((rc = lty__put(e, op->ledger_key->b, op->ledger_key->n, e->wbuf.data,
                       e->wbuf.len, LTY_REV_NONE, NULL)))
        return rc;
    if ((rc = lty__put(e, op->event_key->b, op->event_key->n, e->wbuf2.data,
                       e->wbuf2.len, LTY_REV_NONE, NULL)))
        return rc;
    if ((rc = lty__stats_encode(s, &e->wbuf)))
        return lty__err(e, rc, "customer aggregates: cannot encode");
    return lty__put(e, op->stats_key->b, op->stats_key->n, e->wbuf.data,
                    e->wbuf.len, stats_rev, NULL);
}

/* lty__stats_load() with the key already built. */
static int load_stats(lty_engine *e, const record_op *op, lty__stats *s,
                      uint64_t *rev)
{
    int rc = lty__get(e, op->stats_key->b, op->stats_key->n, NULL, rev);
    if (rc == LTY_ENOTFOUND) {
        memset(s, 0, sizeof *s);
        *rev = LTY_REV_NONE;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if ((rc = lty__stats_decode(e->rbuf.data, e->rbuf.len, s)))
        return lty__corrupt(e, rc, "customer aggregates");
    return LTY_OK;
}

/* Let the programs react to the event (program_apply.c). */
static int programs_hook(lty_engine *e, record_op *op, const lty__stats *s,
                         const lty__earnings *refunded, lty__earnings *earned)
{
    const lty_event *ev = op->ev;
    lty__program_event pe;
    memset(&pe, 0, sizeof pe);
    pe.cid = ev->customer_id;
    pe.cn = op->cidlen;
    pe.evid = ev->id;
    pe.en = op->idlen;
    pe.type = ev->type;
    pe.time = op->time;
    pe.day = op->day;
    pe.amount = ev->amount;
    if (ev->type == LTY_EVENT_REFUND) {
        pe.item = op->refund_item;
        pe.itemlen = op->refund_itemlen;
    } else {
        pe.item = ev->item;
        pe.itemlen = op->itemlen;
    }
    pe.visit_counted = op->visit_counted;
    pe.visits = s->visits;
    pe.refund_of = ev->refund_of;
    pe.rn = op->reflen;
    pe.purchase_amount = op->purchase_amount;
    pe.refunded_before = op->refunded_before;
    pe.refunded = refunded;
    pe.earned = earned;
    return lty__programs_on_event(e, &pe, &op->fx);
}

/* Plan the aftercare recall of a treatment in the catalogue (treatment.c). */
static int aftercare_hook(lty_engine *e, const record_op *op)
{
    const lty_event *ev = op->ev;
    if ((ev->type != LTY_EVENT_VISIT && ev->type != LTY_EVENT_PURCHASE) ||
        op->itemlen == 0)
        return LTY_OK;
    return lty__aftercare_on_event(e, ev->customer_id, op->cidlen, ev->item,
                                   op->itemlen, op->day);
}

/* Let a referral of the customer move: a qualifying visit or purchase
 * completes and credits it, a refund of its qualifying purchase within the
 * window reverses it (referral.c). */
static int referral_hook(lty_engine *e, const record_op *op)
{
    const lty_event *ev = op->ev;
    lty__referral_event re;
    if (ev->type == LTY_EVENT_FEEDBACK)
        return LTY_OK;
    memset(&re, 0, sizeof re);
    re.cid = ev->customer_id;
    re.cn = op->cidlen;
    re.evid = ev->id;
    re.en = op->idlen;
    re.type = ev->type;
    re.time = op->time;
    re.amount = ev->amount;
    re.refund_of = ev->refund_of;
    re.rn = op->reflen;
    re.purchase_amount = op->purchase_amount;
    re.refunded_before = op->refunded_before;
    return lty__referral_on_event(e, &re);
}

static int record_body(lty_engine *e, void *arg)
{
    record_op *op = arg;
    lty__earnings earned, refunded;
    lty__stats s;
    uint64_t rev = 0;
    int dup = 0, rc;
    op->duplicate = op->visit_counted = 0;
    op->visits = op->net_spend = 0;
    op->refund_itemlen = 0;
    memset(&op->fx, 0, sizeof op->fx);
    earned.n = refunded.n = 0;
    /* The three keys every event touches, announced together so that a
     * backend can fetch them in parallel. */
    lty__prefetch(e, op->event_key->b, op->event_key->n);
    lty__prefetch(e, op->stats_key->b, op->stats_key->n);
    lty__prefetch(e, op->ledger_key->b, op->ledger_key->n);
    if (op->ev->type != LTY_EVENT_FEEDBACK && e->ops.prefetch) {
        /* the referral hook's one read */
        lty__key rk;
        lty__key_referral(&rk, op->ev->customer_id, op->cidlen);
        lty__prefetch(e, rk.b, rk.n);
    }
    if ((rc = check_duplicate(e, op, &dup)))
        return rc;
    if ((rc = load_stats(e, op, &s, &rev)))
        return rc;
    if (dup) {
        op->duplicate = 1;
    } else {
        if (rev == LTY_REV_NONE && (rc = check_customer(e, op)))
            return rc;
        switch (op->ev->type) {
        case LTY_EVENT_REFUND:
            rc = apply_refund(e, op, &s, &refunded);
            break;
        case LTY_EVENT_FEEDBACK:
            s.feedbacks++;
            break;
        default:
            rc = apply_visit(e, op, &s);
            break;
        }
        /* the programs first: the ledger entry keeps what a purchase
         * earned */
        if (rc || (rc = programs_hook(e, op, &s, &refunded, &earned)) ||
            (rc = aftercare_hook(e, op)) || (rc = referral_hook(e, op)) ||
            (rc = write_records(e, op, &s, rev, &earned)))
            return rc;
    }
    op->visits = s.visits;
    op->net_spend = s.net_spend;
    return LTY_OK;
}

/* The keys one event touches, built once before its transaction. */
typedef struct record_keys {
    lty__key event;
    lty__key stats;
    lty__key ledger;
} record_keys;

/* Validate one event (and the version of its outcome struct) and build its
 * keys: everything that can be settled before touching the store. */
static int prepare_op(lty_engine *e, const lty_event *ev,
                      const lty_record_outcome *outcome, record_op *op,
                      record_keys *k)
{
    if (!ev)
        return lty__err(e, LTY_EINVALID, "event: NULL");
    int rc = lty__check_version(e, "event", ev->version, LTY_EVENT_VERSION);
    if (rc)
        return rc;
    if (outcome && (rc = lty__check_version(e, "record outcome",
                                            outcome->version,
                                            LTY_RECORD_OUTCOME_VERSION)))
        return rc;
    memset(op, 0, sizeof *op);
    op->ev = ev;
    if ((rc = check_event(e, ev, op)))
        return rc;
    lty__key_event(&k->event, ev->id, op->idlen);
    lty__key_stats(&k->stats, ev->customer_id, op->cidlen);
    lty__key_ledger(&k->ledger, ev->customer_id, op->cidlen, op->time, ev->id,
                    op->idlen);
    op->event_key = &k->event;
    op->stats_key = &k->stats;
    op->ledger_key = &k->ledger;
    return LTY_OK;
}

static void fill_outcome(const record_op *op, lty_record_outcome *outcome)
{
    if (!outcome)
        return;
    /* Version 1 has every field; later versions only add to the end. */
    outcome->duplicate = op->duplicate;
    outcome->visit_counted = op->visit_counted;
    outcome->visits = op->visits;
    outcome->net_spend = op->net_spend;
    if (outcome->version >= 2) {
        outcome->promotions = op->fx.promotions;
        outcome->rewards = op->fx.rewards;
        memcpy(outcome->title, op->fx.title, sizeof outcome->title);
    }
}

int lty_record(lty_engine *e, const lty_event *ev, lty_record_outcome *outcome)
{
    record_op op;
    record_keys k;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = prepare_op(e, ev, outcome, &op, &k);
    if (rc == LTY_OK)
        rc = lty__txn(e, record_body, &op);
    if (rc == LTY_OK)
        fill_outcome(&op, outcome);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */
/* ------------------------------------------------------------------ */

typedef struct batch_op {
    record_op *ops;
    size_t n;
    size_t failed;          /* the event the body stopped at */
} batch_op;

static int batch_body(lty_engine *e, void *arg)
{
    batch_op *b = arg;
    b->failed = b->n;
    for (size_t i = 0; i < b->n; i++) {
        int rc = record_body(e, &b->ops[i]);
        if (rc) {
            b->failed = i;
            return rc;
        }
    }
    return LTY_OK;
}

/* Say which event of a batch the last error is about. */
static int batch_err(lty_engine *e, int rc, size_t index)
{
    char detail[LTY__ERRMSG_MAX];
    snprintf(detail, sizeof detail, "%s", e->err);
    return lty__err(e, rc, "events[%zu]: %s", index, detail);
}

int lty_record_batch(lty_engine *e, const lty_event *events, size_t count,
                     lty_record_outcome *outcomes, size_t *failed)
{
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (failed)
        *failed = count;
    if (!events)
        return lty__err(e, LTY_EINVALID, "events: NULL");
    if (count == 0 || count > LTY_BATCH_MAX)
        return lty__err(e, LTY_EINVALID, "events count: outside 1..%d",
                        LTY_BATCH_MAX);
    batch_op b = {NULL, count, count};
    record_keys *keys = NULL;
    int rc = LTY_OK;
    b.ops = lty__malloc(&e->alloc, count * sizeof *b.ops);
    keys = lty__malloc(&e->alloc, count * sizeof *keys);
    if (!b.ops || !keys)
        rc = lty__err(e, LTY_ENOMEM, "events: out of memory");
    for (size_t i = 0; rc == LTY_OK && i < count; i++) {
        if ((rc = prepare_op(e, &events[i], outcomes ? &outcomes[i] : NULL,
                             &b.ops[i], &keys[i]))) {
            b.failed = i;
            rc = batch_err(e, rc, i);
        }
    }
    if (rc == LTY_OK) {
        rc = lty__txn(e, batch_body, &b);
        if (rc && b.failed < count)
            rc = batch_err(e, rc, b.failed);
    }
    if (rc == LTY_OK) {
        for (size_t i = 0; outcomes && i < count; i++)
            fill_outcome(&b.ops[i], &outcomes[i]);
    } else if (failed) {
        *failed = b.failed;
    }
    lty__free(&e->alloc, b.ops);
    lty__free(&e->alloc, keys);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Recording inside another call's transaction                        */
/* ------------------------------------------------------------------ */

/* lty_record() for a module whose own transaction is already open (an
 * appointment's arrival records its visit with the state change): the same
 * checks and effects, without a transaction of its own. */
int lty__record_in_txn(lty_engine *e, const lty_event *ev,
                       lty_record_outcome *outcome)
{
    record_op op;
    record_keys k;
    int rc = prepare_op(e, ev, outcome, &op, &k);
    if (rc == LTY_OK)
        rc = record_body(e, &op);
    if (rc == LTY_OK)
        fill_outcome(&op, outcome);
    return rc;
}
