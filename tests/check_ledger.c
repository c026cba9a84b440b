/*
 * libloyalty tests - the event ledger: recording, aggregates, the
 * once-per-local-day visit rule, idempotency, refunds, feedback, history
 * pages, lty_verify(), corrupt records and the refusal of bad input.
 *
 * The engine of every test runs at UTC+9 (Korea) with its clock at
 * LTY_TEST_NOW = 2026-03-01T00:00:00Z = 2026-03-01 09:00 local.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "codec_int.h"  /* white-box: a reference decoder */
#include "keys_int.h"   /* white-box: build keys to overwrite records */
#include "validate_int.h"
#include "ledger_int.h" /* white-box: encode aggregates to tamper with */
#include "storedump.h"
#include "testutil.h"

static lty_test_env t;

/* Unix time of local (UTC+9) wall-clock time h:m on 2026-03-01 + day. */
static int64_t kst(int day, int h, int m)
{
    return LTY_TEST_NOW - 9 * 3600 + (int64_t)day * 86400 + h * 3600 + m * 60;
}

static void setup(void)
{
    lty_test_env_open(&t);
    lty_test_customer(t.e, "c1", "Kim Minji", "010-1234-5678");
    lty_test_customer(t.e, "c2", "Lee Seojun", "010-9999-0000");
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* The whole store as text, revisions included, read through the engine's
 * own connection between calls: "nothing written" is asserted exactly. */
static char *store_dump(void)
{
    char *d = lty_test_dump(&t.ops, t.ud);
    ck_assert_ptr_nonnull(d);
    return d;
}

/* Run a call that must fail with `code`, mention `field`, and write
 * nothing. */
#define assert_refused(call, code, field)                                    \
    do {                                                                     \
        char *before_ = store_dump();                                        \
        int rc_ = (call);                                                    \
        ck_assert_msg(rc_ == (code), "%s: got %s, want %s (%s)", #call,      \
                      lty_strerror(rc_), lty_strerror(code),                 \
                      lty_engine_last_error(t.e));                           \
        lty_assert_err_mentions(t.e, field);                                 \
        char *after_ = store_dump();                                         \
        ck_assert_str_eq(before_, after_);                                   \
        free(before_);                                                       \
        free(after_);                                                        \
    } while (0)

static lty_event purchase(const char *id, const char *cid, int64_t time,
                          int64_t amount, const char *item)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = id;
    ev.customer_id = cid;
    ev.time = time;
    ev.amount = amount;
    ev.item = item;
    return ev;
}

static lty_event visit(const char *id, const char *cid, int64_t time)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_VISIT;
    ev.id = id;
    ev.customer_id = cid;
    ev.time = time;
    return ev;
}

static lty_event refund(const char *id, const char *cid, int64_t time,
                        int64_t amount, const char *of)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_REFUND;
    ev.id = id;
    ev.customer_id = cid;
    ev.time = time;
    ev.amount = amount;
    ev.refund_of = of;
    return ev;
}

static lty_event feedback(const char *id, const char *cid, int64_t time,
                          int score, const char *comment)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_FEEDBACK;
    ev.id = id;
    ev.customer_id = cid;
    ev.time = time;
    ev.score = score;
    ev.comment = comment;
    return ev;
}

static lty_record_outcome record_ok(const lty_event *ev)
{
    lty_record_outcome o = LTY_RECORD_OUTCOME_INIT;
    int rc = lty_record(t.e, ev, &o);
    ck_assert_msg(rc == LTY_OK, "record %s: %s (%s)", ev->id, lty_strerror(rc),
                  lty_engine_last_error(t.e));
    return o;
}

static lty_customer_stats stats_of(const char *cid, lty_customer **snap)
{
    lty_customer *c = NULL;
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    ck_assert_int_eq(lty_customer_get(t.e, cid, &c), LTY_OK);
    ck_assert_int_eq(lty_customer_stats_get(c, &st), LTY_OK);
    *snap = c; /* owns st.last_item */
    return st;
}

static int64_t visits_of(const char *cid)
{
    lty_customer *c;
    lty_customer_stats st = stats_of(cid, &c);
    lty_customer_free(c);
    return st.visits;
}

/* lty_verify() with its mismatches collected. */
typedef struct found {
    size_t n;
    char field[8][32];
    char customer[8][LTY_ID_MAX + 1];
    int64_t stored[8], expected[8];
    char stored_text[8][LTY_CODE_MAX + 1], expected_text[8][LTY_CODE_MAX + 1];
} found;

static int collect_mismatch(const lty_verify_mismatch *m, void *ud)
{
    found *f = ud;
    if (f->n < 8) {
        snprintf(f->field[f->n], sizeof f->field[0], "%s", m->field);
        snprintf(f->customer[f->n], sizeof f->customer[0], "%s",
                 m->customer_id);
        f->stored[f->n] = m->stored;
        f->expected[f->n] = m->expected;
        snprintf(f->stored_text[f->n], sizeof f->stored_text[0], "%s",
                 m->stored_text ? m->stored_text : "(null)");
        snprintf(f->expected_text[f->n], sizeof f->expected_text[0], "%s",
                 m->expected_text ? m->expected_text : "(null)");
    }
    f->n++;
    return LTY_OK;
}

