/*
 * libloyalty tests - recognition: the daily front-desk briefing and the
 * caller-ID card.
 *
 * One seeded clinic day, Monday 2026-03-02 in Seoul (UTC+9):
 *
 *   09:30 R-1  c-kim   Kim Minji: 5 counted visits, a ladder one visit
 *                      before its next step (promotion due), Green in the
 *                      star card, birthday in 3 days, an allergy note and
 *                      a preference, one reward ready (one expired, one
 *                      redeemed), referred Lee
 *   09:30 R-2  c-lee   Lee Jiho: new (first visit), birthday today,
 *                      referred by Kim who is booked too: came together
 *   10:00 R-5  c-choi  cancelled: not in the briefing
 *   11:00 R-3  c-park  Park Sora: last visit 274 days ago (welcome back),
 *                      wedding anniversary in 6 days
 *   15:00 R-4  c-kim   Kim's second appointment: no promotion there
 *   16:00 R-6  (erased customer: anonymous id, no personal data)
 *   tomorrow R-7 c-park
 *
 * Then caller ID from four spellings of Kim's number, unknown numbers (one
 * storage call), bad input, corrupt records, every storage read failing in
 * turn (the briefing is read-only: a failed read returns the storage error
 * and leaves nothing behind) and every allocation failing in turn (nothing
 * leaks).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "faultworld.h"
#include "testutil.h"

#define MINUTE INT64_C(60)
#define HOUR INT64_C(3600)
#define DAY INT64_C(86400)

/* 2026-03-02T00:00 in Seoul (2026-03-01T15:00Z): the briefing's day. */
#define D0 (LTY_TEST_NOW + 15 * HOUR)
/* The clock when the briefing is printed: 07:30 that morning. */
#define MORNING (D0 + 7 * HOUR + 30 * MINUTE)

static const lty_date MONDAY = {2026, 3, 2};

static lty_test_env t;

/* ------------------------------------------------------------------ */
/* The seeded day                                                      */
/* ------------------------------------------------------------------ */

static void ok(lty_engine *e, int rc, const char *what)
{
    ck_assert_msg(rc == LTY_OK, "%s: %s (%s)", what, lty_strerror(rc),
                  lty_engine_last_error(e));
}

static void customer(lty_engine *e, const char *id, const char *name,
                     const char *phone, int by, int bm, int bd)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE;
    f.name = name;
    f.phone = phone;
    if (bm) {
        f.set |= LTY_FIELD_BIRTHDAY;
        f.birthday = (lty_date){by, bm, bd};
    }
    ok(e, lty_customer_create(e, &f), id);
}

static void book(lty_engine *e, const char *id, const char *cid, int64_t start,
                 const char *item)
{
    lty_appointment_spec s = LTY_APPOINTMENT_SPEC_INIT;
    s.id = id;
    s.customer_id = cid;
    s.start = start;
    s.duration = 30;
    s.item = item;
    s.branch = "gangnam";
    s.staff = "dr-kim";
    ok(e, lty_appointment_book(e, &s), id);
}

static void reward(lty_engine *e, const char *code, const char *cid,
                   const char *name, int valid_days)
{
    lty_reward_spec r = LTY_REWARD_SPEC_INIT;
    r.code = code;
    r.customer_id = cid;
    r.name = name;
    r.kind = LTY_REWARD_SERVICE;
    r.valid_days = valid_days;
    ok(e, lty_reward_issue(e, &r), code);
}

static void define_programs(lty_engine *e)
{
    static const lty_ladder_step steps[] = {
        {1, "주임"}, {3, "계장"}, {6, "과장"}, {10, "차장"}};
    static const lty_earn_rule rules[] = {{LTY_EARN_PER_VISIT, 0, 1, NULL}};
    static const lty_tier tiers[] = {
        {"Welcome", 0, 0, 0, NULL, (lty_reward_kind)0, 0, 0},
        {"Green", 5, 0, 0, NULL, (lty_reward_kind)0, 0, 0},
        {"Gold", 30, 0, 0, NULL, (lty_reward_kind)0, 0, 0}};
    lty_program_def ladder = LTY_PROGRAM_DEF_INIT, stars = LTY_PROGRAM_DEF_INIT;
    ladder.id = "a-ladder";
    ladder.name = "Visit card";
    ladder.kind = LTY_PROGRAM_LADDER;
    ladder.steps = steps;
    ladder.step_count = sizeof steps / sizeof steps[0];
    stars.id = "b-stars";
    stars.name = "Star card";
    stars.kind = LTY_PROGRAM_STARS;
    stars.rules = rules;
    stars.rule_count = 1;
    stars.tiers = tiers;
    stars.tier_count = 3;
    ok(e, lty_program_define(e, &ladder), "ladder");
    ok(e, lty_program_define(e, &stars), "stars");
}

static void visit(lty_engine *e, const char *id, const char *cid, int64_t when,
                  const char *item)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_VISIT;
    ev.id = id;
    ev.customer_id = cid;
    ev.time = when;
    ev.item = item;
    ok(e, lty_record(e, &ev, NULL), id);
}

/* Writes the day through e, whose clock reads *now; leaves the clock at
 * MORNING. */
static void seed_day(lty_engine *e, int64_t *now)
{
    *now = D0 - 400 * DAY;
    define_programs(e);
    customer(e, "c-kim", "Kim Minji", "010-1234-5678", 1986, 3, 5);
    customer(e, "c-park", "Park Sora", "010-3333-4444", 1990, 2, 20);
    customer(e, "c-choi", "Choi Yuna", "010-5555-6666", 0, 0, 0);
    customer(e, "c-gone", "Gone Soon", "010-7777-8888", 0, 0, 0);
    ok(e, lty_customer_set_note(e, "c-kim", "allergy", "penicillin"), "note");
    ok(e, lty_customer_set_preference(e, "c-kim", "doctor", "female"), "pref");
    ok(e, lty_customer_set_preference(e, "c-kim", "drink", "green tea"), "pref");
    lty_date wedding = {2010, 3, 8};
    ok(e, lty_customer_set_anniversary(e, "c-park", "wedding", &wedding), "anniv");

    /* Kim: five counted visits, the last a whitening 20 days ago */
    static const int ago[] = {100, 80, 60, 40, 20};
    char id[16];
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "V-kim-%d", i);
        visit(e, id, "c-kim", D0 - ago[i] * DAY + 10 * HOUR,
              i == 4 ? "whitening" : "check-up");
    }
    /* Park: once, 274 days before (2025-06-01) */
    visit(e, "V-park-1", "c-park", D0 - 274 * DAY + 11 * HOUR, "scaling");

    /* Kim's rewards: one ready, one expired, one redeemed */
    *now = D0 - 10 * DAY;
    reward(e, "K-READY", "c-kim", "Free scaling", 30);
    reward(e, "K-EXPIRED", "c-kim", "Birthday cake", 5);
    reward(e, "K-USED", "c-kim", "Old coupon", 0);
    ok(e, lty_reward_redeem(e, "K-USED", LTY_TIME_NOW), "redeem");

    /* Lee: new, referred by Kim */
    *now = D0 - 5 * DAY;
    customer(e, "c-lee", "Lee Jiho", "010-2222-3333", 0, 3, 2);
    ok(e, lty_referral_register(e, "c-kim", "c-lee"), "referral");

    book(e, "R-1", "c-kim", D0 + 9 * HOUR + 30 * MINUTE, "scaling");
    book(e, "R-2", "c-lee", D0 + 9 * HOUR + 30 * MINUTE, "consultation");
    book(e, "R-5", "c-choi", D0 + 10 * HOUR, "botox");
    book(e, "R-3", "c-park", D0 + 11 * HOUR, "whitening");
    book(e, "R-4", "c-kim", D0 + 15 * HOUR, "follow-up");
    book(e, "R-6", "c-gone", D0 + 16 * HOUR, "laser");
    book(e, "R-7", "c-park", D0 + DAY + 10 * HOUR, "scaling");
    ok(e, lty_appointment_cancel(e, "R-5"), "cancel");
    ok(e, lty_customer_erase(e, "c-gone"), "erase");
    *now = MORNING;
}

