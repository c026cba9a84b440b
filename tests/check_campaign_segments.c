/*
 * check_campaign_segments - campaigns per RFM segment: membership keeps the
 * segment at launch, measurement reports each segment and is kept,
 * simulation learns each segment's rate from the kept results (closed-form
 * check); offers issued as rewards; title targets; definitions read back;
 * corrupted results refused.
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyalty.h"

#include "faultworld.h"
#include "testutil.h"

#define DAY INT64_C(86400)

static lty_test_env t;

static void setup(void)
{
    lty_test_env_open(&t);
    ck_assert_int_eq(lty_template_set(t.e, "promo", LTY_CHANNEL_SMS, "",
                                      "Hello {name}"),
                     LTY_OK);
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

static void customer(lty_engine *e, const char *id)
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
    ck_assert_int_eq(lty_customer_create(e, &f), LTY_OK);
    ck_assert_int_eq(lty_customer_set_consent(e, id, LTY_CHANNEL_SMS,
                                              LTY_PURPOSE_MARKETING, 1),
                     LTY_OK);
}

static void define(lty_engine *e, lty_campaign_def *d, const char *id)
{
    d->id = id;
    d->name = "Segment test";
    d->template_id = "promo";
    d->channel = LTY_CHANNEL_SMS;
    ck_assert_int_eq(lty_campaign_define(e, d), LTY_OK);
}

static void event_at(lty_engine *e, const char *evid, const char *cid,
                     lty_event_type type, int64_t time, int64_t amount)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.id = evid;
    ev.customer_id = cid;
    ev.type = type;
    ev.time = time;
    ev.amount = amount;
    ck_assert_int_eq(lty_record(e, &ev, NULL), LTY_OK);
}

static int accept_send(const lty_message *msg, void *ud)
{
    (void)msg;
    (*(int *)ud)++;
    return LTY_OK;
}

static double uniform(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* n customers with histories spread over recency, frequency and spend, so
 * that RFM scoring puts them in several segments; then the scores. */
static void scored_customers(int n)
{
    char id[16], ev[48];
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "c%04d", i);
        customer(t.e, id);
        int visits = 1 + (i * 7) % 9;
        for (int k = 0; k < visits; k++) {
            snprintf(ev, sizeof ev, "%s-h%d", id, k);
            int64_t ago = (int64_t)(1 + (i * 13) % 300 + k * 20) * DAY;
            event_at(t.e, ev, id, LTY_EVENT_PURCHASE, t.now - ago,
                     1000 * (1 + (i * 11) % 17));
        }
    }
    lty_rfm_result *res = NULL;
    ck_assert_int_eq(lty_rfm_compute(t.e, NULL, &res), LTY_OK);
    ck_assert(lty_rfm_result_segment_count(res) >= 3);
    lty_rfm_result_free(res);
}

/* The true effect of the synthetic responses: depends on the segment. */
static double true_rate(const char *segment, int treated)
{
    unsigned h = 0;
    for (const char *p = segment; *p; p++)
        h = h * 31u + (unsigned char)*p;
    double base = 0.05 + 0.05 * (h % 3);    /* 5%, 10% or 15% */
    double effect = (h % 2) ? 0.25 : 0.05;  /* strong or weak */
    return treated ? base + effect : base;
}

static const lty_campaign_segment_figures *
segment_row(const lty_campaign_result *r, const char *name)
{
    for (size_t i = 0; i < r->segment_count; i++)
        if (strcmp(r->segments[i].segment, name) == 0)
            return &r->segments[i];
    return NULL;
}

