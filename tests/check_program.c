/*
 * libloyalty tests - loyalty programs: ladders, star currencies with tiers
 * and rewards, points with expiry, draws, refunds, rebuilds.
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
/* Noon in Seoul (UTC+9) on day d after LTY_TEST_NOW (2026-03-01). */
#define AT(d) (LTY_TEST_NOW + (int64_t)(d) * DAY + 3 * 3600)

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
/* Definitions used by the scenarios                                   */
/* ------------------------------------------------------------------ */

static const lty_ladder_step tsukada_steps[] = {
    {1, "주임"}, {3, "계장"}, {6, "과장"}, {10, "차장"}, {15, "부장"},
    {20, "이사"}, {25, "상무"}, {30, "전무"}, {36, "회장"}};

static void define_ladder(lty_engine *e)
{
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = "tsukada";
    d.name = "Tsukada card";
    d.kind = LTY_PROGRAM_LADDER;
    d.steps = tsukada_steps;
    d.step_count = sizeof tsukada_steps / sizeof tsukada_steps[0];
    ck_assert_int_eq(lty_program_define(e, &d), LTY_OK);
}

static const lty_earn_rule star_rules[] = {
    {LTY_EARN_PER_AMOUNT, 1000, 1, NULL}};

static lty_tier star_tiers[] = {
    {"Welcome", 0, 0, 0, NULL, 0, 0, 0},
    {"Green", 5, 0, 0, NULL, 0, 0, 0},
    {"Gold", 30, 0, 12, "Free drink", LTY_REWARD_SERVICE, 5000, 30}};

static lty_program_def star_def(void)
{
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = "stars";
    d.name = "Star card";
    d.kind = LTY_PROGRAM_STARS;
    d.rules = star_rules;
    d.rule_count = 1;
    d.tiers = star_tiers;
    d.tier_count = 3;
    return d;
}

static void define_stars(lty_engine *e)
{
    lty_program_def d = star_def();
    ck_assert_int_eq(lty_program_define(e, &d), LTY_OK);
}

static const lty_earn_rule point_rules[] = {
    {LTY_EARN_PER_AMOUNT, 100, 1, NULL}};

static lty_program_def points_def(void)
{
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = "points";
    d.name = "Clinic points";
    d.kind = LTY_PROGRAM_POINTS;
    d.medical = 1;
    d.rules = point_rules;
    d.rule_count = 1;
    d.expiry = LTY_EXPIRY_AFTER_DAYS;
    d.expiry_days = 30;
    return d;
}

static void define_points(lty_engine *e)
{
    lty_program_def d = points_def();
    ck_assert_int_eq(lty_program_define(e, &d), LTY_OK);
}

static int record(lty_engine *e, lty_event_type type, const char *id,
                  const char *cid, int64_t time, int64_t amount,
                  const char *item, const char *refund_of,
                  lty_record_outcome *out)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = type;
    ev.id = id;
    ev.customer_id = cid;
    ev.time = time;
    ev.amount = amount;
    ev.item = item;
    ev.refund_of = refund_of;
    return lty_record(e, &ev, out);
}

static void buy(const char *id, const char *cid, int64_t time, int64_t amount)
{
    ck_assert_int_eq(record(t.e, LTY_EVENT_PURCHASE, id, cid, time, amount,
                            NULL, NULL, NULL), LTY_OK);
}

static void refund(const char *id, const char *cid, int64_t time,
                   int64_t amount, const char *of)
{
    ck_assert_int_eq(record(t.e, LTY_EVENT_REFUND, id, cid, time, amount,
                            NULL, of, NULL), LTY_OK);
}

static lty_program_status status(const char *cid, const char *pid)
{
    lty_program_status st = LTY_PROGRAM_STATUS_INIT;
    ck_assert_int_eq(lty_program_status_get(t.e, cid, pid, &st), LTY_OK);
    return st;
}

/* ------------------------------------------------------------------ */
/* Definitions                                                         */
/* ------------------------------------------------------------------ */

