/*
 * libloyalty tests - what the library plans on its own: aftercare recalls,
 * birthdays and anniversaries, win-back and journeys (plan.h).
 *
 * Plans are checked exactly through the outbox (lty_outbox_get() and
 * lty_outbox_list()): ids, states and due times, with time driven through
 * the engine's clock across days, years and a daylight-saving change.
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

#define DAY INT64_C(86400)

static lty_test_env t;

/* ------------------------------------------------------------------ */
/* Calendar helpers (an oracle of their own, not the library's)        */
/* ------------------------------------------------------------------ */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* UTC time of a local time in Seoul (UTC+9, no daylight saving). */
static int64_t kst(int y, int m, int d, int hh, int mm)
{
    return days_from_civil(y, m, d) * DAY + hh * 3600 + mm * 60 - 9 * 3600;
}

/* ------------------------------------------------------------------ */
/* Outbox helpers                                                      */
/* ------------------------------------------------------------------ */

#define LIST_MAX 64
static lty_outbox_entry listed[LIST_MAX];

/* Every message of a customer (or all when cid is NULL) in any state. */
static size_t list_all(lty_engine *e, const char *cid)
{
    lty_outbox_filter f;
    size_t n = 0;
    memset(&f, 0, sizeof f);
    f.customer_id = cid;
    for (size_t i = 0; i < LIST_MAX; i++) {
        lty_outbox_entry init = LTY_OUTBOX_ENTRY_INIT;
        listed[i] = init;
    }
    int rc = lty_outbox_list(e, &f, listed, LIST_MAX, &n);
    ck_assert_msg(rc == LTY_OK, "outbox list: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
    ck_assert_uint_le(n, LIST_MAX);
    return n;
}

/* Messages of a customer in a state. */
static size_t count_state(lty_engine *e, const char *cid, lty_message_state s)
{
    size_t n = list_all(e, cid), c = 0;
    for (size_t i = 0; i < n; i++)
        c += listed[i].state == s;
    return c;
}

static lty_outbox_entry msg(lty_engine *e, const char *id)
{
    lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
    int rc = lty_outbox_get(e, id, &m);
    ck_assert_msg(rc == LTY_OK, "message %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(e));
    return m;
}

static int has_msg(lty_engine *e, const char *id)
{
    lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
    int rc = lty_outbox_get(e, id, &m);
    ck_assert_msg(rc == LTY_OK || rc == LTY_ENOTFOUND, "message %s: %s", id,
                  lty_strerror(rc));
    return rc == LTY_OK;
}

/* A planned message with exactly this due time. */
static void assert_planned(lty_engine *e, const char *id, int64_t due)
{
    lty_outbox_entry m = msg(e, id);
    ck_assert_msg(m.state == LTY_MSG_PLANNED, "%s: state %d", id, (int)m.state);
    ck_assert_msg(m.due == due, "%s: due %lld, expected %lld", id,
                  (long long)m.due, (long long)due);
}

/* ------------------------------------------------------------------ */
/* Setup helpers                                                       */
/* ------------------------------------------------------------------ */

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

static void set_birthday(lty_engine *e, const char *cid, int y, int m, int d)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = cid;
    f.set = LTY_FIELD_BIRTHDAY;
    f.birthday.year = y;
    f.birthday.month = m;
    f.birthday.day = d;
    ck_assert_int_eq(lty_customer_update(e, &f), LTY_OK);
}

static void customer_born(lty_engine *e, const char *cid, int y, int m, int d)
{
    lty_test_customer(e, cid, "Someone", NULL);
    if (m)
        set_birthday(e, cid, y, m, d);
}

static void set_anniversary(lty_engine *e, const char *cid, const char *label,
                            int y, int m, int d)
{
    lty_date date = {y, m, d};
    ck_assert_int_eq(lty_customer_set_anniversary(e, cid, label, &date), LTY_OK);
}

static void define_treatment(lty_engine *e, const char *item, const char *name,
                             int effect, int lead)
{
    lty_treatment_def d = LTY_TREATMENT_DEF_INIT;
    d.item = item;
    d.name = name;
    d.effect_days = effect;
    d.lead_days = lead;
    d.template_id = "recall";
    d.purpose = LTY_PURPOSE_TRANSACTIONAL;
    d.channel = LTY_CHANNEL_SMS;
    int rc = lty_treatment_define(e, &d);
    ck_assert_msg(rc == LTY_OK, "define treatment: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
}

static int record(lty_engine *e, const char *evid, const char *cid,
                  int64_t time, lty_event_type type, const char *item)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.id = evid;
    ev.customer_id = cid;
    ev.time = time;
    ev.type = type;
    ev.item = item;
    if (type == LTY_EVENT_PURCHASE)
        ev.amount = 100000;
    return lty_record(e, &ev, NULL);
}

static void record_ok(lty_engine *e, const char *evid, const char *cid,
                      int64_t time, lty_event_type type, const char *item)
{
    int rc = record(e, evid, cid, time, type, item);
    ck_assert_msg(rc == LTY_OK, "record %s: %s (%s)", evid, lty_strerror(rc),
                  lty_engine_last_error(e));
}

static int plan_day(lty_engine *e, int y, int m, int d,
                    const lty_plan_day_options *o, size_t *planned)
{
    lty_date date = {y, m, d};
    return lty_plan_day(e, &date, o, planned);
}

static size_t plan_day_ok(lty_engine *e, int y, int m, int d,
                          const lty_plan_day_options *o)
{
    size_t planned = 99;
    int rc = plan_day(e, y, m, d, o, &planned);
    ck_assert_msg(rc == LTY_OK, "plan day: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
    return planned;
}

/* A pregnancy journey: steps at -200, -100, -30, 0 and +30 days. */
static const lty_journey_step pregnancy_steps[] = {
    {-200, "preg-early", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE},
    {-100, "preg-mid", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE},
    {-30, "preg-late", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_KAKAO},
    {0, "preg-due", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE},
    {30, "postnatal", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE}};

static void define_pregnancy(lty_engine *e)
{
    lty_journey_def d = LTY_JOURNEY_DEF_INIT;
    d.id = "pregnancy";
    d.name = "Pregnancy week by week";
    d.steps = pregnancy_steps;
    d.step_count = sizeof pregnancy_steps / sizeof pregnancy_steps[0];
    int rc = lty_journey_define(e, &d);
    ck_assert_msg(rc == LTY_OK, "define journey: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
}

static int enrol(lty_engine *e, const char *jid, const char *cid, int y, int m,
                 int d)
{
    lty_date a = {y, m, d};
    return lty_journey_enrol(e, jid, cid, &a);
}

/* ------------------------------------------------------------------ */
/* Treatments and aftercare                                            */
/* ------------------------------------------------------------------ */

START_TEST(treatments_are_stored_listed_and_removed)
{
    define_treatment(t.e, "botox", "Botox", 120, 14);
    define_treatment(t.e, "filler", "Filler", 365, 30);
    char items[4][LTY_CODE_MAX + 1];
    size_t n = 0;
    ck_assert_int_eq(lty_treatment_list(t.e, items, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(items[0], "botox");
    ck_assert_str_eq(items[1], "filler");
    lty_treatment tr = LTY_TREATMENT_INIT;
    ck_assert_int_eq(lty_treatment_get(t.e, "botox", &tr), LTY_OK);
    ck_assert_str_eq(tr.name, "Botox");
    ck_assert_int_eq(tr.effect_days, 120);
    ck_assert_int_eq(tr.lead_days, 14);
    ck_assert_str_eq(tr.template_id, "recall");
    ck_assert_int_eq(tr.purpose, LTY_PURPOSE_TRANSACTIONAL);
    ck_assert_int_eq(tr.channel, LTY_CHANNEL_SMS);
    /* replacing keeps one entry; another engine sees the change */
    define_treatment(t.e, "botox", "Botox (upper face)", 90, 7);
    lty_engine *e2 = lty_test_env_engine(&t);
    ck_assert_int_eq(lty_treatment_get(e2, "botox", &tr), LTY_OK);
    ck_assert_str_eq(tr.name, "Botox (upper face)");
    ck_assert_int_eq(tr.effect_days, 90);
    ck_assert_int_eq(lty_treatment_remove(t.e, "filler"), LTY_OK);
    ck_assert_int_eq(lty_treatment_list(e2, NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(lty_treatment_get(e2, "filler", &tr), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_treatment_remove(t.e, "filler"), LTY_ENOTFOUND);
    lty_engine_free(e2);
}
END_TEST

START_TEST(aftercare_is_planned_at_effect_end_minus_lead)
{
    define_treatment(t.e, "botox", "Botox", 120, 14);
    /* 2 March 2026, 15:00 in Seoul: recall on 2 March + 106 days = 16 June */
    record_ok(t.e, "p1", "c1", kst(2026, 3, 2, 15, 0), LTY_EVENT_PURCHASE,
              "botox");
    assert_planned(t.e, "aftercare/c1/botox/2026-03-02",
                   kst(2026, 6, 16, 10, 0));
    lty_outbox_entry m = msg(t.e, "aftercare/c1/botox/2026-03-02");
    ck_assert_str_eq(m.customer_id, "c1");
    ck_assert_str_eq(m.template_id, "recall");
    ck_assert_int_eq(m.purpose, LTY_PURPOSE_TRANSACTIONAL);
    ck_assert_int_eq(m.channel, LTY_CHANNEL_SMS);
    /* an item outside the catalogue, a visit without item, a refund and
     * a replayed event plan nothing */
    record_ok(t.e, "p2", "c1", kst(2026, 3, 3, 11, 0), LTY_EVENT_PURCHASE,
              "scaling");
    record_ok(t.e, "v1", "c1", kst(2026, 3, 4, 11, 0), LTY_EVENT_VISIT, NULL);
    record_ok(t.e, "p1", "c1", kst(2026, 3, 2, 15, 0), LTY_EVENT_PURCHASE,
              "botox");
    lty_event rf = LTY_EVENT_INIT;
    rf.type = LTY_EVENT_REFUND;
    rf.id = "r1";
    rf.customer_id = "c1";
    rf.time = kst(2026, 3, 5, 11, 0);
    rf.amount = 1000;
    rf.refund_of = "p1";
    ck_assert_int_eq(lty_record(t.e, &rf, NULL), LTY_OK);
    ck_assert_uint_eq(list_all(t.e, NULL), 1);
    /* a visit (not only a purchase) of the item plans too */
    record_ok(t.e, "v2", "c2", kst(2026, 3, 2, 9, 0), LTY_EVENT_VISIT, "botox");
    assert_planned(t.e, "aftercare/c2/botox/2026-03-02",
                   kst(2026, 6, 16, 10, 0));
}
END_TEST

START_TEST(a_return_visit_replans_the_recall)
{
    define_treatment(t.e, "botox", "Botox", 120, 14);
    record_ok(t.e, "p1", "c1", kst(2026, 3, 2, 15, 0), LTY_EVENT_PURCHASE,
              "botox");
    /* the same day again: the same recall */
    record_ok(t.e, "p2", "c1", kst(2026, 3, 2, 17, 0), LTY_EVENT_PURCHASE,
              "botox");
    ck_assert_uint_eq(list_all(t.e, "c1"), 1);
    /* back on 10 April: the March recall is withdrawn, a new one planned */
    t.now = kst(2026, 4, 10, 9, 0);
    record_ok(t.e, "p3", "c1", kst(2026, 4, 10, 11, 0), LTY_EVENT_PURCHASE,
              "botox");
    lty_outbox_entry old = msg(t.e, "aftercare/c1/botox/2026-03-02");
    ck_assert_int_eq(old.state, LTY_MSG_CANCELLED);
    ck_assert_str_eq(old.reason, "replaced by a later treatment");
    assert_planned(t.e, "aftercare/c1/botox/2026-04-10",
                   kst(2026, 7, 25, 10, 0));
    ck_assert_uint_eq(count_state(t.e, "c1", LTY_MSG_PLANNED), 1);
    /* a changed definition applies to the next visit */
    define_treatment(t.e, "botox", "Botox", 90, 0);
    t.now = kst(2026, 5, 1, 9, 0);
    record_ok(t.e, "p4", "c1", kst(2026, 5, 1, 11, 0), LTY_EVENT_PURCHASE,
              "botox");
    assert_planned(t.e, "aftercare/c1/botox/2026-05-01",
                   kst(2026, 7, 30, 10, 0));
    ck_assert_int_eq(msg(t.e, "aftercare/c1/botox/2026-04-10").state,
                     LTY_MSG_CANCELLED);
}
END_TEST

START_TEST(an_older_event_does_not_replace_a_later_recall)
{
    define_treatment(t.e, "botox", "Botox", 120, 14);
    t.now = kst(2026, 4, 10, 9, 0);
    record_ok(t.e, "p2", "c1", kst(2026, 4, 10, 11, 0), LTY_EVENT_PURCHASE,
              "botox");
    /* the March visit arrives late, from a branch's offline queue */
    record_ok(t.e, "p1", "c1", kst(2026, 3, 2, 15, 0), LTY_EVENT_PURCHASE,
              "botox");
    ck_assert_uint_eq(list_all(t.e, "c1"), 1);
    assert_planned(t.e, "aftercare/c1/botox/2026-04-10",
                   kst(2026, 7, 25, 10, 0));
    ck_assert(!has_msg(t.e, "aftercare/c1/botox/2026-03-02"));
    /* a visit from last year whose recall has passed plans nothing */
    record_ok(t.e, "p0", "c2", kst(2025, 1, 5, 11, 0), LTY_EVENT_PURCHASE,
              "botox");
    ck_assert_uint_eq(list_all(t.e, "c2"), 0);
}
END_TEST

static int sent_count;

static int count_send(const lty_message *m, void *ud)
{
    (void)m;
    (void)ud;
    sent_count++;
    return LTY_OK;
}

START_TEST(a_sent_recall_does_not_block_the_next_one)
{
    define_treatment(t.e, "botox", "Botox", 30, 0);
    ck_assert_int_eq(lty_template_set(t.e, "recall", LTY_CHANNEL_SMS, "",
                                      "Time for your next {item} ({date})"),
                     LTY_OK);
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = count_send;
    ck_assert_int_eq(lty_messenger_register(t.e, &ops, NULL), LTY_OK);
    record_ok(t.e, "p1", "c1", kst(2026, 3, 2, 15, 0), LTY_EVENT_PURCHASE,
              "botox");
    int64_t due = kst(2026, 4, 1, 10, 0);
    assert_planned(t.e, "aftercare/c1/botox/2026-03-02", due);
    t.now = due + 60;
    sent_count = 0;
    lty_dispatch_report rep;
    int rc = lty_outbox_dispatch(t.e, LTY_TIME_NOW, 10, &rep);
    ck_assert_msg(rc == LTY_OK, "dispatch: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    ck_assert_int_eq(sent_count, 1);
    ck_assert_int_eq(msg(t.e, "aftercare/c1/botox/2026-03-02").state,
                     LTY_MSG_SENT);
    /* the customer comes back: the next recall is planned all the same */
    record_ok(t.e, "p2", "c1", kst(2026, 4, 3, 15, 0), LTY_EVENT_PURCHASE,
              "botox");
    assert_planned(t.e, "aftercare/c1/botox/2026-04-03", kst(2026, 5, 3, 10, 0));
    ck_assert_int_eq(msg(t.e, "aftercare/c1/botox/2026-03-02").state,
                     LTY_MSG_SENT);
}
END_TEST

START_TEST(long_and_odd_ids_stay_unambiguous)
{
    char cid[LTY_ID_MAX + 1], item[LTY_CODE_MAX + 1];
    memset(cid, 'x', LTY_ID_MAX);
    cid[LTY_ID_MAX] = '\0';
    memset(item, 'y', LTY_CODE_MAX);
    item[LTY_CODE_MAX] = '\0';
    lty_test_customer(t.e, cid, "Long", NULL);
    define_treatment(t.e, item, "Long item", 60, 10);
    record_ok(t.e, "p1", cid, kst(2026, 3, 2, 15, 0), LTY_EVENT_PURCHASE, item);
    ck_assert_uint_eq(list_all(t.e, cid), 1);
    char first[LTY_MESSAGE_ID_MAX + 1];
    strcpy(first, listed[0].id);
    ck_assert_uint_le(strlen(first), LTY_MESSAGE_ID_MAX);
    ck_assert_msg(strncmp(first, "aftercare/~", 11) == 0, "id %s", first);
    ck_assert_msg(strstr(first, "/2026-03-02") != NULL, "id %s", first);
    /* the return visit finds and replaces it under the same prefix */
    record_ok(t.e, "p2", cid, kst(2026, 3, 9, 15, 0), LTY_EVENT_PURCHASE, item);
    ck_assert_int_eq(msg(t.e, first).state, LTY_MSG_CANCELLED);
    ck_assert_uint_eq(count_state(t.e, cid, LTY_MSG_PLANNED), 1);
    /* a slash in an id or item is escaped: customer "a" with item "b/c"
     * and customer "a/b" with item "c" never share a prefix */
    lty_test_customer(t.e, "a", "A", NULL);
    lty_test_customer(t.e, "a/b", "AB", NULL);
    define_treatment(t.e, "b/c", "BC", 60, 10);
    define_treatment(t.e, "c", "C", 60, 10);
    record_ok(t.e, "p3", "a/b", kst(2026, 3, 2, 15, 0), LTY_EVENT_PURCHASE, "c");
    record_ok(t.e, "p4", "a", kst(2026, 3, 9, 15, 0), LTY_EVENT_PURCHASE, "b/c");
    assert_planned(t.e, "aftercare/a%2Fb/c/2026-03-02", kst(2026, 4, 21, 10, 0));
    assert_planned(t.e, "aftercare/a/b%2Fc/2026-03-09", kst(2026, 4, 28, 10, 0));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Birthdays and anniversaries                                         */
/* ------------------------------------------------------------------ */

START_TEST(birthdays_are_planned_days_ahead_once)
{
    /* now: 1 March 2026, 09:00 in Seoul */
    set_birthday(t.e, "c1", 1990, 3, 5);
    set_birthday(t.e, "c2", 0, 3, 8);          /* year unknown, 7 days ahead */
    customer_born(t.e, "c3", 1985, 3, 9);      /* 8 days ahead: not yet */
    customer_born(t.e, "c4", 1970, 2, 28);     /* passed yesterday */
    customer_born(t.e, "c5", 0, 0, 0);         /* no birthday */
    customer_born(t.e, "c6", 1999, 3, 3);      /* erased */
    customer_born(t.e, "c7", 2000, 3, 1);      /* today, 10:00 still ahead */
    customer_born(t.e, "c8", 2026, 3, 4);      /* born this year */
    ck_assert_int_eq(lty_customer_erase(t.e, "c6"), LTY_OK);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 1, NULL), 3);
    assert_planned(t.e, "birthday/c1/2026", kst(2026, 3, 5, 10, 0));
    assert_planned(t.e, "birthday/c2/2026", kst(2026, 3, 8, 10, 0));
    assert_planned(t.e, "birthday/c7/2026", kst(2026, 3, 1, 10, 0));
    ck_assert_uint_eq(list_all(t.e, NULL), 3);
    lty_outbox_entry m = msg(t.e, "birthday/c1/2026");
    ck_assert_str_eq(m.template_id, "birthday");
    ck_assert_int_eq(m.purpose, LTY_PURPOSE_MARKETING);
    ck_assert_int_eq(m.channel, LTY_CHANNEL_NONE);
    /* again: nothing new */
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 1, NULL), 0);
    ck_assert_uint_eq(list_all(t.e, NULL), 3);
    /* the next day reaches c3, and plans nobody twice */
    t.now += DAY;
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 2, NULL), 1);
    assert_planned(t.e, "birthday/c3/2026", kst(2026, 3, 9, 10, 0));
    ck_assert_uint_eq(list_all(t.e, NULL), 4);
    /* a year later: every birthday again, with the new year's ids */
    t.now = kst(2027, 2, 27, 8, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2027, 2, 27, NULL), 4);
    assert_planned(t.e, "birthday/c4/2027", kst(2027, 2, 28, 10, 0));
    assert_planned(t.e, "birthday/c8/2027", kst(2027, 3, 4, 10, 0));
    assert_planned(t.e, "birthday/c7/2027", kst(2027, 3, 1, 10, 0));
    assert_planned(t.e, "birthday/c1/2027", kst(2027, 3, 5, 10, 0));
    ck_assert(!has_msg(t.e, "birthday/c8/2026"));
}
END_TEST

START_TEST(a_missed_day_is_caught_up_but_the_past_is_not_planned)
{
    set_birthday(t.e, "c1", 1990, 3, 2);
    set_birthday(t.e, "c2", 1990, 2, 27);
    /* the job did not run for a week: running it for an old date plans
     * only what is still ahead of the clock */
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 2, 24, NULL), 1);
    assert_planned(t.e, "birthday/c1/2026", kst(2026, 3, 2, 10, 0));
    ck_assert(!has_msg(t.e, "birthday/c2/2026"));
    /* days_ahead 0: only the day itself */
    lty_plan_day_options o = LTY_PLAN_DAY_OPTIONS_INIT;
    o.days_ahead = 0;
    customer_born(t.e, "c3", 1990, 3, 3);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 2, &o), 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 3, &o), 1);
    /* a different template, channel, hour and purpose */
    customer_born(t.e, "c4", 1991, 3, 4);
    o.birthday_template = "vip-birthday";
    o.channel = LTY_CHANNEL_KAKAO;
    o.local_minute = 9 * 60 + 30;
    o.purpose = LTY_PURPOSE_TRANSACTIONAL;
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 4, &o), 1);
    lty_outbox_entry m = msg(t.e, "birthday/c4/2026");
    ck_assert_str_eq(m.template_id, "vip-birthday");
    ck_assert_int_eq(m.channel, LTY_CHANNEL_KAKAO);
    ck_assert_int_eq(m.purpose, LTY_PURPOSE_TRANSACTIONAL);
    ck_assert_int_eq(m.due, kst(2026, 3, 4, 9, 30));
}
END_TEST