static found verify_ok(void)
{
    found f;
    size_t n = 99;
    memset(&f, 0, sizeof f);
    int rc = lty_verify(t.e, &n, collect_mismatch, &f);
    ck_assert_msg(rc == LTY_OK, "verify: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    ck_assert_uint_eq(n, f.n);
    return f;
}

static void put_raw(const lty__key *k, const void *val, size_t len)
{
    ck_assert_int_eq(t.ops.put(k->b, k->n, val, len, LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
}

static void put_stats(const char *cid, const lty__stats *s)
{
    lty__key k;
    lty_allocator a;
    lty_buf b;
    lty__alloc_init(&a, NULL);
    lty__buf_init(&b, &a);
    ck_assert_int_eq(lty__stats_encode(s, &b), LTY_OK);
    lty__key_stats(&k, cid, strlen(cid));
    put_raw(&k, b.data, b.len);
    lty__buf_release(&b);
}

static int read_stats(const char *cid, lty__stats *s)
{
    lty_buf buf;
    lty_allocator a;
    lty__key k;
    uint64_t rev;
    lty__alloc_init(&a, NULL);
    lty__buf_init(&buf, &a);
    lty__key_stats(&k, cid, strlen(cid));
    int rc = t.ops.get(k.b, k.n, &buf, &rev, t.ud);
    if (rc == LTY_OK)
        rc = lty__stats_decode(buf.data, buf.len, s);
    lty__buf_release(&buf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Aggregates                                                          */
/* ------------------------------------------------------------------ */

START_TEST(purchase_updates_aggregates)
{
    lty_event ev = purchase("o-1", "c1", kst(1, 12, 0), 15000, "americano");
    lty_record_outcome o = record_ok(&ev);
    ck_assert_int_eq(o.duplicate, 0);
    ck_assert_int_eq(o.visit_counted, 1);
    ck_assert_int_eq(o.visits, 1);
    ck_assert_int_eq(o.net_spend, 15000);

    ev = purchase("o-2", "c1", kst(3, 12, 0), 4500, "latte");
    o = record_ok(&ev);
    ck_assert_int_eq(o.visits, 2);
    ck_assert_int_eq(o.net_spend, 19500);

    lty_customer *c;
    lty_customer_stats st = stats_of("c1", &c);
    ck_assert_int_eq(st.first_visit, kst(1, 12, 0));
    ck_assert_int_eq(st.last_visit, kst(3, 12, 0));
    ck_assert_int_eq(st.visits, 2);
    ck_assert_int_eq(st.purchases, 2);
    ck_assert_int_eq(st.net_spend, 19500);
    ck_assert_int_eq(st.refunds, 0);
    ck_assert_int_eq(st.feedbacks, 0);
    ck_assert_str_eq(st.last_item, "latte");
    lty_customer_free(c);

    /* The other customer is untouched. */
    st = stats_of("c2", &c);
    ck_assert_int_eq(st.visits, 0);
    ck_assert_int_eq(st.first_visit, 0);
    ck_assert_ptr_null(st.last_item);
    lty_customer_free(c);
}
END_TEST

START_TEST(zero_amount_purchase_and_visit)
{
    lty_event ev = purchase("free", "c1", kst(0, 10, 0), 0, NULL);
    lty_record_outcome o = record_ok(&ev);
    ck_assert_int_eq(o.visits, 1);
    ev = visit("v", "c1", kst(1, 10, 0));
    ev.item = "consultation";
    ev.branch = "gangnam";
    o = record_ok(&ev);
    ck_assert_int_eq(o.visits, 2);
    ck_assert_int_eq(o.net_spend, 0);
    lty_customer *c;
    lty_customer_stats st = stats_of("c1", &c);
    ck_assert_int_eq(st.purchases, 1);
    ck_assert_str_eq(st.last_item, "consultation");
    lty_customer_free(c);
}
END_TEST

START_TEST(time_now_uses_the_clock)
{
    lty_event ev = purchase("now", "c1", LTY_TIME_NOW, 100, NULL);
    record_ok(&ev);
    lty_customer *c;
    lty_customer_stats st = stats_of("c1", &c);
    ck_assert_int_eq(st.first_visit, LTY_TEST_NOW);
    lty_customer_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Visits: once per local day                                          */
/* ------------------------------------------------------------------ */

START_TEST(visit_days_are_local_days)
{
    /* 23:30 and 00:30 local are two days, though both are 2026-03-01 in
     * UTC (14:30Z and 15:30Z). */
    lty_event ev = purchase("a", "c1", kst(0, 23, 30), 1000, NULL);
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ev = purchase("b", "c1", kst(1, 0, 30), 1000, NULL);
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ck_assert_int_eq(visits_of("c1"), 2);

    /* 09:00Z and 20:00Z on one UTC day are 18:00 and 05:00 the next day
     * in Korea: two local days again. */
    int64_t utc_day = LTY_TEST_NOW + 10 * 86400; /* 2026-03-11T00:00Z */
    ev = purchase("c", "c2", utc_day + 9 * 3600, 1000, NULL);
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ev = purchase("d", "c2", utc_day + 20 * 3600, 1000, NULL);
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ck_assert_int_eq(visits_of("c2"), 2);

    /* 01:00Z and 14:59Z are 10:00 and 23:59 on one local day (two days
     * on, as 20:00Z above was already 05:00 of the next local day). */
    ev = purchase("e", "c2", utc_day + 2 * 86400 + 1 * 3600, 1000, NULL);
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ev = purchase("f", "c2", utc_day + 2 * 86400 + 14 * 3600 + 59 * 60, 1000,
                  NULL);
    lty_record_outcome o = record_ok(&ev);
    ck_assert_int_eq(o.visit_counted, 0);
    ck_assert_int_eq(o.visits, 3);
}
END_TEST

START_TEST(visit_and_purchase_same_day_count_once)
{
    lty_event ev = visit("v1", "c1", kst(2, 9, 0));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ev = purchase("p1", "c1", kst(2, 9, 30), 30000, "scaling");
    lty_record_outcome o = record_ok(&ev);
    ck_assert_int_eq(o.visit_counted, 0);
    ck_assert_int_eq(o.visits, 1);
    ev = visit("v2", "c1", kst(2, 18, 0));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 0);
    /* Feedback and refunds are not visits. */
    ev = feedback("f1", "c1", kst(5, 9, 0), 9, NULL);
    ck_assert_int_eq(record_ok(&ev).visit_counted, 0);
    ev = refund("r1", "c1", kst(6, 9, 0), 1000, "p1");
    o = record_ok(&ev);
    ck_assert_int_eq(o.visit_counted, 0);
    ck_assert_int_eq(o.visits, 1);
    lty_customer *c;
    lty_customer_stats st = stats_of("c1", &c);
    ck_assert_int_eq(st.last_visit, kst(2, 18, 0));
    lty_customer_free(c);
}
END_TEST

START_TEST(out_of_order_events)
{
    lty_event ev = purchase("d10", "c1", kst(10, 12, 0), 1000, NULL);
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    /* An earlier day recorded later: before the first visit, counted. */
    ev = purchase("d2", "c1", kst(2, 12, 0), 1000, NULL);
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    /* A second event on the first visit's day: not counted. */
    ev = visit("d2b", "c1", kst(2, 8, 0));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 0);
    /* A day in between with nothing yet: counted. */
    ev = purchase("d5", "c1", kst(5, 23, 59), 1000, NULL);
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    /* The same in-between day again, earlier that day: not counted. */
    ev = visit("d5b", "c1", kst(5, 0, 0));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 0);
    /* The days just beside it are their own days. */
    ev = visit("d6", "c1", kst(6, 0, 0));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ev = visit("d4", "c1", kst(4, 23, 59));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    /* A day in between that only had feedback is still a new visit day. */
    ev = feedback("fb7", "c1", kst(7, 12, 0), 8, NULL);
    record_ok(&ev);
    ev = visit("d7", "c1", kst(7, 13, 0));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    /* The last visit's day again: not counted. */
    ev = purchase("d10b", "c1", kst(10, 0, 1), 1000, NULL);
    lty_record_outcome o = record_ok(&ev);
    ck_assert_int_eq(o.visit_counted, 0);
    ck_assert_int_eq(o.visits, 6); /* days 2, 4, 5, 6, 7, 10 */

    lty_customer *c;
    lty_customer_stats st = stats_of("c1", &c);
    ck_assert_int_eq(st.first_visit, kst(2, 8, 0));
    ck_assert_int_eq(st.last_visit, kst(10, 12, 0));
    ck_assert_int_eq(st.purchases, 4);
    lty_customer_free(c);
    ck_assert_uint_eq(verify_ok().n, 0);
}
END_TEST

/* A DST-like zone through the callback: +9 before a switch time, +10
 * after, so the scan for an in-between day runs with widened bounds. */
static int64_t switch_at;

static int two_offsets(int64_t utc, void *ud)
{
    (void)ud;
    return utc < switch_at ? 540 : 600;
}

START_TEST(out_of_order_with_zone_callback)
{
    lty_test_env_close(&t);
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.tz_offset = two_offsets;
    switch_at = kst(5, 2, 0);
    lty_test_env_open_with(&t, &o);
    lty_test_customer(t.e, "c1", NULL, NULL);
    lty_event ev = visit("a", "c1", kst(1, 12, 0));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ev = visit("b", "c1", kst(9, 12, 0));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    /* After the switch, 23:30 at +9 is 00:30 of day 7 at +10. */
    ev = visit("c", "c1", kst(6, 23, 30));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ev = visit("d", "c1", kst(7, 10, 0) - 3600); /* 10:00 at +10, day 7 */
    ck_assert_int_eq(record_ok(&ev).visit_counted, 0);
    ev = visit("e", "c1", kst(6, 12, 0));
    ck_assert_int_eq(record_ok(&ev).visit_counted, 1);
    ck_assert_int_eq(visits_of("c1"), 4);
    ck_assert_uint_eq(verify_ok().n, 0);
}
END_TEST

START_TEST(last_item_is_latest_by_time_then_id)
{
    lty_event ev = purchase("p5", "c1", kst(5, 12, 0), 1000, "five");
    record_ok(&ev);
    ev = purchase("p3", "c1", kst(3, 12, 0), 1000, "three"); /* older */
    record_ok(&ev);
    ev = purchase("p6", "c1", kst(6, 12, 0), 1000, NULL); /* no item */
    record_ok(&ev);
    lty_customer *c;
    lty_customer_stats st = stats_of("c1", &c);
    ck_assert_str_eq(st.last_item, "five");
    lty_customer_free(c);
    /* Same time: the larger event id wins, whatever the order. */
    ev = purchase("p5z", "c1", kst(5, 12, 0), 1000, "zed");
    record_ok(&ev);
    ev = purchase("p5a", "c1", kst(5, 12, 0), 1000, "aye");
    record_ok(&ev);
    st = stats_of("c1", &c);
    ck_assert_str_eq(st.last_item, "zed");
    lty_customer_free(c);
    ck_assert_uint_eq(verify_ok().n, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Idempotency                                                         */
/* ------------------------------------------------------------------ */

START_TEST(same_event_twice_is_a_duplicate)
{
    lty_event ev = purchase("o-1", "c1", kst(1, 12, 0), 15000, "americano");
    ev.branch = "seoul-1";
    record_ok(&ev);
    lty_event ev2 = purchase("o-2", "c1", kst(2, 12, 0), 500, NULL);
    record_ok(&ev2);
    char *before = store_dump();
    lty_record_outcome o = record_ok(&ev);
    ck_assert_int_eq(o.duplicate, 1);
    ck_assert_int_eq(o.visit_counted, 0);
    ck_assert_int_eq(o.visits, 2);
    ck_assert_int_eq(o.net_spend, 15500);
    char *after = store_dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* NULL outcome is fine too. */
    ck_assert_int_eq(lty_record(t.e, &ev, NULL), LTY_OK);
}
END_TEST

START_TEST(replay_with_time_now_is_a_duplicate)
{
    lty_event ev = purchase("pos-77", "c1", LTY_TIME_NOW, 3000, NULL);
    record_ok(&ev);
    t.now += 600; /* the POS replays ten minutes later */
    lty_record_outcome o = record_ok(&ev);
    ck_assert_int_eq(o.duplicate, 1);
    /* An explicit time must match, though. */
    ev.time = LTY_TEST_NOW + 600;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EEXISTS, "event id");
    ev.time = LTY_TEST_NOW;
    ck_assert_int_eq(record_ok(&ev).duplicate, 1);
}
END_TEST

START_TEST(same_id_different_content_is_refused)
{
    lty_event ev = purchase("o-1", "c1", kst(1, 12, 0), 15000, "americano");
    record_ok(&ev);
    lty_event f = feedback("fb", "c1", kst(1, 13, 0), 7, "good");
    record_ok(&f);
    lty_event r = refund("rf", "c1", kst(1, 14, 0), 100, "o-1");
    record_ok(&r);

    lty_event x = ev;
    x.amount = 15001;
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    x = ev;
    x.customer_id = "c2";
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    x = ev;
    x.time += 1;
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    x = ev;
    x.item = "latte";
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    x = ev;
    x.item = NULL;
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    x = ev;
    x.branch = "busan";
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    x = visit("o-1", "c1", kst(1, 12, 0));
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    x = f;
    x.score = 8;
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    x = f;
    x.comment = "great";
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    x = r;
    x.amount = 101;
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    /* A new event reusing an id of any kind. */
    x = purchase("rf", "c1", kst(1, 14, 0), 100, NULL);
    assert_refused(lty_record(t.e, &x, NULL), LTY_EEXISTS, "event id");
    /* The originals are still duplicates. */
    ck_assert_int_eq(record_ok(&f).duplicate, 1);
    ck_assert_int_eq(record_ok(&r).duplicate, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Refunds                                                             */
/* ------------------------------------------------------------------ */

START_TEST(refund_partial_then_whole)
{
    lty_event p = purchase("p1", "c1", kst(1, 12, 0), 10000, "implant");
    record_ok(&p);
    lty_event r = refund("r1", "c1", kst(2, 12, 0), 3000, "p1");
    lty_record_outcome o = record_ok(&r);
    ck_assert_int_eq(o.net_spend, 7000);
    ck_assert_int_eq(o.visits, 1);
    r = refund("r2", "c1", kst(3, 12, 0), 7000, "p1");
    o = record_ok(&r);
    ck_assert_int_eq(o.net_spend, 0);

    lty_customer *c;
    lty_customer_stats st = stats_of("c1", &c);
    ck_assert_int_eq(st.refunds, 2);
    ck_assert_int_eq(st.purchases, 1);
    ck_assert_int_eq(st.net_spend, 0);
    ck_assert_str_eq(st.last_item, "implant");
    lty_customer_free(c);

    /* Nothing left to refund. */
    r = refund("r3", "c1", kst(4, 12, 0), 1, "p1");
    assert_refused(lty_record(t.e, &r, NULL), LTY_EINVALID, "refund amount");

    /* The history shows the refunded total and the refund's item. */
    lty_history *h = NULL;
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 10, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 3);
    lty_event got = LTY_EVENT_INIT;
    ck_assert_int_eq(lty_history_get(h, 0, &got), LTY_OK);
    ck_assert_int_eq(got.type, LTY_EVENT_REFUND);
    ck_assert_str_eq(got.refund_of, "p1");
    ck_assert_str_eq(got.item, "implant");
    ck_assert_int_eq(got.amount, 7000);
    ck_assert_int_eq(lty_history_refunded(h, 0), 0);
    ck_assert_int_eq(lty_history_get(h, 2, &got), LTY_OK);
    ck_assert_str_eq(got.id, "p1");
    ck_assert_int_eq(lty_history_refunded(h, 2), 10000);
    lty_history_free(h);
    ck_assert_uint_eq(verify_ok().n, 0);
}
END_TEST

START_TEST(over_refund_writes_nothing)
{
    lty_event p = purchase("p1", "c1", kst(1, 12, 0), 10000, NULL);
    record_ok(&p);
    lty_event r = refund("r1", "c1", kst(2, 12, 0), 10001, "p1");
    assert_refused(lty_record(t.e, &r, NULL), LTY_EINVALID, "refund amount");
    r = refund("r1", "c1", kst(2, 12, 0), 6000, "p1");
    record_ok(&r);
    r = refund("r2", "c1", kst(2, 13, 0), 4001, "p1");
    assert_refused(lty_record(t.e, &r, NULL), LTY_EINVALID, "refund amount");
}
END_TEST

START_TEST(refund_of_unknown_or_foreign_purchase)
{
    lty_event p = purchase("p-c2", "c2", kst(1, 12, 0), 10000, NULL);
    record_ok(&p);
    lty_event v = visit("v-c1", "c1", kst(1, 12, 0));
    record_ok(&v);
    lty_event r = refund("r1", "c1", kst(2, 12, 0), 100, "nope");
    assert_refused(lty_record(t.e, &r, NULL), LTY_ENOTFOUND, "refund_of");
    r = refund("r1", "c1", kst(2, 12, 0), 100, "p-c2");
    assert_refused(lty_record(t.e, &r, NULL), LTY_ENOTFOUND, "refund_of");
    r = refund("r1", "c1", kst(2, 12, 0), 100, "v-c1");
    assert_refused(lty_record(t.e, &r, NULL), LTY_EINVALID, "refund_of");
    r = refund("r1", "c1", kst(2, 12, 0), 100, "r1");
    assert_refused(lty_record(t.e, &r, NULL), LTY_ENOTFOUND, "refund_of");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Feedback                                                            */
/* ------------------------------------------------------------------ */

START_TEST(feedback_scores_and_comments)
{
    lty_event f = feedback("f0", "c1", kst(1, 12, 0), 0, NULL);
    record_ok(&f);
    f = feedback("f10", "c1", kst(1, 13, 0), 10,
                 "Kind staff.\nWould come again.\t\xed\x95\x9c");
    record_ok(&f);
    f = feedback("f11", "c1", kst(1, 14, 0), 11, NULL);
    assert_refused(lty_record(t.e, &f, NULL), LTY_EINVALID, "score");
    f = feedback("fm", "c1", kst(1, 14, 0), -1, NULL);
    assert_refused(lty_record(t.e, &f, NULL), LTY_EINVALID, "score");
    f = feedback("fc", "c1", kst(1, 14, 0), 5, "bell\a");
    assert_refused(lty_record(t.e, &f, NULL), LTY_EINVALID, "event comment");
    char big[LTY_COMMENT_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    f = feedback("fb", "c1", kst(1, 14, 0), 5, big);
    assert_refused(lty_record(t.e, &f, NULL), LTY_EINVALID, "event comment");
    big[LTY_COMMENT_MAX] = '\0';
    record_ok(&f);

    lty_customer *c;
    lty_customer_stats st = stats_of("c1", &c);
    ck_assert_int_eq(st.feedbacks, 3);
    ck_assert_int_eq(st.visits, 0);
    ck_assert_int_eq(st.first_visit, 0);
    lty_customer_free(c);

    lty_history *h;
    lty_event got = LTY_EVENT_INIT;
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 10, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 3);
    ck_assert_int_eq(lty_history_get(h, 1, &got), LTY_OK);
    ck_assert_int_eq(got.type, LTY_EVENT_FEEDBACK);
    ck_assert_int_eq(got.score, 10);
    ck_assert_str_eq(got.comment, "Kind staff.\nWould come again.\t\xed\x95\x9c");
    ck_assert_int_eq(lty_history_get(h, 2, &got), LTY_OK);
    ck_assert_int_eq(got.score, 0);
    ck_assert_ptr_null(got.comment);
    lty_history_free(h);
}
END_TEST

/* ------------------------------------------------------------------ */
/* History                                                             */
/* ------------------------------------------------------------------ */

START_TEST(history_pages_newest_first)
{
    char id[16];
    /* 25 events, two of them at the same second. */
    for (int i = 0; i < 25; i++) {
        snprintf(id, sizeof id, "ev%02d", i);
        int64_t when = kst(i, 10, 0);
        if (i == 13)
            when = kst(12, 10, 0);
        lty_test_event(t.e, id, "c1", when, 100 * i, i % 2 ? "odd" : NULL);
    }
    int seen[25] = {0};
    const char *cursor = NULL;
    char saved[256];
    int64_t prev_time = INT64_MAX;
    size_t pages = 0, total = 0;
    size_t want[] = {10, 10, 5};
    do {
        lty_history *h = NULL;
        ck_assert_int_eq(lty_history_list(t.e, "c1", cursor, 10, &h), LTY_OK);
        ck_assert_uint_lt(pages, 3);
        ck_assert_uint_eq(lty_history_count(h), want[pages]);
        for (size_t i = 0; i < lty_history_count(h); i++) {
            lty_event ev = LTY_EVENT_INIT;
            ck_assert_int_eq(lty_history_get(h, i, &ev), LTY_OK);
            ck_assert_int_le(ev.time, prev_time);
            prev_time = ev.time;
            ck_assert_str_eq(ev.customer_id, "c1");
            int n = atoi(ev.id + 2);
            ck_assert_int_eq(seen[n], 0);
            seen[n] = 1;
            ck_assert_int_eq(ev.amount, 100 * n);
            if (n % 2)
                ck_assert_str_eq(ev.item, "odd");
            else
                ck_assert_ptr_null(ev.item);
            total++;
        }
        cursor = lty_history_cursor(h);
        if (cursor) {
            ck_assert_uint_lt(strlen(cursor), sizeof saved);
            strcpy(saved, cursor);
            cursor = saved;
        }
        lty_history_free(h);
        pages++;
    } while (cursor);
    ck_assert_uint_eq(pages, 3);
    ck_assert_uint_eq(total, 25);
}
END_TEST

START_TEST(history_exact_pages_and_empty)
{
    char id[16];
    lty_history *h = NULL;
    /* A customer without events: an empty last page. */
    ck_assert_int_eq(lty_history_list(t.e, "c2", NULL, 5, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 0);
    ck_assert_ptr_null(lty_history_cursor(h));
    lty_history_free(h);
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "e%d", i);
        lty_test_event(t.e, id, "c1", kst(i, 10, 0), 1, NULL);
    }
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 2, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 2);
    char cur[256];
    ck_assert_ptr_nonnull(lty_history_cursor(h));
    strcpy(cur, lty_history_cursor(h));
    lty_history_free(h);
    ck_assert_int_eq(lty_history_list(t.e, "c1", cur, 2, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 2);
    /* Exactly the last two: no next page. */
    ck_assert_ptr_null(lty_history_cursor(h));
    lty_history_free(h);
    /* Limits at the edges. */
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 1, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 1);
    lty_history_free(h);
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 1000, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 4);
    lty_history_free(h);
}
END_TEST

START_TEST(history_bad_arguments)
{
    lty_history *h = (lty_history *)1;
    lty_test_event(t.e, "e1", "c1", kst(1, 10, 0), 1, NULL);
    lty_test_event(t.e, "e2", "c1", kst(2, 10, 0), 1, NULL);
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 1, &h), LTY_OK);
    char good[256];
    strcpy(good, lty_history_cursor(h));
    lty_history_free(h);

    const char *bad[] = {"", "zz", "0", "abc", "00000000000000006531x",
                         "not a cursor at all"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h = (lty_history *)1;
        ck_assert_int_eq(lty_history_list(t.e, "c1", bad[i], 10, &h),
                         LTY_EINVALID);
        ck_assert_ptr_null(h);
        lty_assert_err_mentions(t.e, "cursor");
    }
    /* Upper case, a truncated one, one with an odd length. */
    char mod[300];
    strcpy(mod, good);
    for (char *p = mod; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    ck_assert_int_eq(lty_history_list(t.e, "c1", mod, 10, &h), LTY_EINVALID);
    strcpy(mod, good);
    mod[16] = '\0'; /* the time without an event id */
    ck_assert_int_eq(lty_history_list(t.e, "c1", mod, 10, &h), LTY_EINVALID);
    strcpy(mod, good);
    mod[strlen(mod) - 1] = '\0';
    ck_assert_int_eq(lty_history_list(t.e, "c1", mod, 10, &h), LTY_EINVALID);
    /* An event id with a control character inside the cursor. */
    strcpy(mod, good);
    strcat(mod, "07");
    ck_assert_int_eq(lty_history_list(t.e, "c1", mod, 10, &h), LTY_EINVALID);
    /* A time past 9999 (inverted bytes 00..). */
    ck_assert_int_eq(lty_history_list(t.e, "c1", "000000000000000061", 10, &h),
                     LTY_EINVALID);
    /* Too long: 8 + 65 bytes. */
    char longc[2 * 73 + 1];
    memset(longc, '6', sizeof longc - 1);
    longc[sizeof longc - 1] = '\0';
    memcpy(longc, "ffffffff", 8);
    ck_assert_int_eq(lty_history_list(t.e, "c1", longc, 10, &h), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "cursor");

    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 0, &h), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "limit");
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 1001, &h), LTY_EINVALID);
    ck_assert_int_eq(lty_history_list(t.e, "nobody", NULL, 10, &h),
                     LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "customer");
    ck_assert_int_eq(lty_history_list(t.e, NULL, NULL, 10, &h), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "customer id");
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 10, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_history_list(NULL, "c1", NULL, 10, &h), LTY_EINVALID);

    /* Getters on NULL, bad indexes and versions. */
    ck_assert_uint_eq(lty_history_count(NULL), 0);
    ck_assert_ptr_null(lty_history_cursor(NULL));
    ck_assert_int_eq(lty_history_refunded(NULL, 0), 0);
    lty_history_free(NULL);
    ck_assert_int_eq(lty_history_list(t.e, "c1", good, 10, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 1);
    lty_event ev = LTY_EVENT_INIT;
    ck_assert_int_eq(lty_history_get(h, 1, &ev), LTY_EINVALID);
    ck_assert_int_eq(lty_history_get(h, 0, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_history_get(NULL, 0, &ev), LTY_EINVALID);
    ev.version = 0;
    ck_assert_int_eq(lty_history_get(h, 0, &ev), LTY_EVERSION);
    ev.version = LTY_EVENT_VERSION + 1;
    ck_assert_int_eq(lty_history_get(h, 0, &ev), LTY_EVERSION);
    ev.version = LTY_EVENT_VERSION;
    ck_assert_int_eq(lty_history_get(h, 0, &ev), LTY_OK);
    ck_assert_str_eq(ev.id, "e1");
    ck_assert_int_eq(lty_history_refunded(h, 5), 0);
    lty_history_free(h);
}
END_TEST

START_TEST(history_outlives_the_engine)
{
    lty_event ev = purchase("p1", "c1", kst(1, 12, 0), 10, "tea");
    ev.branch = "jeju";
    record_ok(&ev);
    lty_history *h;
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 10, &h), LTY_OK);
    lty_engine_free(t.e);
    t.e = NULL;
    lty_event got = LTY_EVENT_INIT;
    ck_assert_int_eq(lty_history_get(h, 0, &got), LTY_OK);
    ck_assert_str_eq(got.item, "tea");
    ck_assert_str_eq(got.branch, "jeju");
    ck_assert_str_eq(got.customer_id, "c1");
    ck_assert_int_eq(got.time, kst(1, 12, 0));
    ck_assert_int_eq(got.score, -1);
    ck_assert_ptr_null(got.refund_of);
    lty_history_free(h);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Verify                                                              */
