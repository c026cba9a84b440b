/*
 * libloyalty tests - appointments: booking, the "312" reminders with
 * skip-past and replanning, cancel/arrive/no-show, the visit recorded at
 * arrival, the per-customer and per-day listings, the reminder policy,
 * no-show statistics, bad input, erasure and storage faults.
 *
 * Time is driven through the test clock (t.now).  The engine runs at
 * UTC+9 (Seoul); LTY_TEST_NOW is 2026-03-01T00:00:00Z, 09:00 in Seoul.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "faultworld.h"
#include "storedump.h"
#include "testutil.h"

#define MINUTE INT64_C(60)
#define HOUR INT64_C(3600)
#define DAY INT64_C(86400)
#define NOW LTY_TEST_NOW

static lty_test_env t;

static void setup(void)
{
    lty_test_env_open(&t);
    lty_test_customer(t.e, "c1", "Kim", "010-1234-5678");
    lty_test_customer(t.e, "c2", "Lee", "010-2222-3333");
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static int book_full(lty_engine *e, const char *id, const char *cid,
                     int64_t start, int duration, const char *item,
                     const char *branch, const char *staff)
{
    lty_appointment_spec s = LTY_APPOINTMENT_SPEC_INIT;
    s.id = id;
    s.customer_id = cid;
    s.start = start;
    s.duration = duration;
    s.item = item;
    s.branch = branch;
    s.staff = staff;
    return lty_appointment_book(e, &s);
}

static void book(const char *id, const char *cid, int64_t start,
                 const char *branch)
{
    int rc = book_full(t.e, id, cid, start, 30, "scaling", branch, "dr-kim");
    ck_assert_msg(rc == LTY_OK, "book %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(t.e));
}

static lty_appointment get(const char *id)
{
    lty_appointment a = LTY_APPOINTMENT_INIT;
    int rc = lty_appointment_get(t.e, id, &a);
    ck_assert_msg(rc == LTY_OK, "get %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(t.e));
    return a;
}

#define MAXMSG 32

/* The outbox messages of a customer (all states), in due order. */
static size_t messages(const char *cid, lty_outbox_entry *out)
{
    lty_outbox_filter f = {cid, (lty_message_state)0, 0, 0};
    size_t n = 0;
    for (size_t i = 0; i < MAXMSG; i++) {
        lty_outbox_entry init = LTY_OUTBOX_ENTRY_INIT;
        out[i] = init;
    }
    int rc = lty_outbox_list(t.e, &f, out, MAXMSG, &n);
    ck_assert_msg(rc == LTY_OK, "outbox list: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    ck_assert_uint_le(n, MAXMSG);
    return n;
}

static lty_outbox_entry message(const char *id)
{
    lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
    int rc = lty_outbox_get(t.e, id, &m);
    ck_assert_msg(rc == LTY_OK, "outbox get %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(t.e));
    return m;
}

static void assert_planned(const lty_outbox_entry *m, const char *id,
                           int64_t due)
{
    ck_assert_str_eq(m->id, id);
    ck_assert_int_eq(m->due, due);
    ck_assert_int_eq(m->state, LTY_MSG_PLANNED);
    ck_assert_int_eq(m->purpose, LTY_PURPOSE_TRANSACTIONAL);
    ck_assert_int_eq(m->channel, LTY_CHANNEL_NONE);
    ck_assert_str_eq(m->template_id, "appointment_reminder");
}

static int64_t visits_of(const char *cid)
{
    lty_customer *c = NULL;
    lty_customer_stats s = LTY_CUSTOMER_STATS_INIT;
    ck_assert_int_eq(lty_customer_get(t.e, cid, &c), LTY_OK);
    ck_assert_int_eq(lty_customer_stats_get(c, &s), LTY_OK);
    int64_t v = s.visits;
    lty_customer_free(c);
    return v;
}

/* ------------------------------------------------------------------ */
/* Planning: 312, skip-past                                            */
/* ------------------------------------------------------------------ */

START_TEST(five_days_ahead_plans_three_reminders_at_312)
{
    int64_t start = NOW + 5 * DAY + 3 * HOUR; /* 2026-03-06 12:00 Seoul */
    lty_outbox_entry m[MAXMSG];
    book("a1", "c1", start, "gangnam");
    ck_assert_uint_eq(messages("c1", m), 3);
    assert_planned(&m[0], "appt/a1/1/259200", start - 3 * DAY);
    assert_planned(&m[1], "appt/a1/1/86400", start - DAY);
    assert_planned(&m[2], "appt/a1/1/7200", start - 2 * HOUR);
    ck_assert_str_eq(m[0].customer_id, "c1");
    ck_assert_int_eq(m[0].planned, NOW);

    lty_appointment a = get("a1");
    ck_assert_str_eq(a.id, "a1");
    ck_assert_str_eq(a.customer_id, "c1");
    ck_assert_int_eq(a.start, start);
    ck_assert_int_eq(a.duration, 30);
    ck_assert_str_eq(a.item, "scaling");
    ck_assert_str_eq(a.branch, "gangnam");
    ck_assert_str_eq(a.staff, "dr-kim");
    ck_assert_int_eq(a.state, LTY_APPOINTMENT_BOOKED);
    ck_assert_int_eq(a.booked, NOW);
    ck_assert_int_eq(a.closed, 0);
    ck_assert_int_eq(a.generation, 1);
    ck_assert_int_eq(a.reminders, 3);
}
END_TEST

START_TEST(a_day_and_a_half_ahead_plans_only_the_1_day_and_2_hour_ones)
{
    int64_t start = NOW + 36 * HOUR;
    lty_outbox_entry m[MAXMSG];
    book("a1", "c1", start, NULL);
    ck_assert_uint_eq(messages("c1", m), 2);
    assert_planned(&m[0], "appt/a1/1/86400", start - DAY);
    assert_planned(&m[1], "appt/a1/1/7200", start - 2 * HOUR);
    ck_assert_int_eq(get("a1").reminders, 2);
}
END_TEST

START_TEST(an_hour_ahead_plans_none)
{
    lty_outbox_entry m[MAXMSG];
    book("a1", "c1", NOW + HOUR, NULL);
    ck_assert_uint_eq(messages("c1", m), 0);
    ck_assert_int_eq(get("a1").reminders, 0);
    /* exactly two hours ahead: the 2-hour reminder is due now, not past */
    book("a2", "c1", NOW + 2 * HOUR, NULL);
    ck_assert_uint_eq(messages("c1", m), 1);
    assert_planned(&m[0], "appt/a2/1/7200", NOW);
    /* in the past (an import): none */
    book("a3", "c1", NOW - DAY, NULL);
    ck_assert_uint_eq(messages("c1", m), 1);
}
END_TEST

/* The reminders carry {date} {time} {item} {branch} {staff} in local time
 * and go out through the messenger when due. */
typedef struct spool {
    int sent;
    char id[LTY_MESSAGE_ID_MAX + 1];
    char text[512];
    lty_channel channel;
} spool;

static int spool_send(const lty_message *msg, void *ud)
{
    spool *s = ud;
    s->sent++;
    snprintf(s->id, sizeof s->id, "%s", msg->id);
    snprintf(s->text, sizeof s->text, "%s", msg->text);
    s->channel = msg->channel;
    return LTY_OK;
}

static void use_spool(lty_engine *e, spool *s)
{
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = spool_send;
    memset(s, 0, sizeof *s);
    int rc = lty_messenger_register(e, &ops, s);
    ck_assert_msg(rc == LTY_OK, "messenger: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
    rc = lty_template_set(e, "appointment_reminder", LTY_CHANNEL_SMS, "",
                          "{date} {time} {item} {branch} {staff}");
    ck_assert_msg(rc == LTY_OK, "template: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
}

static void dispatch(size_t expect_sent)
{
    lty_dispatch_report r;
    memset(&r, 0, sizeof r);
    int rc = lty_outbox_dispatch(t.e, LTY_TIME_NOW, 100, &r);
    ck_assert_msg(rc == LTY_OK, "dispatch: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    ck_assert_uint_eq(r.sent, expect_sent);
}

START_TEST(reminders_render_local_date_time_and_codes)
{
    spool s;
    use_spool(t.e, &s);
    int64_t start = NOW + 5 * DAY + 5 * HOUR + 30 * MINUTE; /* 14:30 Seoul */
    book("a1", "c1", start, "gangnam");
    dispatch(0);
    t.now = start - 3 * DAY;
    dispatch(1);
    ck_assert_str_eq(s.id, "appt/a1/1/259200");
    ck_assert_str_eq(s.text, "2026-03-06 14:30 scaling gangnam dr-kim");
    ck_assert_int_eq(s.channel, LTY_CHANNEL_SMS);
    ck_assert_int_eq(message("appt/a1/1/259200").state, LTY_MSG_SENT);
    t.now = start - DAY;
    dispatch(1);
    ck_assert_str_eq(s.id, "appt/a1/1/86400");
    t.now = start - 2 * HOUR;
    dispatch(1);
    ck_assert_str_eq(s.id, "appt/a1/1/7200");
    ck_assert_int_eq(s.sent, 3);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Reschedule                                                          */
/* ------------------------------------------------------------------ */

START_TEST(rescheduling_moves_the_reminders)
{
    int64_t start = NOW + 5 * DAY + 3 * HOUR;
    int64_t later = start + 5 * DAY;
    lty_outbox_entry m[MAXMSG];
    book("a1", "c1", start, NULL);
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a1", later, 60), LTY_OK);
    ck_assert_uint_eq(messages("c1", m), 6);
    /* the old ones are cancelled with the reason, the new ones planned
     * under generation 2 */
    const char *old[] = {"appt/a1/1/259200", "appt/a1/1/86400",
                         "appt/a1/1/7200"};
    for (int i = 0; i < 3; i++) {
        lty_outbox_entry o = message(old[i]);
        ck_assert_int_eq(o.state, LTY_MSG_CANCELLED);
        ck_assert_str_eq(o.reason, "appointment rescheduled");
    }
    assert_planned(&m[3], "appt/a1/2/259200", later - 3 * DAY);
    assert_planned(&m[4], "appt/a1/2/86400", later - DAY);
    assert_planned(&m[5], "appt/a1/2/7200", later - 2 * HOUR);
    lty_appointment a = get("a1");
    ck_assert_int_eq(a.start, later);
    ck_assert_int_eq(a.duration, 60);
    ck_assert_int_eq(a.generation, 2);
    ck_assert_int_eq(a.reminders, 3);

    /* nearer, the next day: the 3-day and 1-day ones would be past */
    t.now = NOW + DAY;
    int64_t soon = t.now + 20 * HOUR;
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a1", soon, 0), LTY_OK);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(message(i == 0 ? "appt/a1/2/259200" :
                                 i == 1 ? "appt/a1/2/86400" :
                                          "appt/a1/2/7200").state,
                         LTY_MSG_CANCELLED);
    ck_assert_uint_eq(messages("c1", m), 7);
    /* due order: the new one comes before every cancelled one */
    assert_planned(&m[0], "appt/a1/3/7200", soon - 2 * HOUR);
    a = get("a1");
    ck_assert_int_eq(a.duration, 60); /* 0 kept it */
    ck_assert_int_eq(a.generation, 3);
    ck_assert_int_eq(a.reminders, 1);

    /* the same time again changes nothing; a new duration only that */
    char *before = lty_test_dump(&t.ops, t.ud);
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a1", soon, 60), LTY_OK);
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a1", soon, 90), LTY_OK);
    a = get("a1");
    ck_assert_int_eq(a.duration, 90);
    ck_assert_int_eq(a.generation, 3);
    ck_assert_uint_eq(messages("c1", m), 7);
}
END_TEST

START_TEST(a_sent_reminder_stays_sent_and_the_new_time_gets_its_own)
{
    spool s;
    use_spool(t.e, &s);
    int64_t start = NOW + 5 * DAY;
    book("a1", "c1", start, NULL);
    t.now = start - 3 * DAY;
    dispatch(1);
    /* moved a week later: the 3-day reminder is planned again, under a new
     * id, for the new time */
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a1", start + 7 * DAY, 0),
                     LTY_OK);
    ck_assert_int_eq(message("appt/a1/1/259200").state, LTY_MSG_SENT);
    ck_assert_int_eq(message("appt/a1/1/86400").state, LTY_MSG_CANCELLED);
    ck_assert_int_eq(message("appt/a1/2/259200").due, start + 4 * DAY);
    ck_assert_int_eq(message("appt/a1/2/259200").state, LTY_MSG_PLANNED);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Closing                                                             */
/* ------------------------------------------------------------------ */

static void assert_all_cancelled(const char *appt, int gen, const char *reason)
{
    static const char *const offsets[] = {"259200", "86400", "7200"};
    for (int i = 0; i < 3; i++) {
        char id[128];
        snprintf(id, sizeof id, "appt/%s/%d/%s", appt, gen, offsets[i]);
        lty_outbox_entry m = message(id);
        ck_assert_msg(m.state == LTY_MSG_CANCELLED, "%s: state %d", id,
                      (int)m.state);
        ck_assert_str_eq(m.reason, reason);
    }
}

START_TEST(cancel_arrival_and_no_show_cancel_pending_reminders)
{
    int64_t start = NOW + 5 * DAY;
    book("a1", "c1", start, NULL);
    book("a2", "c1", start + HOUR, NULL);
    book("a3", "c2", start + 2 * HOUR, NULL);

    ck_assert_int_eq(lty_appointment_cancel(t.e, "a1"), LTY_OK);
    assert_all_cancelled("a1", 1, "appointment cancelled");
    lty_appointment a = get("a1");
    ck_assert_int_eq(a.state, LTY_APPOINTMENT_CANCELLED);
    ck_assert_int_eq(a.closed, NOW);

    /* arriving early (a walk-in before the booked time) */
    t.now = NOW + DAY;
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a2", LTY_TIME_NOW, NULL),
                     LTY_OK);
    assert_all_cancelled("a2", 1, "appointment kept");
    a = get("a2");
    ck_assert_int_eq(a.state, LTY_APPOINTMENT_ARRIVED);
    ck_assert_int_eq(a.closed, NOW + DAY);

    /* a no-show is marked after the start */
    ck_assert_int_eq(lty_appointment_no_show(t.e, "a3"), LTY_ESTATE);
    lty_assert_err_mentions(t.e, "not started");
    t.now = start + 3 * HOUR;
    ck_assert_int_eq(lty_appointment_no_show(t.e, "a3"), LTY_OK);
    /* the 3-day and 1-day ones were never dispatched: still pending, so
     * cancelled; so was the 2-hour one */
    assert_all_cancelled("a3", 1, "appointment missed");
    ck_assert_int_eq(get("a3").state, LTY_APPOINTMENT_NO_SHOW);
}
END_TEST

START_TEST(arrival_records_one_visit_with_the_item_and_branch)
{
    int64_t start = NOW + 2 * HOUR;
    book("a1", "c1", start, "gangnam");
    ck_assert_int_eq(visits_of("c1"), 0);
    t.now = start - 10 * MINUTE;
    lty_record_outcome o = LTY_RECORD_OUTCOME_INIT;
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a1", LTY_TIME_NOW, &o),
                     LTY_OK);
    ck_assert_int_eq(o.duplicate, 0);
    ck_assert_int_eq(o.visit_counted, 1);
    ck_assert_int_eq(o.visits, 1);
    ck_assert_int_eq(visits_of("c1"), 1);

    lty_history *h = NULL;
    lty_event ev = LTY_EVENT_INIT;
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 10, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 1);
    ck_assert_int_eq(lty_history_get(h, 0, &ev), LTY_OK);
    ck_assert_str_eq(ev.id, "appt/a1");
    ck_assert_int_eq(ev.type, LTY_EVENT_VISIT);
    ck_assert_int_eq(ev.time, start - 10 * MINUTE);
    ck_assert_str_eq(ev.item, "scaling");
    ck_assert_str_eq(ev.branch, "gangnam");
    lty_history_free(h);

    /* replaying the arrival, later, records nothing twice */
    t.now = start + DAY;
    lty_record_outcome o2 = LTY_RECORD_OUTCOME_INIT;
    char *before = lty_test_dump(&t.ops, t.ud);
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a1", LTY_TIME_NOW, &o2),
                     LTY_OK);
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a1", LTY_TIME_NOW, NULL),
                     LTY_OK);
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ck_assert_int_eq(o2.duplicate, 1);
    ck_assert_int_eq(o2.visits, 1);
    ck_assert_int_eq(visits_of("c1"), 1);
    ck_assert_int_eq(get("a1").closed, start - 10 * MINUTE);

    /* an explicit arrival time; a second appointment the same local day
     * counts no second visit */
    book("a2", "c1", start + 3 * HOUR, NULL);
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a2", start + 3 * HOUR, &o),
                     LTY_OK);
    ck_assert_int_eq(o.visit_counted, 0);
    ck_assert_int_eq(visits_of("c1"), 1);
    ck_assert_int_eq(get("a2").closed, start + 3 * HOUR);
}
END_TEST