static void setup(void)
{
    lty_test_env_open(&t);
    seed_day(t.e, &t.now);
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static lty_briefing *brief(lty_engine *e)
{
    lty_briefing *b = NULL;
    ok(e, lty_briefing_day(e, &MONDAY, &b), "briefing");
    ck_assert_ptr_nonnull(b);
    return b;
}

static lty_appointment appt_of(const lty_card *c)
{
    lty_appointment a = LTY_APPOINTMENT_INIT;
    ck_assert_int_eq(lty_card_appointment(c, &a), LTY_OK);
    return a;
}

static lty_card_program program_of(const lty_card *c, size_t i)
{
    lty_card_program p = LTY_CARD_PROGRAM_INIT;
    ck_assert_int_eq(lty_card_program_at(c, i, &p), LTY_OK);
    return p;
}

static lty_occasion occasion_of(const lty_card *c, size_t i)
{
    lty_occasion o = LTY_OCCASION_INIT;
    ck_assert_int_eq(lty_card_occasion_at(c, i, &o), LTY_OK);
    return o;
}

static char *text_of(const lty_briefing *b)
{
    char *s = NULL;
    size_t n = 0;
    ck_assert_int_eq(lty_briefing_render_text(b, &s, &n), LTY_OK);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(n, strlen(s));
    return s;
}

#define assert_has(text, what) \
    ck_assert_msg(strstr((text), (what)) != NULL, "'%s' not in:\n%s", (what), (text))

/* ------------------------------------------------------------------ */
/* The briefing                                                        */
/* ------------------------------------------------------------------ */

START_TEST(entries_in_time_order_without_cancelled)
{
    lty_briefing *b = brief(t.e);
    static const char *const ids[] = {"R-1", "R-2", "R-3", "R-4", "R-6"};
    ck_assert_uint_eq(lty_briefing_count(b), 5);
    for (size_t i = 0; i < 5; i++) {
        lty_appointment a = appt_of(lty_briefing_entry(b, i));
        ck_assert_str_eq(a.id, ids[i]);
        ck_assert_int_eq(a.state, LTY_APPOINTMENT_BOOKED);
    }
    lty_appointment a = appt_of(lty_briefing_entry(b, 0));
    ck_assert_int_eq(a.start, D0 + 9 * HOUR + 30 * MINUTE);
    ck_assert_str_eq(a.item, "scaling");
    ck_assert_str_eq(a.branch, "gangnam");
    ck_assert_str_eq(a.staff, "dr-kim");
    ck_assert_str_eq(a.customer_id, "c-kim");
    ck_assert_ptr_null(lty_briefing_entry(b, 5));
    lty_date d;
    ck_assert_int_eq(lty_briefing_date(b, &d), LTY_OK);
    ck_assert_int_eq(d.year, 2026);
    ck_assert_int_eq(d.month, 3);
    ck_assert_int_eq(d.day, 2);
    lty_briefing_free(b);
}
END_TEST

START_TEST(regular_customer_promotion_due)
{
    lty_briefing *b = brief(t.e);
    const lty_card *c = lty_briefing_entry(b, 0);
    ck_assert_str_eq(lty_card_customer_id(c), "c-kim");
    ck_assert_str_eq(lty_card_name(c), "Kim Minji");
    ck_assert_ptr_nonnull(lty_card_customer(c));
    ck_assert_str_eq(lty_customer_phone(lty_card_customer(c)), "+821012345678");

    /* standing: the ladder's title and the star card's tier */
    ck_assert_str_eq(lty_card_title(c), "계장");
    ck_assert_str_eq(lty_card_tier(c), "Green");
    ck_assert_uint_eq(lty_card_program_count(c), 2);
    lty_card_program p = program_of(c, 0);
    ck_assert_str_eq(p.program_id, "a-ladder");
    ck_assert_str_eq(p.name, "Visit card");
    ck_assert_int_eq(p.kind, LTY_PROGRAM_LADDER);
    ck_assert_str_eq(p.title, "계장");
    ck_assert_str_eq(p.next_title, "과장");
    ck_assert_int_eq(p.to_next, 1);
    ck_assert_int_eq(p.promotion_due, 1);
    p = program_of(c, 1);
    ck_assert_str_eq(p.program_id, "b-stars");
    ck_assert_int_eq(p.kind, LTY_PROGRAM_STARS);
    ck_assert_str_eq(p.title, "Green");
    ck_assert_int_eq(p.balance, 5);
    ck_assert_int_eq(p.promotion_due, 0);

    /* the next counted visit (this one) reaches 과장: prepare the party */
    ck_assert_str_eq(lty_card_promotion_due(c), "과장");

    /* visits */
    ck_assert_int_eq(lty_card_visits(c), 5);
    ck_assert_int_eq(lty_card_last_visit(c), D0 - 20 * DAY + 10 * HOUR);
    ck_assert_str_eq(lty_card_last_item(c), "whitening");
    ck_assert_int_eq(lty_card_first_visit(c), 0);
    int64_t away = -1;
    ck_assert_int_eq(lty_card_welcome_back(c, &away), 0);
    ck_assert_int_eq(away, 20);

    /* birthday on 1986-03-05: in 3 days, turns 40 */
    ck_assert_uint_eq(lty_card_occasion_count(c), 1);
    lty_occasion o = occasion_of(c, 0);
    ck_assert_int_eq(o.kind, LTY_OCCASION_BIRTHDAY);
    ck_assert_str_eq(o.label, "birthday");
    ck_assert_int_eq(o.days_until, 3);
    ck_assert_int_eq(o.years, 40);
    ck_assert_int_eq(o.on.year, 2026);
    ck_assert_int_eq(o.on.month, 3);
    ck_assert_int_eq(o.on.day, 5);
    ck_assert_int_eq(o.date.year, 1986);

    /* notes and preferences, through the profile */
    const lty_customer *cu = lty_card_customer(c);
    ck_assert_str_eq(lty_customer_note(cu, "allergy"), "penicillin");
    ck_assert_uint_eq(lty_customer_preference_count(cu), 2);
    ck_assert_str_eq(lty_customer_preference(cu, "doctor"), "female");

    /* rewards: the ready one only */
    ck_assert_uint_eq(lty_card_reward_count(c), 1);
    lty_reward r = LTY_REWARD_INIT;
    ck_assert_int_eq(lty_card_reward_at(c, 0, &r), LTY_OK);
    ck_assert_str_eq(r.code, "K-READY");
    ck_assert_str_eq(r.name, "Free scaling");
    ck_assert_int_eq(r.state, LTY_REWARD_ISSUED);
    ck_assert_int_eq(lty_card_reward_at(c, 1, &r), LTY_EINVALID);

    /* Kim referred Lee; nobody referred Kim */
    ck_assert_uint_eq(lty_card_referral_count(c), 1);
    ck_assert_ptr_null(lty_card_referrer_id(c));
    ck_assert_ptr_null(lty_card_referrer_name(c));
    ck_assert_int_eq(lty_card_came_together(c), 0);

    /* the analytics slot stays empty: nothing stored */
    ck_assert_ptr_null(lty_card_segment(c));
    ck_assert_int_eq(lty_card_rfm(c, NULL, NULL, NULL), 0);
    ck_assert_int_eq(lty_card_p_alive(c, NULL), 0);
    ck_assert_int_eq(lty_card_clv(c, NULL), 0);
    ck_assert_int_eq(lty_card_vip(c), 0);
    lty_briefing_free(b);
}
END_TEST

START_TEST(second_appointment_same_day_no_promotion)
{
    lty_briefing *b = brief(t.e);
    const lty_card *c = lty_briefing_entry(b, 3);
    ck_assert_str_eq(appt_of(c).id, "R-4");
    ck_assert_str_eq(lty_card_customer_id(c), "c-kim");
    ck_assert_ptr_null(lty_card_promotion_due(c));
    ck_assert_int_eq(program_of(c, 0).promotion_due, 0);
    ck_assert_str_eq(lty_card_title(c), "계장");
    lty_briefing_free(b);
}
END_TEST

START_TEST(referred_friend_came_together)
{
    lty_briefing *b = brief(t.e);
    const lty_card *c = lty_briefing_entry(b, 1);
    ck_assert_str_eq(lty_card_customer_id(c), "c-lee");
    ck_assert_str_eq(lty_card_referrer_id(c), "c-kim");
    ck_assert_str_eq(lty_card_referrer_name(c), "Kim Minji");
    ck_assert_int_eq(lty_card_came_together(c), 1);
    ck_assert_uint_eq(lty_card_referral_count(c), 0);
    /* new: no visit, no title yet, the first tier */
    ck_assert_int_eq(lty_card_first_visit(c), 1);
    ck_assert_int_eq(lty_card_visits(c), 0);
    ck_assert_int_eq(lty_card_last_visit(c), 0);
    ck_assert_ptr_null(lty_card_last_item(c));
    ck_assert_int_eq(lty_card_welcome_back(c, NULL), 0);
    ck_assert_ptr_null(lty_card_title(c));
    ck_assert_str_eq(lty_card_tier(c), "Welcome");
    /* the first step is one visit away: a promotion at the first visit */
    ck_assert_str_eq(lty_card_promotion_due(c), "주임");
    /* birthday today (year unknown) */
    ck_assert_uint_eq(lty_card_occasion_count(c), 1);
    lty_occasion o = occasion_of(c, 0);
    ck_assert_int_eq(o.kind, LTY_OCCASION_BIRTHDAY);
    ck_assert_int_eq(o.days_until, 0);
    ck_assert_int_eq(o.years, 0);
    ck_assert_uint_eq(lty_card_reward_count(c), 0);
    lty_briefing_free(b);
}
END_TEST

START_TEST(no_show_referrer_did_not_come_together)
{
    /* the evening: Kim missed both appointments */
    t.now = D0 + 16 * HOUR;
    ok(t.e, lty_appointment_no_show(t.e, "R-1"), "no-show");
    ok(t.e, lty_appointment_no_show(t.e, "R-4"), "no-show");
    lty_briefing *b = brief(t.e);
    ck_assert_uint_eq(lty_briefing_count(b), 5);
    ck_assert_int_eq(appt_of(lty_briefing_entry(b, 0)).state,
                     LTY_APPOINTMENT_NO_SHOW);
    /* a missed appointment counts no visit: no promotion was reached */
    ck_assert_ptr_null(lty_card_promotion_due(lty_briefing_entry(b, 0)));
    const lty_card *c = lty_briefing_entry(b, 1);
    ck_assert_str_eq(lty_card_referrer_id(c), "c-kim");
    ck_assert_int_eq(lty_card_came_together(c), 0);
    char *s = text_of(b);
    assert_has(s, "[no-show]");
    ck_assert_ptr_null(strstr(s, "came together"));
    lty_free(s);
    lty_briefing_free(b);
    lty_card *cc = NULL;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-2222-3333", &cc), LTY_OK);
    ck_assert_str_eq(appt_of(cc).id, "R-2");
    ck_assert_int_eq(lty_card_came_together(cc), 0);
    lty_card_free(cc);
}
END_TEST

START_TEST(erased_referrer)
{
    ok(t.e, lty_customer_erase(t.e, "c-kim"), "erase");
    lty_briefing *b = brief(t.e);
    const lty_card *c = lty_briefing_entry(b, 1);
    ck_assert_str_eq(lty_card_customer_id(c), "c-lee");
    ck_assert_ptr_nonnull(strstr(lty_card_referrer_id(c), "anon-"));
    ck_assert_ptr_null(lty_card_referrer_name(c));
    ck_assert_int_eq(lty_card_came_together(c), 0);
    char *s = text_of(b);
    assert_has(s, "Referred by (erased) [anon-");
    ck_assert_ptr_null(strstr(s, "Kim Minji"));
    lty_free(s);
    lty_briefing_free(b);
    lty_card *cc = NULL;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-2222-3333", &cc), LTY_OK);
    ck_assert_ptr_nonnull(strstr(lty_card_referrer_id(cc), "anon-"));
    ck_assert_int_eq(lty_card_came_together(cc), 0);
    lty_card_free(cc);
}
END_TEST

START_TEST(came_together_needs_the_referrer_booked)
{
    /* Kim cancels both appointments: Lee no longer came with her */
    ok(t.e, lty_appointment_cancel(t.e, "R-1"), "cancel");
    ok(t.e, lty_appointment_cancel(t.e, "R-4"), "cancel");
    lty_briefing *b = brief(t.e);
    ck_assert_uint_eq(lty_briefing_count(b), 3);
    const lty_card *c = lty_briefing_entry(b, 0);
    ck_assert_str_eq(lty_card_customer_id(c), "c-lee");
    ck_assert_str_eq(lty_card_referrer_id(c), "c-kim");
    ck_assert_int_eq(lty_card_came_together(c), 0);
    lty_briefing_free(b);
}
END_TEST

START_TEST(long_absent_welcome_back)
{
    lty_briefing *b = brief(t.e);
    const lty_card *c = lty_briefing_entry(b, 2);
    ck_assert_str_eq(lty_card_customer_id(c), "c-park");
    int64_t away = 0;
    ck_assert_int_eq(lty_card_welcome_back(c, &away), 1);
    ck_assert_int_eq(away, 274);
    ck_assert_str_eq(lty_card_last_item(c), "scaling");
    ck_assert_int_eq(lty_card_visits(c), 1);
    /* the wedding anniversary (2010-03-08) in 6 days, 16 years; the
     * birthday (20 February) has passed */
    ck_assert_uint_eq(lty_card_occasion_count(c), 1);
    lty_occasion o = occasion_of(c, 0);
    ck_assert_int_eq(o.kind, LTY_OCCASION_ANNIVERSARY);
    ck_assert_str_eq(o.label, "wedding");
    ck_assert_int_eq(o.days_until, 6);
    ck_assert_int_eq(o.years, 16);
    ck_assert_str_eq(lty_card_title(c), "주임");
    ck_assert_ptr_null(lty_card_promotion_due(c));  /* 3 is 2 visits away */
    ck_assert_ptr_null(lty_card_referrer_id(c));
    lty_briefing_free(b);
}
END_TEST

START_TEST(erased_customer_is_anonymous)
{
    lty_briefing *b = brief(t.e);
    const lty_card *c = lty_briefing_entry(b, 4);
    ck_assert_str_eq(appt_of(c).id, "R-6");
    ck_assert_ptr_nonnull(strstr(lty_card_customer_id(c), "anon-"));
    ck_assert_ptr_null(lty_card_customer(c));
    ck_assert_ptr_null(lty_card_name(c));
    ck_assert_int_eq(lty_card_first_visit(c), 0);
    ck_assert_uint_eq(lty_card_program_count(c), 0);
    ck_assert_uint_eq(lty_card_occasion_count(c), 0);
    char *s = text_of(b);
    ck_assert_ptr_null(strstr(s, "Gone Soon"));
    assert_has(s, "(erased)");
    lty_free(s);
    lty_briefing_free(b);
}
END_TEST

START_TEST(after_arrival_the_day_stays_right)
{
    /* Kim arrives for R-1: her visit reaches 과장 */
    t.now = D0 + 9 * HOUR + 25 * MINUTE;
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    ok(t.e, lty_appointment_arrive(t.e, "R-1", LTY_TIME_NOW, &out), "arrive");
    ck_assert_int_eq(out.promotions, 1);
    t.now = D0 + 12 * HOUR;
    lty_briefing *b = brief(t.e);
    const lty_card *c = lty_briefing_entry(b, 0);
    ck_assert_int_eq(appt_of(c).state, LTY_APPOINTMENT_ARRIVED);
    /* the last visit is still the one before the day; visits count today */
    ck_assert_int_eq(lty_card_last_visit(c), D0 - 20 * DAY + 10 * HOUR);
    ck_assert_str_eq(lty_card_last_item(c), "whitening");
    ck_assert_int_eq(lty_card_visits(c), 6);
    ck_assert_str_eq(lty_card_title(c), "과장");
    ck_assert_ptr_null(lty_card_promotion_due(c));
    /* Lee's referrer came: still "came together" */
    ck_assert_int_eq(lty_card_came_together(lty_briefing_entry(b, 1)), 1);
    /* her afternoon appointment does not count another visit */
    c = lty_briefing_entry(b, 3);
    ck_assert_str_eq(appt_of(c).id, "R-4");
    ck_assert_ptr_null(lty_card_promotion_due(c));
    char *s = text_of(b);
    assert_has(s, "[arrived]");
    lty_free(s);
    lty_briefing_free(b);
}
END_TEST

START_TEST(last_item_at_equal_times_follows_the_aggregates)
{
    /* two purchases at the same second before the day, and one visit
     * today: the last item is the later event id's, as the aggregates say */
    lty_test_event(t.e, "P-a", "c-park", D0 - 2 * DAY, 1000, "floss");
    lty_test_event(t.e, "P-b", "c-park", D0 - 2 * DAY, 1000, "brush");
    lty_customer *cu = NULL;
    ok(t.e, lty_customer_get(t.e, "c-park", &cu), "get");
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    ck_assert_int_eq(lty_customer_stats_get(cu, &st), LTY_OK);
    char expect[64];
    snprintf(expect, sizeof expect, "%s", st.last_item);
    lty_customer_free(cu);
    t.now = D0 + 11 * HOUR;
    ok(t.e, lty_appointment_arrive(t.e, "R-3", LTY_TIME_NOW, NULL), "arrive");
    lty_briefing *b = brief(t.e);
    const lty_card *c = lty_briefing_entry(b, 2);
    ck_assert_str_eq(lty_card_customer_id(c), "c-park");
    ck_assert_int_eq(lty_card_last_visit(c), D0 - 2 * DAY);
    ck_assert_str_eq(lty_card_last_item(c), expect);
    ck_assert_int_eq(lty_card_welcome_back(c, NULL), 0);
    lty_briefing_free(b);
}
END_TEST

START_TEST(rendered_text)
{
    lty_briefing *b = brief(t.e);
    char *s = text_of(b);
    assert_has(s, "Front-desk briefing for 2026-03-02: 5 appointments");
    assert_has(s, "09:30  scaling  (R-1, branch gangnam, staff dr-kim, 30 min)");
    assert_has(s, "Kim Minji  [c-kim]");
    assert_has(s, "계장 (Visit card)");
    assert_has(s, "Green (Star card) 5 stars");
    assert_has(s, "Promotion due at this visit: 과장 (Visit card) -- prepare the party");
    assert_has(s, "Visits: 5; last 2026-02-10 (whitening)");
    assert_has(s, "Birthday on 2026-03-05 (in 3 days, turns 40)");
    assert_has(s, "Notes: allergy = penicillin");
    assert_has(s, "Preferences: doctor = female; drink = green tea");
    assert_has(s, "Has referred 1 customer\n");
    assert_has(s, "Rewards ready (1): Free scaling [K-READY]");
    assert_has(s, "Referred by Kim Minji [c-kim] -- booked the same day: came together");
    assert_has(s, "Birthday today");
    assert_has(s, "First visit");
    assert_has(s, "Welcome back: last visit 274 days ago");
    assert_has(s, "Anniversary \"wedding\" on 2026-03-08 (in 6 days, 16 years)");
    ck_assert_ptr_null(strstr(s, "R-5"));
    ck_assert_ptr_null(strstr(s, "Birthday cake"));
    lty_free(s);
    lty_briefing_free(b);
}
END_TEST

START_TEST(multiline_note_stays_in_its_block)
{
    ok(t.e, lty_customer_set_note(t.e, "c-park", "care", "sensitive gums\nuse the soft brush"),
       "note");
    lty_briefing *b = brief(t.e);
    char *s = text_of(b);
    assert_has(s, "care = sensitive gums\n      use the soft brush\n");
    lty_free(s);
    lty_briefing_free(b);
}
END_TEST

START_TEST(empty_day)
{
    lty_date d = {2026, 3, 10};
    lty_briefing *b = NULL;
    ck_assert_int_eq(lty_briefing_day(t.e, &d, &b), LTY_OK);
    ck_assert_uint_eq(lty_briefing_count(b), 0);
    ck_assert_ptr_null(lty_briefing_entry(b, 0));
    char *s = text_of(b);
    ck_assert_str_eq(s, "Front-desk briefing for 2026-03-10: no appointments\n");
    lty_free(s);
    lty_briefing_free(b);
}
END_TEST

START_TEST(options)
{
    lty_briefing_options o = LTY_BRIEFING_OPTIONS_INIT;
    ck_assert_int_eq(o.welcome_back_days, 180);
    ck_assert_int_eq(o.occasion_days, 7);
    lty_briefing *b = NULL;
    /* a year away is not "long" enough; occasions on the day only */
    o.welcome_back_days = 365;
    o.occasion_days = 0;
    ck_assert_int_eq(lty_briefing_day_with(t.e, &MONDAY, &o, &b), LTY_OK);
    ck_assert_int_eq(lty_card_welcome_back(lty_briefing_entry(b, 2), NULL), 0);
    ck_assert_uint_eq(lty_card_occasion_count(lty_briefing_entry(b, 0)), 0);
    ck_assert_uint_eq(lty_card_occasion_count(lty_briefing_entry(b, 1)), 1);
    lty_briefing_free(b);
    /* 0: never welcome back; a wider window finds Park's birthday next year
     * too late but the wedding in time */
    o.welcome_back_days = 0;
    o.occasion_days = 3;
    ck_assert_int_eq(lty_briefing_day_with(t.e, &MONDAY, &o, &b), LTY_OK);
    ck_assert_int_eq(lty_card_welcome_back(lty_briefing_entry(b, 2), NULL), 0);
    ck_assert_uint_eq(lty_card_occasion_count(lty_briefing_entry(b, 0)), 1);
    ck_assert_uint_eq(lty_card_occasion_count(lty_briefing_entry(b, 2)), 0);
    lty_briefing_free(b);
    o.welcome_back_days = 273;
    ck_assert_int_eq(lty_briefing_day_with(t.e, &MONDAY, &o, &b), LTY_OK);
    ck_assert_int_eq(lty_card_welcome_back(lty_briefing_entry(b, 2), NULL), 1);
    lty_briefing_free(b);
    o.welcome_back_days = 274;
    ck_assert_int_eq(lty_briefing_day_with(t.e, &MONDAY, &o, &b), LTY_OK);
    ck_assert_int_eq(lty_card_welcome_back(lty_briefing_entry(b, 2), NULL), 0);
    lty_briefing_free(b);
}
END_TEST

START_TEST(leap_day_birthday_in_common_year)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c-leap";
    f.set = LTY_FIELD_BIRTHDAY;
    f.birthday = (lty_date){2000, 2, 29};
    ok(t.e, lty_customer_create(t.e, &f), "create");
    book(t.e, "R-L", "c-leap", D0 - 3 * DAY + 10 * HOUR, "scaling");
    lty_date d = {2026, 2, 27};
    lty_briefing *b = NULL;
    ck_assert_int_eq(lty_briefing_day(t.e, &d, &b), LTY_OK);
    ck_assert_uint_eq(lty_briefing_count(b), 1);
    const lty_card *c = lty_briefing_entry(b, 0);
    ck_assert_uint_eq(lty_card_occasion_count(c), 1);
    lty_occasion o = occasion_of(c, 0);
    ck_assert_int_eq(o.on.month, 2);
    ck_assert_int_eq(o.on.day, 28);
    ck_assert_int_eq(o.days_until, 1);
    ck_assert_int_eq(o.years, 26);
    lty_briefing_free(b);
}
END_TEST