/* ------------------------------------------------------------------ */

static void mixed_workload(void)
{
    lty_test_customer(t.e, "c3", NULL, NULL);
    lty_test_event(t.e, "a1", "c1", kst(3, 10, 0), 5000, "cut");
    lty_test_event(t.e, "a2", "c1", kst(1, 10, 0), 7000, "perm");
    lty_test_event(t.e, "a3", "c1", kst(1, 18, 0), -1, NULL);
    lty_test_event(t.e, "a4", "c1", kst(2, 0, 0), -1, "check");
    lty_event r = refund("a5", "c1", kst(4, 10, 0), 2000, "a2");
    record_ok(&r);
    lty_event f = feedback("a6", "c1", kst(4, 11, 0), 9, "nice");
    record_ok(&f);
    lty_test_event(t.e, "b1", "c2", kst(0, 23, 59), 100, NULL);
    lty_test_event(t.e, "b2", "c2", kst(1, 0, 0), 100, NULL);
    r = refund("b3", "c2", kst(1, 1, 0), 100, "b2");
    record_ok(&r);
}

START_TEST(verify_clean_store)
{
    size_t n = 99;
    ck_assert_int_eq(lty_verify(t.e, &n, NULL, NULL), LTY_OK);
    ck_assert_uint_eq(n, 0);
    mixed_workload();
    ck_assert_int_eq(lty_verify(t.e, NULL, NULL, NULL), LTY_OK);
    found f = verify_ok();
    ck_assert_msg(f.n == 0, "mismatch %s of %s", f.field[0], f.customer[0]);
    ck_assert_int_eq(lty_verify(NULL, &n, NULL, NULL), LTY_EINVALID);
}
END_TEST

