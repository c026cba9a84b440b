/*
 * libloyalty tests - campaigns: definitions and presets, targeting by
 * segment, days since the last visit, birthday month and tags; exclusions
 * with reasons; the control group; relaunching; the budget cap;
 * measurement; simulation from history; every
 * storage failure of defining and launching.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "faultworld.h"
#include "testutil.h"

#define DAY INT64_C(86400)

static lty_test_env t;

static void setup(void)
{
    lty_test_env_open(&t);
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

/* A customer with a phone, SMS marketing consent, and a birthday month. */
static void customer(lty_engine *e, const char *id, int month, int consent)
{
    char phone[32];
    unsigned h = 0;
    for (const char *p = id; *p; p++)
        h = h * 31u + (unsigned char)*p;
    snprintf(phone, sizeof phone, "+8210%08u", h % 100000000u);
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE;
    f.name = "Kim";
    f.phone = phone;
    if (month) {
        f.set |= LTY_FIELD_BIRTHDAY;
        f.birthday.year = 1990;
        f.birthday.month = month;
        f.birthday.day = 10;
    }
    ck_assert_int_eq(lty_customer_create(e, &f), LTY_OK);
    if (consent)
        ck_assert_int_eq(lty_customer_set_consent(e, id, LTY_CHANNEL_SMS,
                                                  LTY_PURPOSE_MARKETING, 1),
                         LTY_OK);
}

static void define(lty_engine *e, lty_campaign_def *d, const char *id)
{
    d->id = id;
    d->name = "Test campaign";
    d->template_id = "promo";
    d->channel = LTY_CHANNEL_SMS;
    ck_assert_int_eq(lty_campaign_define(e, d), LTY_OK);
}

static lty_campaign_report eligibility(lty_engine *e, const char *id)
{
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_eligibility(e, id, &r), LTY_OK);
    ck_assert_uint_eq(r.customers, r.members + r.not_in_target + r.no_consent +
                                       r.contact_invalid + r.over_budget +
                                       r.eligible);
    ck_assert_uint_eq(r.eligible, r.treatment + r.control);
    return r;
}

static int has_message(lty_engine *e, const char *campaign, const char *cid)
{
    char id[LTY_MESSAGE_ID_MAX + 1];
    snprintf(id, sizeof id, "campaign/%s/%s", campaign, cid);
    lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
    int rc = lty_outbox_get(e, id, &m);
    ck_assert(rc == LTY_OK || rc == LTY_ENOTFOUND);
    return rc == LTY_OK;
}

START_TEST(definitions_are_checked)
{
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    ck_assert_int_eq(lty_campaign_define(t.e, &d), LTY_EINVALID);
    d.id = "a/b";
    d.name = "x";
    d.template_id = "promo";
    ck_assert_int_eq(lty_campaign_define(t.e, &d), LTY_EINVALID);
    d.id = "ok";
    d.control_share = 0.95;
    ck_assert_int_eq(lty_campaign_define(t.e, &d), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "control share");
    d.control_share = 0.1;
    d.r_min = 4;
    d.r_max = 2;
    ck_assert_int_eq(lty_campaign_define(t.e, &d), LTY_EINVALID);
    d.r_min = d.r_max = 0;
    ck_assert_int_eq(lty_campaign_define(t.e, &d), LTY_OK);
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_eligibility(t.e, "nope", &r), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_campaign_preset_birthday(&d, 13), LTY_EINVALID);
    ck_assert_int_eq(lty_campaign_preset_vip(&d), LTY_OK);
    ck_assert_uint_eq(d.segment_count, 1);
    ck_assert_str_eq(d.segments[0], "Champions");
    ck_assert_int_eq(lty_campaign_preset_winback(&d, 0), LTY_OK);
    ck_assert_uint_eq(d.segment_count, 2);
    ck_assert_int_eq(lty_campaign_preset_winback(&d, 90), LTY_OK);
    ck_assert_uint_eq(d.segment_count, 0);
    ck_assert_int_eq(d.days_since_visit_min, 90);
}
END_TEST

