/*
 * libloyalty tests - referrals: registration and every guard, the stages
 * (registered, booked, completed, credited, reversed) moved by bookings,
 * arrivals, purchases and refunds, the credit through a stars program and
 * through a reward, the welcome perk, the messages to the referrer, the
 * queries (a referrer's list, top referrers), idempotency, erasure and
 * storage faults.
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

#include "customer_int.h"
#include "faultworld.h"
#include "storedump.h"
#include "testutil.h"

#define MINUTE INT64_C(60)
#define HOUR INT64_C(3600)
#define DAY INT64_C(86400)
#define NOW LTY_TEST_NOW

/* Customer ids that appear nowhere else (erasure looks for them). */
#define AMY "chart-amy-7731"
#define BEN "chart-ben-4410"
#define CAT "chart-cat-2208"
#define DAN "chart-dan-9902"
#define EVE "chart-eve-5123"

static lty_test_env t;

/* ------------------------------------------------------------------ */
/* Programs and policies                                               */
/* ------------------------------------------------------------------ */

static const lty_earn_rule star_rules[] = {
    {LTY_EARN_PER_AMOUNT, 1000, 1, NULL}};

static lty_tier star_tiers[] = {
    {"Welcome", 0, 0, 0, NULL, 0, 0, 0},
    {"Green", 5, 0, 0, NULL, 0, 0, 0},
    {"Gold", 30, 0, 12, "Free drink", LTY_REWARD_SERVICE, 5000, 30}};

static void define_stars(lty_engine *e)
{
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = "stars";
    d.name = "Star card";
    d.kind = LTY_PROGRAM_STARS;
    d.rules = star_rules;
    d.rule_count = 1;
    d.tiers = star_tiers;
    d.tier_count = 3;
    ck_assert_int_eq(lty_program_define(e, &d), LTY_OK);
}

static const lty_earn_rule point_rules[] = {
    {LTY_EARN_PER_AMOUNT, 100, 1, NULL}};

/* A medical points program (only service rewards). */
static void define_clinic_points(lty_engine *e)
{
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = "clinic";
    d.name = "Clinic points";
    d.kind = LTY_PROGRAM_POINTS;
    d.medical = 1;
    d.rules = point_rules;
    d.rule_count = 1;
    ck_assert_int_eq(lty_program_define(e, &d), LTY_OK);
}

static void define_ladder(lty_engine *e)
{
    static const lty_ladder_step steps[] = {{1, "Member"}, {5, "Regular"}};
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = "ladder";
    d.name = "Ladder";
    d.kind = LTY_PROGRAM_LADDER;
    d.steps = steps;
    d.step_count = 2;
    ck_assert_int_eq(lty_program_define(e, &d), LTY_OK);
}

static void gift_stars(lty_referral_gift *g, const char *program,
                       int64_t amount)
{
    lty_referral_gift init = LTY_REFERRAL_GIFT_INIT;
    *g = init;
    g->kind = LTY_REFERRAL_GIFT_PROGRAM;
    snprintf(g->program_id, sizeof g->program_id, "%s", program);
    g->amount = amount;
}

static void gift_reward(lty_referral_gift *g, const char *name,
                        lty_reward_kind kind, int64_t value, int days)
{
    lty_referral_gift init = LTY_REFERRAL_GIFT_INIT;
    *g = init;
    g->kind = LTY_REFERRAL_GIFT_REWARD;
    snprintf(g->reward_name, sizeof g->reward_name, "%s", name);
    g->reward_kind = kind;
    g->reward_value = value;
    g->reward_valid_days = days;
}

/* 5 stars to the referrer; "friend booked" message; reversal in 14 days;
 * purchases of 10,000 or more qualify. */
static lty_referral_policy stars_policy(void)
{
    lty_referral_policy p = LTY_REFERRAL_POLICY_INIT;
    gift_stars(&p.credit, "stars", 5);
    snprintf(p.booked_template, sizeof p.booked_template, "referral_booked");
    p.min_purchase = 10000;
    p.reversal_days = 14;
    return p;
}