START_TEST(definitions_are_stored_versioned_and_listed)
{
    char ids[4][LTY_ID_MAX + 1];
    size_t n = 99;
    lty_program_info info;
    ck_assert_int_eq(lty_program_list(t.e, ids, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 0);
    define_stars(t.e);
    define_ladder(t.e);
    ck_assert_int_eq(lty_program_list(t.e, ids, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(ids[0], "stars");
    ck_assert_str_eq(ids[1], "tsukada");
    ck_assert_int_eq(lty_program_info_get(t.e, "tsukada", &info), LTY_OK);
    ck_assert_int_eq(info.kind, LTY_PROGRAM_LADDER);
    ck_assert_int_eq(info.def_version, 1);
    ck_assert_uint_eq(info.levels, 9);
    ck_assert_str_eq(info.name, "Tsukada card");
    /* another engine over the store sees the same programs */
    lty_engine *e2 = lty_test_env_engine(&t);
    ck_assert_int_eq(lty_program_info_get(e2, "stars", &info), LTY_OK);
    ck_assert_int_eq(info.def_version, 1);
    /* redefining makes version 2 and other engines pick it up */
    lty_program_def d = star_def();
    d.name = "Star card 2";
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_OK);
    ck_assert_int_eq(lty_program_info_get(e2, "stars", &info), LTY_OK);
    ck_assert_int_eq(info.def_version, 2);
    ck_assert_str_eq(info.name, "Star card 2");
    lty_engine_free(e2);
    /* the kind cannot change */
    d = points_def();
    d.id = "stars";
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_ESTATE);
    ck_assert_int_eq(lty_program_info_get(t.e, "nope", &info), LTY_ENOTFOUND);
}
END_TEST

/* A definition that breaks one rule; the message names the field. */
typedef struct bad_def {
    const char *mentions;
    int code;
} bad_def;

static lty_program_def broken(int i)
{
    static lty_ladder_step desc[] = {{3, "a"}, {2, "b"}};
    static lty_tier tiers_nonzero[] = {{"A", 1, 0, 0, NULL, 0, 0, 0}};
    static lty_tier tiers_desc[] = {{"A", 0, 0, 0, NULL, 0, 0, 0},
                                    {"B", 10, 0, 0, NULL, 0, 0, 0},
                                    {"C", 10, 0, 0, NULL, 0, 0, 0}};
    static lty_tier tiers_cash[] = {{"A", 0, 0, 5, "cash", LTY_REWARD_CASH, 100, 0}};
    static lty_earn_rule neg[] = {{LTY_EARN_PER_AMOUNT, 1000, -1, NULL}};
    static lty_earn_rule noitem[] = {{LTY_EARN_PER_ITEM, 0, 1, NULL}};
    static lty_prize odds[] = {{"a", LTY_REWARD_SERVICE, 0, 600000, 0, 0},
                               {"b", LTY_REWARD_SERVICE, 0, 600000, 0, 0}};
    lty_program_def d = star_def();
    switch (i) {
    case 0: d.id = NULL; break;
    case 1: d.id = "bad\xff"; break;
    case 2: d.name = ""; break;
    case 3: d.kind = (lty_program_kind)9; break;
    case 4:
        d = (lty_program_def)LTY_PROGRAM_DEF_INIT;
        d.id = "l"; d.name = "l"; d.kind = LTY_PROGRAM_LADDER;
        d.steps = desc; d.step_count = 2;
        break;
    case 5: d.tiers = tiers_nonzero; d.tier_count = 1; break;
    case 6: d.tiers = tiers_desc; d.tier_count = 3; break;
    case 7: d.rules = neg; break;
    case 8: d.rules = noitem; break;
    case 9: d.medical = 1; d.tiers = tiers_cash; d.tier_count = 1; break;
    case 10: d.expiry = LTY_EXPIRY_AFTER_DAYS; d.expiry_days = 3; break;
    case 11: d.window = LTY_WINDOW_ROLLING; d.window_days = 0; break;
    case 12: d.downgrade = LTY_DOWNGRADE_PERIOD_END; break;
    case 13:
        d = (lty_program_def)LTY_PROGRAM_DEF_INIT;
        d.id = "d"; d.name = "d"; d.kind = LTY_PROGRAM_DRAW;
        d.prizes = odds; d.prize_count = 2;
        break;
    case 14: d.version = 99; break;
    case 15: d.tier_count = 0; break;
    case 16: d.steps = desc; d.step_count = 1; break;
    }
    return d;
}

static const bad_def bad_defs[] = {
    {"program id", LTY_EINVALID},      {"program id", LTY_EINVALID},
    {"program name", LTY_EINVALID},    {"program kind", LTY_EINVALID},
    {"steps[1] visits", LTY_EINVALID}, {"tiers[0] threshold", LTY_EINVALID},
    {"tiers[2] threshold", LTY_EINVALID}, {"rules[0] earn", LTY_EINVALID},
    {"rules[0] item", LTY_EINVALID},   {"tiers[0] reward_kind", LTY_EINVALID},
    {"expiry", LTY_EINVALID},          {"window_days", LTY_EINVALID},
    {"downgrade", LTY_EINVALID},       {"prizes[1] odds_ppm", LTY_EINVALID},
    {"version", LTY_EVERSION},         {"tiers", LTY_EINVALID},
    {"steps", LTY_EINVALID},
};

START_TEST(bad_definitions_are_refused_naming_the_field)
{
    char *before = lty_test_dump(&t.ops, t.ud);
    lty_program_def d = broken(_i);
    ck_assert_int_eq(lty_program_define(t.e, &d), bad_defs[_i].code);
    lty_assert_err_mentions(t.e, bad_defs[_i].mentions);
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

START_TEST(null_arguments_are_refused)
{
    lty_program_status st = LTY_PROGRAM_STATUS_INIT;
    size_t n;
    ck_assert_int_eq(lty_program_define(NULL, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_program_define(t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_program_status_get(t.e, "c1", "stars", NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_program_status_get(t.e, NULL, "stars", &st), LTY_EINVALID);
    ck_assert_int_eq(lty_program_status_get(t.e, "c1", "stars", &st), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_program_list(t.e, NULL, 1, &n), LTY_EINVALID);
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "stars", "s1", -5, NULL), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "amount");
    ck_assert_int_eq(lty_program_history(t.e, "nobody", NULL, 0, &n), LTY_ENOTFOUND);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Ladder                                                              */
/* ------------------------------------------------------------------ */

START_TEST(the_36th_counted_visit_makes_chairman)
{
    define_ladder(t.e);
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    char id[32];
    /* three visits on the first day count once */
    for (int k = 0; k < 3; k++) {
        snprintf(id, sizeof id, "d0-%d", k);
        ck_assert_int_eq(record(t.e, LTY_EVENT_VISIT, id, "c1", AT(0) + k * 600, 0,
                                NULL, NULL, &out), LTY_OK);
        ck_assert_int_eq(out.promotions, k == 0);
    }
    ck_assert_str_eq(out.title, "");
    lty_program_status st = status("c1", "tsukada");
    ck_assert_int_eq(st.visits, 1);
    ck_assert_str_eq(st.title, "주임");
    ck_assert_str_eq(st.next_title, "계장");
    ck_assert_int_eq(st.to_next, 2);
    int promotions = 1;
    for (int d = 1; d < 36; d++) {
        snprintf(id, sizeof id, "v%d", d);
        ck_assert_int_eq(record(t.e, LTY_EVENT_VISIT, id, "c1", AT(d), 0, NULL,
                                NULL, &out), LTY_OK);
        promotions += out.promotions;
        if (d == 34) {
            st = status("c1", "tsukada");
            ck_assert_str_eq(st.title, "전무");
            ck_assert_int_eq(st.to_next, 1); /* the party is due next visit */
        }
    }
    ck_assert_int_eq(out.promotions, 1);
    ck_assert_str_eq(out.title, "회장");
    ck_assert_int_eq(promotions, 9);
    st = status("c1", "tsukada");
    ck_assert_int_eq(st.visits, 36);
    ck_assert_int_eq(st.level, 8);
    ck_assert_str_eq(st.title, "회장");
    ck_assert_str_eq(st.next_title, "");
    ck_assert_int_eq(st.to_next, 0);
    /* every promotion is in the history, the staff's cue for the party */
    lty_program_log_entry log[16];
    size_t n;
    ck_assert_int_eq(lty_program_history(t.e, "c1", log, 16, &n), LTY_OK);
    ck_assert_uint_eq(n, 9);
    ck_assert_int_eq(log[8].kind, LTY_PLOG_PROMOTED);
    ck_assert_str_eq(log[8].title, "회장");
    ck_assert_int_eq(log[8].amount, 36);
    ck_assert_str_eq(log[8].program_id, "tsukada");
    ck_assert_int_eq(log[8].time, AT(35));
}
END_TEST

START_TEST(a_ladder_defined_later_ranks_existing_visits)
{
    for (int d = 0; d < 4; d++) {
        char id[16];
        snprintf(id, sizeof id, "v%d", d);
        lty_test_event(t.e, id, "c1", AT(d), -1, NULL);
    }
    define_ladder(t.e);
    lty_program_status st = status("c1", "tsukada");
    ck_assert_str_eq(st.title, "계장");
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    ck_assert_int_eq(record(t.e, LTY_EVENT_VISIT, "v9", "c1", AT(9), 0, NULL,
                            NULL, &out), LTY_OK);
    ck_assert_int_eq(out.promotions, 1); /* announced once, at the next visit */
    ck_assert_str_eq(out.title, "계장");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Stars                                                               */
/* ------------------------------------------------------------------ */

START_TEST(gold_at_30_stars_earned_even_after_spending)
{
    define_stars(t.e);
    t.now = AT(10);
    buy("p1", "c1", AT(0), 20000); /* 20 stars: Green */
    lty_program_status st = status("c1", "stars");
    ck_assert_str_eq(st.title, "Green");
    ck_assert_int_eq(st.balance, 20);
    ck_assert_int_eq(st.to_next, 10);
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "stars", "s1", 15, NULL), LTY_OK);
    st = status("c1", "stars");
    ck_assert_int_eq(st.balance, 5);
    ck_assert_int_eq(st.earned_lifetime, 20);
    buy("p2", "c1", AT(1), 10000); /* 30 earned, balance 15 */
    st = status("c1", "stars");
    ck_assert_str_eq(st.title, "Gold");
    ck_assert_int_eq(st.level, 2);
    ck_assert_int_eq(st.earned_lifetime, 30);
    /* Gold's rule: every 12 stars of balance is a drink */
    ck_assert_int_eq(st.balance, 3);
    lty_reward r[4];
    size_t n;
    for (int i = 0; i < 4; i++)
        r[i] = (lty_reward)LTY_REWARD_INIT;
    ck_assert_int_eq(lty_reward_list(t.e, "c1", r, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(r[0].name, "Free drink");
    ck_assert_int_eq(r[0].source, LTY_REWARD_BY_RULE);
    ck_assert_int_eq(r[0].state, LTY_REWARD_ISSUED);
}
END_TEST

START_TEST(one_coupon_per_12_stars_in_gold)
{
    define_stars(t.e);
    t.now = AT(20);
    buy("p1", "c1", AT(0), 30000); /* Gold reached: 30 stars */
    lty_program_status st = status("c1", "stars");
    ck_assert_str_eq(st.title, "Gold");
    /* the purchase that reached Gold already pays in Gold: 30 -> 2 drinks */
    ck_assert_int_eq(st.balance, 6);
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    ck_assert_int_eq(record(t.e, LTY_EVENT_PURCHASE, "p2", "c1", AT(1), 30000,
                            NULL, NULL, &out), LTY_OK);
    ck_assert_int_eq(out.rewards, 3); /* 6 + 30 = 36 = 3 x 12 */
    st = status("c1", "stars");
    ck_assert_int_eq(st.balance, 0);
    size_t n;
    ck_assert_int_eq(lty_reward_list(t.e, "c1", NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 5);
    /* each coupon has its own history entry, with its code */
    lty_program_log_entry log[16];
    size_t nlog, rewards = 0;
    ck_assert_int_eq(lty_program_history(t.e, "c1", log, 16, &nlog), LTY_OK);
    for (size_t i = 0; i < nlog && i < 16; i++) {
        if (log[i].kind != LTY_PLOG_REWARD)
            continue;
        rewards++;
        ck_assert_int_eq(log[i].amount, 12);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(log[j].code, log[i].code);
    }
    ck_assert_uint_eq(rewards, 5);
    /* a replay of the purchase issues nothing */
    ck_assert_int_eq(record(t.e, LTY_EVENT_PURCHASE, "p2", "c1", AT(1), 30000,
                            NULL, NULL, &out), LTY_OK);
    ck_assert_int_eq(out.duplicate, 1);
    ck_assert_int_eq(out.rewards, 0);
    ck_assert_int_eq(lty_reward_list(t.e, "c1", NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 5);
}
END_TEST

START_TEST(tier_multiplier_and_per_item_and_per_visit_rules)
{
    static const lty_earn_rule rules[] = {
        {LTY_EARN_PER_AMOUNT, 1000, 1, NULL},
        {LTY_EARN_PER_VISIT, 0, 2, NULL},
        {LTY_EARN_PER_ITEM, 0, 5, "americano"}};
    static lty_tier tiers[] = {{"Base", 0, 0, 0, NULL, 0, 0, 0},
                               {"Gold", 10, 200, 0, NULL, 0, 0, 0}};
    lty_program_def d = star_def();
    d.rules = rules;
    d.rule_count = 3;
    d.tiers = tiers;
    d.tier_count = 2;
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_OK);
    t.now = AT(5);
    /* 3 (amount) + 2 (visit) + 5 (item) = 10: reaches Gold */
    ck_assert_int_eq(record(t.e, LTY_EVENT_PURCHASE, "p1", "c1", AT(0), 3500,
                            "americano", NULL, NULL), LTY_OK);
    lty_program_status st = status("c1", "stars");
    ck_assert_int_eq(st.balance, 10);
    ck_assert_str_eq(st.title, "Gold");
    /* the same day: no visit stars; Gold doubles 1 + 5 */
    ck_assert_int_eq(record(t.e, LTY_EVENT_PURCHASE, "p2", "c1", AT(0) + 60, 1000,
                            "americano", NULL, NULL), LTY_OK);
    st = status("c1", "stars");
    ck_assert_int_eq(st.balance, 22);
}
END_TEST

START_TEST(period_end_downgrade_with_grace_and_notice)
{
    lty_program_def d = star_def();
    d.window = LTY_WINDOW_CALENDAR_YEAR;
    d.downgrade = LTY_DOWNGRADE_PERIOD_END;
    d.grace_days = 30;
    d.downgrade_notice_days = 14;
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_OK);
    /* Gold in 2026 (AT(0) is 2026-03-01) holds through 2027 plus grace */
    buy("p1", "c1", AT(0), 30000);
    t.now = AT(400); /* in 2027 */
    lty_program_status st = status("c1", "stars");
    ck_assert_str_eq(st.title, "Gold");
    ck_assert_int_eq(st.earned_window, 0);
    /* 2027-12-31 23:59:59 KST + 30 days */
    int64_t until = INT64_C(1830265199) + 30 * DAY;
    ck_assert_int_eq(st.tier_until, until);
    /* the tick plans the notice 14 days ahead, once */
    size_t changed;
    ck_assert_int_eq(lty_programs_tick(t.e, until - 14 * DAY - 1, &changed), LTY_OK);
    lty_program_log_entry log[8];
    size_t n, before;
    ck_assert_int_eq(lty_program_history(t.e, "c1", log, 8, &before), LTY_OK);
    ck_assert_int_eq(lty_programs_tick(t.e, until - 14 * DAY, &changed), LTY_OK);
    ck_assert_uint_eq(changed, 1);
    ck_assert_int_eq(lty_programs_tick(t.e, until - 13 * DAY, &changed), LTY_OK);
    ck_assert_int_eq(lty_program_history(t.e, "c1", log, 8, &n), LTY_OK);
    ck_assert_uint_eq(n, before + 1);
    ck_assert_int_eq(log[n - 1].kind, LTY_PLOG_DOWNGRADE_NOTICE);
    ck_assert_int_eq(log[n - 1].due, until);
    ck_assert_str_eq(log[n - 1].title, "Gold");
    /* after the grace: Welcome (nothing earned in 2027 or 2028) */
    ck_assert_int_eq(lty_programs_tick(t.e, until + 1, &changed), LTY_OK);
    ck_assert_uint_eq(changed, 1);
    t.now = until + 1;
    st = status("c1", "stars");
    ck_assert_str_eq(st.title, "Welcome");
    ck_assert_int_eq(lty_program_history(t.e, "c1", log, 8, &n), LTY_OK);
    ck_assert_int_eq(log[n - 1].kind, LTY_PLOG_TIER_DOWN);
}
END_TEST

START_TEST(requalifying_keeps_the_tier_for_another_period)
{
    lty_program_def d = star_def();
    d.window = LTY_WINDOW_CALENDAR_YEAR;
    d.downgrade = LTY_DOWNGRADE_PERIOD_END;
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_OK);
    buy("p1", "c1", AT(0), 30000);  /* Gold in 2026 */
    buy("p2", "c1", AT(400), 5000); /* Green in 2027 */
    t.now = AT(800);                 /* 2028: Gold ended, Green holds */
    lty_program_status st = status("c1", "stars");
    ck_assert_str_eq(st.title, "Green");
    t.now = AT(1200); /* 2029: Green ended too */
    st = status("c1", "stars");
    ck_assert_str_eq(st.title, "Welcome");
}
END_TEST

START_TEST(downgrade_on_refund_only)
{
    lty_program_def d = star_def();
    d.downgrade = LTY_DOWNGRADE_ON_REFUND;
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_OK);
    t.now = AT(3);
    buy("p1", "c1", AT(0), 6000); /* Green */
    ck_assert_str_eq(status("c1", "stars").title, "Green");
    refund("r1", "c1", AT(1), 2000, "p1"); /* 4 stars left: Welcome */
    lty_program_status st = status("c1", "stars");
    ck_assert_str_eq(st.title, "Welcome");
    ck_assert_int_eq(st.balance, 4);
    ck_assert_int_eq(st.earned_lifetime, 4);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Points                                                              */
/* ------------------------------------------------------------------ */

START_TEST(points_expire_per_earning_and_are_spent_earliest_first)
{
    define_points(t.e);
    buy("p1", "c1", AT(0), 10000);  /* 100 points, expire end of day 30 */
    buy("p2", "c1", AT(10), 5000);  /* 50 points, expire end of day 40 */
    t.now = AT(11);
    lty_program_status st = status("c1", "points");
    ck_assert_int_eq(st.balance, 150);
    ck_assert_int_eq(st.next_expiry_amount, 100);
    /* spending draws on the earliest-expiring first */
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "points", "s1", 80, NULL), LTY_OK);
    st = status("c1", "points");
    ck_assert_int_eq(st.balance, 70);
    ck_assert_int_eq(st.next_expiry_amount, 20);
    /* more than the balance */
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "points", "s2", 71, NULL), LTY_ERANGE);
    lty_assert_err_mentions(t.e, "amount");
    /* the same spend again changes nothing; the id with other content fails */
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "points", "s1", 80, NULL), LTY_OK);
    ck_assert_int_eq(status("c1", "points").balance, 70);
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "points", "s1", 81, NULL), LTY_EEXISTS);
    /* day 31: the first earning's remaining 20 expire, the balance shows it */
    t.now = AT(31);
    st = status("c1", "points");
    ck_assert_int_eq(st.balance, 50);
    size_t changed;
    ck_assert_int_eq(lty_programs_tick(t.e, LTY_TIME_NOW, &changed), LTY_OK);
    ck_assert_uint_eq(changed, 1);
    ck_assert_int_eq(status("c1", "points").balance, 50);
    lty_program_log_entry log[8];
    size_t n;
    ck_assert_int_eq(lty_program_history(t.e, "c1", log, 8, &n), LTY_OK);
    ck_assert_int_eq(log[n - 1].kind, LTY_PLOG_EXPIRED);
    ck_assert_int_eq(log[n - 1].amount, 20);
    t.now = AT(41);
    ck_assert_int_eq(status("c1", "points").balance, 0);
}
END_TEST