START_TEST(targets_by_birthday_month_tags_and_days_since_visit)
{
    customer(t.e, "c1", 3, 1);
    customer(t.e, "c2", 4, 1);
    customer(t.e, "c3", 3, 1);
    customer(t.e, "c4", 0, 1);
    ck_assert_int_eq(lty_customer_add_tag(t.e, "c2", "vip"), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(t.e, "c4", "implant"), LTY_OK);
    lty_test_event(t.e, "e1", "c1", t.now - 100 * DAY, 10000, NULL);
    lty_test_event(t.e, "e2", "c2", t.now - 10 * DAY, 10000, NULL);
    lty_test_event(t.e, "e3", "c3", t.now - 200 * DAY, 10000, NULL);

    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.control_share = 0;
    ck_assert_int_eq(lty_campaign_preset_birthday(&d, 3), LTY_OK);
    define(t.e, &d, "bday");
    lty_campaign_report r = eligibility(t.e, "bday");
    ck_assert_uint_eq(r.customers, 4);
    ck_assert_uint_eq(r.eligible, 2);
    ck_assert_uint_eq(r.not_in_target, 2);

    static const char *const tags[] = {"vip", "implant"};
    lty_campaign_def d2 = LTY_CAMPAIGN_DEF_INIT;
    d2.tags = tags;
    d2.tag_count = 2;
    define(t.e, &d2, "tags");
    ck_assert_uint_eq(eligibility(t.e, "tags").eligible, 2);

    lty_campaign_def d3 = LTY_CAMPAIGN_DEF_INIT;
    ck_assert_int_eq(lty_campaign_preset_winback(&d3, 90), LTY_OK);
    d3.days_since_visit_max = 150;
    define(t.e, &d3, "lapsed");
    r = eligibility(t.e, "lapsed");
    ck_assert_uint_eq(r.eligible, 1); /* c1 only: c3 too long, c4 never */
    ck_assert_uint_eq(r.not_in_target, 3);
}
END_TEST

START_TEST(targets_by_stored_rfm_segment)
{
    char id[16];
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "s%02d", i);
        customer(t.e, id, 0, 1);
        for (int k = 0; k <= i % 5; k++) {
            char ev[64];
            snprintf(ev, sizeof ev, "%s-%d", id, k);
            lty_test_event(t.e, ev, id, t.now - (int64_t)(i * 7 + k * 2 + 1) * DAY,
                           1000 * (i + 1), NULL);
        }
    }
    customer(t.e, "unscored", 0, 1);
    lty_rfm_result *res = NULL;
    ck_assert_int_eq(lty_rfm_compute(t.e, NULL, &res), LTY_OK);
    lty_rfm_scores z = LTY_RFM_SCORES_INIT;
    ck_assert_int_eq(lty_rfm_customer_get(t.e, "s19", &z), LTY_OK);
    uint64_t same = 0;
    for (size_t i = 0; i < lty_rfm_result_count(res); i++) {
        lty_rfm_row row;
        ck_assert_int_eq(lty_rfm_result_row(res, i, &row), LTY_OK);
        same += strcmp(row.segment, z.segment) == 0;
    }
    lty_rfm_result_free(res);
    const char *segs[1] = {z.segment};
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.segments = segs;
    d.segment_count = 1;
    define(t.e, &d, "seg");
    lty_campaign_report r = eligibility(t.e, "seg");
    ck_assert_uint_eq(r.eligible, same);
    ck_assert_uint_eq(r.not_in_target, 21 - same);
    /* a score range */
    lty_campaign_def d2 = LTY_CAMPAIGN_DEF_INIT;
    d2.r_min = d2.r_max = z.r;
    d2.f_min = d2.f_max = z.f;
    d2.m_min = d2.m_max = z.m;
    define(t.e, &d2, "scores");
    r = eligibility(t.e, "scores");
    ck_assert_uint_ge(r.eligible, 1);
    ck_assert_uint_le(r.eligible, same);
}
END_TEST