static void set_policy(lty_engine *e, const lty_referral_policy *p)
{
    int rc = lty_referral_policy_set(e, p);
    ck_assert_msg(rc == LTY_OK, "policy: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
}

/* ------------------------------------------------------------------ */
/* Fixture and helpers                                                 */
/* ------------------------------------------------------------------ */

static void setup(void)
{
    lty_test_env_open(&t);
    lty_test_customer(t.e, AMY, "Amy Kim", "010-1111-0001");
    lty_test_customer(t.e, BEN, "Ben Park", "010-1111-0002");
    lty_test_customer(t.e, CAT, "Cat Lee", "010-1111-0003");
    lty_test_customer(t.e, DAN, "Dan Cho", NULL);
    lty_test_customer(t.e, EVE, "Eve Han", NULL);
    define_stars(t.e);
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

static void reg(lty_engine *e, const char *referrer, const char *referred)
{
    int rc = lty_referral_register(e, referrer, referred);
    ck_assert_msg(rc == LTY_OK, "register: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
}

static lty_referral get(const char *referred)
{
    lty_referral r = LTY_REFERRAL_INIT;
    int rc = lty_referral_get(t.e, referred, &r);
    ck_assert_msg(rc == LTY_OK, "get: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    return r;
}

static int book(lty_engine *e, const char *id, const char *cid, int64_t start)
{
    lty_appointment_spec s = LTY_APPOINTMENT_SPEC_INIT;
    s.id = id;
    s.customer_id = cid;
    s.start = start;
    s.duration = 30;
    s.item = "scaling";
    return lty_appointment_book(e, &s);
}

static int record(lty_engine *e, lty_event_type type, const char *id,
                  const char *cid, int64_t time, int64_t amount,
                  const char *refund_of, lty_record_outcome *o)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = type;
    ev.id = id;
    ev.customer_id = cid;
    ev.time = time;
    ev.amount = amount;
    ev.refund_of = refund_of;
    return lty_record(e, &ev, o);
}

static void purchase(const char *id, const char *cid, int64_t time,
                     int64_t amount)
{
    int rc = record(t.e, LTY_EVENT_PURCHASE, id, cid, time, amount, NULL, NULL);
    ck_assert_msg(rc == LTY_OK, "purchase: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
}

static void refund(const char *id, const char *cid, const char *of,
                   int64_t time, int64_t amount)
{
    int rc = record(t.e, LTY_EVENT_REFUND, id, cid, time, amount, of, NULL);
    ck_assert_msg(rc == LTY_OK, "refund: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
}

static lty_program_status status(const char *cid, const char *program)
{
    lty_program_status s = LTY_PROGRAM_STATUS_INIT;
    int rc = lty_program_status_get(t.e, cid, program, &s);
    ck_assert_msg(rc == LTY_OK, "status: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    return s;
}

static int64_t balance(const char *cid)
{
    return status(cid, "stars").balance;
}

/* The outbox state of a message, 0 when it does not exist. */
static lty_outbox_entry message(const char *id)
{
    lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
    int rc = lty_outbox_get(t.e, id, &m);
    if (rc == LTY_ENOTFOUND)
        m.state = (lty_message_state)0;
    else
        ck_assert_int_eq(rc, LTY_OK);
    return m;
}

/* A customer's messages (every state). */
static size_t messages_of(const char *cid, lty_outbox_entry *out, size_t cap)
{
    lty_outbox_filter f = {cid, (lty_message_state)0, 0, 0};
    size_t n = 0;
    for (size_t i = 0; i < cap; i++) {
        lty_outbox_entry init = LTY_OUTBOX_ENTRY_INIT;
        out[i] = init;
    }
    ck_assert_int_eq(lty_outbox_list(t.e, &f, out, cap, &n), LTY_OK);
    return n;
}

/* The referral messages of a customer (ids "referral/..."), into out. */
static size_t referral_messages_of(const char *cid, lty_outbox_entry *out,
                                   size_t cap)
{
    lty_outbox_entry all[16];
    size_t n = messages_of(cid, all, 16), k = 0;
    ck_assert_uint_le(n, 16);
    for (size_t i = 0; i < n; i++)
        if (strncmp(all[i].id, "referral/", 9) == 0 && k < cap)
            out[k++] = all[i];
    return k;
}

static void assert_gift_eq(const lty_referral_gift *a,
                           const lty_referral_gift *b)
{
    ck_assert_int_eq(a->kind, b->kind);
    ck_assert_str_eq(a->program_id, b->program_id);
    ck_assert_int_eq(a->amount, b->amount);
    ck_assert_str_eq(a->reward_name, b->reward_name);
    ck_assert_int_eq(a->reward_kind, b->reward_kind);
    ck_assert_int_eq(a->reward_value, b->reward_value);
    ck_assert_int_eq(a->reward_valid_days, b->reward_valid_days);
}

static void assert_policy_eq(const lty_referral_policy *a,
                             const lty_referral_policy *b)
{
    assert_gift_eq(&a->credit, &b->credit);
    assert_gift_eq(&a->welcome, &b->welcome);
    ck_assert_int_eq(a->min_purchase, b->min_purchase);
    ck_assert_int_eq(a->visit_qualifies, b->visit_qualifies);
    ck_assert_int_eq(a->reversal_days, b->reversal_days);
    ck_assert_int_eq(a->cap_count, b->cap_count);
    ck_assert_int_eq(a->cap_days, b->cap_days);
    ck_assert_str_eq(a->booked_template, b->booked_template);
    ck_assert_str_eq(a->thanks_template, b->thanks_template);
    ck_assert_int_eq(a->purpose, b->purpose);
    ck_assert_int_eq(a->channel, b->channel);
}

/* How many history entries of a kind the customer has, and the last. */
static size_t history_count(const char *cid, lty_program_log_kind kind,
                            lty_program_log_entry *last)
{
    lty_program_log_entry h[64];
    size_t n = 0, k = 0;
    ck_assert_int_eq(lty_program_history(t.e, cid, h, 64, &n), LTY_OK);
    ck_assert_uint_le(n, 64);
    for (size_t i = 0; i < n; i++)
        if (h[i].kind == kind) {
            k++;
            if (last)
                *last = h[i];
        }
    return k;
}

static size_t rewards_of(const char *cid, lty_reward *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cap; i++) {
        lty_reward init = LTY_REWARD_INIT;
        out[i] = init;
    }
    ck_assert_int_eq(lty_reward_list(t.e, cid, out, cap, &n), LTY_OK);
    return n;
}

static int stored(const char *text)
{
    int rc = lty_test_dump_contains(&t.ops, t.ud, text, strlen(text));
    ck_assert_int_ge(rc, 0);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */
/* ------------------------------------------------------------------ */

START_TEST(registering_records_the_referral_once)
{
    lty_referral r;
    reg(t.e, AMY, BEN);
    r = get(BEN);
    ck_assert_str_eq(r.referrer, AMY);
    ck_assert_str_eq(r.referred, BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_REGISTERED);
    ck_assert_int_eq(r.registered, NOW);
    ck_assert_int_eq(r.booked, 0);
    ck_assert_int_eq(r.completed, 0);
    ck_assert_uint_eq(r.number, 1);
    ck_assert_str_eq(r.qualifying_event, "");
    ck_assert_int_eq(r.credit.kind, LTY_REFERRAL_GIFT_NONE);

    /* the same pair again is a replay */
    t.now = NOW + HOUR;
    reg(t.e, AMY, BEN);
    r = get(BEN);
    ck_assert_int_eq(r.registered, NOW);
    ck_assert_uint_eq(r.number, 1);

    /* nobody referred the referrer */
    lty_referral none = LTY_REFERRAL_INIT;
    ck_assert_int_eq(lty_referral_get(t.e, AMY, &none), LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "nobody referred");

    reg(t.e, AMY, CAT);
    ck_assert_uint_eq(get(CAT).number, 2);
}
END_TEST

START_TEST(a_friend_already_booked_starts_at_booked)
{
    lty_referral_policy p = stars_policy();
    set_policy(t.e, &p);
    ck_assert_int_eq(book(t.e, "a1", BEN, NOW + 3 * DAY), LTY_OK);
    t.now = NOW + 10 * MINUTE;
    reg(t.e, AMY, BEN);
    lty_referral r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_BOOKED);
    ck_assert_int_eq(r.booked, NOW + 10 * MINUTE);
    lty_outbox_entry m = message("referral/" BEN "/booked");
    ck_assert_int_eq(m.state, LTY_MSG_PLANNED);
    ck_assert_str_eq(m.customer_id, AMY);
    ck_assert_str_eq(m.template_id, "referral_booked");

    /* a cancelled booking does not count */
    ck_assert_int_eq(book(t.e, "a2", CAT, NOW + 3 * DAY), LTY_OK);
    ck_assert_int_eq(lty_appointment_cancel(t.e, "a2"), LTY_OK);
    reg(t.e, AMY, CAT);
    ck_assert_int_eq(get(CAT).stage, LTY_REFERRAL_REGISTERED);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Guards: each its own error                                          */
/* ------------------------------------------------------------------ */

START_TEST(self_referral_by_the_same_id)
{
    ck_assert_int_eq(lty_referral_register(t.e, AMY, AMY), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "are the same customer");
}
END_TEST

/* Phones and e-mail addresses are unique in a store the library wrote;
 * the guards are for profiles that got there otherwise (an import straight
 * into the database): write one with the referrer's contact data. */
static void put_profile_copy(const char *from, const char *to, int keep_phone,
                             int keep_email)
{
    lty_allocator a;
    lty_buf rb, out, scratch;
    lty__profile p;
    char key[128];
    uint64_t rev = 0;
    ck_assert_int_eq(lty__alloc_init(&a, NULL), LTY_OK);
    lty__buf_init(&rb, &a);
    lty__buf_init(&out, &a);
    lty__buf_init(&scratch, &a);
    int n = snprintf(key, sizeof key, "C%c%s%cP", 0, from, 0);
    ck_assert_int_eq(t.ops.begin(t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.get(key, (size_t)n, &rb, &rev, t.ud), LTY_OK);
    ck_assert_int_eq(lty__profile_decode(rb.data, rb.len, &p), LTY_OK);
    if (!keep_phone)
        p.phone.n = 0;
    if (!keep_email)
        p.email.n = 0;
    ck_assert_int_eq(lty__profile_encode(&p, &out, &scratch), LTY_OK);
    n = snprintf(key, sizeof key, "C%c%s%cP", 0, to, 0);
    ck_assert_int_eq(t.ops.put(key, (size_t)n, out.data, out.len, LTY_REV_ANY,
                               NULL, t.ud),
                     LTY_OK);
    ck_assert_int_eq(t.ops.commit(t.ud), LTY_OK);
    lty__buf_release(&rb);
    lty__buf_release(&out);
    lty__buf_release(&scratch);
}

START_TEST(self_referral_by_the_same_phone)
{
    put_profile_copy(AMY, EVE, 1, 0);
    ck_assert_int_eq(lty_referral_register(t.e, AMY, EVE), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "same phone");
}
END_TEST

START_TEST(self_referral_by_the_same_email)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = AMY;
    f.set = LTY_FIELD_EMAIL;
    f.email = "amy@example.com";
    ck_assert_int_eq(lty_customer_update(t.e, &f), LTY_OK);
    put_profile_copy(AMY, EVE, 0, 1);
    ck_assert_int_eq(lty_referral_register(t.e, AMY, EVE), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "same e-mail");
}
END_TEST

START_TEST(self_referral_by_the_same_name_and_birthday)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = AMY;
    f.set = LTY_FIELD_BIRTHDAY;
    f.birthday.year = 1990;
    f.birthday.month = 5;
    f.birthday.day = 5;
    ck_assert_int_eq(lty_customer_update(t.e, &f), LTY_OK);
    /* the same name written otherwise, the birthday without a year */
    f.id = "twin";
    f.set = LTY_FIELD_NAME | LTY_FIELD_BIRTHDAY;
    f.name = "  amy   KIM ";
    f.birthday.year = 0;
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_OK);
    ck_assert_int_eq(lty_referral_register(t.e, AMY, "twin"), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "same name and birthday");
    ck_assert_ptr_null(strstr(lty_engine_last_error(t.e), "Amy"));

    /* the same name on another day is another person */
    f.id = "namesake";
    f.name = "Amy Kim";
    f.birthday.year = 1990;
    f.birthday.day = 6;
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_OK);
    reg(t.e, AMY, "namesake");
    /* and so is "Amy Kimura" born the same day */
    f.id = "other";
    f.name = "Amy Kimura";
    f.birthday.day = 5;
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_OK);
    reg(t.e, AMY, "other");
}
END_TEST

START_TEST(the_referred_must_be_new)
{
    purchase("p0", BEN, NOW - DAY, 5000);
    ck_assert_int_eq(lty_referral_register(t.e, AMY, BEN), LTY_ESTATE);
    lty_assert_err_mentions(t.e, "referred: already has visits");
    /* a visit counts as much as a purchase */
    ck_assert_int_eq(record(t.e, LTY_EVENT_VISIT, "v0", CAT, NOW - DAY, 0,
                            NULL, NULL),
                     LTY_OK);
    ck_assert_int_eq(lty_referral_register(t.e, AMY, CAT), LTY_ESTATE);
    lty_assert_err_mentions(t.e, "already has visits");
    /* the referrer's own visits do not matter */
    purchase("p1", AMY, NOW - DAY, 5000);
    reg(t.e, AMY, DAN);
}
END_TEST

START_TEST(registration_before_the_customer_existed)
{
    t.now = NOW + DAY;
    lty_test_customer(t.e, "late", "Late Comer", NULL);
    t.now = NOW; /* another engine's clock, behind */
    ck_assert_int_eq(lty_referral_register(t.e, AMY, "late"), LTY_ESTATE);
    lty_assert_err_mentions(t.e, "referred: created after the registration");
    t.now = NOW + DAY;
    reg(t.e, AMY, "late");
}
END_TEST

START_TEST(one_referrer_per_customer)
{
    reg(t.e, AMY, BEN);
    ck_assert_int_eq(lty_referral_register(t.e, CAT, BEN), LTY_EEXISTS);
    lty_assert_err_mentions(t.e, "referred: already referred by another");
    ck_assert_str_eq(get(BEN).referrer, AMY);
}
END_TEST

START_TEST(unknown_customers)
{
    ck_assert_int_eq(lty_referral_register(t.e, "nobody", BEN), LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "referrer: not found");
    ck_assert_int_eq(lty_referral_register(t.e, AMY, "nobody"), LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "referred: not found");
    ck_assert_int_eq(lty_referral_register(t.e, NULL, BEN), LTY_EINVALID);
    ck_assert_int_eq(lty_referral_register(t.e, AMY, ""), LTY_EINVALID);
    ck_assert_int_eq(lty_referral_register(NULL, AMY, BEN), LTY_EINVALID);
}
END_TEST

START_TEST(no_cycles)
{
    reg(t.e, AMY, BEN);
    ck_assert_int_eq(lty_referral_register(t.e, BEN, AMY), LTY_ESTATE);
    lty_assert_err_mentions(t.e, "a cycle");
    /* a longer chain back to the referrer */
    reg(t.e, BEN, CAT);
    reg(t.e, CAT, DAN);
    ck_assert_int_eq(lty_referral_register(t.e, DAN, AMY), LTY_ESTATE);
    lty_assert_err_mentions(t.e, "a cycle");
    /* a chain that does not come back is fine */
    reg(t.e, DAN, EVE);
    ck_assert_str_eq(get(EVE).referrer, DAN);
}
END_TEST

START_TEST(a_cap_per_referrer_and_period)
{
    lty_referral_policy p = LTY_REFERRAL_POLICY_INIT;
    p.cap_count = 2;
    p.cap_days = 30;
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    t.now = NOW + 10 * DAY;
    reg(t.e, AMY, CAT);
    t.now = NOW + 20 * DAY;
    ck_assert_int_eq(lty_referral_register(t.e, AMY, DAN), LTY_ERANGE);
    lty_assert_err_mentions(t.e, "referrer: at most 2 referrals in 30 days");
    /* other referrers have their own */
    reg(t.e, BEN, DAN);
    /* a replay is not a new registration */
    reg(t.e, AMY, CAT);
    /* 30 days after the first, it has left the window */
    t.now = NOW + 30 * DAY + 1;
    reg(t.e, AMY, EVE);
}
END_TEST

START_TEST(a_cap_set_later_counts_earlier_registrations)
{
    reg(t.e, AMY, BEN);
    reg(t.e, AMY, CAT);
    lty_referral_policy p = LTY_REFERRAL_POLICY_INIT;
    p.cap_count = 2;
    p.cap_days = 7;
    set_policy(t.e, &p);
    ck_assert_int_eq(lty_referral_register(t.e, AMY, DAN), LTY_ERANGE);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Stages                                                              */
/* ------------------------------------------------------------------ */

START_TEST(booked_then_kept_appointment_credits_stars)
{
    lty_referral_policy p = stars_policy();
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);

    t.now = NOW + HOUR;
    ck_assert_int_eq(book(t.e, "a1", BEN, NOW + 2 * DAY), LTY_OK);
    lty_referral r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_BOOKED);
    ck_assert_int_eq(r.booked, NOW + HOUR);
    lty_outbox_entry m = message("referral/" BEN "/booked");
    ck_assert_int_eq(m.state, LTY_MSG_PLANNED);
    ck_assert_str_eq(m.customer_id, AMY);
    ck_assert_int_eq(m.purpose, LTY_PURPOSE_TRANSACTIONAL);
    ck_assert_int_eq(m.due, NOW + HOUR);
    /* a second booking changes nothing */
    t.now = NOW + 2 * HOUR;
    ck_assert_int_eq(book(t.e, "a2", BEN, NOW + 9 * DAY), LTY_OK);
    ck_assert_int_eq(get(BEN).booked, NOW + HOUR);

    /* the kept appointment completes and credits in one go */
    t.now = NOW + 2 * DAY;
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a1", LTY_TIME_NOW, NULL),
                     LTY_OK);
    r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_CREDITED);
    ck_assert_int_eq(r.completed, NOW + 2 * DAY);
    ck_assert_int_eq(r.credited, NOW + 2 * DAY);
    ck_assert_str_eq(r.qualifying_event, "appt/a1");
    ck_assert_int_eq(r.qualifying_amount, 0);
    ck_assert_int_eq(r.reversible_until, 0); /* a visit is not refunded */
    ck_assert_int_eq(r.credit.kind, LTY_REFERRAL_GIFT_PROGRAM);
    ck_assert_str_eq(r.credit.program_id, "stars");
    ck_assert_int_eq(r.credit.amount, 5);
    ck_assert_int_eq(r.welcome.kind, LTY_REFERRAL_GIFT_NONE);

    /* five stars, counted toward the tiers: Green */
    lty_program_status s = status(AMY, "stars");
    ck_assert_int_eq(s.balance, 5);
    ck_assert_int_eq(s.earned_lifetime, 5);
    ck_assert_str_eq(s.title, "Green");
    lty_program_log_entry h;
    ck_assert_uint_eq(history_count(AMY, LTY_PLOG_CREDIT, &h), 1);
    ck_assert_int_eq(h.amount, 5);
    ck_assert_str_eq(h.code, "referral/1");
    ck_assert_str_eq(h.program_id, "stars");
    ck_assert_uint_eq(history_count(AMY, LTY_PLOG_TIER_UP, NULL), 1);

    /* the thank-you to the referrer */
    m = message("referral/" BEN "/thanks");
    ck_assert_int_eq(m.state, LTY_MSG_PLANNED);
    ck_assert_str_eq(m.customer_id, AMY);
    ck_assert_str_eq(m.template_id, LTY_REFERRAL_THANKS_TEMPLATE);
    ck_assert_int_eq(m.due, NOW + 2 * DAY);

    /* nothing moves twice: the second appointment, a purchase */
    t.now = NOW + 9 * DAY;
    ck_assert_int_eq(lty_appointment_arrive(t.e, "a2", LTY_TIME_NOW, NULL),
                     LTY_OK);
    purchase("p1", BEN, NOW + 9 * DAY, 50000);
    ck_assert_int_eq(get(BEN).completed, NOW + 2 * DAY);
    ck_assert_int_eq(balance(AMY), 5);
}
END_TEST