START_TEST(segments_are_measured_kept_and_learned_by_the_next_simulation)
{
    enum { N = 3000 };
    char id[16], evid[48];
    scored_customers(N);
    int sends = 0;
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = accept_send;
    ck_assert_int_eq(lty_messenger_register(t.e, &ops, &sends), LTY_OK);
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.control_share = 0.3;
    d.cost_per_message = 20;
    define(t.e, &d, "first");
    int64_t launch = LTY_TEST_NOW + 10 * 3600;
    t.now = launch;
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_launch(t.e, "first", launch, &r), LTY_OK);
    ck_assert_uint_eq(r.eligible, N);
    lty_dispatch_report rep;
    do
        ck_assert_int_eq(lty_outbox_dispatch(t.e, launch, 1000, &rep), LTY_OK);
    while (rep.claimed);
    ck_assert_int_eq(sends, (int)r.treatment);

    /* responses with a known, segment-dependent effect; expected counts
     * per segment kept by hand */
    struct { char name[LTY_TITLE_MAX + 1]; uint64_t nt, nc, rt, rc; } want[64];
    size_t nwant = 0;
    uint64_t seed = UINT64_C(0x2545f4914f6cdd1d);
    t.now = launch + 30 * DAY;
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "c%04d", i);
        lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
        lty_rfm_scores z = LTY_RFM_SCORES_INIT;
        ck_assert_int_eq(lty_campaign_member_get(t.e, "first", id, &m), LTY_OK);
        ck_assert_int_eq(lty_rfm_customer_get(t.e, id, &z), LTY_OK);
        ck_assert_str_eq(m.segment, z.segment); /* the segment at launch */
        ck_assert_str_eq(m.reward_code, "");    /* no offer */
        int treated = m.group == LTY_CAMPAIGN_TREATMENT;
        size_t w = 0;
        while (w < nwant && strcmp(want[w].name, m.segment) != 0)
            w++;
        if (w == nwant) {
            ck_assert_uint_lt(nwant, 64);
            memset(&want[w], 0, sizeof want[w]);
            strcpy(want[w].name, m.segment);
            nwant++;
        }
        *(treated ? &want[w].nt : &want[w].nc) += 1;
        if (uniform(&seed) < true_rate(m.segment, treated)) {
            snprintf(evid, sizeof evid, "resp-%s", id);
            event_at(t.e, evid, id, LTY_EVENT_VISIT, launch + 3 * DAY, 0);
            *(treated ? &want[w].rt : &want[w].rc) += 1;
        }
    }
    lty_campaign_result *x = calloc(1, sizeof *x);
    ck_assert_ptr_nonnull(x);
    x->version = LTY_CAMPAIGN_RESULT_VERSION;
    ck_assert_int_eq(lty_campaign_measure(t.e, "first", LTY_TIME_NOW, x), LTY_OK);
    ck_assert_uint_eq(x->segment_count, nwant);
    uint64_t sum_t = 0, sum_rt = 0;
    for (size_t i = 0; i < x->segment_count; i++) {
        if (i)  /* name order */
            ck_assert_int_lt(strcmp(x->segments[i - 1].segment,
                                    x->segments[i].segment), 0);
        const lty_campaign_figures *f = &x->segments[i].figures;
        size_t w = 0;
        while (w < nwant && strcmp(want[w].name, x->segments[i].segment) != 0)
            w++;
        ck_assert_uint_lt(w, nwant);
        ck_assert_uint_eq(f->treatment, want[w].nt);
        ck_assert_uint_eq(f->control, want[w].nc);
        ck_assert_uint_eq(f->treatment_responders, want[w].rt);
        ck_assert_uint_eq(f->control_responders, want[w].rc);
        ck_assert_int_eq(f->cost, (int64_t)f->treatment * 20);
        sum_t += f->treatment;
        sum_rt += f->treatment_responders;
        /* the known effect is recovered: within 4 standard errors (the 90%
         * interval is 1.645 of them) for every segment big enough */
        if (f->treatment >= 100 && f->control >= 60) {
            double effect = true_rate(x->segments[i].segment, 1) -
                            true_rate(x->segments[i].segment, 0);
            double se = (f->uplift_high - f->uplift) / 1.6448536269514722;
            ck_assert(fabs(f->uplift - effect) < 4.0 * se);
        }
    }
    ck_assert_uint_eq(sum_t, x->overall.treatment);
    ck_assert_uint_eq(sum_rt, x->overall.treatment_responders);
    ck_assert_uint_eq(x->overall.treatment + x->overall.control, N);

    /* kept: read back the same */
    lty_campaign_result *kept = calloc(1, sizeof *kept);
    ck_assert_ptr_nonnull(kept);
    kept->version = LTY_CAMPAIGN_RESULT_VERSION;
    int krc = lty_campaign_result_get(t.e, "first", kept);
    ck_assert_msg(krc == LTY_OK, "%d %s", krc, lty_engine_last_error(t.e));
    ck_assert_mem_eq(kept, x, sizeof *x);

    /* the next campaign on the channel: per-segment closed form */
    lty_campaign_def d2 = LTY_CAMPAIGN_DEF_INIT;
    d2.cost_per_message = 20;
    define(t.e, &d2, "second");
    lty_campaign_forecast *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->version = LTY_CAMPAIGN_FORECAST_VERSION;
    ck_assert_int_eq(lty_campaign_simulate(t.e, "second", 11, f), LTY_OK);
    ck_assert_int_eq(f->from_history, 1);
    ck_assert_uint_eq(f->history_campaigns, 1);
    ck_assert_uint_eq(f->history_responders, x->overall.treatment_responders);
    double R = (double)f->history_responders;
    double NR = (double)f->history_nonresponders;
    double m = (1.0 + R) / (2.0 + R + NR);
    double C = (double)f->history_control_responders;
    double CN = (double)f->history_control_nonresponders;
    ck_assert_uint_eq(f->history_control_responders,
                      x->overall.control_responders);
    double mc = (1.0 + C) / (2.0 + C + CN);
    double expected = 0.0, revenue = 0.0, incremental = 0.0;
    uint64_t eligible_t = 0;
    for (size_t i = 0; i < f->segment_count; i++) {
        const lty_campaign_segment_forecast *g = &f->segments[i];
        const lty_campaign_segment_figures *h = segment_row(x, g->segment);
        ck_assert_ptr_nonnull(h);
        double r_s = (double)h->figures.treatment_responders;
        double nr_s = (double)(h->figures.treatment -
                               h->figures.treatment_responders);
        ck_assert_uint_eq(g->history_responders, h->figures.treatment_responders);
        ck_assert_double_eq_tol(g->prior_alpha, 2.0 * m, 1e-12);
        ck_assert_double_eq_tol(g->response_rate,
                                (2.0 * m + r_s) / (2.0 + r_s + nr_s), 1e-12);
        ck_assert_double_eq_tol(g->expected_responders,
                                (double)g->treatment * g->response_rate, 1e-9);
        /* the rate without the message, from the control groups */
        double c_s = (double)h->figures.control_responders;
        double cn_s = (double)(h->figures.control - h->figures.control_responders);
        ck_assert_uint_eq(g->history_control_responders,
                          h->figures.control_responders);
        ck_assert_double_eq_tol(g->control_rate,
                                (2.0 * mc + c_s) / (2.0 + c_s + cn_s), 1e-12);
        ck_assert_double_eq_tol(g->expected_incremental_responders,
                                (double)g->treatment *
                                    (g->response_rate - g->control_rate),
                                1e-9);
        incremental += g->expected_incremental_responders * g->spend_per_purchase;
        expected += g->expected_responders;
        revenue += g->expected_revenue;
        eligible_t += g->treatment;
    }
    ck_assert_uint_eq(eligible_t, f->eligibility.treatment);
    ck_assert_double_eq_tol(f->expected_responders, expected, 1e-6);
    ck_assert_double_eq_tol(f->expected_revenue, revenue, 1e-6);
    ck_assert(f->roi_low <= f->roi && f->roi <= f->roi_high);
    ck_assert_double_eq_tol(f->expected_incremental_revenue, incremental, 1e-6);
    ck_assert_double_eq_tol(f->incremental_roi,
                            (incremental - f->cost) / f->cost, 1e-9);
    ck_assert(f->incremental_roi_low <= f->incremental_roi &&
              f->incremental_roi <= f->incremental_roi_high);
    /* the message works in the synthetic history: less is added than
     * gross revenue, but more than nothing */
    ck_assert(f->expected_incremental_revenue > 0.0 &&
              f->expected_incremental_revenue < f->expected_revenue);
    /* the forecast keeps the segments apart */
    ck_assert_uint_ge(f->segment_count, 3);

    /* the campaign being simulated never learns from itself */
    lty_campaign_forecast *own = calloc(1, sizeof *own);
    ck_assert_ptr_nonnull(own);
    own->version = LTY_CAMPAIGN_FORECAST_VERSION;
    ck_assert_int_eq(lty_campaign_simulate(t.e, "first", 11, own), LTY_OK);
    ck_assert_int_eq(own->from_history, 0);
    ck_assert_uint_eq(own->eligibility.members, N);
    free(own);
    free(f);
    free(kept);
    free(x);
}
END_TEST