START_TEST(an_event_id_taken_by_the_host_fails_the_arrival_cleanly)
{
    book("a1", "c1", NOW + HOUR, NULL);
    lty_test_event(t.e, "appt/a1", "c1", NOW - DAY, 5000, NULL);
    char *before = lty_test_dump(&t.ops, t.ud);
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a1", LTY_TIME_NOW, NULL),
                     LTY_EEXISTS);
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ck_assert_int_eq(get("a1").state, LTY_APPOINTMENT_BOOKED);
}
END_TEST

START_TEST(state_rules)
{
    book("a1", "c1", NOW + DAY, NULL);
    book("a2", "c1", NOW + DAY, NULL);
    book("a3", "c1", NOW - HOUR, NULL);

    ck_assert_int_eq(lty_appointment_cancel(t.e, "a1"), LTY_OK);
    ck_assert_int_eq(lty_appointment_cancel(t.e, "a1"), LTY_OK); /* replay */
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a1", LTY_TIME_NOW, NULL),
                     LTY_ESTATE);
    lty_assert_err_mentions(t.e, "cancelled");
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a1", NOW + 2 * DAY, 0),
                     LTY_ESTATE);
    ck_assert_int_eq(lty_appointment_no_show(t.e, "a1"), LTY_ESTATE);

    ck_assert_int_eq(lty_appointment_arrive(t.e, "a2", LTY_TIME_NOW, NULL),
                     LTY_OK);
    ck_assert_int_eq(lty_appointment_cancel(t.e, "a2"), LTY_ESTATE);
    lty_assert_err_mentions(t.e, "arrived");
    ck_assert_int_eq(lty_appointment_no_show(t.e, "a2"), LTY_ESTATE);
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a2", NOW + 2 * DAY, 0),
                     LTY_ESTATE);

    ck_assert_int_eq(lty_appointment_no_show(t.e, "a3"), LTY_OK);
    ck_assert_int_eq(lty_appointment_no_show(t.e, "a3"), LTY_OK); /* replay */
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a3", LTY_TIME_NOW, NULL),
                     LTY_ESTATE);
    lty_assert_err_mentions(t.e, "no-show");
    ck_assert_int_eq(lty_appointment_cancel(t.e, "a3"), LTY_ESTATE);

    /* unknown appointments and customers */
    lty_appointment a = LTY_APPOINTMENT_INIT;
    ck_assert_int_eq(lty_appointment_get(t.e, "zz", &a), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_appointment_cancel(t.e, "zz"), LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "appointment");
    ck_assert_int_eq(lty_appointment_arrive(t.e, "zz", LTY_TIME_NOW, NULL),
                     LTY_ENOTFOUND);
    ck_assert_int_eq(lty_appointment_no_show(t.e, "zz"), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "zz", NOW + DAY, 0),
                     LTY_ENOTFOUND);
    ck_assert_int_eq(book_full(t.e, "a9", "nobody", NOW + DAY, 30, NULL, NULL,
                               NULL),
                     LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "customer");
    size_t n = 0;
    ck_assert_int_eq(lty_appointment_list(t.e, "nobody", NULL, 0, &n),
                     LTY_ENOTFOUND);
}
END_TEST