START_TEST(a_walk_in_visit_completes_only_when_the_policy_says_so)
{
    lty_referral_policy p = stars_policy();
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    ck_assert_int_eq(record(t.e, LTY_EVENT_VISIT, "v1", BEN, NOW + HOUR, 0,
                            NULL, NULL),
                     LTY_OK);
    ck_assert_int_eq(get(BEN).stage, LTY_REFERRAL_REGISTERED);
    p.visit_qualifies = 1;
    set_policy(t.e, &p);
    ck_assert_int_eq(record(t.e, LTY_EVENT_VISIT, "v2", BEN, NOW + DAY, 0,
                            NULL, NULL),
                     LTY_OK);
    lty_referral r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_CREDITED);
    ck_assert_str_eq(r.qualifying_event, "v2");
    ck_assert_int_eq(balance(AMY), 5);
}
END_TEST

START_TEST(a_purchase_must_reach_the_minimum)
{
    lty_referral_policy p = stars_policy();
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    purchase("p1", BEN, NOW + HOUR, 9999);
    lty_referral r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_REGISTERED);
    ck_assert_int_eq(balance(AMY), 0);
    /* the first qualifying purchase completes it, without a booking */
    purchase("p2", BEN, NOW + DAY, 10000);
    r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_CREDITED);
    ck_assert_int_eq(r.booked, 0);
    ck_assert_str_eq(r.qualifying_event, "p2");
    ck_assert_int_eq(r.qualifying_amount, 10000);
    ck_assert_int_eq(r.reversible_until, NOW + DAY + 14 * DAY);
    ck_assert_int_eq(balance(AMY), 5);
    /* the friend earned their own stars as usual */
    ck_assert_int_eq(balance(BEN), 9 + 10);
}
END_TEST