START_TEST(verify_finds_tampered_stats)
{
    mixed_workload();
    lty__stats s;
    ck_assert_int_eq(read_stats("c1", &s), LTY_OK);
    ck_assert_int_eq(s.visits, 3);
    s.visits = 4;
    put_stats("c1", &s);
    found f = verify_ok();
    ck_assert_uint_eq(f.n, 1);
    ck_assert_str_eq(f.field[0], "visits");
    ck_assert_str_eq(f.customer[0], "c1");
    ck_assert_int_eq(f.stored[0], 4);
    ck_assert_int_eq(f.expected[0], 3);

    /* Two fields of another customer. */
    ck_assert_int_eq(read_stats("c2", &s), LTY_OK);
    s.net_spend += 1;
    strcpy(s.last_item, "ghost");
    strcpy(s.last_item_event, "b2");
    s.last_item_time = kst(1, 0, 0);
    put_stats("c2", &s);
    f = verify_ok();
    ck_assert_uint_eq(f.n, 3);
    ck_assert_str_eq(f.field[1], "net_spend");
    ck_assert_str_eq(f.customer[1], "c2");
    ck_assert_int_eq(f.stored[1], 101);
    ck_assert_int_eq(f.expected[1], 100);
    ck_assert_str_eq(f.field[2], "last_item");
    ck_assert_str_eq(f.stored_text[2], "ghost");
    ck_assert_str_eq(f.expected_text[2], "(null)");

    /* Aggregates without any ledger: a customer with no events. */
    memset(&s, 0, sizeof s);
    s.feedbacks = 2;
    put_stats("c3", &s);
    f = verify_ok();
    ck_assert_uint_eq(f.n, 4);
    ck_assert_str_eq(f.customer[3], "c3");
    ck_assert_str_eq(f.field[3], "feedbacks");

    /* Without a callback, only the count. */
    size_t n = 0;
    ck_assert_int_eq(lty_verify(t.e, &n, NULL, NULL), LTY_OK);
    ck_assert_uint_eq(n, 4);
}
END_TEST