START_TEST(the_29th_of_february_is_kept_on_the_28th_in_common_years)
{
    customer_born(t.e, "leap", 2000, 2, 29);
    /* 2027 is a common year: 28 February */
    t.now = kst(2027, 2, 21, 9, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2027, 2, 21, NULL), 1);
    assert_planned(t.e, "birthday/leap/2027", kst(2027, 2, 28, 10, 0));
    /* the following days plan it no second time, 1 March included */
    for (int d = 22; d <= 28; d++) {
        t.now = kst(2027, 2, d, 9, 0);
        ck_assert_uint_eq(plan_day_ok(t.e, 2027, 2, d, NULL), 0);
    }
    t.now = kst(2027, 3, 1, 9, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2027, 3, 1, NULL), 0);
    ck_assert_uint_eq(list_all(t.e, "leap"), 1);
    /* 2028 is a leap year: the 29th itself, not the 28th */
    t.now = kst(2028, 2, 22, 9, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2028, 2, 22, NULL), 1);
    assert_planned(t.e, "birthday/leap/2028", kst(2028, 2, 29, 10, 0));
    /* anniversaries follow the same rule (year unknown too) */
    set_anniversary(t.e, "c1", "wedding", 0, 2, 29);
    t.now = kst(2029, 2, 25, 9, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2029, 2, 25, NULL), 2);
    assert_planned(t.e, "anniv/c1/wedding/2029", kst(2029, 2, 28, 10, 0));
    assert_planned(t.e, "birthday/leap/2029", kst(2029, 2, 28, 10, 0));
}
END_TEST