START_TEST(without_a_credit_a_referral_stays_completed)
{
    reg(t.e, AMY, BEN);
    purchase("p1", BEN, NOW + HOUR, 100);
    lty_referral r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_COMPLETED);
    ck_assert_int_eq(r.credited, 0);
    ck_assert_int_eq(r.credit.kind, LTY_REFERRAL_GIFT_NONE);
    /* the thank-you still goes out */
    ck_assert_int_eq(message("referral/" BEN "/thanks").state, LTY_MSG_PLANNED);
    /* and the default policy has no "friend booked" message */
    reg(t.e, AMY, CAT);
    ck_assert_int_eq(book(t.e, "a1", CAT, NOW + DAY), LTY_OK);
    ck_assert_int_eq(get(CAT).stage, LTY_REFERRAL_BOOKED);
    ck_assert_int_eq(message("referral/" CAT "/booked").state, 0);
}
END_TEST

START_TEST(a_reward_credit_and_a_welcome_perk)
{
    lty_referral_policy p = LTY_REFERRAL_POLICY_INIT;
    gift_reward(&p.credit, "Free scaling", LTY_REWARD_SERVICE, 30000, 30);
    gift_stars(&p.welcome, "stars", 3);
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    purchase("p1", BEN, NOW + HOUR, 20000);

    lty_referral r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_CREDITED);
    ck_assert_int_eq(r.credit.kind, LTY_REFERRAL_GIFT_REWARD);
    ck_assert_int_eq(strncmp(r.credit.reward_code, "referral-", 9), 0);
    lty_reward rw[4];
    ck_assert_uint_eq(rewards_of(AMY, rw, 4), 1);
    ck_assert_str_eq(rw[0].code, r.credit.reward_code);
    ck_assert_str_eq(rw[0].name, "Free scaling");
    ck_assert_int_eq(rw[0].kind, LTY_REWARD_SERVICE);
    ck_assert_int_eq(rw[0].value, 30000);
    ck_assert_int_eq(rw[0].state, LTY_REWARD_ISSUED);
    ck_assert_int_eq(rw[0].source, LTY_REWARD_BY_RULE);
    ck_assert_int_eq(rw[0].issued, NOW + HOUR);
    ck_assert(rw[0].expires != LTY_TIME_NONE);

    /* the friend's perk: 3 stars on top of what the purchase earned */
    ck_assert_int_eq(r.welcome.kind, LTY_REFERRAL_GIFT_PROGRAM);
    ck_assert_int_eq(r.welcome.amount, 3);
    ck_assert_int_eq(balance(BEN), 20 + 3);
    lty_program_log_entry h;
    ck_assert_uint_eq(history_count(BEN, LTY_PLOG_CREDIT, &h), 1);
    ck_assert_str_eq(h.code, "referral/1/welcome");
    /* the referrer got no stars */
    ck_assert_int_eq(balance(AMY), 0);
}
END_TEST

/* What the messenger saw. */
typedef struct sent {
    char id[LTY_MESSAGE_ID_MAX + 1];
    char cid[LTY_ID_MAX + 1];
    char text[512];
    int n;
} sent;

static int capture(const lty_message *msg, void *ud)
{
    sent *s = ud;
    snprintf(s->id, sizeof s->id, "%s", msg->id);
    snprintf(s->cid, sizeof s->cid, "%s", msg->customer_id);
    snprintf(s->text, sizeof s->text, "%s", msg->text);
    s->n++;
    return LTY_OK;
}

START_TEST(the_thank_you_names_the_gift_and_nothing_of_the_friend)
{
    lty_referral_policy p = LTY_REFERRAL_POLICY_INIT;
    gift_reward(&p.credit, "Free scaling", LTY_REWARD_SERVICE, 30000, 0);
    set_policy(t.e, &p);
    ck_assert_int_eq(lty_template_set(t.e, LTY_REFERRAL_THANKS_TEMPLATE,
                                      LTY_CHANNEL_SMS, "",
                                      "{name}, thank you! {reward}: {code}"),
                     LTY_OK);
    sent s;
    memset(&s, 0, sizeof s);
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = capture;
    ck_assert_int_eq(lty_messenger_register(t.e, &ops, &s), LTY_OK);
    reg(t.e, AMY, BEN);
    purchase("p1", BEN, NOW, 20000);
    lty_dispatch_report rep;
    ck_assert_int_eq(lty_outbox_dispatch(t.e, NOW + MINUTE, 10, &rep), LTY_OK);
    ck_assert_int_eq(s.n, 1);
    ck_assert_str_eq(s.id, "referral/" BEN "/thanks");
    ck_assert_str_eq(s.cid, AMY);
    char want[256];
    snprintf(want, sizeof want, "Amy Kim, thank you! Free scaling: %s",
             get(BEN).credit.reward_code);
    ck_assert_str_eq(s.text, want);
    ck_assert_ptr_null(strstr(s.text, "Ben"));
}
END_TEST

START_TEST(messages_follow_the_policys_purpose_and_channel)
{
    lty_referral_policy p = stars_policy();
    p.purpose = LTY_PURPOSE_MARKETING;
    p.channel = LTY_CHANNEL_KAKAO;
    snprintf(p.thanks_template, sizeof p.thanks_template, "thanks_kakao");
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    ck_assert_int_eq(book(t.e, "a1", BEN, NOW + DAY), LTY_OK);
    purchase("p1", BEN, NOW + HOUR, 10000);
    lty_outbox_entry m[8];
    ck_assert_uint_eq(referral_messages_of(AMY, m, 8), 2);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(m[i].purpose, LTY_PURPOSE_MARKETING);
        ck_assert_int_eq(m[i].channel, LTY_CHANNEL_KAKAO);
    }
    ck_assert_str_eq(message("referral/" BEN "/thanks").template_id,
                     "thanks_kakao");
    /* no message to the friend */
    ck_assert_uint_eq(referral_messages_of(BEN, m, 8), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Reversal                                                            */
/* ------------------------------------------------------------------ */

START_TEST(a_refund_within_the_window_takes_the_stars_back)
{
    lty_referral_policy p = stars_policy();
    gift_stars(&p.welcome, "stars", 2);
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    purchase("p1", BEN, NOW, 25000);
    ck_assert_int_eq(balance(AMY), 5);
    ck_assert_int_eq(balance(BEN), 25 + 2);
    /* the referrer spends the stars meanwhile */
    t.now = NOW + DAY;
    ck_assert_int_eq(lty_points_spend(t.e, AMY, "stars", "s1", 5, NULL), LTY_OK);
    ck_assert_int_eq(balance(AMY), 0);

    /* a partial refund that leaves a qualifying purchase changes nothing */
    refund("r1", BEN, "p1", NOW + 2 * DAY, 10000);
    ck_assert_int_eq(get(BEN).stage, LTY_REFERRAL_CREDITED);
    /* one that leaves less than the minimum reverses */
    refund("r2", BEN, "p1", NOW + 3 * DAY, 10000);
    lty_referral r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_REVERSED);
    ck_assert_int_eq(r.reversed, NOW + 3 * DAY);
    ck_assert_int_eq(r.credited, NOW); /* when it was credited */
    ck_assert_int_eq(r.credit.lost, 0);
    /* stars already spent: a debt, as after a refund */
    lty_program_status s = status(AMY, "stars");
    ck_assert_int_eq(s.balance, -5);
    ck_assert_int_eq(s.earned_lifetime, 0);
    lty_program_log_entry h;
    ck_assert_uint_eq(history_count(AMY, LTY_PLOG_DEBIT, &h), 1);
    ck_assert_int_eq(h.amount, 5);
    ck_assert_str_eq(h.code, "referral/1");
    ck_assert_int_eq(h.time, NOW + 3 * DAY);
    /* the friend's perk goes too (and the refunds took their earnings) */
    ck_assert_int_eq(balance(BEN), 25 - 20 + 2 - 2);
    /* no message about it */
    ck_assert_int_eq(message("referral/" BEN "/reversed").state, 0);
    /* the debt is repaid by later stars */
    reg(t.e, AMY, CAT);
    purchase("p2", CAT, NOW + 4 * DAY, 10000);
    ck_assert_int_eq(balance(AMY), 0);
    /* a reversed referral does not complete again */
    purchase("p3", BEN, NOW + 5 * DAY, 50000);
    ck_assert_int_eq(get(BEN).stage, LTY_REFERRAL_REVERSED);
    ck_assert_int_eq(balance(AMY), 0);
}
END_TEST

