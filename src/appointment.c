/*
 * libloyalty - appointments: book, reschedule, cancel, arrive, no-show,
 * read and list; the reminder policy.  Statistics are in
 * appointment_stats.c, the records in appointment_record.c.
 *
 * Every change is one transaction: the appointment ("A\0<id>"), its two
 * indexes (the customer's "C\0<cid>\0B<start><id>" and the day's
 * "Y\0<day><start><id>"), its reminders in the outbox and, at arrival, the
 * visit in the ledger change together or not at all.
 *
 * Reminders.  The outbox never re-plans a message that was cancelled (or
 * sent), so a rescheduled appointment cannot reuse its reminder ids: each
 * schedule is a generation (1, 2, ...) and its messages are
 * "appt/<id>/<generation>/<offset>[/<channel>]".  The record keeps the
 * generation and the list of messages planned for it, so cancelling and
 * the statistics name each message exactly, without a prefix scan (an
 * appointment id may itself contain '/').
 *
 * Whether a reminder "went out" is the outbox's state of the message
 * (lty_outbox_get()).  A reschedule first reads, through that public call
 * and before its transaction, whether one of the current generation's
 * messages was sent or claimed, and keeps that fact in the record (the
 * "reminded" flag), since the next generation's ids replace the list.
 *
 * Error messages name fields and carry no customer data.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "appointment_int.h"
#include "codec_int.h"
#include "ledger_int.h"
#include "outbox_int.h"
#include "referral_int.h"
#include "validate_int.h"

#define SECONDS_PER_DAY INT64_C(86400)

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static void copy_text(char *dst, const char *src, size_t n)
{
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static const char *state_text(int state)
{
    switch (state) {
    case LTY_APPOINTMENT_ARRIVED: return "the customer already arrived";
    case LTY_APPOINTMENT_NO_SHOW: return "already marked as a no-show";
    case LTY_APPOINTMENT_CANCELLED: return "already cancelled";
    default: return "booked";
    }
}

static int check_customer(lty_engine *e, const char *cid, size_t cn)
{
    lty__key k;
    lty__key_profile(&k, cid, cn);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "customer: not found");
    return rc;
}

static int check_appt_id(lty_engine *e, const char *id, size_t *n)
{
    return lty__check_text(e, "appointment id", id, 1, LTY_APPOINTMENT_ID_MAX,
                           LTY__TEXT_LINE, n);
}

static int check_duration(lty_engine *e, int duration)
{
    if (duration < 1 || duration > LTY_APPOINTMENT_DURATION_MAX)
        return lty__err(e, LTY_EINVALID,
                        "appointment duration: outside 1..%d minutes",
                        LTY_APPOINTMENT_DURATION_MAX);
    return LTY_OK;
}

/* The start must be a valid time, and so must the end. */
static int check_start(lty_engine *e, int64_t start, int duration)
{
    int rc = lty__check_time(e, "appointment start", start);
    if (rc)
        return rc;
    if (start > LTY_TIME_MAX - (int64_t)duration * 60)
        return lty__err(e, LTY_EINVALID,
                        "appointment start: ends after 9999-12-31");
    return LTY_OK;
}

/* A record's view for the caller. */
static void appt_out(const lty__appt *a, const char *id, size_t n,
                     lty_appointment *o)
{
    copy_text(o->id, id, n);
    copy_text(o->customer_id, a->cid, a->cn);
    o->start = a->start;
    o->duration = a->duration;
    copy_text(o->item, a->item, a->itemn);
    copy_text(o->branch, a->branch, a->branchn);
    copy_text(o->staff, a->staff, a->staffn);
    o->state = (lty_appointment_state)a->state;
    o->booked = a->booked;
    o->closed = a->state == LTY_APPOINTMENT_BOOKED ? 0 : a->closed;
    o->generation = (int)a->generation;
    o->reminders = (int)a->nmsg;
}