START_TEST(exclusions_are_counted_with_reasons)
{
    customer(t.e, "ok", 0, 1);
    customer(t.e, "noconsent", 0, 0);
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "nophone";
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_OK);
    ck_assert_int_eq(lty_customer_set_consent(t.e, "nophone", LTY_CHANNEL_SMS,
                                              LTY_PURPOSE_MARKETING, 1),
                     LTY_OK);
    customer(t.e, "z-over", 0, 1);
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.control_share = 0;
    d.max_messages = 1;
    define(t.e, &d, "ex");
    lty_campaign_report r = eligibility(t.e, "ex");
    ck_assert_uint_eq(r.customers, 4);
    ck_assert_uint_eq(r.eligible, 1);
    ck_assert_uint_eq(r.no_consent, 1);
    ck_assert_uint_eq(r.contact_invalid, 1);
    ck_assert_uint_eq(r.over_budget, 1);
    /* transactional needs no consent */
    d.purpose = LTY_PURPOSE_TRANSACTIONAL;
    d.max_messages = 0;
    define(t.e, &d, "tx");
    r = eligibility(t.e, "tx");
    ck_assert_uint_eq(r.eligible, 3);
    ck_assert_uint_eq(r.contact_invalid, 1);
}
END_TEST

START_TEST(control_share_is_close_to_ten_percent_and_control_gets_nothing)
{
    char id[16];
    for (int i = 0; i < 2000; i++) {
        snprintf(id, sizeof id, "p%04d", i);
        customer(t.e, id, 0, 1);
    }
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.cost_per_message = 30;
    define(t.e, &d, "all");
    lty_campaign_report before = eligibility(t.e, "all");
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_launch(t.e, "all", LTY_TIME_NOW, &r), LTY_OK);
    ck_assert_uint_eq(r.eligible, 2000);
    ck_assert_uint_eq(r.control, before.control);
    ck_assert_uint_ge(r.control, 160);
    ck_assert_uint_le(r.control, 240);
    ck_assert_uint_eq(r.planned, r.treatment);
    ck_assert_int_eq(r.cost, (int64_t)r.treatment * 30);
    uint64_t control = 0, messaged = 0;
    for (int i = 0; i < 2000; i++) {
        snprintf(id, sizeof id, "p%04d", i);
        lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
        ck_assert_int_eq(lty_campaign_member_get(t.e, "all", id, &m), LTY_OK);
        ck_assert_int_eq(m.launched_at, t.now);
        int has = has_message(t.e, "all", id);
        if (m.group == LTY_CAMPAIGN_CONTROL) {
            control++;
            ck_assert(!has);
        } else {
            ck_assert_int_eq(m.group, LTY_CAMPAIGN_TREATMENT);
            ck_assert(has);
            messaged++;
        }
    }
    ck_assert_uint_eq(control, r.control);
    ck_assert_uint_eq(messaged, r.treatment);
    /* relaunching plans nothing new */
    t.now += DAY;
    lty_campaign_report again = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_launch(t.e, "all", LTY_TIME_NOW, &again), LTY_OK);
    ck_assert_uint_eq(again.members, 2000);
    ck_assert_uint_eq(again.planned, 0);
    lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
    ck_assert_int_eq(lty_campaign_member_get(t.e, "all", "p0000", &m), LTY_OK);
    ck_assert_int_eq(m.launched_at, t.now - DAY);
    ck_assert_int_eq(lty_campaign_member_get(t.e, "all", "nobody", &m),
                     LTY_ENOTFOUND);
}
END_TEST