START_TEST(bad_briefing_input)
{
    lty_briefing *b = (lty_briefing *)&t;
    lty_date bad = {2026, 2, 30}, noyear = {0, 3, 2};
    ck_assert_int_eq(lty_briefing_day(NULL, &MONDAY, &b), LTY_EINVALID);
    ck_assert_int_eq(lty_briefing_day(t.e, &MONDAY, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_briefing_day(t.e, NULL, &b), LTY_EINVALID);
    ck_assert_ptr_null(b);
    b = (lty_briefing *)&t;
    ck_assert_int_eq(lty_briefing_day(t.e, &bad, &b), LTY_EINVALID);
    ck_assert_ptr_null(b);
    lty_assert_err_mentions(t.e, "briefing date");
    ck_assert_int_eq(lty_briefing_day(t.e, &noyear, &b), LTY_EINVALID);
    lty_briefing_options o = LTY_BRIEFING_OPTIONS_INIT;
    o.version = 0;
    ck_assert_int_eq(lty_briefing_day_with(t.e, &MONDAY, &o, &b), LTY_EVERSION);
    o.version = LTY_BRIEFING_OPTIONS_VERSION + 1;
    ck_assert_int_eq(lty_briefing_day_with(t.e, &MONDAY, &o, &b), LTY_EVERSION);
    o = (lty_briefing_options)LTY_BRIEFING_OPTIONS_INIT;
    o.welcome_back_days = -1;
    ck_assert_int_eq(lty_briefing_day_with(t.e, &MONDAY, &o, &b), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "welcome_back_days");
    o = (lty_briefing_options)LTY_BRIEFING_OPTIONS_INIT;
    o.occasion_days = 367;
    ck_assert_int_eq(lty_briefing_day_with(t.e, &MONDAY, &o, &b), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "occasion_days");
    ck_assert_ptr_null(b);

    /* accessors and renderings on NULL */
    char *s = (char *)&t;
    ck_assert_int_eq(lty_briefing_render_text(NULL, &s, NULL), LTY_EINVALID);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(lty_card_render_text(NULL, &s, NULL), LTY_EINVALID);
    ck_assert_uint_eq(lty_briefing_count(NULL), 0);
    ck_assert_ptr_null(lty_briefing_entry(NULL, 0));
    ck_assert_int_eq(lty_briefing_date(NULL, &bad), LTY_EINVALID);
    ck_assert_ptr_null(lty_card_customer_id(NULL));
    ck_assert_ptr_null(lty_card_title(NULL));
    ck_assert_ptr_null(lty_card_promotion_due(NULL));
    ck_assert_uint_eq(lty_card_program_count(NULL), 0);
    ck_assert_uint_eq(lty_card_reward_count(NULL), 0);
    ck_assert_uint_eq(lty_card_occasion_count(NULL), 0);
    ck_assert_uint_eq(lty_card_referral_count(NULL), 0);
    ck_assert_int_eq(lty_card_welcome_back(NULL, NULL), 0);
    lty_briefing_free(NULL);
    lty_card_free(NULL);
    lty_free(NULL);

    /* versions of the output structs */
    b = brief(t.e);
    const lty_card *c = lty_briefing_entry(b, 0);
    lty_card_program p = LTY_CARD_PROGRAM_INIT;
    p.version = 2;
    ck_assert_int_eq(lty_card_program_at(c, 0, &p), LTY_EVERSION);
    p.version = 1;
    ck_assert_int_eq(lty_card_program_at(c, 2, &p), LTY_EINVALID);
    lty_occasion o2 = LTY_OCCASION_INIT;
    o2.version = 0;
    ck_assert_int_eq(lty_card_occasion_at(c, 0, &o2), LTY_EVERSION);
    lty_appointment a = LTY_APPOINTMENT_INIT;
    a.version = 0;
    ck_assert_int_eq(lty_card_appointment(c, &a), LTY_EVERSION);
    lty_reward r = LTY_REWARD_INIT;
    r.version = 99;
    ck_assert_int_eq(lty_card_reward_at(c, 0, &r), LTY_EVERSION);
    lty_briefing_free(b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Caller ID                                                           */
/* ------------------------------------------------------------------ */

START_TEST(recognize_any_spelling)
{
    static const char *const spellings[] = {
        "010-1234-5678", "01012345678", "+82 10 1234 5678", "(010) 1234 5678",
        "+82-10-1234-5678", "010.1234.5678", "0082 10 1234 5678"};
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        lty_card *c = NULL;
        int rc = lty_recognize_phone(t.e, spellings[i], &c);
        ck_assert_msg(rc == LTY_OK, "%s: %s (%s)", spellings[i],
                      lty_strerror(rc), lty_engine_last_error(t.e));
        ck_assert_str_eq(lty_card_customer_id(c), "c-kim");
        ck_assert_str_eq(lty_card_name(c), "Kim Minji");
        lty_card_free(c);
    }
}
END_TEST

START_TEST(caller_card_fields)
{
    lty_card *c = NULL;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-1234-5678", &c), LTY_OK);
    /* today's first appointment */
    lty_appointment a = appt_of(c);
    ck_assert_str_eq(a.id, "R-1");
    ck_assert_str_eq(lty_card_title(c), "계장");
    ck_assert_str_eq(lty_card_tier(c), "Green");
    ck_assert_str_eq(lty_card_promotion_due(c), "과장");
    ck_assert_int_eq(lty_card_visits(c), 5);
    ck_assert_str_eq(lty_card_last_item(c), "whitening");
    ck_assert_uint_eq(lty_card_reward_count(c), 1);
    ck_assert_uint_eq(lty_card_occasion_count(c), 1);
    ck_assert_uint_eq(lty_card_referral_count(c), 1);
    ck_assert_str_eq(lty_customer_note(lty_card_customer(c), "allergy"),
                     "penicillin");
    char *s = NULL;
    size_t n = 0;
    ck_assert_int_eq(lty_card_render_text(c, &s, &n), LTY_OK);
    ck_assert_uint_eq(n, strlen(s));
    assert_has(s, "Kim Minji  [c-kim]  +821012345678");
    assert_has(s, "Today: 09:30  scaling  (R-1");
    assert_has(s, "Promotion due at the next visit: 과장");
    lty_free(s);
    lty_card_free(c);

    /* Lee, the friend: came together with Kim (booked the same day) */
    ck_assert_int_eq(lty_recognize_phone(t.e, "01022223333", &c), LTY_OK);
    ck_assert_str_eq(appt_of(c).id, "R-2");
    ck_assert_str_eq(lty_card_referrer_id(c), "c-kim");
    ck_assert_str_eq(lty_card_referrer_name(c), "Kim Minji");
    ck_assert_int_eq(lty_card_came_together(c), 1);
    ck_assert_int_eq(lty_card_first_visit(c), 1);
    lty_card_free(c);

    /* Park: today's appointment; tomorrow's is not the one shown */
    ck_assert_int_eq(lty_recognize_phone(t.e, "010 3333 4444", &c), LTY_OK);
    ck_assert_str_eq(appt_of(c).id, "R-3");
    ck_assert_int_eq(lty_card_welcome_back(c, NULL), 1);
    lty_card_free(c);
}
END_TEST

START_TEST(caller_card_next_appointment)
{
    /* the day before: Park's next booked appointment is R-3 */
    t.now = D0 - 2 * HOUR;
    lty_card *c = NULL;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-3333-4444", &c), LTY_OK);
    ck_assert_str_eq(appt_of(c).id, "R-3");
    char *s = NULL;
    ck_assert_int_eq(lty_card_render_text(c, &s, NULL), LTY_OK);
    assert_has(s, "Next appointment: 2026-03-02 11:00  whitening");
    lty_free(s);
    lty_card_free(c);
    /* after today: tomorrow's R-7 */
    t.now = D0 + DAY + HOUR;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-3333-4444", &c), LTY_OK);
    ck_assert_str_eq(appt_of(c).id, "R-7");
    lty_card_free(c);
    /* after everything: none */
    t.now = D0 + 3 * DAY;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-3333-4444", &c), LTY_OK);
    lty_appointment a = LTY_APPOINTMENT_INIT;
    ck_assert_int_eq(lty_card_appointment(c, &a), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_card_came_together(c), 0);
    ck_assert_int_eq(lty_card_render_text(c, &s, NULL), LTY_OK);
    assert_has(s, "No appointment booked");
    lty_free(s);
    lty_card_free(c);
    /* Choi: only a cancelled appointment */
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-5555-6666", &c), LTY_OK);
    ck_assert_int_eq(lty_card_appointment(c, &a), LTY_ENOTFOUND);
    lty_card_free(c);
}
END_TEST

START_TEST(unknown_number)
{
    lty_card *c = (lty_card *)&t;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-9999-0000", &c), LTY_ENOTFOUND);
    ck_assert_ptr_null(c);
    lty_assert_err_mentions(t.e, "phone");
    /* the erased customer's number is forgotten */
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-7777-8888", &c), LTY_ENOTFOUND);
    /* another country's number with the same digits */
    ck_assert_int_eq(lty_recognize_phone(t.e, "+81 10 1234 5678", &c), LTY_ENOTFOUND);
}
END_TEST

START_TEST(bad_caller_input)
{
    lty_card *c = (lty_card *)&t;
    ck_assert_int_eq(lty_recognize_phone(NULL, "01012345678", &c), LTY_EINVALID);
    ck_assert_int_eq(lty_recognize_phone(t.e, "01012345678", NULL), LTY_EINVALID);
    static const char *const bad[] = {"", "abc", "12", "010-1234-56789012345",
                                      "++82 10", "010\n1234"};
    ck_assert_int_eq(lty_recognize_phone(t.e, NULL, &c), LTY_EINVALID);
    ck_assert_ptr_null(c);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = (lty_card *)&t;
        ck_assert_msg(lty_recognize_phone(t.e, bad[i], &c) == LTY_EINVALID,
                      "'%s' accepted", bad[i]);
        ck_assert_ptr_null(c);
    }
    lty_briefing_options o = LTY_BRIEFING_OPTIONS_INIT;
    o.version = 7;
    ck_assert_int_eq(lty_recognize_phone_with(t.e, "01012345678", &o, &c),
                     LTY_EVERSION);
    o = (lty_briefing_options)LTY_BRIEFING_OPTIONS_INIT;
    o.welcome_back_days = 36601;
    ck_assert_int_eq(lty_recognize_phone_with(t.e, "01012345678", &o, &c),
                     LTY_EINVALID);
    o.welcome_back_days = 10;
    ck_assert_int_eq(lty_recognize_phone_with(t.e, "01012345678", &o, &c),
                     LTY_OK);
    ck_assert_int_eq(lty_card_welcome_back(c, NULL), 1);
    lty_card_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Corrupt records                                                     */
/* ------------------------------------------------------------------ */

/* Replace a record's value with bytes the library could never have
 * written. */
static void put_raw(const char *key, size_t keylen, const void *v, size_t n)
{
    ck_assert_int_eq(t.ops.put(key, keylen, v, n, LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
}

static const unsigned char junk[] = {6, 1, 0x0f, 0xff};

START_TEST(corrupt_profile)
{
    static const char key[] = "C\0c-park\0P";
    put_raw(key, sizeof key - 1, junk, sizeof junk);
    lty_briefing *b = (lty_briefing *)&t;
    ck_assert_int_eq(lty_briefing_day(t.e, &MONDAY, &b), LTY_ECORRUPT);
    ck_assert_ptr_null(b);
    lty_assert_err_mentions(t.e, "customer profile");
    lty_card *c = (lty_card *)&t;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-3333-4444", &c), LTY_ECORRUPT);
    ck_assert_ptr_null(c);
    /* the others are still recognised */
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-1234-5678", &c), LTY_OK);
    lty_card_free(c);
}
END_TEST

START_TEST(corrupt_phone_index)
{
    static const char key[] = "I\0phone\0+821099990000";
    static const char bad_id[] = "bad\x01id";
    put_raw(key, sizeof key - 1, bad_id, sizeof bad_id - 1);
    lty_card *c = (lty_card *)&t;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-9999-0000", &c), LTY_ECORRUPT);
    ck_assert_ptr_null(c);
    lty_assert_err_mentions(t.e, "phone index");
}
END_TEST

START_TEST(corrupt_appointment)
{
    static const char key[] = "A\0R-3";
    put_raw(key, sizeof key - 1, junk, sizeof junk);
    lty_briefing *b = (lty_briefing *)&t;
    ck_assert_int_eq(lty_briefing_day(t.e, &MONDAY, &b), LTY_ECORRUPT);
    ck_assert_ptr_null(b);
    lty_card *c = (lty_card *)&t;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-3333-4444", &c), LTY_ECORRUPT);
    ck_assert_ptr_null(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Faults                                                              */
/* ------------------------------------------------------------------ */

static void fault_seed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    seed_day(w->e, &w->now);
}

static int call_briefing(lty_engine *e)
{
    lty_briefing *b = (lty_briefing *)e;
    int rc = lty_briefing_day(e, &MONDAY, &b);
    if (rc) {
        ck_assert_ptr_null(b);
        return rc;
    }
    ck_assert_uint_eq(lty_briefing_count(b), 5);
    char *s = (char *)b;
    rc = lty_briefing_render_text(b, &s, NULL);
    lty_briefing_free(b);
    if (rc) {
        ck_assert_ptr_null(s);
        return rc;
    }
    lty_free(s);
    return LTY_OK;
}

static int call_recognize(lty_engine *e)
{
    lty_card *c = (lty_card *)e;
    int rc = lty_recognize_phone(e, "(010) 2222 3333", &c);
    if (rc) {
        ck_assert_ptr_null(c);
        return rc;
    }
    ck_assert_int_eq(lty_card_came_together(c), 1);
    char *s = (char *)c;
    rc = lty_card_render_text(c, &s, NULL);
    lty_card_free(c);
    if (rc) {
        ck_assert_ptr_null(s);
        return rc;
    }
    lty_free(s);
    return LTY_OK;
}

START_TEST(every_failed_read)
{
    const lty_test_fault_spec specs[] = {
        {.name = "briefing", .call = call_briefing,
         .flags = LTY_TEST_FAULT_STORAGE, .min_calls = 20, .now = MORNING,
         .seed = fault_seed, .on_fault = lty_test_fault_error_names_storage},
        {.name = "caller id", .call = call_recognize,
         .flags = LTY_TEST_FAULT_STORAGE, .min_calls = 5, .now = MORNING,
         .seed = fault_seed, .on_fault = lty_test_fault_error_names_storage},
    };
    lty_test_fault_sweep(&specs[_i]);
}
END_TEST

START_TEST(unknown_number_is_one_lookup)
{
    lty_test_fault_world w;
    lty_test_fault_world_open(&w, MORNING, fault_seed, NULL);
    lty_card *c = NULL;
    ck_assert_int_eq(lty_recognize_phone(w.e, "010-9999-0000", &c), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_faulty_calls(w.faulty), 1);
    lty_faulty_reset(w.faulty);
    ck_assert_int_eq(lty_recognize_phone(w.e, "abc", &c), LTY_EINVALID);
    ck_assert_int_eq(lty_faulty_calls(w.faulty), 0);
    lty_test_fault_world_close(&w);
}
END_TEST

/* An allocator that counts live blocks and can fail the k-th allocation. */
typedef struct counting {
    long live;
    long calls;
    long fail_at;               /* 0: never */
} counting;

static void *c_malloc(size_t n, void *ud)
{
    counting *c = ud;
    if (c->fail_at && ++c->calls == c->fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        c->live++;
    return p;
}

static void *c_realloc(void *p, size_t n, void *ud)
{
    counting *c = ud;
    if (c->fail_at && ++c->calls == c->fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        c->live++;
    return q;
}

static void c_free(void *p, void *ud)
{
    counting *c = ud;
    if (p)
        c->live--;
    free(p);
}

START_TEST(every_failed_allocation)
{
    counting cnt = {0, 0, 0};
    lty_allocator a = {c_malloc, c_realloc, c_free, &cnt};
    lty_test_env env;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.utc_offset_minutes = 540;
    o.allocator = &a;
    lty_test_env_open_with(&env, &o);
    seed_day(env.e, &env.now);
    /* warm the engine's caches and buffers, then count from there */
    int (*const calls[])(lty_engine *) = {call_briefing, call_recognize};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(calls[i](env.e), LTY_OK);
        ck_assert_int_eq(calls[i](env.e), LTY_OK);
    }
    for (size_t i = 0; i < 2; i++) {
        long base = cnt.live, k = 1;
        for (;; k++) {
            cnt.calls = 0;
            cnt.fail_at = k;
            int rc = calls[i](env.e);
            cnt.fail_at = 0;
            ck_assert_msg(cnt.live == base, "call %zu, allocation %ld: %ld blocks leaked",
                          i, k, cnt.live - base);
            if (rc == LTY_OK)
                break;
            ck_assert_msg(rc == LTY_ENOMEM, "call %zu, allocation %ld: %s", i, k,
                          lty_strerror(rc));
        }
        ck_assert_int_gt(k, 3);
    }
    lty_test_env_close(&env);
    ck_assert_int_eq(cnt.live, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The analytics slot                                                  */
/* ------------------------------------------------------------------ */

#define assert_lacks(text, what) \
    ck_assert_msg(strstr((text), (what)) == NULL, "'%s' in:\n%s", (what), (text))

/* RFM with fixed cut points and a table of two segments: Kim (5 visits,
 * the last 20 days ago) is a Champion, Park (once, 274 days ago) is not. */
static void store_rfm(lty_engine *e)
{
    static const lty_rfm_segment segs[] = {
        {"Champions", 4, 5, 4, 5, 1, 5},
        {"Hibernating", 1, 2, 1, 5, 1, 5}};
    lty_rfm_segment_table table = LTY_RFM_SEGMENT_TABLE_INIT;
    table.segments = segs;
    table.count = 2;
    lty_rfm_segments *compiled = NULL;
    ok(e, lty_rfm_segments_new(&compiled, &table, 5, NULL, 0), "segments");
    static const int64_t r_cuts[] = {30, 60, 90, 180};
    static const int64_t f_cuts[] = {1, 2, 3, 4};
    static const int64_t m_cuts[] = {0, 1000, 2000, 3000};
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.bins = 5;
    o.r_cuts = r_cuts;
    o.f_cuts = f_cuts;
    o.m_cuts = m_cuts;
    o.segments = compiled;
    lty_rfm_result *r = NULL;
    ok(e, lty_rfm_compute(e, &o, &r), "rfm");
    lty_rfm_result_free(r);
    lty_rfm_segments_free(compiled);
}

static const lty_bgnbd_model card_bg = {0.243, 4.414, 0.793, 2.426, 0, 0, 0,
                                        "converged"};
static const lty_gamgam_model card_gg = {6.25, 3.74, 15.44, 0, 0, 0,
                                         "converged"};

static void store_clv(lty_engine *e, const char *const *ids,
                      const double *p_alive, const double *clv, size_t n)
{
    lty_clv_row rows[4];
    lty_clv_score sc[4];
    memset(rows, 0, sizeof rows);
    memset(sc, 0, sizeof sc);
    for (size_t i = 0; i < n; i++) {
        rows[i].customer_id = ids[i];
        sc[i].p_alive = p_alive[i];
        sc[i].clv = clv[i];
        sc[i].expected_purchases = 1;
        sc[i].expected_spend = 1000;
        sc[i].value_at_stake = clv[i] / p_alive[i];
    }
    ok(e, lty_clv_store(e, sc, rows, n, &card_bg, &card_gg), "clv store");
}

START_TEST(analytics_fill_the_slot)
{
    store_rfm(t.e);
    static const char *const both[] = {"c-park", "c-lee"};
    static const double pa[] = {0.8, 0.3}, value[] = {50000, 100};
    store_clv(t.e, both, pa, value, 2);

    lty_card *c = NULL;
    int r = 0, f = 0, m = 0;
    double p = 0, v = 0;
    char *s = NULL;

    /* Kim: a Champion, so a VIP; no lifetime value stored */
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-1234-5678", &c), LTY_OK);
    ck_assert_str_eq(lty_card_segment(c), "Champions");
    ck_assert_int_eq(lty_card_rfm(c, &r, &f, &m), 1);
    ck_assert_int_eq(r, 5);
    ck_assert_int_eq(f, 5);
    ck_assert_int_eq(m, 1);
    ck_assert_int_eq(lty_card_p_alive(c, &p), 0);
    ck_assert_int_eq(lty_card_clv(c, &v), 0);
    ck_assert_int_eq(lty_card_vip(c), 1);
    ck_assert_int_eq(lty_card_render_text(c, &s, NULL), LTY_OK);
    assert_has(s, "    ** VIP\n    Segment: Champions (R5 F5 M1)\n");
    assert_lacks(s, "P(alive)");
    lty_free(s);
    lty_card_free(c);

    /* Park: hibernating, but a VIP by lifetime value (P(alive) 0.8, the
     * top decile of the two stored) */
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-3333-4444", &c), LTY_OK);
    ck_assert_str_eq(lty_card_segment(c), "Hibernating");
    ck_assert_int_eq(lty_card_rfm(c, &r, &f, &m), 1);
    ck_assert_int_eq(r, 1);
    ck_assert_int_eq(f, 1);
    ck_assert_int_eq(lty_card_p_alive(c, &p), 1);
    ck_assert(p == 0.8);
    ck_assert_int_eq(lty_card_clv(c, &v), 1);
    ck_assert(v == 50000);
    ck_assert_int_eq(lty_card_vip(c), 1);
    ck_assert_int_eq(lty_card_render_text(c, &s, NULL), LTY_OK);
    assert_has(s, "** VIP");
    assert_has(s, "Segment: Hibernating (R1 F1 M1)");
    assert_has(s, "P(alive) 80%; lifetime value 50000\n");
    lty_free(s);
    lty_card_free(c);

    /* Lee: lifetime value stored, no RFM scores (no visit yet); not a VIP */
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-2222-3333", &c), LTY_OK);
    ck_assert_ptr_null(lty_card_segment(c));
    ck_assert_int_eq(lty_card_rfm(c, &r, &f, &m), 0);
    ck_assert_int_eq(lty_card_p_alive(c, &p), 1);
    ck_assert(p == 0.3);
    ck_assert_int_eq(lty_card_vip(c), 0);
    lty_card_free(c);

    /* the top decile alone is not enough: P(alive) must be 0.5 or more */
    static const char *const lee[] = {"c-lee"};
    static const double pa2[] = {0.3}, value2[] = {90000};
    store_clv(t.e, lee, pa2, value2, 1);
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-2222-3333", &c), LTY_OK);
    ck_assert_int_eq(lty_card_clv(c, &v), 1);
    ck_assert(v == 90000);
    ck_assert_int_eq(lty_card_vip(c), 0);
    lty_card_free(c);

    /* the briefing shows the same; Choi's slot (nothing stored) is empty */
    lty_briefing *b = brief(t.e);
    s = text_of(b);
    assert_has(s, "Segment: Champions (R5 F5 M1)");
    lty_free(s);
    lty_briefing_free(b);
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-5555-6666", &c), LTY_OK);
    ck_assert_ptr_null(lty_card_segment(c));
    ck_assert_int_eq(lty_card_rfm(c, &r, &f, &m), 0);
    ck_assert_int_eq(lty_card_p_alive(c, &p), 0);
    ck_assert_int_eq(lty_card_clv(c, &v), 0);
    ck_assert_int_eq(lty_card_vip(c), 0);
    ck_assert_int_eq(lty_card_render_text(c, &s, NULL), LTY_OK);
    assert_lacks(s, "Segment:");
    assert_lacks(s, "VIP");
    assert_lacks(s, "P(alive)");
    lty_free(s);
    lty_card_free(c);

    /* NULL cards */
    ck_assert_int_eq(lty_card_rfm(NULL, &r, &f, &m), 0);
    ck_assert_int_eq(lty_card_p_alive(NULL, &p), 0);
    ck_assert_int_eq(lty_card_clv(NULL, &v), 0);
    ck_assert_int_eq(lty_card_vip(NULL), 0);
    ck_assert_ptr_null(lty_card_segment(NULL));
}
END_TEST

/* A stored figure that does not decode fails the card, as the other reads */
START_TEST(corrupt_clv_figures)
{
    static const unsigned char bad[] = {28, 1, 0x08, 0xff};
    static const char key[] = "C\0c-kim\0V";
    ck_assert_int_eq(t.ops.put(key, sizeof key - 1, bad, sizeof bad,
                               LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
    lty_card *c = NULL;
    ck_assert_int_eq(lty_recognize_phone(t.e, "010-1234-5678", &c),
                     LTY_ECORRUPT);
    ck_assert_ptr_null(c);
}
END_TEST

static Suite *briefing_suite(void)
{
    Suite *s = suite_create("briefing");
    TCase *tc = tcase_create("briefing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, entries_in_time_order_without_cancelled);
    tcase_add_test(tc, regular_customer_promotion_due);
    tcase_add_test(tc, second_appointment_same_day_no_promotion);
    tcase_add_test(tc, referred_friend_came_together);
    tcase_add_test(tc, came_together_needs_the_referrer_booked);
    tcase_add_test(tc, no_show_referrer_did_not_come_together);
    tcase_add_test(tc, erased_referrer);
    tcase_add_test(tc, long_absent_welcome_back);
    tcase_add_test(tc, erased_customer_is_anonymous);
    tcase_add_test(tc, after_arrival_the_day_stays_right);
    tcase_add_test(tc, last_item_at_equal_times_follows_the_aggregates);
    tcase_add_test(tc, rendered_text);
    tcase_add_test(tc, multiline_note_stays_in_its_block);
    tcase_add_test(tc, empty_day);
    tcase_add_test(tc, options);
    tcase_add_test(tc, leap_day_birthday_in_common_year);
    tcase_add_test(tc, bad_briefing_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("caller id");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, recognize_any_spelling);
    tcase_add_test(tc, caller_card_fields);
    tcase_add_test(tc, caller_card_next_appointment);
    tcase_add_test(tc, unknown_number);
    tcase_add_test(tc, bad_caller_input);
    tcase_add_test(tc, corrupt_profile);
    tcase_add_test(tc, corrupt_phone_index);
    tcase_add_test(tc, corrupt_appointment);
    tcase_add_test(tc, analytics_fill_the_slot);
    tcase_add_test(tc, corrupt_clv_figures);
    suite_add_tcase(s, tc);

    tc = tcase_create("faults");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, every_failed_read, 0, 2);
    tcase_add_test(tc, unknown_number_is_one_lookup);
    tcase_add_test(tc, every_failed_allocation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(briefing_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