START_TEST(locked_points_neither_spend_nor_count_until_they_unlock)
{
    static lty_tier tiers[] = {{"Basic", 0, 0, 0, NULL, 0, 0, 0},
                               {"Silver", 100, 0, 0, NULL, 0, 0, 0}};
    lty_program_def d = points_def();
    d.lock_days = 14;
    d.tiers = tiers;
    d.tier_count = 2;
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_OK);
    t.now = AT(1);
    buy("p1", "c1", AT(0), 10000);
    lty_program_status st = status("c1", "points");
    ck_assert_int_eq(st.balance, 0);
    ck_assert_int_eq(st.locked, 100);
    ck_assert_str_eq(st.title, "Basic");
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "points", "s1", 1, NULL), LTY_ERANGE);
    /* a refund inside the return window just drops the locked points */
    refund("r1", "c1", AT(2), 5000, "p1");
    st = status("c1", "points");
    ck_assert_int_eq(st.locked, 50);
    buy("p2", "c1", AT(3), 5000);
    t.now = AT(20);
    st = status("c1", "points");
    ck_assert_int_eq(st.locked, 0);
    ck_assert_int_eq(st.balance, 100);
    ck_assert_str_eq(st.title, "Silver");
}
END_TEST

START_TEST(refund_after_spending_makes_debt_that_earnings_repay)
{
    define_stars(t.e);
    t.now = AT(5);
    buy("p1", "c1", AT(0), 10000); /* 10 stars */
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "stars", "s1", 8, NULL), LTY_OK);
    refund("r1", "c1", AT(1), 10000, "p1");
    lty_program_status st = status("c1", "stars");
    ck_assert_int_eq(st.balance, -8);
    ck_assert_int_eq(st.earned_lifetime, 0);
    buy("p2", "c1", AT(2), 10000);
    st = status("c1", "stars");
    ck_assert_int_eq(st.balance, 2);
    ck_assert_int_eq(st.earned_lifetime, 10);
}
END_TEST