START_TEST(an_offer_is_issued_as_a_reward_to_the_treatment_group_once)
{
    char id[16];
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "o%02d", i);
        customer(t.e, id);
    }
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.offer_kind = LTY_REWARD_DISCOUNT;
    d.offer_value = 5000;
    d.offer_valid_days = 30;
    define(t.e, &d, "offer");
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_launch(t.e, "offer", LTY_TIME_NOW, &r), LTY_OK);
    ck_assert_uint_gt(r.treatment, 0);
    ck_assert_uint_gt(r.control, 0);
    uint64_t rewards = 0;
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "o%02d", i);
        lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
        ck_assert_int_eq(lty_campaign_member_get(t.e, "offer", id, &m), LTY_OK);
        size_t count = 9;
        lty_reward list[2] = {LTY_REWARD_INIT, LTY_REWARD_INIT};
        ck_assert_int_eq(lty_reward_list(t.e, id, list, 2, &count), LTY_OK);
        if (m.group == LTY_CAMPAIGN_CONTROL) {
            ck_assert_str_eq(m.reward_code, "");
            ck_assert_uint_eq(count, 0); /* the control group gets nothing */
            continue;
        }
        ck_assert_uint_eq(count, 1);
        ck_assert_str_eq(list[0].code, m.reward_code);
        ck_assert_int_eq(list[0].source, LTY_REWARD_BY_CAMPAIGN);
        ck_assert_int_eq(list[0].kind, LTY_REWARD_DISCOUNT);
        ck_assert_int_eq(list[0].value, 5000);
        ck_assert_str_eq(list[0].name, "Segment test");
        /* valid 30 days: to the end of that local day */
        ck_assert_int_ge(list[0].expires, m.launched_at + 30 * DAY);
        ck_assert_int_lt(list[0].expires, m.launched_at + 31 * DAY);
        rewards++;
    }
    ck_assert_uint_eq(rewards, r.treatment);
    /* relaunching issues nothing again */
    ck_assert_int_eq(lty_campaign_launch(t.e, "offer", LTY_TIME_NOW, &r), LTY_OK);
    ck_assert_uint_eq(r.members, 60);
    ck_assert_uint_eq(r.planned, 0);
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "o%02d", i);
        size_t count = 9;
        ck_assert_int_eq(lty_reward_list(t.e, id, NULL, 0, &count), LTY_OK);
        ck_assert_uint_le(count, 1);
    }
}
END_TEST