START_TEST(the_budget_cap_stops_planning_and_a_larger_one_continues)
{
    char id[16];
    for (int i = 0; i < 50; i++) {
        snprintf(id, sizeof id, "b%02d", i);
        customer(t.e, id, 0, 1);
    }
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.control_share = 0;
    d.cost_per_message = 20;
    d.offer_kind = LTY_REWARD_DISCOUNT;
    d.offer_value = 5000;
    d.offer_cost = 80;
    d.max_money = 1000; /* 10 messages */
    define(t.e, &d, "cap");
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_launch(t.e, "cap", LTY_TIME_NOW, &r), LTY_OK);
    ck_assert_uint_eq(r.planned, 10);
    ck_assert_uint_eq(r.over_budget, 40);
    ck_assert_int_eq(r.cost, 1000);
    ck_assert(has_message(t.e, "cap", "b09"));
    ck_assert(!has_message(t.e, "cap", "b10"));
    lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
    ck_assert_int_eq(lty_campaign_member_get(t.e, "cap", "b10", &m), LTY_ENOTFOUND);
    /* the same budget again: nothing more */
    ck_assert_int_eq(lty_campaign_launch(t.e, "cap", LTY_TIME_NOW, &r), LTY_OK);
    ck_assert_uint_eq(r.planned, 0);
    ck_assert_uint_eq(r.members, 10);
    ck_assert_uint_eq(r.over_budget, 40);
    /* a message cap on top of a larger money cap */
    d.max_money = 0;
    d.max_messages = 15;
    define(t.e, &d, "cap");
    ck_assert_int_eq(lty_campaign_launch(t.e, "cap", LTY_TIME_NOW, &r), LTY_OK);
    ck_assert_uint_eq(r.planned, 5);
    ck_assert_uint_eq(r.over_budget, 35);
}
END_TEST

START_TEST(erasure_moves_membership_and_deletes_the_message)
{
    customer(t.e, "gone", 0, 1);
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.control_share = 0;
    define(t.e, &d, "er");
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_launch(t.e, "er", LTY_TIME_NOW, &r), LTY_OK);
    ck_assert(has_message(t.e, "er", "gone"));
    ck_assert_int_eq(lty_customer_erase(t.e, "gone"), LTY_OK);
    ck_assert(!has_message(t.e, "er", "gone"));
    lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
    ck_assert_int_eq(lty_campaign_member_get(t.e, "er", "gone", &m),
                     LTY_ENOTFOUND);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Storage failures                                                    */
/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* Measurement                                                         */
/* ------------------------------------------------------------------ */

static int accept_send(const lty_message *msg, void *ud)
{
    (void)msg;
    (*(int *)ud)++;
    return LTY_OK;
}

static void event_at(lty_engine *e, const char *evid, const char *cid,
                     lty_event_type type, int64_t time, int64_t amount)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = type;
    ev.id = evid;
    ev.customer_id = cid;
    ev.time = time;
    ev.amount = amount;
    ck_assert_int_eq(lty_record(e, &ev, NULL), LTY_OK);
}

/* A small seeded generator (xorshift64*), uniform in [0, 1). */
static double uniform(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * UINT64_C(2685821657736338717)) >> 11) /
           9007199254740992.0;
}