static int stop_early(const lty_verify_mismatch *m, void *ud)
{
    (void)m;
    ++*(int *)ud;
    return LTY_EUSER;
}

START_TEST(verify_callback_error_stops)
{
    mixed_workload();
    lty__stats s;
    ck_assert_int_eq(read_stats("c1", &s), LTY_OK);
    s.purchases = 9;
    s.refunds = 9;
    put_stats("c1", &s);
    int calls = 0;
    ck_assert_int_eq(lty_verify(t.e, NULL, stop_early, &calls), LTY_EUSER);
    ck_assert_int_eq(calls, 1);
}
END_TEST

START_TEST(verify_finds_index_problems)
{
    mixed_workload();
    lty__key k;
    /* An index entry pointing at a ledger entry that is not there. */
    lty_allocator a;
    lty_buf b;
    lty__alloc_init(&a, NULL);
    lty__buf_init(&b, &a);
    ck_assert_int_eq(lty__evindex_encode("c2", 2, kst(9, 9, 0), &b), LTY_OK);
    lty__key_event(&k, "orphan", 6);
    put_raw(&k, b.data, b.len);
    found f = verify_ok();
    ck_assert_uint_eq(f.n, 1);
    ck_assert_str_eq(f.field[0], "event_index");
    ck_assert_str_eq(f.customer[0], "c2");
    /* A ledger entry whose index is gone. */
    ck_assert_int_eq(t.ops.del(k.b, k.n, LTY_REV_ANY, t.ud), LTY_OK);
    lty__key_event(&k, "a1", 2);
    ck_assert_int_eq(t.ops.del(k.b, k.n, LTY_REV_ANY, t.ud), LTY_OK);
    f = verify_ok();
    ck_assert_uint_eq(f.n, 1);
    ck_assert_str_eq(f.field[0], "event_index");
    ck_assert_str_eq(f.customer[0], "c1");
    lty__buf_release(&b);
}
END_TEST