static int put_record(lty_engine *e, const char *id, size_t n,
                      const lty__appt *a, uint64_t rev)
{
    lty__key k;
    int rc = lty__appt_encode(a, &e->wbuf);
    if (rc)
        return lty__err(e, rc, "appointment: cannot encode");
    lty__key_appt(&k, id, n);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

static int put_indexes(lty_engine *e, const char *id, size_t n,
                       const lty__appt *a)
{
    lty__key k;
    lty__key_appt_customer(&k, a->cid, a->cn, a->start, id, n);
    int rc = lty__put(e, k.b, k.n, "", 0, LTY_REV_NONE, NULL);
    if (rc)
        return rc;
    lty__key_appt_day(&k, a->day, a->start, id, n);
    return lty__put(e, k.b, k.n, "", 0, LTY_REV_NONE, NULL);
}

static int del_index(lty_engine *e, const lty__key *k)
{
    int rc = lty__del(e, k->b, k->n, LTY_REV_ANY);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ECORRUPT, "appointment index: entry missing");
    return rc;
}

static int del_indexes(lty_engine *e, const char *id, size_t n,
                       const lty__appt *a)
{
    lty__key k;
    lty__key_appt_customer(&k, a->cid, a->cn, a->start, id, n);
    int rc = del_index(e, &k);
    if (rc)
        return rc;
    lty__key_appt_day(&k, a->day, a->start, id, n);
    return del_index(e, &k);
}

/* ------------------------------------------------------------------ */
/* Reminders                                                           */
/* ------------------------------------------------------------------ */

static int policy_load(lty_engine *e, lty__rpolicy *p)
{
    lty__key k;
    lty__key_meta(&k, "reminders");
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND) {
        lty__rpolicy_default(p);
        return LTY_OK;
    }
    if (rc)
        return rc;
    if ((rc = lty__rpolicy_decode(e->rbuf.data, e->rbuf.len, p)))
        return lty__corrupt(e, rc, "reminder policy");
    return LTY_OK;
}

/* The template parameters of an appointment. */
typedef struct appt_params {
    char date[16];
    char time[8];
    lty_param p[5];
    size_t n;
} appt_params;

static int make_params(lty_engine *e, const lty__appt *a, appt_params *ap)
{
    int minutes = 0;
    lty_date d;
    int rc = lty__utc_offset(e, a->start, &minutes);
    if (rc)
        return rc;
    int64_t local = a->start + (int64_t)minutes * 60;
    int64_t day = lty__floordiv(local, SECONDS_PER_DAY);
    int64_t secs = local - day * SECONDS_PER_DAY;
    lty__civil_from_days(day, &d);
    snprintf(ap->date, sizeof ap->date, "%04d-%02d-%02d", d.year, d.month,
             d.day);
    snprintf(ap->time, sizeof ap->time, "%02d:%02d", (int)(secs / 3600),
             (int)(secs / 60 % 60));
    ap->n = 0;
    ap->p[ap->n].key = "date";
    ap->p[ap->n++].value = ap->date;
    ap->p[ap->n].key = "time";
    ap->p[ap->n++].value = ap->time;
    if (a->itemn) {
        ap->p[ap->n].key = "item";
        ap->p[ap->n++].value = a->item;
    }
    if (a->branchn) {
        ap->p[ap->n].key = "branch";
        ap->p[ap->n++].value = a->branch;
    }
    if (a->staffn) {
        ap->p[ap->n].key = "staff";
        ap->p[ap->n++].value = a->staff;
    }
    return LTY_OK;
}

/* Plan the policy for a's start under a's generation; reminders due before
 * now are skipped.  a->msg receives what was planned. */