START_TEST(partial_refunds_take_back_exactly_what_was_earned)
{
    define_points(t.e);
    t.now = AT(5);
    buy("p1", "c1", AT(0), 9999); /* 99 points */
    refund("r1", "c1", AT(1), 3333, "p1");
    refund("r2", "c1", AT(1), 3333, "p1");
    refund("r3", "c1", AT(1), 3333, "p1");
    ck_assert_int_eq(status("c1", "points").balance, 0);
    ck_assert_int_eq(status("c1", "points").earned_lifetime, 0);
}
END_TEST

START_TEST(a_purchase_paid_with_points_refunded_does_not_deduct_twice)
{
    define_points(t.e);
    t.now = AT(5);
    buy("p1", "c1", AT(0), 10000);                 /* +100 */
    buy("p2", "c1", AT(1), 5000);                  /* +50: 150 */
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "points", "s1", 60, "p2"), LTY_OK);
    ck_assert_int_eq(status("c1", "points").balance, 90);
    refund("r1", "c1", AT(2), 5000, "p2");         /* -50 earned, +60 spent back */
    ck_assert_int_eq(status("c1", "points").balance, 100);
    /* a spend for another customer's purchase is refused */
    buy("q1", "c2", AT(0), 1000);
    ck_assert_int_eq(lty_points_spend(t.e, "c1", "points", "s2", 1, "q1"), LTY_ENOTFOUND);
}
END_TEST