START_TEST(booking_again_is_idempotent_and_other_content_is_refused)
{
    book("a1", "c1", NOW + 5 * DAY, "gangnam");
    char *before = lty_test_dump(&t.ops, t.ud);
    t.now = NOW + HOUR; /* a replay later changes nothing either */
    book("a1", "c1", NOW + 5 * DAY, "gangnam");
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(after);
    ck_assert_int_eq(book_full(t.e, "a1", "c1", NOW + 5 * DAY, 45, "scaling",
                               "gangnam", "dr-kim"),
                     LTY_EEXISTS);
    lty_assert_err_mentions(t.e, "appointment id");
    ck_assert_int_eq(book_full(t.e, "a1", "c2", NOW + 5 * DAY, 30, "scaling",
                               "gangnam", "dr-kim"),
                     LTY_EEXISTS);
    ck_assert_int_eq(book_full(t.e, "a1", "c1", NOW + 5 * DAY, 30, "scaling",
                               "jamsil", "dr-kim"),
                     LTY_EEXISTS);
    after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* a replay after it was cancelled does not bring it back */
    ck_assert_int_eq(lty_appointment_cancel(t.e, "a1"), LTY_OK);
    book("a1", "c1", NOW + 5 * DAY, "gangnam");
    ck_assert_int_eq(get("a1").state, LTY_APPOINTMENT_CANCELLED);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Listings                                                            */
/* ------------------------------------------------------------------ */

START_TEST(a_customers_appointments_in_time_order)
{
    book("late", "c1", NOW + 9 * DAY, NULL);
    book("early", "c1", NOW + 2 * DAY, NULL);
    book("mid", "c1", NOW + 4 * DAY, NULL);
    book("other", "c2", NOW + 3 * DAY, NULL);
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "late", NOW + DAY, 0),
                     LTY_OK);
    ck_assert_int_eq(lty_appointment_cancel(t.e, "mid"), LTY_OK);

    lty_appointment a[4];
    for (int i = 0; i < 4; i++) {
        lty_appointment init = LTY_APPOINTMENT_INIT;
        a[i] = init;
    }
    size_t n = 0;
    ck_assert_int_eq(lty_appointment_list(t.e, "c1", a, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(a[0].id, "late");
    ck_assert_int_eq(a[0].start, NOW + DAY);
    ck_assert_str_eq(a[1].id, "early");
    ck_assert_str_eq(a[2].id, "mid");
    ck_assert_int_eq(a[2].state, LTY_APPOINTMENT_CANCELLED);
    /* counting only, and a short array */
    ck_assert_int_eq(lty_appointment_list(t.e, "c1", NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(lty_appointment_list(t.e, "c1", a, 1, &n), LTY_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(a[0].id, "late");
    ck_assert_int_eq(lty_appointment_list(t.e, "c2", a, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(a[0].id, "other");
}
END_TEST

START_TEST(the_days_appointments_by_local_day)
{
    /* 2026-03-02 in Seoul runs from 2026-03-01T15:00Z to 03-02T15:00Z */
    int64_t day_start = NOW + 15 * HOUR;
    book("before", "c1", day_start - 30 * MINUTE, NULL); /* 03-01 23:30 */
    book("first", "c1", day_start + 30 * MINUTE, NULL);  /* 03-02 00:30 */
    book("noon", "c2", day_start + 12 * HOUR, NULL);     /* 03-02 12:00 */
    book("last", "c1", day_start + 23 * HOUR, NULL);     /* 03-02 23:00 */
    book("after", "c2", day_start + 24 * HOUR, NULL);    /* 03-03 00:00 */
    book("moved", "c2", day_start + 25 * HOUR, NULL);
    ck_assert_int_eq(
        lty_appointment_reschedule(t.e, "moved", day_start + 9 * HOUR, 0),
        LTY_OK);

    lty_appointment a[8];
    for (int i = 0; i < 8; i++) {
        lty_appointment init = LTY_APPOINTMENT_INIT;
        a[i] = init;
    }
    lty_date d = {2026, 3, 2};
    size_t n = 0;
    ck_assert_int_eq(lty_appointment_list_day(t.e, &d, a, 8, &n), LTY_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(a[0].id, "first");
    ck_assert_str_eq(a[1].id, "moved");
    ck_assert_str_eq(a[2].id, "noon");
    ck_assert_str_eq(a[3].id, "last");
    ck_assert_str_eq(a[1].customer_id, "c2");
    lty_date d3 = {2026, 3, 3};
    ck_assert_int_eq(lty_appointment_list_day(t.e, &d3, a, 8, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(a[0].id, "after");
    lty_date d1 = {2026, 3, 1};
    ck_assert_int_eq(lty_appointment_list_day(t.e, &d1, a, 1, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(a[0].id, "before");
    lty_date empty = {2026, 4, 1};
    ck_assert_int_eq(lty_appointment_list_day(t.e, &empty, a, 8, &n), LTY_OK);
    ck_assert_uint_eq(n, 0);
    lty_date bad = {2026, 2, 29};
    ck_assert_int_eq(lty_appointment_list_day(t.e, &bad, a, 8, &n),
                     LTY_EINVALID);
    lty_date noyear = {0, 3, 2};
    ck_assert_int_eq(lty_appointment_list_day(t.e, &noyear, a, 8, &n),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_list_day(t.e, NULL, a, 8, &n),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_list_day(t.e, &d, a, 8, NULL),
                     LTY_EINVALID);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The reminder policy                                                 */
/* ------------------------------------------------------------------ */

START_TEST(the_default_policy_is_312)
{
    lty_reminder_policy p;
    memset(&p, 0xA5, sizeof p);
    p.version = LTY_REMINDER_POLICY_VERSION;
    ck_assert_int_eq(lty_appointment_reminders_get(t.e, &p), LTY_OK);
    ck_assert_uint_eq(p.count, 3);
    ck_assert_int_eq(p.reminders[0].offset, 3 * DAY);
    ck_assert_int_eq(p.reminders[1].offset, DAY);
    ck_assert_int_eq(p.reminders[2].offset, 2 * HOUR);
    for (int i = 0; i < 3; i++) {
        ck_assert_str_eq(p.reminders[i].template_id[LTY_CHANNEL_NONE],
                         "appointment_reminder");
        for (int c = 1; c < LTY_REMINDER_CHANNELS; c++)
            ck_assert_str_eq(p.reminders[i].template_id[c], "");
    }
}
END_TEST

START_TEST(a_policy_with_channels_and_a_staff_notice)
{
    lty_reminder_policy p = LTY_REMINDER_POLICY_INIT;
    p.count = 2;
    p.reminders[0].offset = HOUR; /* given out of order */
    strcpy(p.reminders[0].template_id[LTY_CHANNEL_NONE], "soon");
    p.reminders[1].offset = DAY;
    strcpy(p.reminders[1].template_id[LTY_CHANNEL_SMS], "day_sms");
    strcpy(p.reminders[1].template_id[LTY_CHANNEL_STAFF], "day_desk");
    ck_assert_int_eq(lty_appointment_reminders_set(t.e, &p), LTY_OK);

    lty_reminder_policy q;
    memset(&q, 0, sizeof q);
    q.version = LTY_REMINDER_POLICY_VERSION;
    ck_assert_int_eq(lty_appointment_reminders_get(t.e, &q), LTY_OK);
    ck_assert_uint_eq(q.count, 2);
    ck_assert_int_eq(q.reminders[0].offset, DAY);
    ck_assert_str_eq(q.reminders[0].template_id[LTY_CHANNEL_SMS], "day_sms");
    ck_assert_str_eq(q.reminders[0].template_id[LTY_CHANNEL_STAFF],
                     "day_desk");
    ck_assert_str_eq(q.reminders[0].template_id[LTY_CHANNEL_NONE], "");
    ck_assert_int_eq(q.reminders[1].offset, HOUR);
    ck_assert_str_eq(q.reminders[1].template_id[LTY_CHANNEL_NONE], "soon");

    int64_t start = NOW + 2 * DAY;
    lty_outbox_entry m[MAXMSG];
    book("b1", "c1", start, NULL);
    ck_assert_uint_eq(messages("c1", m), 3);
    ck_assert_str_eq(m[0].id, "appt/b1/1/86400/sms");
    ck_assert_int_eq(m[0].channel, LTY_CHANNEL_SMS);
    ck_assert_str_eq(m[0].template_id, "day_sms");
    ck_assert_int_eq(m[0].due, start - DAY);
    ck_assert_str_eq(m[1].id, "appt/b1/1/86400/staff");
    ck_assert_int_eq(m[1].channel, LTY_CHANNEL_STAFF);
    ck_assert_int_eq(m[1].due, start - DAY);
    ck_assert_str_eq(m[2].id, "appt/b1/1/3600");
    ck_assert_int_eq(m[2].channel, LTY_CHANNEL_NONE);
    ck_assert_int_eq(m[2].due, start - HOUR);
    ck_assert_int_eq(get("b1").reminders, 3);
    ck_assert_int_eq(lty_appointment_cancel(t.e, "b1"), LTY_OK);
    ck_assert_int_eq(message("appt/b1/1/86400/staff").state,
                     LTY_MSG_CANCELLED);

    /* no reminders at all */
    memset(&p, 0, sizeof p);
    p.version = LTY_REMINDER_POLICY_VERSION;
    ck_assert_int_eq(lty_appointment_reminders_set(t.e, &p), LTY_OK);
    book("b2", "c2", start, NULL);
    ck_assert_uint_eq(messages("c2", m), 0);
    ck_assert_int_eq(lty_appointment_reminders_get(t.e, &q), LTY_OK);
    ck_assert_uint_eq(q.count, 0);
}
END_TEST

typedef struct bad_policy {
    const char *name;
    void (*make)(lty_reminder_policy *p);
    int code;
    const char *mentions;
} bad_policy;

static void pol_base(lty_reminder_policy *p)
{
    memset(p, 0, sizeof *p);
    p->version = LTY_REMINDER_POLICY_VERSION;
    p->count = 1;
    p->reminders[0].offset = DAY;
    strcpy(p->reminders[0].template_id[0], "t");
}
static void pol_version(lty_reminder_policy *p) { pol_base(p); p->version = 2; }
static void pol_count(lty_reminder_policy *p) { pol_base(p); p->count = 9; }
static void pol_offset0(lty_reminder_policy *p) { pol_base(p); p->reminders[0].offset = 0; }
static void pol_offset_neg(lty_reminder_policy *p) { pol_base(p); p->reminders[0].offset = -DAY; }
static void pol_offset_big(lty_reminder_policy *p)
{
    pol_base(p);
    p->reminders[0].offset = LTY_REMINDER_OFFSET_MAX + 1;
}
static void pol_twice(lty_reminder_policy *p)
{
    pol_base(p);
    p->count = 2;
    p->reminders[1] = p->reminders[0];
}
static void pol_none(lty_reminder_policy *p)
{
    pol_base(p);
    p->reminders[0].template_id[0][0] = '\0';
}
static void pol_control(lty_reminder_policy *p)
{
    pol_base(p);
    strcpy(p->reminders[0].template_id[2], "a\tb");
}
static void pol_unterminated(lty_reminder_policy *p)
{
    pol_base(p);
    memset(p->reminders[0].template_id[3], 'x',
           sizeof p->reminders[0].template_id[3]);
}

static const bad_policy bad_policies[] = {
    {"version", pol_version, LTY_EVERSION, "reminder policy"},
    {"count", pol_count, LTY_EINVALID, "reminder policy count"},
    {"offset 0", pol_offset0, LTY_EINVALID, "reminders[0] offset"},
    {"offset negative", pol_offset_neg, LTY_EINVALID, "reminders[0] offset"},
    {"offset too big", pol_offset_big, LTY_EINVALID, "reminders[0] offset"},
    {"offset twice", pol_twice, LTY_EINVALID, "reminders[1] offset"},
    {"no template", pol_none, LTY_EINVALID, "reminders[0] template_id"},
    {"control character", pol_control, LTY_EINVALID,
     "reminders[0] template_id[2]"},
    {"unterminated", pol_unterminated, LTY_EINVALID,
     "reminders[0] template_id[3]"},
};

START_TEST(bad_policies_are_refused_naming_the_field)
{
    lty_reminder_policy p;
    bad_policies[_i].make(&p);
    char *before = lty_test_dump(&t.ops, t.ud);
    int rc = lty_appointment_reminders_set(t.e, &p);
    ck_assert_msg(rc == bad_policies[_i].code, "%s: %s", bad_policies[_i].name,
                  lty_strerror(rc));
    lty_assert_err_mentions(t.e, bad_policies[_i].mentions);
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Bad input                                                           */
/* ------------------------------------------------------------------ */

static const char long60[] =
    "123456789012345678901234567890123456789012345678901234567890";
static const char long65[] =
    "12345678901234567890123456789012345678901234567890123456789012345";

typedef struct bad_spec {
    const char *name;
    void (*make)(lty_appointment_spec *s);
    int code;
    const char *mentions;
} bad_spec;

static void sp_base(lty_appointment_spec *s)
{
    lty_appointment_spec init = LTY_APPOINTMENT_SPEC_INIT;
    *s = init;
    s->id = "a1";
    s->customer_id = "c1";
    s->start = NOW + DAY;
    s->duration = 30;
    s->item = "scaling";
    s->branch = "gangnam";
    s->staff = "dr-kim";
}
static void sp_version0(lty_appointment_spec *s) { sp_base(s); s->version = 0; }
static void sp_version2(lty_appointment_spec *s) { sp_base(s); s->version = 2; }
static void sp_id_null(lty_appointment_spec *s) { sp_base(s); s->id = NULL; }
static void sp_id_empty(lty_appointment_spec *s) { sp_base(s); s->id = ""; }
static void sp_id_long(lty_appointment_spec *s) { sp_base(s); s->id = long60; }
static void sp_id_ctrl(lty_appointment_spec *s) { sp_base(s); s->id = "a\n1"; }
static void sp_id_utf8(lty_appointment_spec *s) { sp_base(s); s->id = "a\xff"; }
static void sp_cust_null(lty_appointment_spec *s) { sp_base(s); s->customer_id = NULL; }
static void sp_cust_long(lty_appointment_spec *s) { sp_base(s); s->customer_id = long65; }
static void sp_start_neg(lty_appointment_spec *s) { sp_base(s); s->start = -1; }
static void sp_start_big(lty_appointment_spec *s) { sp_base(s); s->start = LTY_TIME_MAX + 1; }
static void sp_start_now(lty_appointment_spec *s) { sp_base(s); s->start = LTY_TIME_NOW; }
static void sp_end_big(lty_appointment_spec *s) { sp_base(s); s->start = LTY_TIME_MAX - 60; }
static void sp_dur0(lty_appointment_spec *s) { sp_base(s); s->duration = 0; }
static void sp_dur_neg(lty_appointment_spec *s) { sp_base(s); s->duration = -30; }
static void sp_dur_big(lty_appointment_spec *s) { sp_base(s); s->duration = 1441; }
static void sp_item_long(lty_appointment_spec *s) { sp_base(s); s->item = long65; }
static void sp_item_ctrl(lty_appointment_spec *s) { sp_base(s); s->item = "a\tb"; }
static void sp_branch_long(lty_appointment_spec *s) { sp_base(s); s->branch = long65; }
static void sp_branch_utf8(lty_appointment_spec *s) { sp_base(s); s->branch = "\xc3"; }
static void sp_staff_long(lty_appointment_spec *s) { sp_base(s); s->staff = long65; }
static void sp_staff_ctrl(lty_appointment_spec *s) { sp_base(s); s->staff = "dr\x7f"; }

static const bad_spec bad_specs[] = {
    {"version 0", sp_version0, LTY_EVERSION, "appointment spec"},
    {"version 2", sp_version2, LTY_EVERSION, "appointment spec"},
    {"id NULL", sp_id_null, LTY_EINVALID, "appointment id"},
    {"id empty", sp_id_empty, LTY_EINVALID, "appointment id"},
    {"id too long", sp_id_long, LTY_EINVALID, "appointment id"},
    {"id control", sp_id_ctrl, LTY_EINVALID, "appointment id"},
    {"id UTF-8", sp_id_utf8, LTY_EINVALID, "appointment id"},
    {"customer NULL", sp_cust_null, LTY_EINVALID, "customer id"},
    {"customer too long", sp_cust_long, LTY_EINVALID, "customer id"},
    {"start negative", sp_start_neg, LTY_EINVALID, "appointment start"},
    {"start too late", sp_start_big, LTY_EINVALID, "appointment start"},
    {"start NOW", sp_start_now, LTY_EINVALID, "appointment start"},
    {"end too late", sp_end_big, LTY_EINVALID, "appointment start"},
    {"duration 0", sp_dur0, LTY_EINVALID, "appointment duration"},
    {"duration negative", sp_dur_neg, LTY_EINVALID, "appointment duration"},
    {"duration too long", sp_dur_big, LTY_EINVALID, "appointment duration"},
    {"item too long", sp_item_long, LTY_EINVALID, "appointment item"},
    {"item control", sp_item_ctrl, LTY_EINVALID, "appointment item"},
    {"branch too long", sp_branch_long, LTY_EINVALID, "appointment branch"},
    {"branch UTF-8", sp_branch_utf8, LTY_EINVALID, "appointment branch"},
    {"staff too long", sp_staff_long, LTY_EINVALID, "appointment staff"},
    {"staff control", sp_staff_ctrl, LTY_EINVALID, "appointment staff"},
};

START_TEST(bad_bookings_are_refused_naming_the_field)
{
    lty_appointment_spec s;
    bad_specs[_i].make(&s);
    char *before = lty_test_dump(&t.ops, t.ud);
    int rc = lty_appointment_book(t.e, &s);
    ck_assert_msg(rc == bad_specs[_i].code, "%s: %s", bad_specs[_i].name,
                  lty_strerror(rc));
    lty_assert_err_mentions(t.e, bad_specs[_i].mentions);
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

START_TEST(bad_arguments_elsewhere)
{
    lty_appointment a = LTY_APPOINTMENT_INIT;
    size_t n = 0;
    book("a1", "c1", NOW + DAY, NULL);
    char *before = lty_test_dump(&t.ops, t.ud);

    ck_assert_int_eq(lty_appointment_book(t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_book(NULL, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a1", NOW + 2 * DAY, 1441),
                     LTY_EINVALID);
    lty_assert_err_mentions(t.e, "appointment duration");
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a1", NOW + 2 * DAY, -1),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "a1", -5, 0),
                     LTY_EINVALID);
    lty_assert_err_mentions(t.e, "appointment start");
    ck_assert_int_eq(lty_appointment_reschedule(t.e, NULL, NOW, 0),
                     LTY_EINVALID);
    lty_assert_err_mentions(t.e, "appointment id");
    ck_assert_int_eq(lty_appointment_reschedule(t.e, long60, NOW, 0),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_cancel(t.e, ""), LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_no_show(t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a1", -1, NULL), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "arrival time");
    lty_record_outcome o = LTY_RECORD_OUTCOME_INIT;
    o.version = 99;
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a1", LTY_TIME_NOW, &o),
                     LTY_EVERSION);
    ck_assert_int_eq(lty_appointment_get(t.e, "a1", NULL), LTY_EINVALID);
    a.version = 0;
    ck_assert_int_eq(lty_appointment_get(t.e, "a1", &a), LTY_EVERSION);
    a.version = LTY_APPOINTMENT_VERSION;
    ck_assert_int_eq(lty_appointment_get(t.e, long60, &a), LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_list(t.e, "c1", NULL, 1, &n),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_list(t.e, "c1", &a, 1, NULL),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_list(t.e, NULL, &a, 1, &n), LTY_EINVALID);
    a.version = 7;
    ck_assert_int_eq(lty_appointment_list(t.e, "c1", &a, 1, &n), LTY_EVERSION);
    ck_assert_int_eq(lty_appointment_reminders_set(t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_reminders_get(t.e, NULL), LTY_EINVALID);

    lty_noshow_stats s = LTY_NOSHOW_STATS_INIT;
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, NOW, NOW, &s, NULL, 0,
                                                  NULL),
                     LTY_EINVALID);
    lty_assert_err_mentions(t.e, "period");
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, -1, NOW, &s, NULL, 0,
                                                  NULL),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, NOW, NOW + DAY, NULL,
                                                  NULL, 0, NULL),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, NOW, NOW + DAY, &s,
                                                  NULL, 2, &n),
                     LTY_EINVALID);
    s.version = 0;
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, NOW, NOW + DAY, &s,
                                                  NULL, 0, NULL),
                     LTY_EVERSION);

    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

/* ------------------------------------------------------------------ */
/* No-show statistics                                                  */
/* ------------------------------------------------------------------ */

static void assert_counts(const lty_noshow_counts *c, int64_t arrived,
                          int64_t no_shows)
{
    ck_assert_int_eq(c->arrived, arrived);
    ck_assert_int_eq(c->no_shows, no_shows);
    double expect = arrived + no_shows
                        ? (double)no_shows / (double)(arrived + no_shows)
                        : 0.0;
    ck_assert_double_eq_tol(c->rate, expect, 1e-12);
}

START_TEST(no_show_statistics_overall_by_reminders_and_by_branch)
{
    spool s;
    use_spool(t.e, &s);
    int64_t base = NOW + 4 * DAY;
    /* reminded: their 3-day reminders go out */
    book("g1", "c1", base, "gangnam");
    book("g2", "c2", base + HOUR, "gangnam");
    book("j1", "c1", base + 2 * HOUR, "jamsil");
    t.now = NOW + DAY + 12 * HOUR;
    dispatch(3);
    /* g2 moves after its reminder went out: it still counts as reminded */
    ck_assert_int_eq(lty_appointment_reschedule(t.e, "g2", base + 30 * MINUTE,
                                                0),
                     LTY_OK);
    /* booked an hour ahead: no reminder */
    book("n1", "c2", t.now + HOUR, "gangnam");
    book("n2", "c1", t.now + 90 * MINUTE, "jamsil");
    book("x1", "c2", t.now + 2 * HOUR, "gangnam"); /* cancelled */
    book("o1", "c1", t.now + 3 * HOUR, "jamsil");  /* never closed */
    book("far", "c1", NOW + 30 * DAY, NULL);       /* outside the period */
    ck_assert_int_eq(lty_appointment_cancel(t.e, "x1"), LTY_OK);

    t.now = NOW + 5 * DAY;
    ck_assert_int_eq(lty_appointment_arrive(t.e, "g1", base, NULL), LTY_OK);
    ck_assert_int_eq(lty_appointment_no_show(t.e, "g2"), LTY_OK);
    ck_assert_int_eq(lty_appointment_no_show(t.e, "j1"), LTY_OK);
    ck_assert_int_eq(lty_appointment_no_show(t.e, "n1"), LTY_OK);
    ck_assert_int_eq(lty_appointment_arrive(t.e, "n2", LTY_TIME_NOW, NULL),
                     LTY_OK);

    lty_noshow_stats st = LTY_NOSHOW_STATS_INIT;
    lty_noshow_branch b[3];
    for (int i = 0; i < 3; i++) {
        lty_noshow_branch init = LTY_NOSHOW_BRANCH_INIT;
        b[i] = init;
    }
    size_t nb = 0;
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, NOW, NOW + 10 * DAY,
                                                  &st, b, 3, &nb),
                     LTY_OK);
    ck_assert_int_eq(st.appointments, 7);
    ck_assert_int_eq(st.cancelled, 1);
    ck_assert_int_eq(st.open, 1);
    assert_counts(&st.overall, 2, 3);
    assert_counts(&st.reminded, 1, 2);
    assert_counts(&st.not_reminded, 1, 1);
    ck_assert_uint_eq(nb, 2);
    ck_assert_str_eq(b[0].branch, "gangnam");
    assert_counts(&b[0].overall, 1, 2);
    assert_counts(&b[0].reminded, 1, 1);
    assert_counts(&b[0].not_reminded, 0, 1);
    ck_assert_str_eq(b[1].branch, "jamsil");
    assert_counts(&b[1].overall, 1, 1);
    assert_counts(&b[1].reminded, 0, 1);
    assert_counts(&b[1].not_reminded, 1, 0);

    /* a narrower period: only what starts in [base + 1h, base + 3h) */
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, base + HOUR,
                                                  base + 3 * HOUR, &st, NULL,
                                                  0, NULL),
                     LTY_OK);
    ck_assert_int_eq(st.appointments, 1); /* j1; g2 moved to base + 30 min */
    assert_counts(&st.overall, 0, 1);
    /* nothing in the period */
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, NOW + 60 * DAY,
                                                  NOW + 61 * DAY, &st, b, 3,
                                                  &nb),
                     LTY_OK);
    ck_assert_int_eq(st.appointments, 0);
    assert_counts(&st.overall, 0, 0);
    ck_assert_uint_eq(nb, 0);
}
END_TEST

START_TEST(statistics_read_past_a_full_page)
{
    char id[16];
    /* 300 appointments on one day: more than one page of the day index */
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "p%03d", i);
        book(id, i % 2 ? "c1" : "c2", NOW - DAY + i * MINUTE,
             i % 3 ? "b" : "a");
    }
    for (int i = 0; i < 300; i += 4) {
        snprintf(id, sizeof id, "p%03d", i);
        ck_assert_int_eq(lty_appointment_no_show(t.e, id), LTY_OK);
    }
    lty_noshow_stats st = LTY_NOSHOW_STATS_INIT;
    lty_noshow_branch b = LTY_NOSHOW_BRANCH_INIT;
    size_t nb = 0;
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, NOW - 2 * DAY, NOW,
                                                  &st, &b, 1, &nb),
                     LTY_OK);
    ck_assert_int_eq(st.appointments, 300);
    ck_assert_int_eq(st.open, 225);
    assert_counts(&st.overall, 0, 75);
    assert_counts(&st.not_reminded, 0, 75);
    ck_assert_uint_eq(nb, 2);
    ck_assert_str_eq(b.branch, "a");
    assert_counts(&b.overall, 0, 25); /* i % 12 == 0 */
}
END_TEST