START_TEST(verify_finds_refunded_mismatch)
{
    mixed_workload();
    /* Rewrite purchase a2 with a refunded total its refunds do not add up
     * to (amount 7000, refunded 2000 -> 2500). */
    lty__entry en;
    memset(&en, 0, sizeof en);
    en.type = LTY_EVENT_PURCHASE;
    en.amount = 7000;
    en.refunded = 2500;
    en.score = -1;
    en.item = "perm";
    en.item_len = 4;
    lty_allocator a;
    lty_buf b;
    lty__alloc_init(&a, NULL);
    lty__buf_init(&b, &a);
    ck_assert_int_eq(lty__entry_encode(&en, &b), LTY_OK);
    lty__key k;
    lty__key_ledger(&k, "c1", 2, kst(1, 10, 0), "a2", 2);
    put_raw(&k, b.data, b.len);
    lty__buf_release(&b);
    found f = verify_ok();
    ck_assert_uint_eq(f.n, 1);
    ck_assert_str_eq(f.field[0], "refunded");
    ck_assert_int_eq(f.stored[0], 2500);
    ck_assert_int_eq(f.expected[0], 2000);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Corrupt records                                                     */
/* ------------------------------------------------------------------ */

static const unsigned char garbage[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};

START_TEST(corrupt_stats)
{
    lty_test_event(t.e, "p1", "c1", kst(1, 10, 0), 100, NULL);
    lty__key k;
    lty__key_stats(&k, "c1", 2);
    put_raw(&k, garbage, sizeof garbage);
    lty_event ev = purchase("p2", "c1", kst(2, 10, 0), 100, NULL);
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ECORRUPT, "aggregates");
    ck_assert_int_eq(lty_verify(t.e, NULL, NULL, NULL), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "aggregates");
    /* Truncated: a valid record cut short. */
    lty__stats s;
    memset(&s, 0, sizeof s);
    s.visits = 1;
    s.first_visit = s.last_visit = kst(1, 10, 0);
    s.purchases = 1;
    s.net_spend = 100;
    lty_allocator a;
    lty_buf b;
    lty__alloc_init(&a, NULL);
    lty__buf_init(&b, &a);
    ck_assert_int_eq(lty__stats_encode(&s, &b), LTY_OK);
    /* Cut anywhere: a clean refusal or (at a field boundary) a shorter
     * record that still keeps the rules; cut inside a field: refused. */
    for (size_t cut = 0; cut < b.len; cut++) {
        lty__stats out;
        int rc = lty__stats_decode(b.data, cut, &out);
        ck_assert_msg(rc == LTY_ECORRUPT || rc == LTY_OK, "cut at %zu: %d",
                      cut, rc);
        if (cut < 2 || cut == b.len - 1)
            ck_assert_int_eq(rc, LTY_ECORRUPT);
    }
    put_raw(&k, b.data, b.len - 1);
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ECORRUPT, "aggregates");
    /* The whole record is fine again. */
    put_raw(&k, b.data, b.len);
    record_ok(&ev);
    /* A newer record version is EVERSION. */
    b.data[1] = 2;
    put_raw(&k, b.data, b.len);
    ck_assert_int_eq(lty_record(t.e, &ev, NULL), LTY_EVERSION);
    lty__buf_release(&b);
}
END_TEST

START_TEST(corrupt_ledger_entry)
{
    lty_test_event(t.e, "p1", "c1", kst(1, 10, 0), 100, NULL);
    lty_test_event(t.e, "p2", "c1", kst(3, 10, 0), 100, NULL);
    lty__key k;
    lty__key_ledger(&k, "c1", 2, kst(1, 10, 0), "p1", 2);
    put_raw(&k, garbage, sizeof garbage);
    lty_history *h = NULL;
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 10, &h), LTY_ECORRUPT);
    ck_assert_ptr_null(h);
    lty_assert_err_mentions(t.e, "ledger entry");
    ck_assert_int_eq(lty_verify(t.e, NULL, NULL, NULL), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "ledger entry");
    /* A replay must compare with the entry: corrupt. */
    lty_event ev = purchase("p1", "c1", kst(1, 10, 0), 100, NULL);
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ECORRUPT, "ledger entry");
    /* A refund of it must read it: corrupt. */
    ev = refund("r1", "c1", kst(4, 10, 0), 10, "p1");
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ECORRUPT, "ledger entry");
    /* An out-of-order visit must scan past it: corrupt. */
    ev = visit("v1", "c1", kst(2, 10, 0));
    lty__key_ledger(&k, "c1", 2, kst(2, 11, 0), "zz", 2);
    put_raw(&k, garbage, 2);
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ECORRUPT, "ledger entry");
    /* Entries breaking the rules of their type. */
    static const unsigned char visit_with_amount[] = {4, 1, 0x08, 1, 0x10, 5};
    static const unsigned char unknown_type[] = {4, 1, 0x08, 9};
    static const unsigned char feedback_no_score[] = {4, 1, 0x08, 4};
    static const unsigned char over_refunded[] = {4, 1, 0x08, 2, 0x10, 5,
                                                  0x18, 6};
    static const unsigned char bad_utf8_item[] = {4, 1, 0x08, 2, 0x2a, 1, 0xff};
    static const unsigned char long_length[] = {4, 1, 0x08, 2, 0x2a, 90, 'x'};
    lty__entry en;
    ck_assert_int_eq(lty__entry_decode(visit_with_amount,
                                       sizeof visit_with_amount, &en),
                     LTY_ECORRUPT);
    ck_assert_int_eq(lty__entry_decode(unknown_type, sizeof unknown_type, &en),
                     LTY_ECORRUPT);
    ck_assert_int_eq(lty__entry_decode(feedback_no_score,
                                       sizeof feedback_no_score, &en),
                     LTY_ECORRUPT);
    ck_assert_int_eq(lty__entry_decode(over_refunded, sizeof over_refunded,
                                       &en),
                     LTY_ECORRUPT);
    ck_assert_int_eq(lty__entry_decode(bad_utf8_item, sizeof bad_utf8_item,
                                       &en),
                     LTY_ECORRUPT);
    ck_assert_int_eq(lty__entry_decode(long_length, sizeof long_length, &en),
                     LTY_ECORRUPT);
}
END_TEST

START_TEST(corrupt_event_index)
{
    lty_test_event(t.e, "p1", "c1", kst(1, 10, 0), 100, NULL);
    lty__key k;
    lty__key_event(&k, "p1", 2);
    put_raw(&k, garbage, sizeof garbage);
    lty_event ev = purchase("p1", "c1", kst(1, 10, 0), 100, NULL);
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ECORRUPT, "event index");
    ev = refund("r1", "c1", kst(2, 10, 0), 10, "p1");
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ECORRUPT, "event index");
    ck_assert_int_eq(lty_verify(t.e, NULL, NULL, NULL), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "event index");
    /* Every truncation of a real index record is refused, never a crash. */
    lty_allocator a;
    lty_buf b;
    lty__evindex ix;
    lty__alloc_init(&a, NULL);
    lty__buf_init(&b, &a);
    ck_assert_int_eq(lty__evindex_encode("c1", 2, kst(1, 10, 0), &b), LTY_OK);
    /* Header, customer field (tag, length, "c1"), then the time: only the
     * cut between the two fields leaves a record (time 0, the epoch). */
    for (size_t cut = 0; cut < b.len; cut++)
        if (cut != 2 + 4)
            ck_assert_int_eq(lty__evindex_decode(b.data, cut, &ix),
                             LTY_ECORRUPT);
    ck_assert_int_eq(lty__evindex_decode(b.data, b.len, &ix), LTY_OK);
    /* An index pointing to a missing entry. */
    ck_assert_int_eq(lty__evindex_encode("c1", 2, kst(1, 11, 0), &b), LTY_OK);
    put_raw(&k, b.data, b.len);
    ev = purchase("p1", "c1", LTY_TIME_NOW, 100, NULL);
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ECORRUPT, "event index");
    lty__buf_release(&b);
}
END_TEST

/* The aggregates' decoder written with the general codec, as a reference
 * for the inline one in ledger_record.c: both must agree on every input. */