START_TEST(medical_programs_allow_service_rewards_only)
{
    lty_reward_spec r = LTY_REWARD_SPEC_INIT;
    define_points(t.e);
    r.code = "cash1";
    r.customer_id = "c1";
    r.program_id = "points";
    r.name = "10,000 won";
    r.kind = LTY_REWARD_CASH;
    r.value = 10000;
    ck_assert_int_eq(lty_reward_issue(t.e, &r), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "medical");
    r.kind = LTY_REWARD_SERVICE;
    r.name = "Free scaling";
    ck_assert_int_eq(lty_reward_issue(t.e, &r), LTY_OK);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Draws                                                               */
/* ------------------------------------------------------------------ */

START_TEST(draws_are_reproducible_capped_and_recorded)
{
    static const lty_prize prizes[] = {
        {"Cake", LTY_REWARD_SERVICE, 3000, 500000, 2, 7}};
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = "lottery";
    d.name = "Lottery";
    d.kind = LTY_PROGRAM_DRAW;
    d.prizes = prizes;
    d.prize_count = 1;
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_OK);
    char id[16], cid[16];
    int won = 0;
    /* 20 customers visit on the same day: at most 2 cakes */
    for (int i = 0; i < 20; i++) {
        snprintf(cid, sizeof cid, "k%d", i);
        snprintf(id, sizeof id, "v%d", i);
        lty_test_customer(t.e, cid, NULL, NULL);
        lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
        ck_assert_int_eq(record(t.e, LTY_EVENT_VISIT, id, cid, AT(0), 0, NULL,
                                NULL, &out), LTY_OK);
        won += out.rewards;
        lty_program_log_entry log[2];
        size_t n;
        ck_assert_int_eq(lty_program_history(t.e, cid, log, 2, &n), LTY_OK);
        ck_assert_uint_eq(n, 1); /* every draw recorded, win or not */
        ck_assert_int_eq(log[0].kind, LTY_PLOG_DRAW);
        ck_assert_int_eq(log[0].code[0] != 0, out.rewards);
    }
    ck_assert_int_eq(won, 2);
    /* the same store rebuilt from scratch draws the same outcomes */
    lty_test_env u;
    lty_test_env_open(&u);
    lty_test_customer(u.e, "c1", "Kim", "010-1234-5678");
    lty_test_customer(u.e, "c2", "Lee", "010-2222-3333");
    ck_assert_int_eq(lty_program_define(u.e, &d), LTY_OK);
    int won2 = 0;
    for (int i = 0; i < 20; i++) {
        snprintf(cid, sizeof cid, "k%d", i);
        snprintf(id, sizeof id, "v%d", i);
        lty_test_customer(u.e, cid, NULL, NULL);
        lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
        ck_assert_int_eq(record(u.e, LTY_EVENT_VISIT, id, cid, AT(0), 0, NULL,
                                NULL, &out), LTY_OK);
        won2 += out.rewards;
    }
    ck_assert_int_eq(won2, won);
    char *a = lty_test_dump_values(&t.ops, t.ud);
    char *b = lty_test_dump_values(&u.ops, u.ud);
    /* revisions aside, the same outcome everywhere */
    ck_assert_msg(strcmp(a, b) == 0, "the two stores differ");
    free(a);
    free(b);
    lty_test_env_close(&u);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Rebuild                                                             */
/* ------------------------------------------------------------------ */

/* Every program's status of a customer as one string. */
static void snapshot(lty_engine *e, const char *cid, char *out, size_t n)
{
    const char *ids[] = {"stars", "points", "tsukada"};
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < 3; i++) {
        lty_program_status st = LTY_PROGRAM_STATUS_INIT;
        ck_assert_int_eq(lty_program_status_get(e, cid, ids[i], &st), LTY_OK);
        len += (size_t)snprintf(out + len, n - len,
                                "%s:%d:%s:%lld:%lld:%lld:%lld:%lld:%lld:%lld|",
                                ids[i], st.level, st.title, (long long)st.balance,
                                (long long)st.locked, (long long)st.earned_window,
                                (long long)st.earned_lifetime,
                                (long long)st.tier_until,
                                (long long)st.next_expiry,
                                (long long)st.next_expiry_amount);
    }
}