/* ------------------------------------------------------------------ */
/* Erasure                                                             */
/* ------------------------------------------------------------------ */

START_TEST(erasing_a_customer_keeps_anonymous_appointments)
{
    book("a1", "c1", NOW - DAY, "gangnam");
    book("a2", "c1", NOW + 5 * DAY, "gangnam");
    ck_assert_int_eq(lty_appointment_no_show(t.e, "a1"), LTY_OK);
    int rc = lty_customer_erase(t.e, "c1");
    ck_assert_msg(rc == LTY_OK, "erase: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    lty_appointment a = get("a1");
    ck_assert_msg(strncmp(a.customer_id, "anon-", 5) == 0, "customer %s",
                  a.customer_id);
    ck_assert_int_eq(a.state, LTY_APPOINTMENT_NO_SHOW);
    ck_assert_str_eq(a.branch, "gangnam");
    ck_assert_str_eq(get("a2").customer_id, a.customer_id);
    size_t n = 0;
    ck_assert_int_eq(lty_appointment_list(t.e, "c1", NULL, 0, &n),
                     LTY_ENOTFOUND);
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, "\0c1\0", 4), 0);
    /* the statistics still count it */
    lty_noshow_stats st = LTY_NOSHOW_STATS_INIT;
    ck_assert_int_eq(lty_appointment_noshow_stats(t.e, NOW - 2 * DAY, NOW,
                                                  &st, NULL, 0, NULL),
                     LTY_OK);
    assert_counts(&st.overall, 0, 1);
    /* the anonymous appointment can still be cancelled */
    ck_assert_int_eq(lty_appointment_cancel(t.e, "a2"), LTY_OK);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Storage faults                                                      */