START_TEST(a_refund_after_the_window_changes_nothing)
{
    lty_referral_policy p = stars_policy();
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    purchase("p1", BEN, NOW, 30000);
    refund("r1", BEN, "p1", NOW + 14 * DAY + 1, 30000);
    lty_referral r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_CREDITED);
    ck_assert_int_eq(r.reversed, 0);
    ck_assert_int_eq(balance(AMY), 5);
}
END_TEST

START_TEST(a_refund_of_another_purchase_changes_nothing)
{
    lty_referral_policy p = stars_policy();
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    purchase("p0", BEN, NOW, 5000);   /* below the minimum */
    purchase("p1", BEN, NOW + HOUR, 30000);
    refund("r0", BEN, "p0", NOW + DAY, 5000);
    ck_assert_int_eq(get(BEN).stage, LTY_REFERRAL_CREDITED);
    /* without a window nothing is ever reversed */
    p.reversal_days = 0;
    set_policy(t.e, &p);
    reg(t.e, AMY, CAT);
    purchase("p2", CAT, NOW, 30000);
    ck_assert_int_eq(get(CAT).reversible_until, 0);
    refund("r2", CAT, "p2", NOW + HOUR, 30000);
    ck_assert_int_eq(get(CAT).stage, LTY_REFERRAL_CREDITED);
}
END_TEST

START_TEST(a_reversed_reward_is_voided_or_recorded_as_lost)
{
    lty_referral_policy p = LTY_REFERRAL_POLICY_INIT;
    gift_reward(&p.credit, "Free scaling", LTY_REWARD_SERVICE, 30000, 30);
    gift_reward(&p.welcome, "Welcome gift", LTY_REWARD_SERVICE, 5000, 30);
    p.reversal_days = 7;
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    purchase("p1", BEN, NOW, 20000);
    lty_referral r = get(BEN);
    /* the friend used the welcome gift at once; the referrer did not */
    ck_assert_int_eq(lty_reward_redeem(t.e, r.welcome.reward_code, NOW + HOUR),
                     LTY_OK);
    refund("r1", BEN, "p1", NOW + DAY, 20000);
    r = get(BEN);
    ck_assert_int_eq(r.stage, LTY_REFERRAL_REVERSED);
    lty_reward w = LTY_REWARD_INIT;
    ck_assert_int_eq(lty_reward_get(t.e, r.credit.reward_code, &w), LTY_OK);
    ck_assert_int_eq(w.state, LTY_REWARD_VOID);
    ck_assert_int_eq(w.closed, NOW + DAY);
    ck_assert_int_eq(r.credit.lost, 0);
    ck_assert_int_eq(lty_reward_get(t.e, r.welcome.reward_code, &w), LTY_OK);
    ck_assert_int_eq(w.state, LTY_REWARD_REDEEMED);
    ck_assert_int_eq(r.welcome.lost, 1);
    ck_assert_int_eq(lty_reward_redeem(t.e, r.credit.reward_code, NOW + 2 * DAY),
                     LTY_ESTATE);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Idempotency                                                         */
/* ------------------------------------------------------------------ */

START_TEST(replayed_events_credit_once)
{
    lty_referral_policy p = stars_policy();
    gift_reward(&p.welcome, "Welcome gift", LTY_REWARD_SERVICE, 0, 0);
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    ck_assert_int_eq(book(t.e, "a1", BEN, NOW + DAY), LTY_OK);
    ck_assert_int_eq(book(t.e, "a1", BEN, NOW + DAY), LTY_OK);
    purchase("p1", BEN, NOW + HOUR, 20000);
    lty_record_outcome o = LTY_RECORD_OUTCOME_INIT;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(record(t.e, LTY_EVENT_PURCHASE, "p1", BEN, NOW + HOUR,
                                20000, NULL, &o),
                         LTY_OK);
        ck_assert_int_eq(o.duplicate, 1);
    }
    /* a batch replaying it too */
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = "p1";
    ev.customer_id = BEN;
    ev.time = NOW + HOUR;
    ev.amount = 20000;
    ck_assert_int_eq(lty_record_batch(t.e, &ev, 1, NULL, NULL), LTY_OK);
    ck_assert_int_eq(balance(AMY), 5);
    ck_assert_uint_eq(history_count(AMY, LTY_PLOG_CREDIT, NULL), 1);
    lty_reward rw[4];
    ck_assert_uint_eq(rewards_of(BEN, rw, 4), 1);
    /* the refund replayed reverses once */
    refund("r1", BEN, "p1", NOW + DAY, 20000);
    refund("r1", BEN, "p1", NOW + DAY, 20000);
    ck_assert_int_eq(balance(AMY), 0);
    ck_assert_uint_eq(history_count(AMY, LTY_PLOG_DEBIT, NULL), 1);
    lty_outbox_entry m[8];
    ck_assert_uint_eq(referral_messages_of(AMY, m, 8), 2);
}
END_TEST