static const char ladder[] =
    "[program club]\n"
    "kind = ladder\n"
    "name = Club\n"
    "[step]\nvisits = 1\ntitle = Member\n"
    "[step]\nvisits = 3\ntitle = Regular\n"
    "[step]\nvisits = 6\ntitle = Patron\n";

START_TEST(titles_of_a_program_are_a_target)
{
    char id[16], ev[32];
    ck_assert_int_eq(lty_program_load_text(t.e, ladder, strlen(ladder),
                                           "test"),
                     LTY_OK);
    /* visits 0..7: titles none, Member x2, Regular x3, Patron x2 */
    for (int i = 0; i < 8; i++) {
        snprintf(id, sizeof id, "v%d", i);
        customer(t.e, id);
        for (int k = 0; k < i; k++) {
            snprintf(ev, sizeof ev, "%s-%d", id, k);
            event_at(t.e, ev, id, LTY_EVENT_VISIT,
                     t.now - (int64_t)(k + 1) * DAY, 0);
        }
    }
    const char *titles[] = {"Regular", "Patron"};
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.program_id = "club";
    d.titles = titles;
    d.title_count = 2;
    d.control_share = 0.0;
    define(t.e, &d, "regulars");
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    ck_assert_int_eq(lty_campaign_eligibility(t.e, "regulars", &r), LTY_OK);
    ck_assert_uint_eq(r.eligible, 5);
    ck_assert_uint_eq(r.not_in_target, 3);
    /* titles without a program, and a program that is not defined */
    lty_campaign_def bad = LTY_CAMPAIGN_DEF_INIT;
    bad.titles = titles;
    bad.title_count = 2;
    bad.id = "bad";
    bad.name = "Bad";
    bad.template_id = "promo";
    ck_assert_int_eq(lty_campaign_define(t.e, &bad), LTY_EINVALID);
    ck_assert_ptr_nonnull(strstr(lty_engine_last_error(t.e), "titles"));
    bad.program_id = "nope";
    ck_assert_int_eq(lty_campaign_define(t.e, &bad), LTY_OK);
    ck_assert_int_eq(lty_campaign_eligibility(t.e, "bad", &r), LTY_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(lty_engine_last_error(t.e), "program"));
}
END_TEST