/* ------------------------------------------------------------------ */

static void fseed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    lty_test_customer(w->e, "c1", "Kim", "010-1234-5678");
    /* "af": 5 days ahead, three reminders; "ap": started an hour ago */
    ck_assert_int_eq(book_full(w->e, "af", "c1", NOW + 5 * DAY, 30, "scaling",
                               "gangnam", "dr-kim"),
                     LTY_OK);
    ck_assert_int_eq(book_full(w->e, "ap", "c1", NOW - HOUR, 30, NULL, NULL,
                               NULL),
                     LTY_OK);
    lty_test_event(w->e, "v1", "c1", NOW - 10 * DAY, -1, "check-up");
}

static int f_book(lty_engine *e)
{
    return book_full(e, "an", "c1", NOW + 4 * DAY, 45, "implant", "jamsil",
                     "dr-lee");
}

static int f_reschedule(lty_engine *e)
{
    return lty_appointment_reschedule(e, "af", NOW + 8 * DAY, 60);
}

static int f_cancel(lty_engine *e)
{
    return lty_appointment_cancel(e, "af");
}

static int f_arrive(lty_engine *e)
{
    lty_record_outcome o = LTY_RECORD_OUTCOME_INIT;
    return lty_appointment_arrive(e, "af", LTY_TIME_NOW, &o);
}