static int ref_stats_decode(const void *data, size_t len, lty__stats *s)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    int has_item = 0, has_event = 0;
    int rc = lty__dec_begin(&d, data, len, 3, 1, NULL);
    if (rc)
        return rc;
    memset(s, 0, sizeof *s);
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        int64_t *num = NULL, max = INT64_MAX;
        const char *str;
        size_t n;
        switch (f.tag) {
        case 1: num = &s->first_visit; max = LTY_TIME_MAX; break;
        case 2: num = &s->last_visit; max = LTY_TIME_MAX; break;
        case 3: num = &s->visits; break;
        case 4: num = &s->purchases; break;
        case 5: num = &s->net_spend; break;
        case 6: num = &s->refunds; break;
        case 7: num = &s->feedbacks; break;
        case 8: num = &s->last_item_time; max = LTY_TIME_MAX; break;
        case 9:
        case 10:
            if (lty__dec_once(&seen, f.tag) ||
                lty__field_text(&f, 1, f.tag == 9 ? LTY_CODE_MAX : LTY_ID_MAX,
                                LTY__TEXT_LINE, &str, &n))
                return LTY_ECORRUPT;
            memcpy(f.tag == 9 ? s->last_item : s->last_item_event, str, n);
            *(f.tag == 9 ? &has_item : &has_event) = 1;
            break;
        default:
            break;
        }
        if (num) {
            uint64_t v;
            if (lty__dec_once(&seen, f.tag) || lty__field_u64(&f, &v) ||
                v > (uint64_t)max)
                return LTY_ECORRUPT;
            *num = (int64_t)v;
        }
    }
    if (rc < 0)
        return rc;
    if ((s->visits == 0 && (s->first_visit || s->last_visit)) ||
        s->first_visit > s->last_visit || (s->purchases && !s->visits) ||
        has_item != has_event || (!has_item && s->last_item_time))
        return LTY_ECORRUPT;
    return LTY_OK;
}

static void compare_stats_decoders(const unsigned char *data, size_t len)
{
    lty__stats a, b;
    int ra = lty__stats_decode(data, len, &a);
    int rb = ref_stats_decode(data, len, &b);
    ck_assert_int_eq(ra, rb);
    if (ra == LTY_OK)
        ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
}

/* Flip every byte of real records to every value: decoding must either
 * succeed or say LTY_ECORRUPT/LTY_EVERSION, and never read out of bounds
 * (the sanitizer build checks that). */
START_TEST(decoders_survive_mutation)
{
    lty_allocator a;
    lty_buf b;
    lty__alloc_init(&a, NULL);
    lty__buf_init(&b, &a);
    lty__entry en;
    memset(&en, 0, sizeof en);
    en.type = LTY_EVENT_FEEDBACK;
    en.score = 7;
    en.item = "item";
    en.item_len = 4;
    en.branch = "br";
    en.branch_len = 2;
    en.comment = "fine";
    en.comment_len = 4;
    ck_assert_int_eq(lty__entry_encode(&en, &b), LTY_OK);
    for (size_t i = 0; i < b.len; i++) {
        unsigned char save = b.data[i];
        for (int v = 0; v < 256; v++) {
            b.data[i] = (unsigned char)v;
            lty__entry out;
            int rc = lty__entry_decode(b.data, b.len, &out);
            ck_assert(rc == LTY_OK || rc == LTY_ECORRUPT || rc == LTY_EVERSION);
        }
        b.data[i] = save;
    }
    lty__stats s;
    memset(&s, 0, sizeof s);
    s.first_visit = 100;
    s.last_visit = 200;
    s.visits = 2;
    s.purchases = 1;
    s.net_spend = 300;
    s.last_item_time = 200;
    strcpy(s.last_item, "x");
    strcpy(s.last_item_event, "e");
    ck_assert_int_eq(lty__stats_encode(&s, &b), LTY_OK);
    lty__stats back;
    ck_assert_int_eq(lty__stats_decode(b.data, b.len, &back), LTY_OK);
    ck_assert_int_eq(memcmp(&s, &back, sizeof s), 0);
    for (size_t i = 0; i < b.len; i++) {
        unsigned char save = b.data[i];
        for (int v = 0; v < 256; v++) {
            b.data[i] = (unsigned char)v;
            int rc = lty__stats_decode(b.data, b.len, &back);
            ck_assert(rc == LTY_OK || rc == LTY_ECORRUPT || rc == LTY_EVERSION);
            if (rc == LTY_OK)
                ck_assert(back.last_item[LTY_CODE_MAX] == '\0');
            compare_stats_decoders(b.data, b.len);
        }
        b.data[i] = save;
    }
    for (size_t cut = 0; cut <= b.len; cut++)
        compare_stats_decoders(b.data, cut);
    /* Hand-made records: unknown fields are skipped, repeats, wrong wire
     * types, overlong varints and out-of-order tags are refused. */
    static const unsigned char cases[][12] = {
        {3, 1, 0x18, 1, 0x08, 5},             /* tags out of order */
        {3, 1, 0x18, 1, 0x18, 1},             /* repeated scalar */
        {3, 1, 0x1a, 1, 'x'},                 /* number sent as bytes */
        {3, 1, 0x48, 1},                      /* text sent as a number */
        {3, 1, 0x18, 0x81, 0x00},             /* overlong varint */
        {3, 1, 0xf8, 0x07, 5},                /* unknown tag 127: skipped */
        {3, 1, 0xfa, 0x07, 2, 'a', 'b'},      /* unknown bytes: skipped */
        {3, 1, 0x1b, 1},                      /* wire type 3 */
        {3, 1, 0x00, 1},                      /* tag 0 */
        {3, 1, 0xc2, 0x3e, 0},                /* tag 1000 + 1 */
        {3, 0},                               /* version 0 */
        {3, 2},                               /* a newer version */
    };
    static const size_t lens[] = {6, 6, 5, 4, 5, 5, 7, 4, 4, 5, 2, 2};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        compare_stats_decoders(cases[i], lens[i]);
    ck_assert_int_eq(lty__stats_decode(cases[5], lens[5], &back), LTY_OK);
    ck_assert_int_eq(lty__stats_decode(cases[6], lens[6], &back), LTY_OK);
    ck_assert_int_eq(lty__stats_decode(cases[0], lens[0], &back), LTY_ECORRUPT);
    ck_assert_int_eq(lty__stats_decode(cases[11], lens[11], &back),
                     LTY_EVERSION);
    lty__buf_release(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Bad input                                                           */
/* ------------------------------------------------------------------ */

START_TEST(bad_input_is_refused)
{
    lty_test_event(t.e, "p1", "c1", kst(1, 10, 0), 100, NULL);
    lty_event good = purchase("p2", "c1", kst(2, 10, 0), 100, NULL);
    lty_event ev;
    lty_record_outcome o = LTY_RECORD_OUTCOME_INIT;

    ck_assert_int_eq(lty_record(NULL, &good, NULL), LTY_EINVALID);
    assert_refused(lty_record(t.e, NULL, NULL), LTY_EINVALID, "event");

    ev = good;
    ev.version = 0;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EVERSION, "event");
    ev.version = LTY_EVENT_VERSION + 1;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EVERSION, "event");
    o.version = 0;
    assert_refused(lty_record(t.e, &good, &o), LTY_EVERSION, "outcome");
    o.version = LTY_RECORD_OUTCOME_VERSION + 1;
    assert_refused(lty_record(t.e, &good, &o), LTY_EVERSION, "outcome");

    ev = good;
    ev.type = (lty_event_type)0;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event type");
    ev.type = (lty_event_type)5;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event type");

    ev = good;
    ev.amount = -1;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID,
                   "event amount: negative");
    ev = refund("r", "c1", kst(2, 10, 0), -5, "p1");
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event amount");
    ev = refund("r", "c1", kst(2, 10, 0), 0, "p1");
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event amount");

    ev = good;
    ev.time = -1;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event time");
    ev.time = INT64_C(253402300800);
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event time");

    /* Fields that do not apply. */
    ev = visit("v", "c1", kst(2, 10, 0));
    ev.amount = 10;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event amount");
    ev = feedback("f", "c1", kst(2, 10, 0), 5, NULL);
    ev.amount = 10;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event amount");
    ev = good;
    ev.refund_of = "p1";
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "refund_of");
    ev = good;
    ev.score = 5;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event score");
    ev = visit("v", "c1", kst(2, 10, 0));
    ev.comment = "hi";
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event comment");
    ev = refund("r", "c1", kst(2, 10, 0), 5, "p1");
    ev.item = "x";
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event item");
    ev = refund("r", "c1", kst(2, 10, 0), 5, NULL);
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "refund_of");

    /* Text fields. */
    char long_code[LTY_CODE_MAX + 2];
    memset(long_code, 'a', sizeof long_code - 1);
    long_code[sizeof long_code - 1] = '\0';
    ev = good;
    ev.item = long_code;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event item");
    ev = good;
    ev.branch = long_code;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event branch");
    long_code[LTY_CODE_MAX] = '\0'; /* exactly the limit is fine */
    ev = purchase("p64", "c1", kst(3, 10, 0), 100, NULL);
    ev.item = long_code;
    ev.branch = long_code;
    record_ok(&ev);

    ev = good;
    ev.id = "p3";
    ev.item = "caf\xc3"; /* truncated UTF-8 */
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event item");
    ev.item = "\xc0\xaf"; /* overlong */
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event item");
    ev.item = "tab\there";
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event item");

    ev = good;
    ev.id = "p\n3";
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event id");
    ev.id = "p\x7f";
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event id");
    ev.id = "";
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event id");
    ev.id = NULL;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event id");
    char long_id[LTY_ID_MAX + 2];
    memset(long_id, 'i', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    ev.id = long_id;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "event id");

    ev = good;
    ev.customer_id = NULL;
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "customer id");
    ev.customer_id = "c\x01";
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EINVALID, "customer id");
    ev.customer_id = "nobody";
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ENOTFOUND, "customer");

    /* After all of that, the good event still records, once. */
    lty_record_outcome out = record_ok(&good);
    ck_assert_int_eq(out.visits, 3);
    ck_assert_str_eq(lty_engine_last_error(t.e), "");
}
END_TEST