static int collect(const char *id, const char *name, int measured, void *ud)
{
    char *out = ud;
    char line[160];
    snprintf(line, sizeof line, "%s=%s:%d;", id, name, measured);
    strcat(out, line);
    return 0;
}

static int stop_at_first(const char *id, const char *name, int measured,
                         void *ud)
{
    (void)id, (void)name, (void)measured;
    (*(int *)ud)++;
    return 7;
}

START_TEST(definitions_are_read_back_and_listed)
{
    const char *segs[] = {"Champions", "Loyal"};
    const char *tags[] = {"vip"};
    const char *titles[] = {"Gold"};
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.segments = segs;
    d.segment_count = 2;
    d.tags = tags;
    d.tag_count = 1;
    d.program_id = "stars";
    d.titles = titles;
    d.title_count = 1;
    d.r_min = 2, d.r_max = 5, d.m_min = 3;
    d.days_since_visit_min = 30;
    d.birthday_month = 4;
    d.p_alive_min = 0.25;
    d.offer_kind = LTY_REWARD_SERVICE;
    d.offer_value = 4500;
    d.offer_cost = 1200;
    d.offer_valid_days = 14;
    d.cost_per_message = 25;
    d.max_money = 100000;
    d.control_share = 0.2;
    d.attribution_days = 21;
    define(t.e, &d, "b-full");
    lty_campaign_def *g = NULL;
    ck_assert_int_eq(lty_campaign_get(t.e, "b-full", &g), LTY_OK);
    ck_assert_str_eq(g->id, "b-full");
    ck_assert_str_eq(g->name, "Segment test");
    ck_assert_str_eq(g->template_id, "promo");
    ck_assert_uint_eq(g->segment_count, 2);
    ck_assert_str_eq(g->segments[0], "Champions");
    ck_assert_str_eq(g->segments[1], "Loyal");
    ck_assert_uint_eq(g->tag_count, 1);
    ck_assert_str_eq(g->tags[0], "vip");
    ck_assert_str_eq(g->program_id, "stars");
    ck_assert_str_eq(g->titles[0], "Gold");
    ck_assert_int_eq(g->r_min, 2);
    ck_assert_int_eq(g->r_max, 5);
    ck_assert_int_eq(g->m_min, 3);
    ck_assert_int_eq(g->days_since_visit_min, 30);
    ck_assert_int_eq(g->birthday_month, 4);
    ck_assert_double_eq(g->p_alive_min, 0.25);
    ck_assert_int_eq(g->offer_kind, LTY_REWARD_SERVICE);
    ck_assert_int_eq(g->offer_value, 4500);
    ck_assert_int_eq(g->offer_cost, 1200);
    ck_assert_int_eq(g->offer_valid_days, 14);
    ck_assert_int_eq(g->max_money, 100000);
    ck_assert_double_eq_tol(g->control_share, 0.2, 1e-12);
    ck_assert_int_eq(g->attribution_days, 21);
    ck_assert_int_eq(g->channel, LTY_CHANNEL_SMS);
    /* what was read back defines the same campaign again */
    g->id = "a-copy";
    ck_assert_int_eq(lty_campaign_define(t.e, g), LTY_OK);
    lty_free(g);
    g = NULL;
    ck_assert_int_eq(lty_campaign_get(t.e, "nope", &g), LTY_ENOTFOUND);
    ck_assert_ptr_null(g);
    ck_assert_int_eq(lty_campaign_get(t.e, "b-full", NULL), LTY_EINVALID);
    /* the list: id order, measured flag */
    customer(t.e, "x1");
    ck_assert_int_eq(lty_campaign_measure(t.e, "b-full", LTY_TIME_NOW, NULL),
                     LTY_OK);
    char out[512] = "";
    ck_assert_int_eq(lty_campaign_list(t.e, collect, out), LTY_OK);
    ck_assert_str_eq(out, "a-copy=Segment test:0;b-full=Segment test:1;");
    int calls = 0;
    ck_assert_int_eq(lty_campaign_list(t.e, stop_at_first, &calls), 7);
    ck_assert_int_eq(calls, 1);
    ck_assert_int_eq(lty_campaign_list(t.e, NULL, NULL), LTY_EINVALID);
}
END_TEST