START_TEST(rebuild_equals_live_state)
{
    define_stars(t.e);
    define_points(t.e);
    define_ladder(t.e);
    char id[16];
    for (int d = 0; d < 40; d++) {
        snprintf(id, sizeof id, "p%d", d);
        buy(id, "c1", AT(d), 1000 + 1500 * (d % 7));
        if (d % 9 == 4) {
            snprintf(id, sizeof id, "r%d", d);
            char of[16];
            snprintf(of, sizeof of, "p%d", d - 1);
            refund(id, "c1", AT(d) + 60, 500, of);
        }
        if (d % 11 == 10) {
            t.now = AT(d) + 120;
            snprintf(id, sizeof id, "s%d", d);
            ck_assert_int_eq(lty_points_spend(t.e, "c1", "points", id, 30, NULL),
                             LTY_OK);
        }
    }
    t.now = AT(45);
    /* the rebuild moves the states to now, as a tick does */
    ck_assert_int_eq(lty_programs_tick(t.e, LTY_TIME_NOW, NULL), LTY_OK);
    char live[2048], rebuilt[2048];
    snapshot(t.e, "c1", live, sizeof live);
    lty_program_log_entry log1[64], log2[64];
    size_t n1, n2;
    ck_assert_int_eq(lty_program_history(t.e, "c1", log1, 64, &n1), LTY_OK);
    size_t r1, r2;
    ck_assert_int_eq(lty_reward_list(t.e, "c1", NULL, 0, &r1), LTY_OK);
    ck_assert_int_eq(lty_programs_rebuild(t.e, "c1"), LTY_OK);
    snapshot(t.e, "c1", rebuilt, sizeof rebuilt);
    ck_assert_str_eq(live, rebuilt);
    ck_assert_int_eq(lty_reward_list(t.e, "c1", NULL, 0, &r2), LTY_OK);
    ck_assert_uint_eq(r1, r2); /* no reward issued twice */
    ck_assert_int_eq(lty_program_history(t.e, "c1", log2, 64, &n2), LTY_OK);
    ck_assert_uint_eq(n1, n2);
    for (size_t i = 0; i < n1; i++) {
        ck_assert_int_eq(log1[i].kind, log2[i].kind);
        ck_assert_int_eq(log1[i].time, log2[i].time);
        ck_assert_int_eq(log1[i].amount, log2[i].amount);
        ck_assert_str_eq(log1[i].code, log2[i].code);
    }
    /* and for every customer at once */
    ck_assert_int_eq(lty_programs_rebuild(t.e, NULL), LTY_OK);
    snapshot(t.e, "c1", rebuilt, sizeof rebuilt);
    ck_assert_str_eq(live, rebuilt);
    ck_assert_int_eq(lty_verify(t.e, &n1, NULL, NULL), LTY_OK);
    ck_assert_uint_eq(n1, 0);
}
END_TEST