START_TEST(anniversaries_are_planned_by_label)
{
    set_anniversary(t.e, "c1", "wedding", 2015, 3, 6);
    set_anniversary(t.e, "c1", "first visit", 2020, 3, 7);
    set_anniversary(t.e, "c1", "opening", 2026, 3, 4); /* the date itself */
    set_anniversary(t.e, "c2", "wedding", 2010, 3, 20);
    set_birthday(t.e, "c2", 1980, 3, 3);
    lty_plan_day_options o = LTY_PLAN_DAY_OPTIONS_INIT;
    o.include = LTY_PLAN_ANNIVERSARIES;
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 1, &o), 2);
    assert_planned(t.e, "anniv/c1/wedding/2026", kst(2026, 3, 6, 10, 0));
    assert_planned(t.e, "anniv/c1/first%20visit/2026", kst(2026, 3, 7, 10, 0));
    ck_assert_str_eq(msg(t.e, "anniv/c1/wedding/2026").template_id,
                     "anniversary");
    ck_assert(!has_msg(t.e, "birthday/c2/2026")); /* not included */
    ck_assert_uint_eq(list_all(t.e, NULL), 2);
    /* another year, another message */
    t.now = kst(2027, 3, 1, 9, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2027, 3, 1, &o), 3);
    assert_planned(t.e, "anniv/c1/opening/2027", kst(2027, 3, 4, 10, 0));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Win-back                                                            */