START_TEST(corrupted_results_and_memberships_are_refused)
{
    customer(t.e, "k1");
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.control_share = 0.0;
    define(t.e, &d, "k");
    ck_assert_int_eq(lty_campaign_launch(t.e, "k", LTY_TIME_NOW, NULL), LTY_OK);
    ck_assert_int_eq(lty_campaign_measure(t.e, "k", LTY_TIME_NOW, NULL), LTY_OK);
    /* garbage where the results are kept */
    static const char junk[] = "\x1f\x01garbage";
    ck_assert_int_eq(t.ops.put("U\0k", 3, junk, sizeof junk - 1,
                               LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
    lty_campaign_result *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    r->version = LTY_CAMPAIGN_RESULT_VERSION;
    ck_assert_int_eq(lty_campaign_result_get(t.e, "k", r), LTY_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(lty_engine_last_error(t.e), "campaign results"));
    /* a corrupted membership stops measurement with the record named */
    ck_assert_int_eq(t.ops.put("C\0k1\0Qk", 7, junk, sizeof junk - 1,
                               LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
    ck_assert_int_eq(lty_campaign_measure(t.e, "k", LTY_TIME_NOW, r),
                     LTY_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(lty_engine_last_error(t.e),
                                 "campaign membership"));
    free(r);
}
END_TEST

/* Every mutating call under the fault-injecting store. */
static void fault_seed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    char id[8];
    ck_assert_int_eq(lty_template_set(w->e, "promo", LTY_CHANNEL_SMS, "",
                                      "Hello {name}"),
                     LTY_OK);
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "f%d", i);
        customer(w->e, id);
        lty_test_event(w->e, id, id, w->now - (int64_t)(i + 1) * 9 * DAY,
                       1000 * (i + 1), NULL);
    }
    lty_rfm_result *res = NULL;
    ck_assert_int_eq(lty_rfm_compute(w->e, NULL, &res), LTY_OK);
    lty_rfm_result_free(res);
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.control_share = 0.3;
    d.offer_kind = LTY_REWARD_DISCOUNT;
    d.offer_value = 1000;
    define(w->e, &d, "seeded");
    lty_campaign_def m = LTY_CAMPAIGN_DEF_INIT;
    m.control_share = 0.5;
    define(w->e, &m, "measured");
    ck_assert_int_eq(lty_campaign_launch(w->e, "measured", w->now, NULL),
                     LTY_OK);
}

static int f_launch_with_offers(lty_engine *e)
{
    return lty_campaign_launch(e, "seeded", LTY_TIME_NOW, NULL);
}

static int f_measure(lty_engine *e)
{
    return lty_campaign_measure(e, "measured", LTY_TIME_NOW, NULL);
}

static const struct {
    const char *name;
    int (*call)(lty_engine *);
} fcalls[] = {{"launch with offers", f_launch_with_offers},
              {"measure", f_measure}};

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

static Suite *segments_suite(void)
{
    Suite *s = suite_create("campaign segments");
    TCase *tc = tcase_create("segments");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, segments_are_measured_kept_and_learned_by_the_next_simulation);
    suite_add_tcase(s, tc);
    tc = tcase_create("launch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, an_offer_is_issued_as_a_reward_to_the_treatment_group_once);
    tcase_add_test(tc, titles_of_a_program_are_a_target);
    tcase_add_test(tc, definitions_are_read_back_and_listed);
    tcase_add_test(tc, corrupted_results_and_memberships_are_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("faults");
    tcase_set_timeout(tc, 300);
    int n = (int)(sizeof fcalls / sizeof fcalls[0]);
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged, 0, n);
    tcase_add_loop_test(tc, every_injected_conflict_is_retried_transparently, 0, n);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(segments_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