START_TEST(rebuild_applies_a_changed_rule_to_history)
{
    define_stars(t.e);
    t.now = AT(5);
    buy("p1", "c1", AT(0), 10000);
    ck_assert_int_eq(status("c1", "stars").balance, 10);
    static const lty_earn_rule doubled[] = {{LTY_EARN_PER_AMOUNT, 1000, 2, NULL}};
    lty_program_def d = star_def();
    d.rules = doubled;
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_OK);
    ck_assert_int_eq(status("c1", "stars").balance, 10); /* earned state kept */
    ck_assert_int_eq(lty_programs_rebuild(t.e, "c1"), LTY_OK);
    ck_assert_int_eq(status("c1", "stars").balance, 20);
    ck_assert_int_eq(lty_programs_rebuild(t.e, "nobody"), LTY_ENOTFOUND);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Storage: corruption and faults                                      */
/* ------------------------------------------------------------------ */

START_TEST(a_corrupted_state_record_is_reported)
{
    define_stars(t.e);
    buy("p1", "c1", AT(0), 10000);
    static const char key[] = "C\0c1\0G";
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, key, sizeof key - 1), 1);
    ck_assert_int_eq(t.ops.begin(t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.put(key, sizeof key - 1, "\x08\x01\x0a\x05zz", 7,
                               LTY_REV_ANY, NULL, t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.commit(t.ud), LTY_OK);
    lty_program_status st = LTY_PROGRAM_STATUS_INIT;
    ck_assert_int_eq(lty_program_status_get(t.e, "c1", "stars", &st), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "program state");
    ck_assert_int_eq(record(t.e, LTY_EVENT_PURCHASE, "p2", "c1", AT(1), 1000,
                            NULL, NULL, NULL), LTY_ECORRUPT);
    /* the registry too */
    static const char reg[] = "M\0programs";
    ck_assert_int_eq(t.ops.begin(t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.put(reg, sizeof reg - 1, "\x07\x01\x0a\x01", 4,
                               LTY_REV_ANY, NULL, t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.commit(t.ud), LTY_OK);
    lty_program_info info;
    ck_assert_int_eq(lty_program_info_get(t.e, "stars", &info), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "program registry");
}
END_TEST

/* The fault world: a memory store behind the fault-injecting wrapper. */
static void fseed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    lty_test_customer(w->e, "c1", "Kim", NULL);
    define_stars(w->e);
    define_points(w->e);
    define_ladder(w->e);
    lty_test_event(w->e, "p1", "c1", AT(0), 29000, NULL);
    lty_test_event(w->e, "p2", "c1", AT(1), 5000, NULL);
}

static int f_define(lty_engine *e)
{
    lty_program_def d = star_def();
    d.name = "Renamed";
    return lty_program_define(e, &d);
}

static int f_purchase(lty_engine *e)
{
    return record(e, LTY_EVENT_PURCHASE, "p3", "c1", AT(2), 30000, NULL, NULL,
                  NULL);
}

static int f_refund(lty_engine *e)
{
    return record(e, LTY_EVENT_REFUND, "r1", "c1", AT(2), 29000, NULL, "p1", NULL);
}

static int f_spend(lty_engine *e)
{
    return lty_points_spend(e, "c1", "points", "s1", 50, "p2");
}

static int f_tick(lty_engine *e)
{
    return lty_programs_tick(e, AT(40), NULL);
}

static int f_rebuild(lty_engine *e)
{
    return lty_programs_rebuild(e, "c1");
}

static int f_issue(lty_engine *e)
{
    lty_reward_spec r = LTY_REWARD_SPEC_INIT;
    r.code = "gift";
    r.customer_id = "c1";
    r.name = "Gift";
    r.kind = LTY_REWARD_SERVICE;
    return lty_reward_issue(e, &r);
}

static const struct {
    const char *name;
    int (*call)(lty_engine *);
} fcalls[] = {
    {"define", f_define}, {"purchase", f_purchase}, {"refund", f_refund},
    {"spend", f_spend},   {"tick", f_tick},         {"rebuild", f_rebuild},
    {"issue", f_issue},
};

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    lty_test_fault_spec spec = {
        .name = fcalls[_i].name, .call = fcalls[_i].call,
        .flags = LTY_TEST_FAULT_STORAGE, .min_calls = 1, .now = AT(5),
        .seed = fseed};
    lty_test_fault_sweep(&spec);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/* ------------------------------------------------------------------ */

static size_t messages_of(const char *cid, lty_outbox_entry *out, size_t cap)
{
    lty_outbox_filter f = {cid, (lty_message_state)0, 0, 0};
    size_t n = 0;
    for (size_t i = 0; i < cap; i++)
        out[i] = (lty_outbox_entry)LTY_OUTBOX_ENTRY_INIT;
    ck_assert_int_eq(lty_outbox_list(t.e, &f, out, cap, &n), LTY_OK);
    return n;
}

START_TEST(promotions_plan_a_staff_notice_and_the_customers_message)
{
    static const char text[] =
        "[program tsukada]\nkind = ladder\nname = Card\n"
        "staff_template = party\npromotion_template = congrats\n"
        "[step]\nvisits = 1\ntitle = 주임\n[step]\nvisits = 3\ntitle = 계장\n";
    ck_assert_int_eq(lty_program_load_text(t.e, text, sizeof text - 1, "t.ini"),
                     LTY_OK);
    lty_test_event(t.e, "v1", "c1", AT(0), -1, NULL);
    lty_test_event(t.e, "v2", "c1", AT(1), -1, NULL); /* no promotion */
    lty_outbox_entry m[8];
    size_t n = messages_of("c1", m, 8);
    ck_assert_uint_eq(n, 2);
    int staff = m[0].channel == LTY_CHANNEL_STAFF ? 0 : 1;
    ck_assert_str_eq(m[staff].template_id, "party");
    ck_assert_int_eq(m[staff].channel, LTY_CHANNEL_STAFF);
    ck_assert_str_eq(m[1 - staff].template_id, "congrats");
    ck_assert_int_eq(m[1 - staff].channel, LTY_CHANNEL_NONE);
    ck_assert_int_eq(m[staff].purpose, LTY_PURPOSE_TRANSACTIONAL);
    ck_assert_int_eq(m[staff].due, AT(0));
    /* a replayed visit plans nothing new; a rebuild plans nothing */
    lty_test_event(t.e, "v1", "c1", AT(0), -1, NULL);
    ck_assert_int_eq(lty_programs_rebuild(t.e, "c1"), LTY_OK);
    ck_assert_uint_eq(messages_of("c1", m, 8), 2);
    lty_test_event(t.e, "v3", "c1", AT(2), -1, NULL); /* 계장 */
    ck_assert_uint_eq(messages_of("c1", m, 8), 4);
}
END_TEST

START_TEST(the_tick_plans_downgrade_and_expiry_notices)
{
    lty_program_def d = star_def();
    d.window = LTY_WINDOW_CALENDAR_YEAR;
    d.downgrade = LTY_DOWNGRADE_PERIOD_END;
    d.downgrade_notice_days = 14;
    ck_assert_int_eq(lty_program_define(t.e, &d), LTY_OK);
    lty_program_def pd = points_def();
    pd.expiry_notice_days = 7;
    ck_assert_int_eq(lty_program_define(t.e, &pd), LTY_OK);
    buy("p1", "c1", AT(0), 30000); /* Gold until the end of 2027; points expire day 30 */
    lty_outbox_entry m[8];
    size_t before = messages_of("c1", m, 8); /* the Gold promotion's notice */
    ck_assert_int_eq(lty_programs_tick(t.e, AT(24), NULL), LTY_OK);
    size_t n = messages_of("c1", m, 8);
    ck_assert_uint_eq(n, before + 1);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(m[i].template_id, "program_notice") == 0 &&
                 strstr(m[i].id, "/expiry/") != NULL;
    ck_assert(found);
    /* once: ticking again plans nothing more */
    ck_assert_int_eq(lty_programs_tick(t.e, AT(25), NULL), LTY_OK);
    ck_assert_uint_eq(messages_of("c1", m, 8), n);
    /* the downgrade notice 14 days before the end of 2027 (+ 0 grace) */
    ck_assert_int_eq(lty_programs_tick(t.e, INT64_C(1830265199) - 13 * DAY, NULL),
                     LTY_OK);
    size_t n2 = messages_of("c1", m, 8);
    ck_assert_uint_eq(n2, n + 1);
    found = 0;
    for (size_t i = 0; i < n2; i++)
        found |= strstr(m[i].id, "/downgrade/") != NULL;
    ck_assert(found);
}
END_TEST

static Suite *program_suite(void)
{
    Suite *s = suite_create("program");
    TCase *tc = tcase_create("programs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, definitions_are_stored_versioned_and_listed);
    tcase_add_loop_test(tc, bad_definitions_are_refused_naming_the_field, 0,
                        (int)(sizeof bad_defs / sizeof bad_defs[0]));
    tcase_add_test(tc, null_arguments_are_refused);
    tcase_add_test(tc, the_36th_counted_visit_makes_chairman);
    tcase_add_test(tc, a_ladder_defined_later_ranks_existing_visits);
    tcase_add_test(tc, gold_at_30_stars_earned_even_after_spending);
    tcase_add_test(tc, one_coupon_per_12_stars_in_gold);
    tcase_add_test(tc, tier_multiplier_and_per_item_and_per_visit_rules);
    tcase_add_test(tc, period_end_downgrade_with_grace_and_notice);
    tcase_add_test(tc, requalifying_keeps_the_tier_for_another_period);
    tcase_add_test(tc, downgrade_on_refund_only);
    tcase_add_test(tc, points_expire_per_earning_and_are_spent_earliest_first);
    tcase_add_test(tc, locked_points_neither_spend_nor_count_until_they_unlock);
    tcase_add_test(tc, refund_after_spending_makes_debt_that_earnings_repay);
    tcase_add_test(tc, partial_refunds_take_back_exactly_what_was_earned);
    tcase_add_test(tc, a_purchase_paid_with_points_refunded_does_not_deduct_twice);
    tcase_add_test(tc, medical_programs_allow_service_rewards_only);
    tcase_add_test(tc, draws_are_reproducible_capped_and_recorded);
    tcase_add_test(tc, rebuild_equals_live_state);
    tcase_add_test(tc, rebuild_applies_a_changed_rule_to_history);
    tcase_add_test(tc, a_corrupted_state_record_is_reported);
    tcase_add_test(tc, promotions_plan_a_staff_notice_and_the_customers_message);
    tcase_add_test(tc, the_tick_plans_downgrade_and_expiry_notices);
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(program_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