/* ------------------------------------------------------------------ */

START_TEST(winback_once_per_lapse)
{
    lty_plan_day_options o = LTY_PLAN_DAY_OPTIONS_INIT;
    o.include = LTY_PLAN_WINBACK;
    o.lapse_days = 30;
    record_ok(t.e, "v1", "c1", kst(2026, 1, 5, 11, 0), LTY_EVENT_VISIT, NULL);
    record_ok(t.e, "v2", "c1", kst(2026, 2, 1, 11, 0), LTY_EVENT_VISIT, NULL);
    /* 2 March is 29 days after 1 February: not yet */
    t.now = kst(2026, 3, 2, 8, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 2, &o), 0);
    /* 3 March: 30 days */
    t.now = kst(2026, 3, 3, 8, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 3, &o), 1);
    assert_planned(t.e, "winback/c1/2026-02-01", kst(2026, 3, 3, 10, 0));
    lty_outbox_entry m = msg(t.e, "winback/c1/2026-02-01");
    ck_assert_str_eq(m.template_id, "winback");
    ck_assert_int_eq(m.purpose, LTY_PURPOSE_MARKETING);
    /* every following day: the same lapse, no new message */
    for (int d = 4; d <= 20; d++) {
        t.now = kst(2026, 3, d, 8, 0);
        ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, d, &o), 0);
    }
    ck_assert_uint_eq(list_all(t.e, "c1"), 1);
    /* the customer comes back, then lapses again: a new message */
    record_ok(t.e, "v3", "c1", kst(2026, 3, 21, 11, 0), LTY_EVENT_VISIT, NULL);
    t.now = kst(2026, 4, 19, 8, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 4, 19, &o), 0);
    t.now = kst(2026, 4, 20, 8, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 4, 20, &o), 1);
    assert_planned(t.e, "winback/c1/2026-03-21", kst(2026, 4, 20, 10, 0));
    ck_assert_uint_eq(list_all(t.e, "c1"), 2);
    /* c2 never visited: never a win-back */
    ck_assert_uint_eq(list_all(t.e, "c2"), 0);
}
END_TEST