static int f_no_show(lty_engine *e)
{
    return lty_appointment_no_show(e, "ap");
}

static int f_policy(lty_engine *e)
{
    lty_reminder_policy p;
    memset(&p, 0, sizeof p);
    p.version = LTY_REMINDER_POLICY_VERSION;
    p.count = 1;
    p.reminders[0].offset = DAY;
    strcpy(p.reminders[0].template_id[LTY_CHANNEL_KAKAO], "kakao_reminder");
    return lty_appointment_reminders_set(e, &p);
}

static const struct {
    const char *name;
    int (*call)(lty_engine *e);
} fcalls[] = {
    {"book", f_book},         {"reschedule", f_reschedule},
    {"cancel", f_cancel},     {"arrive", f_arrive},
    {"no-show", f_no_show},   {"reminder policy", f_policy},
};

static void sweep(int i, unsigned flags)
{
    lty_test_fault_spec spec = {
        .name = fcalls[i].name, .call = fcalls[i].call, .flags = flags,
        .min_calls = 1, .now = NOW, .seed = fseed};
    lty_test_fault_sweep(&spec);
}

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    sweep(_i, LTY_TEST_FAULT_STORAGE);
}
END_TEST

/* An injected conflict is retried by the engine and applied once; a
 * conflict outside a transaction (a read before it) is reported. */