START_TEST(uplift_of_a_known_effect_is_recovered)
{
    enum { N = 2000 };
    char id[16], evid[32];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "p%04d", i);
        customer(t.e, id, 0, 1);
    }
    ck_assert_int_eq(lty_template_set(t.e, "promo", LTY_CHANNEL_SMS, "",
                                      "Come back, {name}: {amount} off"),
                     LTY_OK);
    int sends = 0;
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = accept_send;
    ck_assert_int_eq(lty_messenger_register(t.e, &ops, &sends), LTY_OK);
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.cost_per_message = 30;
    d.offer_kind = LTY_REWARD_DISCOUNT;
    d.offer_value = 5000;
    d.offer_cost = 100;
    define(t.e, &d, "wb");
    int64_t launch = LTY_TEST_NOW + 10 * 3600; /* 10:00, outside quiet hours */
    int64_t send = launch + 3600;
    t.now = launch;
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_launch(t.e, "wb", launch, &r), LTY_OK);
    ck_assert_uint_eq(r.eligible, N);
    /* one treatment message is cancelled: left out and counted */
    const char *cancelled = NULL;
    static char cancelled_id[16];
    for (int i = 0; i < N && !cancelled; i++) {
        snprintf(id, sizeof id, "p%04d", i);
        lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
        ck_assert_int_eq(lty_campaign_member_get(t.e, "wb", id, &m), LTY_OK);
        if (m.group == LTY_CAMPAIGN_TREATMENT) {
            char mid[LTY_MESSAGE_ID_MAX + 1];
            snprintf(mid, sizeof mid, "campaign/wb/%s", id);
            ck_assert_int_eq(lty_outbox_cancel(t.e, mid), LTY_OK);
            memcpy(cancelled_id, id, sizeof cancelled_id);
            cancelled = cancelled_id;
        }
    }
    t.now = send;
    for (int round = 0; round < 10; round++) {
        lty_dispatch_report rep;
        ck_assert_int_eq(lty_outbox_dispatch(t.e, send, 1000, &rep), LTY_OK);
        if (!rep.claimed)
            break;
    }
    ck_assert_int_eq(sends, (int)r.treatment - 1);
    /* responses with a known effect: treatment 30%, control 10% */
    t.now = launch + 40 * DAY;
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    uint64_t resp_t = 0, resp_c = 0;
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "p%04d", i);
        lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
        ck_assert_int_eq(lty_campaign_member_get(t.e, "wb", id, &m), LTY_OK);
        int treated = m.group == LTY_CAMPAIGN_TREATMENT;
        if (treated)
            ck_assert(has_message(t.e, "wb", id));
        else
            ck_assert(!has_message(t.e, "wb", id)); /* control: nothing */
        int64_t start = treated ? send : launch;
        double u = uniform(&seed);
        if (u < (treated ? 0.30 : 0.10)) {
            snprintf(evid, sizeof evid, "in-%s", id);
            event_at(t.e, evid, id, LTY_EVENT_PURCHASE, start + 2 * DAY, 10000);
            if (treated && strcmp(id, cancelled) != 0)
                resp_t++;
            else if (!treated)
                resp_c++;
        }
        /* outside the window: before the start, after the window's end */
        snprintf(evid, sizeof evid, "late-%s", id);
        event_at(t.e, evid, id, LTY_EVENT_PURCHASE, start + 15 * DAY, 7000);
        if (treated) {
            snprintf(evid, sizeof evid, "early-%s", id);
            event_at(t.e, evid, id, LTY_EVENT_VISIT, launch + 1800, 0);
        }
    }
    lty_campaign_result x = LTY_CAMPAIGN_RESULT_INIT;
    ck_assert_int_eq(lty_campaign_measure(t.e, "wb", LTY_TIME_NOW, &x), LTY_OK);
    ck_assert_uint_eq(x.overall.unsent, 1);
    ck_assert_uint_eq(x.overall.treatment, r.treatment - 1);
    ck_assert_uint_eq(x.overall.control, r.control);
    ck_assert_uint_eq(x.overall.treatment_responders, resp_t);
    ck_assert_uint_eq(x.overall.control_responders, resp_c);
    ck_assert_int_eq(x.overall.treatment_revenue, (int64_t)resp_t * 10000);
    ck_assert_int_eq(x.overall.control_revenue, (int64_t)resp_c * 10000);
    ck_assert_double_eq_tol(x.overall.treatment_rate, (double)resp_t / (double)x.overall.treatment,
                            1e-12);
    ck_assert_double_eq_tol(x.overall.uplift, x.overall.treatment_rate - x.overall.control_rate, 1e-12);
    /* the known effect lies inside the 90% interval */
    ck_assert(x.overall.uplift_low <= 0.20 && 0.20 <= x.overall.uplift_high);
    ck_assert(x.overall.uplift_low > 0.1 && x.overall.uplift_high < 0.3);
    double se = sqrt(x.overall.treatment_rate * (1 - x.overall.treatment_rate) / (double)x.overall.treatment +
                     x.overall.control_rate * (1 - x.overall.control_rate) / (double)x.overall.control);
    ck_assert_double_eq_tol(x.overall.uplift_high - x.overall.uplift, 1.6448536269514722 * se,
                            1e-9);
    double incr = (double)x.overall.treatment_revenue -
                  (double)x.overall.control_revenue * (double)x.overall.treatment /
                      (double)x.overall.control;
    ck_assert_double_eq_tol(x.overall.incremental_revenue, incr, 1e-6);
    ck_assert_int_eq(x.overall.cost, (int64_t)x.overall.treatment * 130);
    ck_assert_double_eq_tol(x.overall.roi, (incr - (double)x.overall.cost) / (double)x.overall.cost,
                            1e-9);
    /* measured before the responses: nothing counted */
    lty_campaign_result y = LTY_CAMPAIGN_RESULT_INIT;
    ck_assert_int_eq(lty_campaign_measure(t.e, "wb", send + DAY, &y), LTY_OK);
    ck_assert_uint_eq(y.overall.treatment_responders + y.overall.control_responders, 0);
    ck_assert_int_eq(y.overall.treatment_revenue + y.overall.control_revenue, 0);
    /* errors */
    ck_assert_int_eq(lty_campaign_measure(t.e, "nope", LTY_TIME_NOW, &y),
                     LTY_ENOTFOUND);
    y.version = 99;
    ck_assert_int_eq(lty_campaign_measure(t.e, "wb", LTY_TIME_NOW, &y),
                     LTY_EVERSION);
    /* the stored result is the last measurement's */
    lty_campaign_result z = LTY_CAMPAIGN_RESULT_INIT;
    ck_assert_int_eq(lty_campaign_result_get(t.e, "wb", &z), LTY_OK);
    ck_assert_int_eq(z.measured_at, send + DAY);
    ck_assert_uint_eq(z.overall.treatment_responders, 0);
    /* measuring again (storing only) brings the full window back */
    ck_assert_int_eq(lty_campaign_measure(t.e, "wb", LTY_TIME_NOW, NULL),
                     LTY_OK);
    ck_assert_int_eq(lty_campaign_result_get(t.e, "wb", &z), LTY_OK);
    ck_assert_int_eq(z.measured_at, t.now);
    ck_assert_mem_eq(&z.overall, &x.overall, sizeof z.overall);
    ck_assert_int_eq(lty_campaign_result_get(t.e, "next", &z), LTY_ENOTFOUND);
    /* a later SMS campaign forecasts from this one's measured members */
    lty_campaign_def d2 = LTY_CAMPAIGN_DEF_INIT;
    d2.cost_per_message = 30;
    d2.offer_cost = 100;
    define(t.e, &d2, "next");
    lty_campaign_forecast fc = LTY_CAMPAIGN_FORECAST_INIT;
    ck_assert_int_eq(lty_campaign_simulate(t.e, "next", 7, &fc), LTY_OK);
    ck_assert_int_eq(fc.from_history, 1);
    ck_assert_uint_eq(fc.history_campaigns, 1);
    ck_assert_uint_eq(fc.history_responders, x.overall.treatment_responders);
    ck_assert_uint_eq(fc.history_nonresponders,
                      x.overall.treatment - x.overall.treatment_responders);
    ck_assert_double_eq(fc.prior_alpha, 1.0);
    ck_assert_double_eq(fc.prior_beta, 1.0);
    ck_assert_double_eq(fc.posterior_alpha,
                        1.0 + (double)x.overall.treatment_responders);
    ck_assert_double_eq(fc.posterior_beta,
                        1.0 + (double)(x.overall.treatment - x.overall.treatment_responders));
    ck_assert_uint_eq(fc.eligibility.eligible, N);
    /* one segment (nobody has RFM scores): its prior is the pooled mean m
     * worth two observations, updated by the same counts */
    double n = (double)fc.eligibility.treatment;
    double rr = (double)x.overall.treatment_responders;
    double nr = (double)(x.overall.treatment - x.overall.treatment_responders);
    double m = (1.0 + rr) / (2.0 + rr + nr);
    ck_assert_uint_eq(fc.segment_count, 1);
    ck_assert_str_eq(fc.segments[0].segment, "");
    ck_assert_double_eq_tol(fc.segments[0].prior_alpha, 2.0 * m, 1e-12);
    ck_assert_double_eq_tol(fc.expected_responders,
                            n * (2.0 * m + rr) / (2.0 + rr + nr), 1e-9);
    ck_assert(fc.expected_responders > 0.25 * n &&
              fc.expected_responders < 0.35 * n);
    ck_assert_double_eq_tol(fc.cost, n * 130.0, 1e-6);
    ck_assert(fc.roi_low <= fc.roi && fc.roi <= fc.roi_high);
    /* another channel has no history: the prior alone */
    lty_campaign_def d3 = LTY_CAMPAIGN_DEF_INIT;
    d3.id = "mail";
    d3.name = "Mail";
    d3.template_id = "promo";
    d3.channel = LTY_CHANNEL_EMAIL;
    ck_assert_int_eq(lty_campaign_define(t.e, &d3), LTY_OK);
    lty_campaign_forecast fm = LTY_CAMPAIGN_FORECAST_INIT;
    ck_assert_int_eq(lty_campaign_simulate(t.e, "mail", 7, &fm), LTY_OK);
    ck_assert_int_eq(fm.from_history, 0);
    ck_assert_uint_eq(fm.history_campaigns, 0);
    ck_assert_double_eq(fm.posterior_alpha, 1.0);
    ck_assert_double_eq(fm.posterior_beta, 1.0);
}
END_TEST