static int plan_reminders(lty_engine *e, const char *id, size_t n,
                          lty__appt *a, int64_t now)
{
    lty__rpolicy pol;
    appt_params ap;
    char mid[LTY_MESSAGE_ID_MAX + 1];
    int rc = policy_load(e, &pol);
    if (rc)
        return rc;
    a->nmsg = 0;
    if (pol.n == 0)
        return LTY_OK;
    if ((rc = make_params(e, a, &ap)))
        return rc;
    for (size_t i = 0; i < pol.n; i++) {
        const lty__rpolicy_entry *en = &pol.e[i];
        int64_t due = a->start - en->offset;
        if (due < now || due < LTY_TIME_MIN)
            continue; /* already past: skipped, never sent late */
        uint64_t msg = (uint64_t)en->offset << 3 | (uint64_t)en->channel;
        lty__plan p;
        memset(&p, 0, sizeof p);
        p.idlen = lty__appt_message_id(mid, id, n, a->generation, msg);
        p.id = mid;
        p.cid = a->cid;
        p.cn = a->cn;
        p.template_id = en->template_id;
        p.purpose = LTY_PURPOSE_TRANSACTIONAL;
        p.channel = (lty_channel)en->channel;
        p.due = due;
        p.params = ap.p;
        p.nparams = ap.n;
        if ((rc = lty__plan_check(e, &p)) || (rc = lty__outbox_plan(e, &p)))
            return rc;
        a->msg[a->nmsg++] = msg;
    }
    return LTY_OK;
}