START_TEST(a_rebuild_keeps_credits_and_their_taking_back)
{
    lty_referral_policy p = stars_policy();
    gift_stars(&p.welcome, "stars", 2);
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    reg(t.e, AMY, CAT);
    purchase("p1", BEN, NOW, 20000);
    purchase("p2", CAT, NOW + HOUR, 20000);
    refund("r1", CAT, "p2", NOW + DAY, 20000);
    lty_program_status before = status(AMY, "stars");
    int64_t ben_before = balance(BEN);
    ck_assert_int_eq(before.balance, 5);
    ck_assert_int_eq(lty_programs_rebuild(t.e, NULL), LTY_OK);
    lty_program_status after = status(AMY, "stars");
    ck_assert_int_eq(after.balance, before.balance);
    ck_assert_int_eq(after.earned_lifetime, before.earned_lifetime);
    ck_assert_int_eq(after.level, before.level);
    ck_assert_int_eq(balance(BEN), ben_before);
    ck_assert_int_eq(balance(CAT), 0);
    ck_assert_uint_eq(history_count(AMY, LTY_PLOG_CREDIT, NULL), 2);
    ck_assert_uint_eq(history_count(AMY, LTY_PLOG_DEBIT, NULL), 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

START_TEST(a_referrers_referrals_with_their_stages)
{
    lty_referral_policy p = stars_policy();
    set_policy(t.e, &p);
    reg(t.e, AMY, DAN);
    reg(t.e, AMY, BEN);
    reg(t.e, AMY, CAT);
    ck_assert_int_eq(book(t.e, "a1", CAT, NOW + DAY), LTY_OK);
    purchase("p1", DAN, NOW + HOUR, 20000);

    lty_referral out[2] = {LTY_REFERRAL_INIT, LTY_REFERRAL_INIT};
    size_t n = 0;
    ck_assert_int_eq(lty_referral_list(t.e, AMY, out, 2, &n), LTY_OK);
    ck_assert_uint_eq(n, 3);
    /* in referred-id order: ben, cat (dan left out by the cap) */
    ck_assert_str_eq(out[0].referred, BEN);
    ck_assert_int_eq(out[0].stage, LTY_REFERRAL_REGISTERED);
    ck_assert_str_eq(out[1].referred, CAT);
    ck_assert_int_eq(out[1].stage, LTY_REFERRAL_BOOKED);
    ck_assert_str_eq(out[1].referrer, AMY);
    lty_referral all[4] = {LTY_REFERRAL_INIT, LTY_REFERRAL_INIT,
                           LTY_REFERRAL_INIT, LTY_REFERRAL_INIT};
    ck_assert_int_eq(lty_referral_list(t.e, AMY, all, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(all[2].referred, DAN);
    ck_assert_int_eq(all[2].stage, LTY_REFERRAL_CREDITED);

    /* counting only; someone who referred nobody; nobody at all */
    ck_assert_int_eq(lty_referral_list(t.e, AMY, NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(lty_referral_list(t.e, EVE, NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(lty_referral_list(t.e, "nobody", NULL, 0, &n),
                     LTY_ENOTFOUND);
    ck_assert_int_eq(lty_referral_list(t.e, AMY, NULL, 1, &n), LTY_EINVALID);
    ck_assert_int_eq(lty_referral_list(t.e, AMY, out, 2, NULL), LTY_EINVALID);
    out[0].version = 99;
    ck_assert_int_eq(lty_referral_list(t.e, AMY, out, 2, &n), LTY_EVERSION);
}
END_TEST

START_TEST(top_referrers_of_a_period)
{
    lty_referral_policy p = stars_policy();
    set_policy(t.e, &p);
    lty_test_customer(t.e, "f1", "Friend One", NULL);
    lty_test_customer(t.e, "f2", "Friend Two", NULL);
    lty_test_customer(t.e, "f3", "Friend Three", NULL);
    lty_test_customer(t.e, "f4", "Friend Four", NULL);
    /* amy: three completed in March, one of them reversed; ben: two;
     * cat: one in April; dan: one only registered */
    reg(t.e, AMY, "f1");
    reg(t.e, AMY, "f2");
    reg(t.e, AMY, "f3");
    reg(t.e, BEN, CAT);
    reg(t.e, BEN, DAN);
    reg(t.e, EVE, "f4");
    purchase("e1", "f1", NOW + DAY, 10000);
    purchase("e2", "f2", NOW + 2 * DAY, 10000);
    purchase("e3", "f3", NOW + 3 * DAY, 10000);
    refund("e3r", "f3", "e3", NOW + 4 * DAY, 10000);
    purchase("e4", CAT, NOW + 5 * DAY, 10000);
    purchase("e5", DAN, NOW + 40 * DAY, 10000);

    lty_referrer_rank top[2] = {LTY_REFERRER_RANK_INIT, LTY_REFERRER_RANK_INIT};
    size_t n = 0;
    ck_assert_int_eq(lty_referral_top(t.e, NOW, NOW + 31 * DAY, top, 2, &n),
                     LTY_OK);
    ck_assert_uint_eq(n, 2);
    /* a tie: by referrer id (chart-amy before chart-ben) */
    ck_assert_str_eq(top[0].referrer, AMY);
    ck_assert_int_eq(top[0].completed, 2);
    ck_assert_str_eq(top[1].referrer, BEN);
    ck_assert_int_eq(top[1].completed, 1);

    ck_assert_int_eq(lty_referral_top(t.e, NOW, NOW + 41 * DAY, top, 1, &n),
                     LTY_OK);
    ck_assert_uint_eq(n, 2);
    /* ben's April referral makes two each: the tie goes by id */
    ck_assert_str_eq(top[0].referrer, AMY);
    ck_assert_int_eq(top[0].completed, 2);
    ck_assert_int_eq(lty_referral_top(t.e, NOW + 4 * DAY, NOW + 41 * DAY, top,
                                      2, &n),
                     LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(top[0].referrer, BEN);
    ck_assert_int_eq(top[0].completed, 2);

    ck_assert_int_eq(lty_referral_top(t.e, NOW + 6 * DAY, NOW + 7 * DAY, NULL,
                                      0, &n),
                     LTY_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(lty_referral_top(t.e, NOW, NOW, top, 2, &n), LTY_EINVALID);
    ck_assert_int_eq(lty_referral_top(t.e, NOW, NOW + DAY, NULL, 2, &n),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_referral_top(t.e, -1, NOW, top, 2, &n), LTY_EINVALID);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The policy                                                          */
/* ------------------------------------------------------------------ */

START_TEST(the_policy_round_trips_and_defaults)
{
    lty_referral_policy got = LTY_REFERRAL_POLICY_INIT;
    got.min_purchase = 77;
    ck_assert_int_eq(lty_referral_policy_get(t.e, &got), LTY_OK);
    ck_assert_int_eq(got.min_purchase, 0);
    ck_assert_int_eq(got.credit.kind, LTY_REFERRAL_GIFT_NONE);
    ck_assert_str_eq(got.thanks_template, LTY_REFERRAL_THANKS_TEMPLATE);
    ck_assert_str_eq(got.booked_template, "");
    ck_assert_int_eq(got.purpose, LTY_PURPOSE_TRANSACTIONAL);

    define_clinic_points(t.e);
    lty_referral_policy p = LTY_REFERRAL_POLICY_INIT;
    gift_reward(&p.credit, "Free check-up", LTY_REWARD_SERVICE, 50000, 90);
    snprintf(p.credit.program_id, sizeof p.credit.program_id, "clinic");
    gift_stars(&p.welcome, "clinic", 500);
    p.min_purchase = 30000;
    p.visit_qualifies = 1;
    p.reversal_days = 30;
    p.cap_count = 5;
    p.cap_days = 365;
    snprintf(p.booked_template, sizeof p.booked_template, "ref_booked");
    p.thanks_template[0] = '\0';
    p.channel = LTY_CHANNEL_SMS;
    set_policy(t.e, &p);
    lty_referral_policy q = LTY_REFERRAL_POLICY_INIT;
    ck_assert_int_eq(lty_referral_policy_get(t.e, &q), LTY_OK);
    assert_policy_eq(&p, &q);
    /* another engine over the store sees it */
    lty_engine *e2 = lty_test_env_engine(&t);
    lty_referral_policy r = LTY_REFERRAL_POLICY_INIT;
    ck_assert_int_eq(lty_referral_policy_get(e2, &r), LTY_OK);
    assert_policy_eq(&p, &r);
    lty_engine_free(e2);

    /* a reward in a medical program's name is a service */
    reg(t.e, AMY, BEN);
    purchase("p1", BEN, NOW, 30000);
    lty_reward w = LTY_REWARD_INIT;
    ck_assert_int_eq(lty_reward_get(t.e, get(BEN).credit.reward_code, &w),
                     LTY_OK);
    ck_assert_str_eq(w.program_id, "clinic");
    ck_assert_int_eq(status(BEN, "clinic").balance, 300 + 500);
    /* no thank-you template: no message */
    ck_assert_int_eq(message("referral/" BEN "/thanks").state, 0);
}
END_TEST

typedef struct bad_policy {
    const char *name;
    void (*edit)(lty_referral_policy *p);
    int code;
    const char *mentions;
} bad_policy;

static void bp_amount(lty_referral_policy *p) { p->credit.amount = 0; }
static void bp_amount_big(lty_referral_policy *p)
{
    p->credit.amount = LTY_REFERRAL_AMOUNT_MAX + 1;
}
static void bp_no_program(lty_referral_policy *p) { p->credit.program_id[0] = 0; }
static void bp_unknown_program(lty_referral_policy *p)
{
    snprintf(p->credit.program_id, sizeof p->credit.program_id, "nope");
}
static void bp_ladder(lty_referral_policy *p)
{
    snprintf(p->credit.program_id, sizeof p->credit.program_id, "ladder");
}
static void bp_kind(lty_referral_policy *p)
{
    p->credit.kind = (lty_referral_gift_kind)7;
}
static void bp_none_with_fields(lty_referral_policy *p)
{
    p->welcome.amount = 3;
}
static void bp_reward_no_name(lty_referral_policy *p)
{
    gift_reward(&p->welcome, "", LTY_REWARD_SERVICE, 0, 0);
}
static void bp_reward_kind(lty_referral_policy *p)
{
    gift_reward(&p->welcome, "Gift", (lty_reward_kind)9, 0, 0);
}
static void bp_reward_value(lty_referral_policy *p)
{
    gift_reward(&p->welcome, "Gift", LTY_REWARD_SERVICE, -1, 0);
}
static void bp_reward_days(lty_referral_policy *p)
{
    gift_reward(&p->welcome, "Gift", LTY_REWARD_SERVICE, 0, 3661);
}
static void bp_reward_amount(lty_referral_policy *p)
{
    gift_reward(&p->welcome, "Gift", LTY_REWARD_SERVICE, 0, 0);
    p->welcome.amount = 1;
}
static void bp_medical_cash(lty_referral_policy *p)
{
    gift_reward(&p->welcome, "Cash back", LTY_REWARD_CASH, 10000, 0);
    snprintf(p->welcome.program_id, sizeof p->welcome.program_id, "clinic");
}
static void bp_min(lty_referral_policy *p) { p->min_purchase = -1; }
static void bp_visit(lty_referral_policy *p) { p->visit_qualifies = 2; }
static void bp_reversal(lty_referral_policy *p) { p->reversal_days = 3661; }
static void bp_cap(lty_referral_policy *p) { p->cap_count = 1001; p->cap_days = 1; }
static void bp_cap_days(lty_referral_policy *p) { p->cap_count = 3; p->cap_days = 0; }
static void bp_days_alone(lty_referral_policy *p) { p->cap_days = 30; }
static void bp_template(lty_referral_policy *p)
{
    snprintf(p->booked_template, sizeof p->booked_template, "bad\ttemplate");
}
static void bp_thanks(lty_referral_policy *p)
{
    memset(p->thanks_template, 'x', sizeof p->thanks_template);
}
static void bp_purpose(lty_referral_policy *p) { p->purpose = (lty_purpose)0; }
static void bp_channel(lty_referral_policy *p) { p->channel = (lty_channel)9; }
static void bp_staff(lty_referral_policy *p)
{
    p->channel = LTY_CHANNEL_STAFF;
    p->purpose = LTY_PURPOSE_MARKETING;
}
static void bp_version(lty_referral_policy *p) { p->version = 2; }

static const bad_policy bad_policies[] = {
    {"amount", bp_amount, LTY_EINVALID, "referral credit amount: outside 1..1000000"},
    {"amount big", bp_amount_big, LTY_EINVALID, "referral credit amount"},
    {"no program", bp_no_program, LTY_EINVALID, "referral credit program_id: required"},
    {"unknown program", bp_unknown_program, LTY_ENOTFOUND, "referral credit program_id: no such program"},
    {"ladder", bp_ladder, LTY_EINVALID, "not a stars or points program"},
    {"kind", bp_kind, LTY_EINVALID, "referral credit kind: unknown"},
    {"none with fields", bp_none_with_fields, LTY_EINVALID, "referral welcome: fields set without a kind"},
    {"reward name", bp_reward_no_name, LTY_EINVALID, "referral welcome reward_name"},
    {"reward kind", bp_reward_kind, LTY_EINVALID, "referral welcome reward_kind: unknown"},
    {"reward value", bp_reward_value, LTY_EINVALID, "referral welcome reward_value: negative"},
    {"reward days", bp_reward_days, LTY_EINVALID, "referral welcome reward_valid_days"},
    {"reward amount", bp_reward_amount, LTY_EINVALID, "referral welcome amount: does not apply"},
    {"medical cash", bp_medical_cash, LTY_EINVALID, "cash-equivalent rewards are not allowed in a medical program"},
    {"min", bp_min, LTY_EINVALID, "referral min_purchase: negative"},
    {"visit", bp_visit, LTY_EINVALID, "referral visit_qualifies"},
    {"reversal", bp_reversal, LTY_EINVALID, "referral reversal_days: outside 0..3660"},
    {"cap", bp_cap, LTY_EINVALID, "referral cap_count: outside 0..1000"},
    {"cap days", bp_cap_days, LTY_EINVALID, "referral cap_days: outside 1..3660"},
    {"days alone", bp_days_alone, LTY_EINVALID, "referral cap_days: set without"},
    {"template", bp_template, LTY_EINVALID, "referral booked_template"},
    {"thanks", bp_thanks, LTY_EINVALID, "referral thanks_template"},
    {"purpose", bp_purpose, LTY_EINVALID, "referral purpose"},
    {"channel", bp_channel, LTY_EINVALID, "referral channel: unknown"},
    {"staff", bp_staff, LTY_EINVALID, "staff notices are transactional"},
    {"version", bp_version, LTY_EVERSION, "referral policy"},
};

START_TEST(bad_policies_are_refused_naming_the_field)
{
    const bad_policy *b = &bad_policies[_i];
    define_clinic_points(t.e);
    define_ladder(t.e);
    lty_referral_policy good = stars_policy();
    set_policy(t.e, &good);
    lty_referral_policy p = stars_policy();
    p.min_purchase = 1; /* differs from the stored one */
    b->edit(&p);
    int rc = lty_referral_policy_set(t.e, &p);
    ck_assert_msg(rc == b->code, "%s: got %s (%s)", b->name, lty_strerror(rc),
                  lty_engine_last_error(t.e));
    lty_assert_err_mentions(t.e, b->mentions);
    /* nothing changed */
    lty_referral_policy q = LTY_REFERRAL_POLICY_INIT;
    ck_assert_int_eq(lty_referral_policy_get(t.e, &q), LTY_OK);
    assert_policy_eq(&good, &q);
}
END_TEST

START_TEST(bad_arguments)
{
    lty_referral r = LTY_REFERRAL_INIT;
    ck_assert_int_eq(lty_referral_policy_set(t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_referral_policy_set(NULL, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_referral_policy_get(t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_referral_get(t.e, BEN, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_referral_get(t.e, NULL, &r), LTY_EINVALID);
    r.version = 0;
    ck_assert_int_eq(lty_referral_get(t.e, BEN, &r), LTY_EVERSION);
    lty_referral_policy p = LTY_REFERRAL_POLICY_INIT;
    p.version = 0;
    ck_assert_int_eq(lty_referral_policy_get(t.e, &p), LTY_EVERSION);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Erasure                                                             */
/* ------------------------------------------------------------------ */

START_TEST(erasing_the_referred_keeps_an_anonymous_referral)
{
    lty_referral_policy p = stars_policy();
    gift_stars(&p.welcome, "stars", 2);
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    ck_assert_int_eq(book(t.e, "a1", BEN, NOW + DAY), LTY_OK);
    purchase("p1", BEN, NOW + HOUR, 30000);
    ck_assert_int_eq(lty_customer_erase(t.e, BEN), LTY_OK);
    ck_assert_int_eq(stored(BEN), 0);

    lty_referral r = LTY_REFERRAL_INIT;
    ck_assert_int_eq(lty_referral_get(t.e, BEN, &r), LTY_ENOTFOUND);
    lty_referral out[2] = {LTY_REFERRAL_INIT, LTY_REFERRAL_INIT};
    size_t n = 0;
    ck_assert_int_eq(lty_referral_list(t.e, AMY, out, 2, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(out[0].referred, "anon-1");
    ck_assert_int_eq(out[0].stage, LTY_REFERRAL_CREDITED);
    r = get("anon-1");
    ck_assert_str_eq(r.referrer, AMY);
    /* the referrer's messages keep their state under the new ids */
    ck_assert_int_eq(message("referral/anon-1/booked").state, LTY_MSG_PLANNED);
    lty_outbox_entry m = message("referral/anon-1/thanks");
    ck_assert_int_eq(m.state, LTY_MSG_PLANNED);
    ck_assert_str_eq(m.customer_id, AMY);
    lty_outbox_entry all[8];
    ck_assert_uint_eq(referral_messages_of(AMY, all, 8), 2);
    /* the perk's credit moved with the friend's records */
    ck_assert_int_eq(lty_program_status_get(t.e, "anon-1", "stars",
                                            &(lty_program_status)LTY_PROGRAM_STATUS_INIT),
                     LTY_ENOTFOUND);
    /* the refund of an erased customer's purchase still reverses it */
    refund("r1", "anon-1", "p1", NOW + DAY, 30000);
    ck_assert_int_eq(get("anon-1").stage, LTY_REFERRAL_REVERSED);
    ck_assert_int_eq(balance(AMY), 0);
    /* a new customer with the anonymous id is refused */
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "anon-1";
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_EEXISTS);
}
END_TEST

START_TEST(erasing_a_referred_friend_with_only_a_referral)
{
    reg(t.e, AMY, BEN);
    ck_assert_int_eq(lty_customer_erase(t.e, BEN), LTY_OK);
    ck_assert_int_eq(stored(BEN), 0);
    ck_assert_str_eq(get("anon-1").referrer, AMY);
    /* the anonymous id is not handed out again, nor taken by a new
     * customer */
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "anon-1";
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_EEXISTS);
    ck_assert_int_eq(lty_customer_erase(t.e, CAT), LTY_OK);
    lty_customer *c = NULL;
    ck_assert_int_eq(lty_customer_get(t.e, CAT, &c), LTY_ENOTFOUND);
    ck_assert_str_eq(get("anon-1").referrer, AMY);
}
END_TEST

START_TEST(erasing_the_referrer_rewrites_their_referrals)
{
    lty_referral_policy p = stars_policy();
    p.cap_count = 10;
    p.cap_days = 30;
    set_policy(t.e, &p);
    reg(t.e, AMY, BEN);
    reg(t.e, AMY, CAT);
    reg(t.e, DAN, AMY); /* the referrer was referred too */
    purchase("p1", BEN, NOW + HOUR, 30000);
    ck_assert_int_eq(lty_customer_erase(t.e, AMY), LTY_OK);
    ck_assert_int_eq(stored(AMY), 0);
    ck_assert_int_eq(stored("Amy Kim"), 0);
    /* anon-1: amy */
    lty_referral r = get(BEN);
    ck_assert_str_eq(r.referrer, "anon-1");
    ck_assert_int_eq(r.stage, LTY_REFERRAL_CREDITED);
    ck_assert_str_eq(get(CAT).referrer, "anon-1");
    ck_assert_str_eq(get("anon-1").referrer, DAN);
    lty_referral out[4] = {LTY_REFERRAL_INIT, LTY_REFERRAL_INIT,
                           LTY_REFERRAL_INIT, LTY_REFERRAL_INIT};
    size_t n = 0;
    ck_assert_int_eq(lty_referral_list(t.e, "anon-1", out, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(lty_referral_list(t.e, DAN, out, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(out[0].referred, "anon-1");
    /* the stars moved with the referrer's records; the thank-you, an
     * erased customer's message, is gone */
    ck_assert_int_eq(message("referral/" BEN "/thanks").state, 0);
    /* a later completion credits the anonymous referrer, sends nothing */
    purchase("p2", CAT, NOW + 2 * HOUR, 30000);
    ck_assert_int_eq(get(CAT).stage, LTY_REFERRAL_CREDITED);
    ck_assert_int_eq(message("referral/" CAT "/thanks").state, 0);
    lty_referrer_rank top[2] = {LTY_REFERRER_RANK_INIT, LTY_REFERRER_RANK_INIT};
    ck_assert_int_eq(lty_referral_top(t.e, NOW, NOW + DAY, top, 2, &n), LTY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(top[0].referrer, "anon-1");
    ck_assert_int_eq(top[0].completed, 2);
    /* and the erased referrer's state took the credits */
    lty_program_status s = LTY_PROGRAM_STATUS_INIT;
    ck_assert_int_eq(lty_program_status_get(t.e, "anon-1", "stars", &s),
                     LTY_ENOTFOUND); /* no profile: no status read */
}
END_TEST

/* ------------------------------------------------------------------ */
/* Storage faults                                                      */
/* ------------------------------------------------------------------ */

static void fseed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    lty_test_customer(w->e, AMY, "Amy Kim", "010-1111-0001");
    lty_test_customer(w->e, BEN, "Ben Park", "010-1111-0002");
    lty_test_customer(w->e, CAT, "Cat Lee", NULL);
    lty_test_customer(w->e, DAN, "Dan Cho", NULL);
    define_stars(w->e);
    lty_referral_policy p = stars_policy();
    gift_reward(&p.welcome, "Welcome gift", LTY_REWARD_SERVICE, 5000, 30);
    p.cap_count = 5;
    p.cap_days = 30;
    set_policy(w->e, &p);
    lty_test_customer(w->e, EVE, "Eve Han", NULL);
    /* ben: booked, referred by amy; cat: credited (purchase p1), still
     * reversible; eve: registered; dan: booked, nobody's friend yet */
    reg(w->e, AMY, BEN);
    reg(w->e, AMY, CAT);
    reg(w->e, AMY, EVE);
    ck_assert_int_eq(record(w->e, LTY_EVENT_PURCHASE, "p1", CAT, NOW - HOUR,
                            20000, NULL, NULL),
                     LTY_OK);
    ck_assert_int_eq(book(w->e, "a1", BEN, NOW + 2 * DAY), LTY_OK);
    ck_assert_int_eq(book(w->e, "a9", DAN, NOW + 2 * DAY), LTY_OK);
}

/* dan has booked already: registered straight at "booked", with the
 * message to the referrer */
static int f_register(lty_engine *e)
{
    return lty_referral_register(e, CAT, DAN);
}

static int f_policy(lty_engine *e)
{
    lty_referral_policy p = stars_policy();
    p.min_purchase = 50000;
    gift_stars(&p.welcome, "stars", 1);
    return lty_referral_policy_set(e, &p);
}

static int f_book(lty_engine *e)
{
    return book(e, "a3", EVE, NOW + 4 * DAY);
}

static int f_arrive(lty_engine *e)
{
    return lty_appointment_arrive(e, "a1", NOW, NULL);
}

static int f_purchase(lty_engine *e)
{
    return record(e, LTY_EVENT_PURCHASE, "p2", BEN, NOW, 15000, NULL, NULL);
}

static int f_refund(lty_engine *e)
{
    return record(e, LTY_EVENT_REFUND, "r1", CAT, NOW, 20000, "p1", NULL);
}

static int f_erase_referred(lty_engine *e)
{
    return lty_customer_erase(e, CAT);
}

static int f_erase_referrer(lty_engine *e)
{
    return lty_customer_erase(e, AMY);
}

static const struct {
    const char *name;
    int (*call)(lty_engine *e);
} fcalls[] = {
    {"register", f_register},
    {"policy", f_policy},
    {"book (stage booked)", f_book},
    {"arrive (completed, credited)", f_arrive},
    {"purchase (completed, credited)", f_purchase},
    {"refund (reversed)", f_refund},
    {"erase the referred", f_erase_referred},
    {"erase the referrer", f_erase_referrer},
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

START_TEST(a_conflict_is_retried)
{
    sweep(_i, LTY_TEST_FAULT_CONFLICT | LTY_TEST_FAULT_CONFLICT_MAY_FAIL);
}
END_TEST

static Suite *referral_suite(void)
{
    Suite *s = suite_create("referral");
    TCase *tc = tcase_create("referrals");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, registering_records_the_referral_once);
    tcase_add_test(tc, a_friend_already_booked_starts_at_booked);
    tcase_add_test(tc, self_referral_by_the_same_id);
    tcase_add_test(tc, self_referral_by_the_same_phone);
    tcase_add_test(tc, self_referral_by_the_same_email);
    tcase_add_test(tc, self_referral_by_the_same_name_and_birthday);
    tcase_add_test(tc, the_referred_must_be_new);
    tcase_add_test(tc, registration_before_the_customer_existed);
    tcase_add_test(tc, one_referrer_per_customer);
    tcase_add_test(tc, unknown_customers);
    tcase_add_test(tc, no_cycles);
    tcase_add_test(tc, a_cap_per_referrer_and_period);
    tcase_add_test(tc, a_cap_set_later_counts_earlier_registrations);
    tcase_add_test(tc, booked_then_kept_appointment_credits_stars);
    tcase_add_test(tc, a_walk_in_visit_completes_only_when_the_policy_says_so);
    tcase_add_test(tc, a_purchase_must_reach_the_minimum);
    tcase_add_test(tc, without_a_credit_a_referral_stays_completed);
    tcase_add_test(tc, a_reward_credit_and_a_welcome_perk);
    tcase_add_test(tc, the_thank_you_names_the_gift_and_nothing_of_the_friend);
    tcase_add_test(tc, messages_follow_the_policys_purpose_and_channel);
    tcase_add_test(tc, a_refund_within_the_window_takes_the_stars_back);
    tcase_add_test(tc, a_refund_after_the_window_changes_nothing);
    tcase_add_test(tc, a_refund_of_another_purchase_changes_nothing);
    tcase_add_test(tc, a_reversed_reward_is_voided_or_recorded_as_lost);
    tcase_add_test(tc, replayed_events_credit_once);
    tcase_add_test(tc, a_rebuild_keeps_credits_and_their_taking_back);
    tcase_add_test(tc, a_referrers_referrals_with_their_stages);
    tcase_add_test(tc, top_referrers_of_a_period);
    tcase_add_test(tc, the_policy_round_trips_and_defaults);
    tcase_add_loop_test(tc, bad_policies_are_refused_naming_the_field, 0,
                        (int)(sizeof bad_policies / sizeof bad_policies[0]));
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, erasing_the_referred_keeps_an_anonymous_referral);
    tcase_add_test(tc, erasing_a_referred_friend_with_only_a_referral);
    tcase_add_test(tc, erasing_the_referrer_rewrites_their_referrals);
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged,
                        0, (int)(sizeof fcalls / sizeof fcalls[0]));
    tcase_add_loop_test(tc, a_conflict_is_retried, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(referral_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