START_TEST(winback_by_the_customers_own_interval)
{
    lty_plan_day_options o = LTY_PLAN_DAY_OPTIONS_INIT;
    o.include = LTY_PLAN_WINBACK;
    o.lapse_factor_pct = 200;
    o.lapse_min_visits = 3;
    o.lapse_min_days = 14;
    /* c1 comes every 10 days: lapsed after 20 */
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "a%d", i);
        record_ok(t.e, id, "c1", kst(2026, 1, 1 + 10 * i, 11, 0),
                  LTY_EVENT_VISIT, NULL);
    }
    /* c2 comes every 30 days: lapsed after 60 */
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "b%d", i);
        record_ok(t.e, id, "c2", kst(2025, 11, 1, 11, 0) + i * 30 * DAY,
                  LTY_EVENT_VISIT, NULL);
    }
    /* c3 came twice only: no usual interval, so no win-back without
     * lapse_days */
    lty_test_customer(t.e, "c3", "Park", NULL);
    record_ok(t.e, "c3a", "c3", kst(2025, 12, 1, 11, 0), LTY_EVENT_VISIT, NULL);
    record_ok(t.e, "c3b", "c3", kst(2025, 12, 2, 11, 0), LTY_EVENT_VISIT, NULL);
    /* c1's last visit: 31 January.  19 days later: not yet */
    t.now = kst(2026, 2, 19, 8, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 2, 19, &o), 0);
    t.now = kst(2026, 2, 20, 8, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 2, 20, &o), 1);
    assert_planned(t.e, "winback/c1/2026-01-31", kst(2026, 2, 20, 10, 0));
    /* c2's last visit: 31 December 2025; 60 days later is 1 March */
    t.now = kst(2026, 2, 28, 8, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 2, 28, &o), 0);
    t.now = kst(2026, 3, 1, 8, 0);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 1, &o), 1);
    assert_planned(t.e, "winback/c2/2025-12-31", kst(2026, 3, 1, 10, 0));
    ck_assert_uint_eq(list_all(t.e, "c3"), 0);
    /* with lapse_days as well, c3 lapses after 45 days; the factor rule
     * still decides for c1 and c2 */
    o.lapse_days = 45;
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 1, &o), 1);
    assert_planned(t.e, "winback/c3/2025-12-02", kst(2026, 3, 1, 10, 0));
    /* lapse_max_days leaves long-gone customers alone */
    lty_test_customer(t.e, "c4", "Choi", NULL);
    record_ok(t.e, "c4a", "c4", kst(2024, 1, 1, 11, 0), LTY_EVENT_VISIT, NULL);
    o.lapse_max_days = 365;
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 1, &o), 0);
    ck_assert_uint_eq(list_all(t.e, "c4"), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Journeys                                                            */
/* ------------------------------------------------------------------ */

START_TEST(journeys_are_stored_and_read_back)
{
    define_pregnancy(t.e);
    lty_journey_info info = {LTY_JOURNEY_INFO_VERSION, "", 0, {{0, "", 0, 0}}};
    ck_assert_int_eq(lty_journey_get(t.e, "pregnancy", &info), LTY_OK);
    ck_assert_str_eq(info.name, "Pregnancy week by week");
    ck_assert_uint_eq(info.step_count, 5);
    ck_assert_int_eq(info.steps[0].offset_days, -200);
    ck_assert_str_eq(info.steps[2].template_id, "preg-late");
    ck_assert_int_eq(info.steps[2].channel, LTY_CHANNEL_KAKAO);
    ck_assert_int_eq(info.steps[4].purpose, LTY_PURPOSE_MARKETING);
    ck_assert_int_eq(lty_journey_get(t.e, "nope", &info), LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "journey");
}
END_TEST

START_TEST(a_late_enrolment_skips_past_steps)
{
    define_pregnancy(t.e);
    /* due on 1 May 2026; now is 1 March: 61 days before, so the steps at
     * -200 and -100 days have passed */
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c1", 2026, 5, 1), LTY_OK);
    ck_assert_uint_eq(list_all(t.e, "c1"), 3);
    ck_assert(!has_msg(t.e, "journey/pregnancy/c1/1"));
    ck_assert(!has_msg(t.e, "journey/pregnancy/c1/2"));
    assert_planned(t.e, "journey/pregnancy/c1/3", kst(2026, 4, 1, 10, 0));
    assert_planned(t.e, "journey/pregnancy/c1/4", kst(2026, 5, 1, 10, 0));
    assert_planned(t.e, "journey/pregnancy/c1/5", kst(2026, 5, 31, 10, 0));
    lty_outbox_entry m = msg(t.e, "journey/pregnancy/c1/3");
    ck_assert_str_eq(m.template_id, "preg-late");
    ck_assert_int_eq(m.channel, LTY_CHANNEL_KAKAO);
    ck_assert_int_eq(msg(t.e, "journey/pregnancy/c1/5").purpose,
                     LTY_PURPOSE_MARKETING);
    /* an early enrolment plans everything */
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c2", 2026, 12, 1), LTY_OK);
    ck_assert_uint_eq(list_all(t.e, "c2"), 5);
    assert_planned(t.e, "journey/pregnancy/c2/1", kst(2026, 5, 15, 10, 0));
    /* enrolling again with the same anchor changes nothing */
    char *before = lty_test_dump(&t.ops, t.ud);
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c1", 2026, 5, 1), LTY_OK);
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* the enrolments are listed */
    lty_journey_enrolment en[2] = {
        {LTY_JOURNEY_ENROLMENT_VERSION, "", {0, 0, 0}, 0},
        {LTY_JOURNEY_ENROLMENT_VERSION, "", {0, 0, 0}, 0}};
    size_t n = 0;
    ck_assert_int_eq(lty_journey_list_enrolments(t.e, "c1", en, 2, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(en[0].journey_id, "pregnancy");
    ck_assert_int_eq(en[0].anchor.year, 2026);
    ck_assert_int_eq(en[0].anchor.month, 5);
    ck_assert_int_eq(en[0].anchor.day, 1);
    ck_assert_int_eq(en[0].enrolled, LTY_TEST_NOW);
}
END_TEST

START_TEST(unenrolling_cancels_what_is_pending_and_reenrolling_replans)
{
    define_pregnancy(t.e);
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c1", 2026, 5, 1), LTY_OK);
    /* the due date moves a week later: pending steps move along */
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c1", 2026, 5, 8), LTY_OK);
    assert_planned(t.e, "journey/pregnancy/c1/3", kst(2026, 4, 8, 10, 0));
    assert_planned(t.e, "journey/pregnancy/c1/4", kst(2026, 5, 8, 10, 0));
    assert_planned(t.e, "journey/pregnancy/c1/5", kst(2026, 6, 7, 10, 0));
    ck_assert_uint_eq(list_all(t.e, "c1"), 3);
    /* and then earlier: step 3 (-30 days) now falls in the past */
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c1", 2026, 3, 20), LTY_OK);
    lty_outbox_entry m = msg(t.e, "journey/pregnancy/c1/3");
    ck_assert_int_eq(m.state, LTY_MSG_CANCELLED);
    assert_planned(t.e, "journey/pregnancy/c1/4", kst(2026, 3, 20, 10, 0));
    assert_planned(t.e, "journey/pregnancy/c1/5", kst(2026, 4, 19, 10, 0));
    /* unenrolling cancels everything pending */
    ck_assert_int_eq(lty_journey_unenrol(t.e, "pregnancy", "c1"), LTY_OK);
    ck_assert_uint_eq(count_state(t.e, "c1", LTY_MSG_PLANNED), 0);
    ck_assert_uint_eq(count_state(t.e, "c1", LTY_MSG_CANCELLED), 3);
    ck_assert_str_eq(msg(t.e, "journey/pregnancy/c1/4").reason, "unenrolled");
    size_t n = 9;
    ck_assert_int_eq(lty_journey_list_enrolments(t.e, "c1", NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(lty_journey_unenrol(t.e, "pregnancy", "c1"), LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "not enrolled");
    /* enrolling again (a second pregnancy) plans afresh */
    t.now = kst(2026, 9, 1, 9, 0);
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c1", 2027, 6, 1), LTY_OK);
    assert_planned(t.e, "journey/pregnancy/c1/1@2", kst(2026, 11, 13, 10, 0));
    assert_planned(t.e, "journey/pregnancy/c1/5@2", kst(2027, 7, 1, 10, 0));
    ck_assert_uint_eq(count_state(t.e, "c1", LTY_MSG_PLANNED), 5);
    ck_assert_int_eq(lty_journey_list_enrolments(t.e, "c1", NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
}
END_TEST

START_TEST(erasing_an_enrolled_customer_moves_the_enrolment)
{
    define_pregnancy(t.e);
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c1", 2026, 5, 1), LTY_OK);
    int rc = lty_customer_erase(t.e, "c1");
    ck_assert_msg(rc == LTY_OK, "erase: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    size_t n;
    ck_assert_int_eq(lty_journey_list_enrolments(t.e, "c1", NULL, 0, &n),
                     LTY_ENOTFOUND);
    /* the enrolment moved to the anonymous id: "C\0c1\0J..." is gone */
    static const char old_key[] = "C\0c1\0Jpregnancy";
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, old_key,
                                            sizeof old_key - 1), 0);
    static const char new_key[] = "\0Jpregnancy";
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, new_key,
                                            sizeof new_key - 1), 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Daylight saving time                                                */
/* ------------------------------------------------------------------ */

/* New York in 2026: UTC-5, UTC-4 from 8 March 07:00Z to 1 November 06:00Z. */
static int new_york(int64_t utc, void *ud)
{
    (void)ud;
    int64_t start = days_from_civil(2026, 3, 8) * DAY + 7 * 3600;
    int64_t end = days_from_civil(2026, 11, 1) * DAY + 6 * 3600;
    return utc >= start && utc < end ? -240 : -300;
}

START_TEST(due_times_follow_daylight_saving_time)
{
    lty_test_env_close(&t);
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.tz_offset = new_york;
    lty_test_env_open_with(&t, &o);
    /* now: 28 February 2026, 19:00 in New York */
    lty_test_customer(t.e, "c1", "Kim", "+1 212 555 0100");
    define_treatment(t.e, "peel", "Peel", 10, 0);
    /* 1 March (EST) + 10 days = 11 March (EDT): 10:00 EDT is 14:00Z */
    record_ok(t.e, "p1", "c1", days_from_civil(2026, 3, 1) * DAY + 17 * 3600,
              LTY_EVENT_PURCHASE, "peel");
    assert_planned(t.e, "aftercare/c1/peel/2026-03-01",
                   days_from_civil(2026, 3, 11) * DAY + 14 * 3600);
    /* 25 October (EDT) + 10 = 4 November (EST): 10:00 EST is 15:00Z */
    t.now = days_from_civil(2026, 10, 25) * DAY;
    record_ok(t.e, "p2", "c1", days_from_civil(2026, 10, 25) * DAY + 17 * 3600,
              LTY_EVENT_PURCHASE, "peel");
    assert_planned(t.e, "aftercare/c1/peel/2026-10-25",
                   days_from_civil(2026, 11, 4) * DAY + 15 * 3600);
    /* a journey across the change; a birthday on each side */
    t.now = days_from_civil(2026, 3, 1) * DAY; /* 28 Feb, 19:00 local */
    static const lty_journey_step steps[] = {
        {0, "a", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE},
        {10, "b", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE}};
    lty_journey_def d = LTY_JOURNEY_DEF_INIT;
    d.id = "two";
    d.name = "Two steps";
    d.steps = steps;
    d.step_count = 2;
    ck_assert_int_eq(lty_journey_define(t.e, &d), LTY_OK);
    ck_assert_int_eq(enrol(t.e, "two", "c1", 2026, 3, 1), LTY_OK);
    assert_planned(t.e, "journey/two/c1/1",
                   days_from_civil(2026, 3, 1) * DAY + 15 * 3600);
    assert_planned(t.e, "journey/two/c1/2",
                   days_from_civil(2026, 3, 11) * DAY + 14 * 3600);
    set_birthday(t.e, "c1", 1990, 3, 7);
    lty_test_customer(t.e, "c2", "Lee", NULL);
    set_birthday(t.e, "c2", 1990, 3, 8);
    /* the local day is still 28 February: 7 days ahead is 7 March */
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 2, 28, NULL), 1);
    ck_assert_uint_eq(plan_day_ok(t.e, 2026, 3, 1, NULL), 1);
    assert_planned(t.e, "birthday/c1/2026",
                   days_from_civil(2026, 3, 7) * DAY + 15 * 3600);
    assert_planned(t.e, "birthday/c2/2026",
                   days_from_civil(2026, 3, 8) * DAY + 14 * 3600);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Bad input                                                           */
/* ------------------------------------------------------------------ */

/* Run a call that must fail with code, naming text, writing nothing. */
#define ASSERT_REFUSED(call, code, text)                                    \
    do {                                                                    \
        char *before_ = lty_test_dump(&t.ops, t.ud);                        \
        int rc_ = (call);                                                   \
        ck_assert_msg(rc_ == (code), "%s: %s (%s)", #call, lty_strerror(rc_), \
                      lty_engine_last_error(t.e));                          \
        lty_assert_err_mentions(t.e, text);                                 \
        char *after_ = lty_test_dump(&t.ops, t.ud);                         \
        ck_assert_msg(strcmp(before_, after_) == 0, "%s wrote", #call);     \
        free(before_);                                                      \
        free(after_);                                                       \
    } while (0)

static int define_journey_with(int offset, const char *tpl, lty_purpose p,
                               lty_channel ch, size_t count)
{
    lty_journey_step steps[LTY_JOURNEY_STEPS_MAX + 1];
    for (size_t i = 0; i <= LTY_JOURNEY_STEPS_MAX; i++) {
        steps[i].offset_days = (int)i;
        steps[i].template_id = "x";
        steps[i].purpose = LTY_PURPOSE_TRANSACTIONAL;
        steps[i].channel = LTY_CHANNEL_NONE;
    }
    steps[0].offset_days = offset;
    steps[0].template_id = tpl;
    steps[0].purpose = p;
    steps[0].channel = ch;
    lty_journey_def d = LTY_JOURNEY_DEF_INIT;
    d.id = "bad";
    d.name = "Bad";
    d.steps = steps;
    d.step_count = count;
    return lty_journey_define(t.e, &d);
}

static int define_treatment_with(const char *item, int effect, int lead,
                                 lty_purpose p, lty_channel ch)
{
    lty_treatment_def d = LTY_TREATMENT_DEF_INIT;
    d.item = item;
    d.name = "Name";
    d.effect_days = effect;
    d.lead_days = lead;
    d.template_id = "recall";
    d.purpose = p;
    d.channel = ch;
    return lty_treatment_define(t.e, &d);
}

START_TEST(bad_input_is_refused_with_clear_codes_and_nothing_written)
{
    define_pregnancy(t.e);
    const lty_purpose TX = LTY_PURPOSE_TRANSACTIONAL;
    /* journeys */
    ASSERT_REFUSED(enrol(t.e, "unknown", "c1", 2026, 5, 1), LTY_ENOTFOUND,
                   "journey: not found");
    ASSERT_REFUSED(enrol(t.e, "pregnancy", "nobody", 2026, 5, 1), LTY_ENOTFOUND,
                   "customer");
    ASSERT_REFUSED(enrol(t.e, "pregnancy", "c1", 2026, 2, 29), LTY_EINVALID,
                   "anchor");
    ASSERT_REFUSED(enrol(t.e, "pregnancy", "c1", 2026, 13, 1), LTY_EINVALID,
                   "anchor");
    ASSERT_REFUSED(enrol(t.e, "pregnancy", "c1", 0, 5, 1), LTY_EINVALID,
                   "anchor: year required");
    ASSERT_REFUSED(lty_journey_enrol(t.e, "pregnancy", "c1", NULL),
                   LTY_EINVALID, "anchor");
    ASSERT_REFUSED(enrol(t.e, "pregnancy", "c1", 9999, 12, 1), LTY_ERANGE,
                   "anchor");
    ASSERT_REFUSED(lty_journey_unenrol(t.e, "unknown", "c1"), LTY_ENOTFOUND,
                   "journey: not found");
    ASSERT_REFUSED(lty_journey_unenrol(t.e, "pregnancy", "c1"), LTY_ENOTFOUND,
                   "not enrolled");
    ASSERT_REFUSED(define_journey_with(3661, "x", TX, LTY_CHANNEL_NONE, 2),
                   LTY_EINVALID, "steps[0] offset_days");
    ASSERT_REFUSED(define_journey_with(-3661, "x", TX, LTY_CHANNEL_NONE, 2),
                   LTY_EINVALID, "offset_days");
    ASSERT_REFUSED(define_journey_with(1, "", TX, LTY_CHANNEL_NONE, 2),
                   LTY_EINVALID, "template_id");
    ASSERT_REFUSED(define_journey_with(1, "x", (lty_purpose)0, LTY_CHANNEL_NONE, 2),
                   LTY_EINVALID, "purpose");
    ASSERT_REFUSED(define_journey_with(1, "x", LTY_PURPOSE_MARKETING,
                                       LTY_CHANNEL_STAFF, 2),
                   LTY_EINVALID, "staff");
    ASSERT_REFUSED(define_journey_with(1, "x", TX, (lty_channel)9, 2),
                   LTY_EINVALID, "channel");
    ASSERT_REFUSED(define_journey_with(1, "x", TX, LTY_CHANNEL_NONE, 0),
                   LTY_EINVALID, "steps");
    ASSERT_REFUSED(define_journey_with(1, "x", TX, LTY_CHANNEL_NONE,
                                       LTY_JOURNEY_STEPS_MAX + 1),
                   LTY_EINVALID, "steps");
    lty_journey_def jd = LTY_JOURNEY_DEF_INIT;
    jd.version = 0;
    ASSERT_REFUSED(lty_journey_define(t.e, &jd), LTY_EVERSION, "version");
    /* treatments */
    ASSERT_REFUSED(define_treatment_with("botox", 0, 0, TX, LTY_CHANNEL_NONE),
                   LTY_EINVALID, "effect_days");
    ASSERT_REFUSED(define_treatment_with("botox", 3661, 0, TX, LTY_CHANNEL_NONE),
                   LTY_EINVALID, "effect_days");
    ASSERT_REFUSED(define_treatment_with("botox", 30, 30, TX, LTY_CHANNEL_NONE),
                   LTY_EINVALID, "lead_days");
    ASSERT_REFUSED(define_treatment_with("botox", 30, -1, TX, LTY_CHANNEL_NONE),
                   LTY_EINVALID, "lead_days");
    ASSERT_REFUSED(define_treatment_with("", 30, 1, TX, LTY_CHANNEL_NONE),
                   LTY_EINVALID, "item");
    ASSERT_REFUSED(define_treatment_with("botox", 30, 1,
                                         LTY_PURPOSE_NIGHT_MARKETING,
                                         LTY_CHANNEL_NONE),
                   LTY_EINVALID, "purpose");
    ASSERT_REFUSED(lty_treatment_define(t.e, NULL), LTY_EINVALID, "treatment");
    ASSERT_REFUSED(lty_treatment_remove(t.e, "botox"), LTY_ENOTFOUND,
                   "treatment: not found");
    /* the daily run */
    lty_plan_day_options o = LTY_PLAN_DAY_OPTIONS_INIT;
    o.include = LTY_PLAN_WINBACK;
    ASSERT_REFUSED(plan_day(t.e, 2026, 3, 1, &o, NULL), LTY_EINVALID,
                   "lapse_days");
    o = (lty_plan_day_options)LTY_PLAN_DAY_OPTIONS_INIT;
    o.days_ahead = 367;
    ASSERT_REFUSED(plan_day(t.e, 2026, 3, 1, &o, NULL), LTY_EINVALID,
                   "days_ahead");
    o = (lty_plan_day_options)LTY_PLAN_DAY_OPTIONS_INIT;
    o.local_minute = 1440;
    ASSERT_REFUSED(plan_day(t.e, 2026, 3, 1, &o, NULL), LTY_EINVALID,
                   "local_minute");
    o = (lty_plan_day_options)LTY_PLAN_DAY_OPTIONS_INIT;
    o.include = LTY_PLAN_WINBACK;
    o.lapse_factor_pct = 50;
    ASSERT_REFUSED(plan_day(t.e, 2026, 3, 1, &o, NULL), LTY_EINVALID,
                   "lapse_factor_pct");
    o = (lty_plan_day_options)LTY_PLAN_DAY_OPTIONS_INIT;
    o.include = 1u << 7;
    ASSERT_REFUSED(plan_day(t.e, 2026, 3, 1, &o, NULL), LTY_EINVALID, "include");
    o = (lty_plan_day_options)LTY_PLAN_DAY_OPTIONS_INIT;
    o.birthday_template = "";
    ASSERT_REFUSED(plan_day(t.e, 2026, 3, 1, &o, NULL), LTY_EINVALID,
                   "birthday_template");
    o = (lty_plan_day_options)LTY_PLAN_DAY_OPTIONS_INIT;
    o.version = 2;
    ASSERT_REFUSED(plan_day(t.e, 2026, 3, 1, &o, NULL), LTY_EVERSION, "version");
    ASSERT_REFUSED(plan_day(t.e, 2026, 2, 30, NULL, NULL), LTY_EINVALID,
                   "local_date");
    ASSERT_REFUSED(plan_day(t.e, 0, 3, 1, NULL, NULL), LTY_EINVALID,
                   "local_date");
    ASSERT_REFUSED(lty_plan_day(t.e, NULL, NULL, NULL), LTY_EINVALID,
                   "local_date");
    /* NULL engines */
    ck_assert_int_eq(lty_plan_day(NULL, NULL, NULL, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_journey_enrol(NULL, "a", "b", NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_treatment_define(NULL, NULL), LTY_EINVALID);
    size_t n;
    ck_assert_int_eq(lty_treatment_list(t.e, NULL, 1, &n), LTY_EINVALID);
    ck_assert_int_eq(lty_journey_list_enrolments(t.e, "nobody", NULL, 0, &n),
                     LTY_ENOTFOUND);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Corrupt records                                                     */
/* ------------------------------------------------------------------ */

static void overwrite(const char *key, size_t keylen, const char *val,
                      size_t len)
{
    ck_assert_int_eq(t.ops.begin(t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.put(key, keylen, val, len, LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
    ck_assert_int_eq(t.ops.commit(t.ud), LTY_OK);
}

START_TEST(corrupt_records_are_reported)
{
    define_treatment(t.e, "botox", "Botox", 120, 14);
    define_pregnancy(t.e);
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c1", 2026, 5, 1), LTY_OK);
    /* the catalogue: a treatment whose lead is not below its effect */
    static const char cat[] = "M\0treatments";
    static const char bad_cat[] = "\x12\x01\x0a\x0f\x0a\x01" "b" "\x12\x01" "B"
                                  "\x18\x02\x20\x02\x2a\x01" "r" "\x30\x02";
    /* the same with lead 0 is a valid catalogue of one treatment (the
     * layout of docs/guide/record-format.md) */
    static const char good_cat[] = "\x12\x01\x0a\x0f\x0a\x01" "b" "\x12\x01" "B"
                                   "\x18\x02\x20\x00\x2a\x01" "r" "\x30\x02";
    size_t n;
    overwrite(cat, sizeof cat - 1, good_cat, sizeof good_cat - 1);
    ck_assert_int_eq(lty_treatment_list(t.e, NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    overwrite(cat, sizeof cat - 1, bad_cat, sizeof bad_cat - 1);
    ck_assert_int_eq(lty_treatment_list(t.e, NULL, 0, &n), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "treatment catalogue");
    ck_assert_int_eq(record(t.e, "p1", "c1", kst(2026, 3, 2, 15, 0),
                            LTY_EVENT_PURCHASE, "botox"),
                     LTY_ECORRUPT);
    /* an event without an item does not need the catalogue */
    record_ok(t.e, "v1", "c1", kst(2026, 3, 2, 15, 0), LTY_EVENT_VISIT, NULL);
    /* a journey with a wrong record kind */
    static const char jkey[] = "J\0pregnancy";
    overwrite(jkey, sizeof jkey - 1, "\x12\x01\x0a\x01x", 5);
    lty_journey_info info = {LTY_JOURNEY_INFO_VERSION, "", 0, {{0, "", 0, 0}}};
    ck_assert_int_eq(lty_journey_get(t.e, "pregnancy", &info), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "journey definition");
    ck_assert_int_eq(enrol(t.e, "pregnancy", "c2", 2026, 5, 1), LTY_ECORRUPT);
    /* an enrolment truncated */
    static const char ekey[] = "C\0c1\0Jpregnancy";
    overwrite(ekey, sizeof ekey - 1, "\x14\x01\x08", 3);
    ck_assert_int_eq(lty_journey_list_enrolments(t.e, "c1", NULL, 0, &n),
                     LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "journey enrolment");
    ck_assert_int_eq(lty_journey_unenrol(t.e, "pregnancy", "c1"), LTY_ECORRUPT);
    /* a newer record version */
    overwrite(cat, sizeof cat - 1, "\x12\x02", 2);
    ck_assert_int_eq(lty_treatment_list(t.e, NULL, 0, &n), LTY_EVERSION);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Storage faults                                                      */
/* ------------------------------------------------------------------ */

static const lty_journey_step two_steps[] = {
    {10, "j-a", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE},
    {20, "j-b", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE}};

static int define_two(lty_engine *e, const char *id)
{
    lty_journey_def d = LTY_JOURNEY_DEF_INIT;
    d.id = id;
    d.name = "Two";
    d.steps = two_steps;
    d.step_count = 2;
    return lty_journey_define(e, &d);
}

/* One customer with a birthday, an anniversary, a lapse and a pending
 * recall, enrolled in j1; journeys j1 and j2; treatment botox. */
static void fseed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    lty_test_customer(w->e, "c1", "Kim", "010-1234-5678");
    set_birthday(w->e, "c1", 1990, 3, 5);
    set_anniversary(w->e, "c1", "wedding", 2015, 3, 6);
    define_treatment(w->e, "botox", "Botox", 120, 14);
    record_ok(w->e, "v1", "c1", kst(2026, 1, 2, 11, 0), LTY_EVENT_VISIT, NULL);
    record_ok(w->e, "p1", "c1", kst(2026, 1, 10, 11, 0), LTY_EVENT_PURCHASE,
              "botox");
    ck_assert_int_eq(define_two(w->e, "j1"), LTY_OK);
    ck_assert_int_eq(define_two(w->e, "j2"), LTY_OK);
    ck_assert_int_eq(enrol(w->e, "j1", "c1", 2026, 3, 1), LTY_OK);
}

static int f_treatment_define(lty_engine *e)
{
    lty_treatment_def d = LTY_TREATMENT_DEF_INIT;
    d.item = "filler";
    d.name = "Filler";
    d.effect_days = 365;
    d.lead_days = 30;
    d.template_id = "recall";
    d.purpose = LTY_PURPOSE_MARKETING;
    return lty_treatment_define(e, &d);
}

static int f_treatment_remove(lty_engine *e)
{
    return lty_treatment_remove(e, "botox");
}

static int f_journey_define(lty_engine *e)
{
    return define_two(e, "j3");
}

static int f_enrol(lty_engine *e)
{
    return enrol(e, "j2", "c1", 2026, 3, 1);
}

static int f_reenrol(lty_engine *e)
{
    return enrol(e, "j1", "c1", 2026, 2, 15);
}

static int f_unenrol(lty_engine *e)
{
    return lty_journey_unenrol(e, "j1", "c1");
}

static int f_plan_day(lty_engine *e)
{
    lty_plan_day_options o = LTY_PLAN_DAY_OPTIONS_INIT;
    o.include |= LTY_PLAN_WINBACK;
    o.lapse_days = 30;
    lty_date d = {2026, 3, 1};
    return lty_plan_day(e, &d, &o, NULL);
}

static int f_aftercare(lty_engine *e)
{
    return record(e, "p2", "c1", kst(2026, 2, 28, 11, 0), LTY_EVENT_PURCHASE,
                  "botox");
}

static const struct {
    const char *name;
    int (*call)(lty_engine *);
} fcalls[] = {
    {"treatment define", f_treatment_define},
    {"treatment remove", f_treatment_remove},
    {"journey define", f_journey_define},
    {"enrol", f_enrol},
    {"re-enrol", f_reenrol},
    {"unenrol", f_unenrol},
    {"plan day", f_plan_day},
    {"aftercare", f_aftercare},
};

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    lty_test_fault_spec spec = {
        .name = fcalls[_i].name, .call = fcalls[_i].call,
        .flags = LTY_TEST_FAULT_STORAGE, .min_calls = 1, .now = LTY_TEST_NOW,
        .seed = fseed};
    lty_test_fault_sweep(&spec);
}
END_TEST

/* The fault world plans what the calls say it does. */
START_TEST(the_fault_world_plans_what_it_should)
{
    lty_test_fault_world w;
    lty_test_fault_world_open(&w, LTY_TEST_NOW, fseed, NULL);
    ck_assert_int_eq(f_plan_day(w.e), LTY_OK);
    ck_assert(has_msg(w.e, "birthday/c1/2026"));
    ck_assert(has_msg(w.e, "anniv/c1/wedding/2026"));
    ck_assert(has_msg(w.e, "winback/c1/2026-01-10"));
    ck_assert_int_eq(f_aftercare(w.e), LTY_OK);
    ck_assert_int_eq(msg(w.e, "aftercare/c1/botox/2026-01-10").state,
                     LTY_MSG_CANCELLED);
    ck_assert(has_msg(w.e, "aftercare/c1/botox/2026-02-28"));
    ck_assert_int_eq(f_reenrol(w.e), LTY_OK);
    /* moved to 15 February: step 1 (25 February) has passed */
    ck_assert_int_eq(msg(w.e, "journey/j1/c1/1").state, LTY_MSG_CANCELLED);
    assert_planned(w.e, "journey/j1/c1/2", kst(2026, 3, 7, 10, 0));
    lty_test_fault_world_close(&w);
}
END_TEST

static Suite *plan_suite(void)
{
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("plan");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, treatments_are_stored_listed_and_removed);
    tcase_add_test(tc, aftercare_is_planned_at_effect_end_minus_lead);
    tcase_add_test(tc, a_return_visit_replans_the_recall);
    tcase_add_test(tc, an_older_event_does_not_replace_a_later_recall);
    tcase_add_test(tc, a_sent_recall_does_not_block_the_next_one);
    tcase_add_test(tc, long_and_odd_ids_stay_unambiguous);
    tcase_add_test(tc, birthdays_are_planned_days_ahead_once);
    tcase_add_test(tc, a_missed_day_is_caught_up_but_the_past_is_not_planned);
    tcase_add_test(tc, the_29th_of_february_is_kept_on_the_28th_in_common_years);
    tcase_add_test(tc, anniversaries_are_planned_by_label);
    tcase_add_test(tc, winback_once_per_lapse);
    tcase_add_test(tc, winback_by_the_customers_own_interval);
    tcase_add_test(tc, journeys_are_stored_and_read_back);
    tcase_add_test(tc, a_late_enrolment_skips_past_steps);
    tcase_add_test(tc, unenrolling_cancels_what_is_pending_and_reenrolling_replans);
    tcase_add_test(tc, erasing_an_enrolled_customer_moves_the_enrolment);
    tcase_add_test(tc, due_times_follow_daylight_saving_time);
    tcase_add_test(tc, bad_input_is_refused_with_clear_codes_and_nothing_written);
    tcase_add_test(tc, corrupt_records_are_reported);
    tcase_add_test(tc, the_fault_world_plans_what_it_should);
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(plan_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