/* Cancel whatever of the current generation is still pending. */
static int cancel_reminders(lty_engine *e, const char *id, size_t n,
                            const lty__appt *a, const char *reason)
{
    char mid[LTY_MESSAGE_ID_MAX + 1];
    for (size_t i = 0; i < a->nmsg; i++) {
        size_t mn = lty__appt_message_id(mid, id, n, a->generation, a->msg[i]);
        int rc = lty__outbox_cancel(e, mid, mn, reason);
        if (rc)
            return rc;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Book                                                                */
/* ------------------------------------------------------------------ */

typedef struct book_op {
    const char *id;
    size_t n;
    lty__appt a;               /* the new appointment, checked */
    int64_t now;
} book_op;

static int same_text(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static int same_booking(const lty__appt *x, const lty__appt *y)
{
    return same_text(x->cid, x->cn, y->cid, y->cn) && x->start == y->start &&
           x->duration == y->duration &&
           same_text(x->item, x->itemn, y->item, y->itemn) &&
           same_text(x->branch, x->branchn, y->branch, y->branchn) &&
           same_text(x->staff, x->staffn, y->staff, y->staffn);
}

static int book_body(lty_engine *e, void *arg)
{
    book_op *op = arg;
    lty__appt a = op->a;
    lty__appt old;
    lty__key k;
    lty__key_appt(&k, op->id, op->n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_OK) {
        if ((rc = lty__appt_decode(e->rbuf.data, e->rbuf.len, &old)))
            return lty__corrupt(e, rc, "appointment");
        if (same_booking(&old, &a))
            return LTY_OK; /* a replay */
        return lty__err(e, LTY_EEXISTS,
                        "appointment id: already used for a different "
                        "appointment");
    }
    if (rc != LTY_ENOTFOUND)
        return rc;
    if ((rc = check_customer(e, a.cid, a.cn)) ||
        (rc = plan_reminders(e, op->id, op->n, &a, op->now)) ||
        (rc = put_record(e, op->id, op->n, &a, LTY_REV_NONE)) ||
        (rc = put_indexes(e, op->id, op->n, &a)))
        return rc;
    /* a referred customer's first booking moves the referral */
    return lty__referral_on_booked(e, a.cid, a.cn, op->now);
}

static int check_code(lty_engine *e, const char *field, const char *s,
                      char *buf, size_t *n)
{
    int rc = lty__check_text(e, field, s, 0, LTY_CODE_MAX, LTY__TEXT_LINE, n);
    if (rc)
        return rc;
    copy_text(buf, s ? s : "", *n);
    return LTY_OK;
}

static int check_spec(lty_engine *e, const lty_appointment_spec *s,
                      book_op *op)
{
    lty__appt *a = &op->a;
    int rc;
    memset(op, 0, sizeof *op);
    if (!s)
        return lty__err(e, LTY_EINVALID, "appointment spec: NULL");
    if ((rc = lty__check_version(e, "appointment spec", s->version,
                                 LTY_APPOINTMENT_SPEC_VERSION)))
        return rc;
    if ((rc = check_appt_id(e, s->id, &op->n)))
        return rc;
    op->id = s->id;
    if ((rc = lty__check_id(e, "customer id", s->customer_id, &a->cn)))
        return rc;
    copy_text(a->cid, s->customer_id, a->cn);
    if ((rc = check_duration(e, s->duration)) ||
        (rc = check_start(e, s->start, s->duration)))
        return rc;
    a->start = s->start;
    a->duration = s->duration;
    if ((rc = check_code(e, "appointment item", s->item, a->item,
                         &a->itemn)) ||
        (rc = check_code(e, "appointment branch", s->branch, a->branch,
                         &a->branchn)) ||
        (rc = check_code(e, "appointment staff", s->staff, a->staff,
                         &a->staffn)))
        return rc;
    /* outside the transaction: a failing time-zone callback fails first */
    if ((rc = lty__local_day(e, a->start, &a->day)))
        return rc;
    op->now = lty__now(e);
    a->state = LTY_APPOINTMENT_BOOKED;
    a->booked = op->now;
    a->generation = 1;
    return LTY_OK;
}

int lty_appointment_book(lty_engine *e, const lty_appointment_spec *spec)
{
    book_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_spec(e, spec, &op);
    if (rc)
        return rc;
    return lty__txn(e, book_body, &op);
}

/* ------------------------------------------------------------------ */
/* Reschedule                                                          */
/* ------------------------------------------------------------------ */

typedef struct resched_op {
    const char *id;
    size_t n;
    int64_t start;
    int duration;              /* 0: keep */
    int64_t day;               /* local day of start */
    int64_t now;
    int reminded;              /* a reminder of the current schedule went out */
} resched_op;

static int resched_body(lty_engine *e, void *arg)
{
    const resched_op *op = arg;
    lty__appt a;
    uint64_t rev = 0;
    int rc = lty__appt_load(e, op->id, op->n, &a, &rev);
    if (rc)
        return rc;
    if (a.state != LTY_APPOINTMENT_BOOKED)
        return lty__err(e, LTY_ESTATE, "appointment: %s",
                        state_text(a.state));
    int duration = op->duration ? op->duration : a.duration;
    if ((rc = check_start(e, op->start, duration)))
        return rc;
    if (op->start == a.start) {
        if (duration == a.duration)
            return LTY_OK;
        a.duration = duration; /* the same reminders still apply */
        return put_record(e, op->id, op->n, &a, rev);
    }
    if (a.generation >= LTY__APPT_GENERATION_MAX)
        return lty__err(e, LTY_ERANGE,
                        "appointment: rescheduled too many times");
    if ((rc = cancel_reminders(e, op->id, op->n, &a,
                               "appointment rescheduled")) ||
        (rc = del_indexes(e, op->id, op->n, &a)))
        return rc;
    if (op->reminded)
        a.reminded = 1;
    a.generation++;
    a.start = op->start;
    a.duration = duration;
    a.day = op->day;
    if ((rc = plan_reminders(e, op->id, op->n, &a, op->now)) ||
        (rc = put_record(e, op->id, op->n, &a, rev)))
        return rc;
    return put_indexes(e, op->id, op->n, &a);
}

/* Before the transaction: did a reminder of the schedule being replaced go
 * out (sent, or claimed by a dispatcher and so past cancelling)? */
static int reminded_before(lty_engine *e, resched_op *op)
{
    lty__appt a;
    char mid[LTY_MESSAGE_ID_MAX + 1];
    int rc = lty__appt_load(e, op->id, op->n, &a, NULL);
    if (rc)
        return rc;
    if (a.state != LTY_APPOINTMENT_BOOKED || a.start == op->start ||
        a.reminded)
        return LTY_OK; /* the transaction decides, or nothing to learn */
    for (size_t i = 0; i < a.nmsg && !op->reminded; i++) {
        lty_outbox_entry en = LTY_OUTBOX_ENTRY_INIT;
        lty__appt_message_id(mid, op->id, op->n, a.generation, a.msg[i]);
        rc = lty_outbox_get(e, mid, &en);
        if (rc == LTY_ENOTFOUND)
            continue;
        if (rc)
            return rc;
        if (en.state == LTY_MSG_SENT || en.state == LTY_MSG_CLAIMED)
            op->reminded = 1;
    }
    lty__err_clear(e);
    return LTY_OK;
}

int lty_appointment_reschedule(lty_engine *e, const char *id, int64_t start,
                               int duration)
{
    resched_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    int rc = check_appt_id(e, id, &op.n);
    if (rc)
        return rc;
    if (duration != 0 && (rc = check_duration(e, duration)))
        return rc;
    if ((rc = check_start(e, start, duration)))
        return rc;
    op.id = id;
    op.start = start;
    op.duration = duration;
    if ((rc = lty__local_day(e, start, &op.day)))
        return rc;
    op.now = lty__now(e);
    if ((rc = reminded_before(e, &op)))
        return rc;
    return lty__txn(e, resched_body, &op);
}

/* ------------------------------------------------------------------ */
/* Cancel, arrive, no-show                                             */
/* ------------------------------------------------------------------ */

typedef struct close_op {
    const char *id;
    size_t n;
    int to;                    /* the state to reach */
    int64_t when;              /* arrival: its time */
    int64_t now;
    const char *reason;        /* for the cancelled reminders */
    int want_outcome;
    lty_record_outcome outcome;
} close_op;

/* The visit an arrival records. */
static int record_visit(lty_engine *e, close_op *op, const lty__appt *a,
                        int64_t when)
{
    char evid[LTY_ID_MAX + 1];
    lty_event ev = LTY_EVENT_INIT;
    snprintf(evid, sizeof evid, "appt/%.*s", (int)op->n, op->id);
    ev.type = LTY_EVENT_VISIT;
    ev.id = evid;
    ev.customer_id = a->cid;
    ev.time = when;
    ev.item = a->itemn ? a->item : NULL;
    ev.branch = a->branchn ? a->branch : NULL;
    lty_record_outcome tmp = LTY_RECORD_OUTCOME_INIT;
    int rc = lty__record_in_txn(e, &ev, &tmp);
    if (rc == LTY_OK)
        op->outcome = tmp;
    return rc;
}

static int close_body(lty_engine *e, void *arg)
{
    close_op *op = arg;
    lty__appt a;
    uint64_t rev = 0;
    int rc = lty__appt_load(e, op->id, op->n, &a, &rev);
    if (rc)
        return rc;
    if (a.state == op->to) {
        /* a replay: nothing changes; an arrival reports its visit again
         * (as a duplicate) */
        if (op->to == LTY_APPOINTMENT_ARRIVED && op->want_outcome)
            return record_visit(e, op, &a, a.closed);
        return LTY_OK;
    }
    if (a.state != LTY_APPOINTMENT_BOOKED)
        return lty__err(e, LTY_ESTATE, "appointment: %s",
                        state_text(a.state));
    if (op->to == LTY_APPOINTMENT_NO_SHOW && op->now < a.start)
        return lty__err(e, LTY_ESTATE,
                        "appointment: has not started yet (a no-show is "
                        "marked after the start)");
    if ((rc = cancel_reminders(e, op->id, op->n, &a, op->reason)))
        return rc;
    int64_t closed = op->to == LTY_APPOINTMENT_ARRIVED ? op->when : op->now;
    if (op->to == LTY_APPOINTMENT_ARRIVED &&
        (rc = record_visit(e, op, &a, closed)))
        return rc;
    a.state = op->to;
    a.closed = closed;
    return put_record(e, op->id, op->n, &a, rev);
}

static int close_appt(lty_engine *e, const char *id, int to, int64_t when,
                      const char *reason, lty_record_outcome *outcome)
{
    close_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    int rc = check_appt_id(e, id, &op.n);
    if (rc)
        return rc;
    if (outcome && (rc = lty__check_version(e, "record outcome",
                                            outcome->version,
                                            LTY_RECORD_OUTCOME_VERSION)))
        return rc;
    op.id = id;
    op.to = to;
    op.now = lty__now(e);
    op.reason = reason;
    op.want_outcome = outcome != NULL;
    if (when == LTY_TIME_NOW)
        op.when = op.now;
    else if ((rc = lty__check_time(e, "arrival time", when)))
        return rc;
    else
        op.when = when;
    if ((rc = lty__txn(e, close_body, &op)))
        return rc;
    if (outcome) {
        /* only the fields the caller's version has */
        outcome->duplicate = op.outcome.duplicate;
        outcome->visit_counted = op.outcome.visit_counted;
        outcome->visits = op.outcome.visits;
        outcome->net_spend = op.outcome.net_spend;
        if (outcome->version >= 2) {
            outcome->promotions = op.outcome.promotions;
            outcome->rewards = op.outcome.rewards;
            memcpy(outcome->title, op.outcome.title, sizeof outcome->title);
        }
    }
    return LTY_OK;
}

int lty_appointment_cancel(lty_engine *e, const char *id)
{
    return close_appt(e, id, LTY_APPOINTMENT_CANCELLED, LTY_TIME_NOW,
                      "appointment cancelled", NULL);
}

int lty_appointment_arrive(lty_engine *e, const char *id, int64_t when,
                           lty_record_outcome *outcome)
{
    return close_appt(e, id, LTY_APPOINTMENT_ARRIVED, when,
                      "appointment kept", outcome);
}

int lty_appointment_no_show(lty_engine *e, const char *id)
{
    return close_appt(e, id, LTY_APPOINTMENT_NO_SHOW, LTY_TIME_NOW,
                      "appointment missed", NULL);
}

/* ------------------------------------------------------------------ */
/* Reads                                                               */
/* ------------------------------------------------------------------ */

int lty_appointment_get(lty_engine *e, const char *id, lty_appointment *out)
{
    lty__appt a;
    size_t n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "appointment: NULL output");
    int rc = lty__check_version(e, "appointment", out->version,
                                LTY_APPOINTMENT_VERSION);
    if (rc)
        return rc;
    if ((rc = check_appt_id(e, id, &n)))
        return rc;
    if ((rc = lty__appt_load(e, id, n, &a, NULL)))
        return rc;
    appt_out(&a, id, n, out);
    return LTY_OK;
}

/* A listing through an index whose keys end in "<start:8><appointment id>". */
typedef struct list_op {
    lty__key prefix;
    const char *cid;           /* per customer: the customer; else NULL */
    size_t cn;
    int64_t day;               /* per day: the day */
    lty_appointment *out;
    size_t cap;
    size_t total;
    int bad_key;
} list_op;

static int list_each(const char *key, size_t keylen, const void *val,
                     size_t len, uint64_t rev, void *ctx)
{
    list_op *op = ctx;
    (void)val;
    (void)len;
    (void)rev;
    size_t plen = op->prefix.n;
    if (keylen <= plen + 8 || keylen - plen - 8 > LTY_APPOINTMENT_ID_MAX) {
        op->bad_key = 1;
        return LTY_ECORRUPT;
    }
    const char *id = key + plen + 8;
    size_t n = keylen - plen - 8;
    if (memchr(id, 0, n) || !lty__text_valid(id, n, LTY__TEXT_LINE)) {
        op->bad_key = 1;
        return LTY_ECORRUPT;
    }
    if (op->total < op->cap) {
        uint64_t start = 0;
        for (size_t i = 0; i < 8; i++)
            start = start << 8 | (unsigned char)key[plen + i];
        copy_text(op->out[op->total].id, id, n);
        /* the key's start, checked against the record below */
        op->out[op->total].start = (int64_t)start;
    }
    op->total++;
    return LTY_OK;
}

static int list_body(lty_engine *e, void *arg)
{
    list_op *op = arg;
    op->total = 0;
    op->bad_key = 0;
    int rc;
    if (op->cid && (rc = check_customer(e, op->cid, op->cn)))
        return rc;
    rc = lty__scan(e, op->prefix.b, op->prefix.n, NULL, 0, list_each, op);
    if (op->bad_key)
        return lty__err(e, LTY_ECORRUPT, "appointment index key: malformed");
    if (rc)
        return rc;
    for (size_t i = 0; i < op->total && i < op->cap; i++) {
        lty_appointment *o = &op->out[i];
        size_t n = strlen(o->id);
        lty__appt a;
        rc = lty__appt_load(e, o->id, n, &a, NULL);
        if (rc == LTY_ENOTFOUND)
            return lty__err(e, LTY_ECORRUPT,
                            "appointment index: names a missing appointment");
        if (rc)
            return rc;
        if (a.start != o->start ||
            (op->cid && !same_text(a.cid, a.cn, op->cid, op->cn)) ||
            (!op->cid && a.day != op->day))
            return lty__err(e, LTY_ECORRUPT,
                            "appointment index: does not match the "
                            "appointment");
        appt_out(&a, o->id, n, o);
    }
    return LTY_OK;
}

static int list_start(lty_engine *e, lty_appointment *out, size_t cap,
                      size_t *count)
{
    if (!count)
        return lty__err(e, LTY_EINVALID, "appointment count: NULL output");
    *count = 0;
    if (cap && !out)
        return lty__err(e, LTY_EINVALID, "appointments: NULL output");
    for (size_t i = 0; i < cap; i++) {
        int rc = lty__check_version(e, "appointment", out[i].version,
                                    LTY_APPOINTMENT_VERSION);
        if (rc)
            return rc;
    }
    return LTY_OK;
}

int lty_appointment_list(lty_engine *e, const char *customer_id,
                         lty_appointment *out, size_t cap, size_t *count)
{
    list_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = list_start(e, out, cap, count);
    if (rc)
        return rc;
    memset(&op, 0, sizeof op);
    if ((rc = lty__check_id(e, "customer id", customer_id, &op.cn)))
        return rc;
    op.cid = customer_id;
    op.out = out;
    op.cap = cap;
    lty__key_appt_customer_prefix(&op.prefix, customer_id, op.cn);
    /* one transaction: the count and the appointments are one snapshot */
    if ((rc = lty__txn(e, list_body, &op)))
        return rc;
    *count = op.total;
    return LTY_OK;
}

int lty_appointment_list_day(lty_engine *e, const lty_date *day,
                             lty_appointment *out, size_t cap, size_t *count)
{
    list_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = list_start(e, out, cap, count);
    if (rc)
        return rc;
    if ((rc = lty__check_date(e, "day", day, 0)))
        return rc;
    memset(&op, 0, sizeof op);
    op.day = lty__days_from_civil(day->year, day->month, day->day);
    op.out = out;
    op.cap = cap;
    lty__key_appt_day_prefix(&op.prefix, op.day);
    if ((rc = lty__txn(e, list_body, &op)))
        return rc;
    *count = op.total;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The reminder policy                                                 */
/* ------------------------------------------------------------------ */

/* Flatten and check a policy: entries by offset (largest first), then by
 * channel. */
static int check_policy(lty_engine *e, const lty_reminder_policy *p,
                        lty__rpolicy *out)
{
    size_t order[LTY_REMINDERS_MAX];
    int rc;
    if (!p)
        return lty__err(e, LTY_EINVALID, "reminder policy: NULL");
    if ((rc = lty__check_version(e, "reminder policy", p->version,
                                 LTY_REMINDER_POLICY_VERSION)))
        return rc;
    if (p->count > LTY_REMINDERS_MAX)
        return lty__err(e, LTY_EINVALID,
                        "reminder policy count: outside 0..%d",
                        LTY_REMINDERS_MAX);
    for (size_t i = 0; i < p->count; i++) {
        const lty_reminder *r = &p->reminders[i];
        int templates = 0;
        if (r->offset < 1 || r->offset > LTY_REMINDER_OFFSET_MAX)
            return lty__err(e, LTY_EINVALID,
                            "reminders[%zu] offset: outside 1..%lld seconds",
                            i, (long long)LTY_REMINDER_OFFSET_MAX);
        for (size_t j = 0; j < i; j++)
            if (p->reminders[j].offset == r->offset)
                return lty__err(e, LTY_EINVALID,
                                "reminders[%zu] offset: given twice", i);
        for (int c = 0; c < LTY_REMINDER_CHANNELS; c++) {
            const char *t = r->template_id[c];
            char field[80];
            size_t n;
            snprintf(field, sizeof field, "reminders[%zu] template_id[%d]", i,
                     c);
            if (!memchr(t, 0, sizeof r->template_id[c]))
                return lty__err(e, LTY_EINVALID, "%s: not NUL-terminated",
                                field);
            if ((rc = lty__check_text(e, field, t, 0, LTY_MESSAGE_ID_MAX,
                                      LTY__TEXT_LINE, &n)))
                return rc;
            templates += n > 0;
        }
        if (!templates)
            return lty__err(e, LTY_EINVALID,
                            "reminders[%zu] template_id: none set", i);
        /* insertion by offset, largest first */
        size_t at = i;
        while (at > 0 && p->reminders[order[at - 1]].offset < r->offset) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
    }
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < p->count; i++) {
        const lty_reminder *r = &p->reminders[order[i]];
        for (int c = 0; c < LTY_REMINDER_CHANNELS; c++) {
            if (!r->template_id[c][0])
                continue;
            lty__rpolicy_entry *en = &out->e[out->n++];
            en->offset = r->offset;
            en->channel = c;
            memcpy(en->template_id, r->template_id[c],
                   sizeof en->template_id);
        }
    }
    return LTY_OK;
}

static int policy_set_body(lty_engine *e, void *arg)
{
    const lty__rpolicy *p = arg;
    lty__key k;
    int rc = lty__rpolicy_encode(p, &e->wbuf, &e->wbuf2);
    if (rc)
        return lty__err(e, rc, "reminder policy: cannot encode");
    lty__key_meta(&k, "reminders");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, LTY_REV_ANY,
                    NULL);
}

int lty_appointment_reminders_set(lty_engine *e,
                                  const lty_reminder_policy *policy)
{
    lty__rpolicy p;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_policy(e, policy, &p);
    if (rc)
        return rc;
    return lty__txn(e, policy_set_body, &p);
}

int lty_appointment_reminders_get(lty_engine *e, lty_reminder_policy *out)
{
    lty__rpolicy p;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "reminder policy: NULL output");
    int rc = lty__check_version(e, "reminder policy", out->version,
                                LTY_REMINDER_POLICY_VERSION);
    if (rc)
        return rc;
    if ((rc = policy_load(e, &p)))
        return rc;
    unsigned v = out->version;
    memset(out, 0, sizeof *out);
    out->version = v;
    for (size_t i = 0; i < p.n; i++) {
        if (out->count == 0 ||
            out->reminders[out->count - 1].offset != p.e[i].offset)
            out->reminders[out->count++].offset = p.e[i].offset;
        lty_reminder *r = &out->reminders[out->count - 1];
        memcpy(r->template_id[p.e[i].channel], p.e[i].template_id,
               sizeof r->template_id[0]);
    }
    return LTY_OK;
}