START_TEST(simulation_without_history_uses_the_prior)
{
    char id[16], evid[32];
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "s%02d", i);
        customer(t.e, id, 0, i % 4 != 0);
        /* two purchases of 3000 and 5000: 4000 per purchase */
        snprintf(evid, sizeof evid, "a-%s", id);
        event_at(t.e, evid, id, LTY_EVENT_PURCHASE, LTY_TEST_NOW - 10 * DAY,
                 3000);
        snprintf(evid, sizeof evid, "b-%s", id);
        event_at(t.e, evid, id, LTY_EVENT_PURCHASE, LTY_TEST_NOW - 5 * DAY,
                 5000);
    }
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.cost_per_message = 500;
    d.offer_cost = 1000;
    define(t.e, &d, "sim");
    lty_campaign_report r = eligibility(t.e, "sim");
    lty_campaign_forecast f = LTY_CAMPAIGN_FORECAST_INIT;
    ck_assert_int_eq(lty_campaign_simulate(t.e, "sim", 42, &f), LTY_OK);
    ck_assert_uint_eq(f.eligibility.eligible, r.eligible);
    ck_assert_uint_eq(f.eligibility.treatment, r.treatment);
    ck_assert_uint_eq(f.eligibility.no_consent, 10);
    ck_assert_int_eq(f.from_history, 0);
    ck_assert_uint_eq(f.history_responders + f.history_nonresponders, 0);
    ck_assert_double_eq(f.prior_alpha, 1.0);
    ck_assert_double_eq(f.prior_beta, 1.0);
    ck_assert_double_eq(f.response_rate, 0.5);
    double n = (double)r.treatment;
    ck_assert(n > 0);
    ck_assert_double_eq(f.expected_responders, n * 0.5);
    ck_assert_double_eq_tol(f.spend_per_purchase, 4000.0, 1e-9);
    ck_assert_double_eq_tol(f.expected_revenue, n * 0.5 * 4000.0, 1e-6);
    ck_assert_double_eq_tol(f.cost, n * 1500.0, 1e-6);
    ck_assert_double_eq_tol(f.roi, (n * 2000.0 - n * 1500.0) / (n * 1500.0),
                            1e-12);
    ck_assert(f.roi_low < f.roi && f.roi < f.roi_high);
    /* reproducible for the same seed */
    lty_campaign_forecast g = LTY_CAMPAIGN_FORECAST_INIT;
    ck_assert_int_eq(lty_campaign_simulate(t.e, "sim", 42, &g), LTY_OK);
    ck_assert_double_eq(g.roi_low, f.roi_low);
    ck_assert_double_eq(g.roi_high, f.roi_high);
    /* another seed: the same closed-form figures, an interval that may
     * differ a little */
    lty_campaign_forecast h = LTY_CAMPAIGN_FORECAST_INIT;
    ck_assert_int_eq(lty_campaign_simulate(t.e, "sim", 43, &h), LTY_OK);
    ck_assert_double_eq(h.expected_responders, f.expected_responders);
    ck_assert(h.roi_low < h.roi && h.roi < h.roi_high);
    ck_assert_double_eq_tol(h.roi_low, f.roi_low, 0.2);
    /* reads only: nobody became a member */
    ck_assert_uint_eq(eligibility(t.e, "sim").members, 0);
    /* errors */
    ck_assert_int_eq(lty_campaign_simulate(t.e, "nope", 1, &h), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_campaign_simulate(t.e, "sim", 1, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_campaign_simulate(NULL, "sim", 1, &h), LTY_EINVALID);
    h.version = 99;
    ck_assert_int_eq(lty_campaign_simulate(t.e, "sim", 1, &h), LTY_EVERSION);
}
END_TEST