START_TEST(money_overflow)
{
    lty_event ev = purchase("big", "c1", kst(1, 10, 0), INT64_MAX, NULL);
    ck_assert_int_eq(record_ok(&ev).net_spend, INT64_MAX);
    ev = purchase("one-more", "c1", kst(2, 10, 0), 1, NULL);
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ERANGE, "net spend");
    /* Refunding makes room again. */
    ev = refund("r", "c1", kst(3, 10, 0), 10, "big");
    record_ok(&ev);
    ev = purchase("one-more", "c1", kst(2, 10, 0), 1, NULL);
    ck_assert_int_eq(record_ok(&ev).net_spend, INT64_MAX - 9);
    ck_assert_uint_eq(verify_ok().n, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Erasure                                                             */
/* ------------------------------------------------------------------ */

START_TEST(erasure_moves_the_ledger)
{
    lty_test_event(t.e, "p1", "c1", kst(1, 10, 0), 5000, "facial");
    lty_event f = feedback("f1", "c1", kst(1, 11, 0), 3, "Kim was rude to me");
    record_ok(&f);
    lty_test_event(t.e, "q1", "c2", kst(1, 10, 0), 100, NULL);
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, "rude", 4), 1);
    ck_assert_int_eq(lty_customer_erase(t.e, "c1"), LTY_OK);

    lty_history *h;
    ck_assert_int_eq(lty_history_list(t.e, "c1", NULL, 10, &h), LTY_ENOTFOUND);
    /* Nothing of the comment is left anywhere. */
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, "rude", 4), 0);

    /* The statistics live on under the anonymous id. */
    ck_assert_int_eq(lty_history_list(t.e, "anon-1", NULL, 10, &h), LTY_OK);
    ck_assert_uint_eq(lty_history_count(h), 2);
    lty_event got = LTY_EVENT_INIT;
    ck_assert_int_eq(lty_history_get(h, 0, &got), LTY_OK);
    ck_assert_int_eq(got.type, LTY_EVENT_FEEDBACK);
    ck_assert_int_eq(got.score, 3);
    ck_assert_ptr_null(got.comment);
    lty_history_free(h);
    lty__stats s;
    ck_assert_int_eq(read_stats("anon-1", &s), LTY_OK);
    ck_assert_int_eq(s.net_spend, 5000);
    ck_assert_int_eq(s.feedbacks, 1);
    ck_assert_int_eq(read_stats("c1", &s), LTY_ENOTFOUND);
    ck_assert_uint_eq(verify_ok().n, 0);

    /* The old event ids stay taken, and point at the anonymous id. */
    lty_event ev = purchase("p1", "c2", kst(1, 10, 0), 5000, "facial");
    assert_refused(lty_record(t.e, &ev, NULL), LTY_EEXISTS, "event id");
    ev = refund("r1", "c2", kst(2, 10, 0), 10, "p1");
    assert_refused(lty_record(t.e, &ev, NULL), LTY_ENOTFOUND, "refund_of");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Two engines                                                         */
/* ------------------------------------------------------------------ */

START_TEST(second_engine_sees_and_dedups)
{
    lty_engine *e2 = lty_test_env_engine(&t);
    lty_event ev = purchase("x1", "c1", kst(1, 10, 0), 700, NULL);
    record_ok(&ev);
    lty_record_outcome o = LTY_RECORD_OUTCOME_INIT;
    ck_assert_int_eq(lty_record(e2, &ev, &o), LTY_OK);
    ck_assert_int_eq(o.duplicate, 1);
    ck_assert_int_eq(o.net_spend, 700);
    ev = purchase("x2", "c1", kst(1, 11, 0), 300, NULL);
    ck_assert_int_eq(lty_record(e2, &ev, &o), LTY_OK);
    ck_assert_int_eq(o.visits, 1);
    ck_assert_int_eq(o.net_spend, 1000);
    lty_engine_free(e2);
}
END_TEST

static Suite *ledger_suite(void)
{
    Suite *s = suite_create("ledger");
    TCase *tc = tcase_create("record");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, purchase_updates_aggregates);
    tcase_add_test(tc, zero_amount_purchase_and_visit);
    tcase_add_test(tc, time_now_uses_the_clock);
    tcase_add_test(tc, visit_days_are_local_days);
    tcase_add_test(tc, visit_and_purchase_same_day_count_once);
    tcase_add_test(tc, out_of_order_events);
    tcase_add_test(tc, out_of_order_with_zone_callback);
    tcase_add_test(tc, last_item_is_latest_by_time_then_id);
    tcase_add_test(tc, same_event_twice_is_a_duplicate);
    tcase_add_test(tc, replay_with_time_now_is_a_duplicate);
    tcase_add_test(tc, same_id_different_content_is_refused);
    tcase_add_test(tc, refund_partial_then_whole);
    tcase_add_test(tc, over_refund_writes_nothing);
    tcase_add_test(tc, refund_of_unknown_or_foreign_purchase);
    tcase_add_test(tc, feedback_scores_and_comments);
    tcase_add_test(tc, money_overflow);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, erasure_moves_the_ledger);
    tcase_add_test(tc, second_engine_sees_and_dedups);
    suite_add_tcase(s, tc);

    tc = tcase_create("history");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, history_pages_newest_first);
    tcase_add_test(tc, history_exact_pages_and_empty);
    tcase_add_test(tc, history_bad_arguments);
    tcase_add_test(tc, history_outlives_the_engine);
    suite_add_tcase(s, tc);

    tc = tcase_create("verify");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, verify_clean_store);
    tcase_add_test(tc, verify_finds_tampered_stats);
    tcase_add_test(tc, verify_callback_error_stops);
    tcase_add_test(tc, verify_finds_index_problems);
    tcase_add_test(tc, verify_finds_refunded_mismatch);
    suite_add_tcase(s, tc);

    tc = tcase_create("corrupt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, corrupt_stats);
    tcase_add_test(tc, corrupt_ledger_entry);
    tcase_add_test(tc, corrupt_event_index);
    tcase_add_test(tc, decoders_survive_mutation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ledger_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