START_TEST(a_conflict_is_retried)
{
    sweep(_i, LTY_TEST_FAULT_CONFLICT | LTY_TEST_FAULT_CONFLICT_MAY_FAIL);
}
END_TEST

static Suite *appointment_suite(void)
{
    Suite *s = suite_create("appointment");
    TCase *tc = tcase_create("appointments");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, five_days_ahead_plans_three_reminders_at_312);
    tcase_add_test(tc, a_day_and_a_half_ahead_plans_only_the_1_day_and_2_hour_ones);
    tcase_add_test(tc, an_hour_ahead_plans_none);
    tcase_add_test(tc, reminders_render_local_date_time_and_codes);
    tcase_add_test(tc, rescheduling_moves_the_reminders);
    tcase_add_test(tc, a_sent_reminder_stays_sent_and_the_new_time_gets_its_own);
    tcase_add_test(tc, cancel_arrival_and_no_show_cancel_pending_reminders);
    tcase_add_test(tc, arrival_records_one_visit_with_the_item_and_branch);
    tcase_add_test(tc, an_event_id_taken_by_the_host_fails_the_arrival_cleanly);
    tcase_add_test(tc, state_rules);
    tcase_add_test(tc, booking_again_is_idempotent_and_other_content_is_refused);
    tcase_add_test(tc, a_customers_appointments_in_time_order);
    tcase_add_test(tc, the_days_appointments_by_local_day);
    tcase_add_test(tc, the_default_policy_is_312);
    tcase_add_test(tc, a_policy_with_channels_and_a_staff_notice);
    tcase_add_loop_test(tc, bad_policies_are_refused_naming_the_field, 0,
                        (int)(sizeof bad_policies / sizeof bad_policies[0]));
    tcase_add_loop_test(tc, bad_bookings_are_refused_naming_the_field, 0,
                        (int)(sizeof bad_specs / sizeof bad_specs[0]));
    tcase_add_test(tc, bad_arguments_elsewhere);
    tcase_add_test(tc, no_show_statistics_overall_by_reminders_and_by_branch);
    tcase_add_test(tc, statistics_read_past_a_full_page);
    tcase_add_test(tc, erasing_a_customer_keeps_anonymous_appointments);
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged,
                        0, (int)(sizeof fcalls / sizeof fcalls[0]));
    tcase_add_loop_test(tc, a_conflict_is_retried, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(appointment_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