static void fault_seed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    customer(w->e, "c1", 3, 1);
    customer(w->e, "c2", 3, 1);
    customer(w->e, "c3", 3, 0);
    customer(w->e, "c4", 5, 1);
    customer(w->e, "c5", 3, 1);
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    ck_assert_int_eq(lty_campaign_preset_birthday(&d, 3), LTY_OK);
    d.control_share = 0.5;
    define(w->e, &d, "seeded");
}

static int f_define(lty_engine *e)
{
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    lty_campaign_preset_vip(&d);
    d.id = "vip";
    d.name = "VIP";
    d.template_id = "thanks";
    return lty_campaign_define(e, &d);
}

static int f_launch(lty_engine *e)
{
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    return lty_campaign_launch(e, "seeded", LTY_TIME_NOW, &r);
}

static const struct {
    const char *name;
    int (*call)(lty_engine *);
} fcalls[] = {{"define", f_define}, {"launch", f_launch}};

static void sweep(int i, unsigned flags)
{
    lty_test_fault_spec spec = {
        .name = fcalls[i].name, .call = fcalls[i].call, .flags = flags,
        .min_calls = 1, .now = LTY_TEST_NOW, .seed = fault_seed};
    lty_test_fault_sweep(&spec);
}

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    sweep(_i, LTY_TEST_FAULT_STORAGE);
}
END_TEST

START_TEST(every_injected_conflict_is_retried_transparently)
{
    sweep(_i, LTY_TEST_FAULT_CONFLICT);
}
END_TEST

static Suite *campaign_suite(void)
{
    Suite *s = suite_create("campaign");
    TCase *tc = tcase_create("define and target");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, definitions_are_checked);
    tcase_add_test(tc, targets_by_birthday_month_tags_and_days_since_visit);
    tcase_add_test(tc, targets_by_stored_rfm_segment);
    tcase_add_test(tc, exclusions_are_counted_with_reasons);
    suite_add_tcase(s, tc);

    tc = tcase_create("launch");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, control_share_is_close_to_ten_percent_and_control_gets_nothing);
    tcase_add_test(tc, the_budget_cap_stops_planning_and_a_larger_one_continues);
    tcase_add_test(tc, erasure_moves_membership_and_deletes_the_message);
    suite_add_tcase(s, tc);

    tc = tcase_create("measure");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, uplift_of_a_known_effect_is_recovered);
    tcase_add_test(tc, simulation_without_history_uses_the_prior);
    suite_add_tcase(s, tc);

    tc = tcase_create("storage");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    tcase_add_loop_test(tc, every_injected_conflict_is_retried_transparently, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(campaign_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
