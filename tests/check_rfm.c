/*
 * libloyalty tests - RFM: scores, ties, segments, store and batch paths,
 * CSV errors, stored latest scores, storage faults.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <loyalty.h>

#include "faultworld.h"
#include "testutil.h"

#define DAY INT64_C(86400)
#define ASOF (LTY_TEST_NOW)

/* A small transaction list. */
typedef struct txns {
    const char *id[256];
    int64_t t[256];
    int64_t a[256];
    size_t n;
} txns;

static void tx(txns *x, const char *id, int64_t t, int64_t a)
{
    ck_assert_uint_lt(x->n, 256);
    x->id[x->n] = id;
    x->t[x->n] = t;
    x->a[x->n] = a;
    x->n++;
}

static lty_rfm_result *batch(const txns *x, const lty_rfm_options *o)
{
    lty_rfm_result *r = NULL;
    char err[256] = "";
    int rc = lty_rfm_from_transactions(&r, x->id, x->t, x->a, x->n, o, err,
                                       sizeof err);
    ck_assert_msg(rc == LTY_OK, "rc %d: %s", rc, err);
    return r;
}

static lty_rfm_row row_of(const lty_rfm_result *r, const char *id)
{
    lty_rfm_row w;
    ck_assert_int_eq(lty_rfm_result_find(r, id, &w), LTY_OK);
    return w;
}

/* ------------------------------------------------------------------ */
/* The hand-checked table                                              */
/* ------------------------------------------------------------------ */

/* One customer per value: customer "c<i>" has frequency values[i]. */
static lty_rfm_result *by_frequency(const int *values, size_t n,
                                    lty_rfm_ties ties, txns *x)
{
    static char ids[16][8];
    x->n = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "c%d", (int)i % 100);
        for (int k = 0; k < values[i]; k++)
            tx(x, ids[i], ASOF - DAY * (k + 1), 100);
    }
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.as_of = ASOF;
    o.ties = ties;
    return batch(x, &o);
}

static const struct {
    const char *what;
    int n;
    int values[10];
    lty_rfm_ties ties;
    int want[10];
    int levels;
} ftable[] = {
    /* n = bins: one customer per score */
    {"five distinct", 5, {1, 2, 3, 4, 5}, LTY_RFM_TIES_SHARE, {1, 2, 3, 4, 5}, 5},
    /* seven: floor(p * 5 / 7) + 1 for p = 0..6 */
    {"seven distinct", 7, {1, 2, 3, 4, 5, 6, 7}, LTY_RFM_TIES_SHARE,
     {1, 1, 2, 3, 3, 4, 5}, 5},
    /* a tie at positions 1..2 shares the score of position 1 */
    {"tie shares", 5, {1, 2, 2, 4, 5}, LTY_RFM_TIES_SHARE, {1, 2, 2, 4, 5}, 4},
    /* split: c1 < c2 by id, so c1 gets the lower score */
    {"tie split", 5, {1, 2, 2, 4, 5}, LTY_RFM_TIES_SPLIT, {1, 2, 3, 4, 5}, 5},
    /* all equal: the middle position (n-1)/2 = 2 -> 3 */
    {"all equal share", 5, {2, 2, 2, 2, 2}, LTY_RFM_TIES_SHARE, {3, 3, 3, 3, 3}, 1},
    {"all equal split", 5, {2, 2, 2, 2, 2}, LTY_RFM_TIES_SPLIT, {1, 2, 3, 4, 5}, 5},
    /* a run straddling a cut: positions 0..3 share position 1 ->
     * floor(5/6)+1 = 1; pos 4 -> floor(20/6)+1 = 4; pos 5 -> 5 */
    {"run straddles", 6, {1, 1, 1, 1, 3, 9}, LTY_RFM_TIES_SHARE,
     {1, 1, 1, 1, 4, 5}, 3},
    /* one customer: position 0 -> 1 */
    {"single", 1, {4}, LTY_RFM_TIES_SHARE, {1}, 1},
    /* ten, two per score */
    {"ten", 10, {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, LTY_RFM_TIES_SHARE,
     {5, 5, 4, 4, 3, 3, 2, 2, 1, 1}, 5},
};

START_TEST(frequency_scores_match_the_hand_checked_table)
{
    txns x;
    char id[16];
    lty_rfm_result *r =
        by_frequency(ftable[_i].values, (size_t)ftable[_i].n, ftable[_i].ties, &x);
    ck_assert_uint_eq(lty_rfm_result_count(r), (size_t)ftable[_i].n);
    for (int i = 0; i < ftable[_i].n; i++) {
        snprintf(id, sizeof id, "c%d", i);
        lty_rfm_row w = row_of(r, id);
        ck_assert_int_eq(w.frequency, ftable[_i].values[i]);
        ck_assert_msg(w.f == ftable[_i].want[i], "%s: %s F %d, want %d",
                      ftable[_i].what, id, w.f, ftable[_i].want[i]);
        ck_assert_int_eq(w.score, 100 * w.r + 10 * w.f + w.m);
    }
    ck_assert_int_eq(lty_rfm_result_levels(r, 'F'), ftable[_i].levels);
    lty_rfm_result_free(r);
}
END_TEST

START_TEST(recency_is_reversed_and_counted_in_whole_days)
{
    txns x = {0};
    /* last purchases 0, 1.5, 3, 10 and 40 days before as_of */
    tx(&x, "a", ASOF, 100);
    tx(&x, "b", ASOF - DAY - DAY / 2, 100);
    tx(&x, "c", ASOF - 3 * DAY, 100);
    tx(&x, "d", ASOF - 10 * DAY, 100);
    tx(&x, "e", ASOF - 40 * DAY, 100);
    tx(&x, "e", ASOF + DAY, 100); /* after as_of: left out */
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.as_of = ASOF;
    lty_rfm_result *r = batch(&x, &o);
    static const char *ids[] = {"a", "b", "c", "d", "e"};
    static const int64_t days[] = {0, 1, 3, 10, 40};
    for (int i = 0; i < 5; i++) {
        lty_rfm_row w = row_of(r, ids[i]);
        ck_assert_int_eq(w.recency_days, days[i]);
        ck_assert_int_eq(w.r, 5 - i);
    }
    ck_assert_int_eq(row_of(r, "e").frequency, 1);
    lty_rfm_result_free(r);

    /* default as_of in batch: the latest transaction */
    o.as_of = LTY_TIME_NOW;
    r = batch(&x, &o);
    ck_assert_int_eq(lty_rfm_result_as_of(r), ASOF + DAY);
    ck_assert_int_eq(row_of(r, "e").recency_days, 0);
    ck_assert_int_eq(row_of(r, "e").frequency, 2);
    lty_rfm_result_free(r);
}
END_TEST

START_TEST(refunds_lower_monetary_only)
{
    txns x = {0};
    tx(&x, "a", ASOF - 5 * DAY, 1000);
    tx(&x, "a", ASOF - 1 * DAY, -300);
    tx(&x, "b", ASOF - 2 * DAY, -50); /* refunds only: not scored */
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.as_of = ASOF;
    lty_rfm_result *r = batch(&x, &o);
    ck_assert_uint_eq(lty_rfm_result_count(r), 1);
    lty_rfm_row w = row_of(r, "a");
    ck_assert_int_eq(w.monetary, 700);
    ck_assert_int_eq(w.frequency, 1);
    ck_assert_int_eq(w.recency_days, 5);
    lty_rfm_row dummy;
    ck_assert_int_eq(lty_rfm_result_find(r, "b", &dummy), LTY_ENOTFOUND);
    lty_rfm_result_free(r);
}
END_TEST

START_TEST(fixed_cut_points)
{
    /* recency bins of the R package: 115, 181, 297, 482 days */
    static const int64_t rc[4] = {115, 181, 297, 482};
    static const int64_t fc[4] = {1, 2, 3, 4};
    txns x = {0};
    tx(&x, "a", ASOF - 115 * DAY, 1);   /* <= 115: R 5 */
    tx(&x, "b", ASOF - 116 * DAY, 1);   /* R 4 */
    tx(&x, "c", ASOF - 482 * DAY, 1);   /* R 2 */
    tx(&x, "d", ASOF - 483 * DAY, 1);   /* R 1 */
    tx(&x, "d", ASOF - 484 * DAY, 1);
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.as_of = ASOF;
    o.r_cuts = rc;
    o.f_cuts = fc;
    lty_rfm_result *r = batch(&x, &o);
    ck_assert_int_eq(row_of(r, "a").r, 5);
    ck_assert_int_eq(row_of(r, "b").r, 4);
    ck_assert_int_eq(row_of(r, "c").r, 2);
    ck_assert_int_eq(row_of(r, "d").r, 1);
    ck_assert_int_eq(row_of(r, "a").f, 1);
    ck_assert_int_eq(row_of(r, "d").f, 2);
    lty_rfm_result_free(r);

    static const int64_t bad[4] = {1, 3, 3, 4};
    o.f_cuts = bad;
    lty_rfm_result *none = NULL;
    char err[256] = "";
    ck_assert_int_eq(lty_rfm_from_transactions(&none, x.id, x.t, x.a, x.n, &o,
                                               err, sizeof err),
                     LTY_EINVALID);
    ck_assert_ptr_null(none);
    ck_assert_msg(strstr(err, "f_cuts[2]"), "%s", err);
}
END_TEST

/* Every default segment, reached by a constructed customer: with cut
 * points R = 5 - days, F = count, M = amount. */
static const struct {
    const char *segment;
    int r, f, m;
} seg_cases[] = {
    {"Champions", 5, 5, 5},
    {"Potential Loyalist", 3, 3, 2},
    {"Loyal Customers", 2, 2, 2},
    {"Promising", 3, 1, 3},
    {"New Customers", 4, 1, 1},
    {"Can't Lose Them", 1, 3, 4},
    {"At Risk", 1, 2, 4},
    {"Need Attention", 1, 3, 3},
    {"About To Sleep", 2, 1, 1},
    {"Lost", 1, 1, 1},
    {"Others", 2, 1, 5},
};
#define NSEG (sizeof seg_cases / sizeof seg_cases[0])

static const int64_t rcut[4] = {0, 1, 2, 3};
static const int64_t fcut[4] = {1, 2, 3, 4};
static const int64_t mcut[4] = {1, 2, 3, 4};

START_TEST(every_default_segment_is_reached)
{
    txns x = {0};
    for (size_t i = 0; i < NSEG; i++) {
        int64_t last = ASOF - (5 - seg_cases[i].r) * DAY;
        tx(&x, seg_cases[i].segment, last, seg_cases[i].m);
        for (int k = 1; k < seg_cases[i].f; k++)
            tx(&x, seg_cases[i].segment, last - k * 3600, 0);
    }
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.as_of = ASOF;
    o.r_cuts = rcut;
    o.f_cuts = fcut;
    o.m_cuts = mcut;
    lty_rfm_result *r = batch(&x, &o);
    ck_assert_uint_eq(lty_rfm_result_count(r), NSEG);
    ck_assert_uint_eq(lty_rfm_result_segment_count(r), 11);
    for (size_t i = 0; i < NSEG; i++) {
        lty_rfm_row w = row_of(r, seg_cases[i].segment);
        ck_assert_int_eq(w.r, seg_cases[i].r);
        ck_assert_int_eq(w.f, seg_cases[i].f);
        ck_assert_int_eq(w.m, seg_cases[i].m);
        ck_assert_str_eq(w.segment, seg_cases[i].segment);
        lty_rfm_segment_summary s;
        ck_assert_int_eq(lty_rfm_result_segment(r, w.segment_index, &s), LTY_OK);
        ck_assert_str_eq(s.name, seg_cases[i].segment);
        ck_assert_uint_eq(s.customers, 1);
        ck_assert(s.mean_r == seg_cases[i].r);
        ck_assert(s.mean_f == seg_cases[i].f);
        ck_assert(s.mean_m == seg_cases[i].m);
    }
    lty_rfm_result_free(r);
}
END_TEST

START_TEST(summaries_pareto_and_concentration)
{
    /* ten customers: one spends 8000, nine spend 200 -> 9800 in all */
    txns x = {0};
    static const char *ids[10] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    for (int i = 0; i < 10; i++)
        tx(&x, ids[i], ASOF - i * DAY, i == 0 ? 8000 : 200);
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.as_of = ASOF;
    lty_rfm_result *r = batch(&x, &o);
    /* top 20% = 2 customers: 8200 / 9800 */
    ck_assert_double_eq_tol(lty_rfm_result_pareto(r), 8200.0 / 9800.0, 1e-12);
    double c[10];
    ck_assert_int_eq(lty_rfm_result_concentration(r, c), LTY_OK);
    ck_assert_double_eq_tol(c[0], 8000.0 / 9800.0, 1e-12);
    ck_assert_double_eq_tol(c[4], 8800.0 / 9800.0, 1e-12);
    ck_assert_double_eq_tol(c[9], 1.0, 1e-12);
    double share = 0;
    size_t customers = 0;
    for (size_t i = 0; i < lty_rfm_result_segment_count(r); i++) {
        lty_rfm_segment_summary s;
        ck_assert_int_eq(lty_rfm_result_segment(r, i, &s), LTY_OK);
        share += s.revenue_share;
        customers += s.customers;
    }
    ck_assert_double_eq_tol(share, 1.0, 1e-12);
    ck_assert_uint_eq(customers, 10);
    lty_rfm_result_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Segment tables                                                      */
/* ------------------------------------------------------------------ */

START_TEST(the_default_table_is_valid_and_has_no_unreachable_rule)
{
    lty_rfm_segments *s = NULL;
    char err[256] = "";
    ck_assert_int_eq(lty_rfm_segments_new(&s, lty_rfm_default_segments(), 5,
                                          err, sizeof err),
                     LTY_OK);
    lty_rfm_segments_free(s);
    /* it has gaps (those are "Others"), so it is not exhaustive */
    lty_rfm_segment_table t = *lty_rfm_default_segments();
    t.exhaustive = 1;
    ck_assert_int_eq(lty_rfm_segments_new(&s, &t, 5, err, sizeof err),
                     LTY_EINVALID);
    ck_assert_msg(strstr(err, "gap"), "%s", err);
    /* fewer bins than its ranges */
    ck_assert_int_eq(lty_rfm_segments_new(&s, lty_rfm_default_segments(), 3,
                                          err, sizeof err),
                     LTY_EINVALID);
    ck_assert_msg(strstr(err, "Champions"), "%s", err);
}
END_TEST

static const struct {
    const char *what;
    lty_rfm_segment rules[3];
    size_t count;
    int exhaustive;
    const char *mentions;
} bad_tables[] = {
    {"unreachable", {{"All", 1, 5, 1, 5, 1, 5}, {"Best", 5, 5, 5, 5, 5, 5}}, 2, 0,
     "segments[1] 'Best': unreachable"},
    {"covered by two", {{"Low", 1, 3, 1, 5, 1, 5}, {"High", 4, 5, 1, 5, 1, 5},
                        {"Mid", 3, 4, 2, 2, 2, 2}}, 3, 0,
     "segments[2] 'Mid': unreachable"},
    {"gap", {{"Most", 1, 4, 1, 5, 1, 5}}, 1, 1, "gap, no segment covers R5 F1 M1"},
    {"range", {{"Bad", 0, 5, 1, 5, 1, 5}}, 1, 0, "segments[0] 'Bad': R range"},
    {"reversed", {{"Bad", 1, 5, 4, 2, 1, 5}}, 1, 0, "segments[0] 'Bad': F range"},
    {"duplicate", {{"A", 1, 2, 1, 5, 1, 5}, {"A", 3, 5, 1, 5, 1, 5}}, 2, 0,
     "segments[1] 'A': name used twice"},
    {"no name", {{NULL, 1, 5, 1, 5, 1, 5}}, 1, 0, "segments[0] name"},
    {"empty", {{NULL, 0, 0, 0, 0, 0, 0}}, 0, 0, "count"},
};

START_TEST(bad_segment_tables_are_refused_naming_the_segment)
{
    lty_rfm_segment_table t = LTY_RFM_SEGMENT_TABLE_INIT;
    t.segments = bad_tables[_i].rules;
    t.count = bad_tables[_i].count;
    t.exhaustive = bad_tables[_i].exhaustive;
    lty_rfm_segments *s = (lty_rfm_segments *)&t; /* must be reset */
    char err[256] = "";
    ck_assert_int_eq(lty_rfm_segments_new(&s, &t, 5, err, sizeof err),
                     LTY_EINVALID);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, bad_tables[_i].mentions), "%s: '%s'",
                  bad_tables[_i].what, err);
}
END_TEST

START_TEST(a_user_table_with_three_bins)
{
    static const lty_rfm_segment rules[] = {
        {"Top", 3, 3, 2, 3, 1, 3},
        {"Rest", 1, 3, 1, 3, 1, 3},
    };
    lty_rfm_segment_table t = LTY_RFM_SEGMENT_TABLE_INIT;
    t.segments = rules;
    t.count = 2;
    t.other_name = "Nobody";
    t.exhaustive = 1;
    lty_rfm_segments *s = NULL;
    char err[256] = "";
    ck_assert_int_eq(lty_rfm_segments_new(&s, &t, 3, err, sizeof err), LTY_OK);
    txns x = {0};
    tx(&x, "a", ASOF, 10);
    tx(&x, "a", ASOF - DAY, 10);
    tx(&x, "b", ASOF - 5 * DAY, 10);
    tx(&x, "c", ASOF - 9 * DAY, 10);
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.as_of = ASOF;
    o.bins = 3;
    o.segments = s;
    lty_rfm_result *r = batch(&x, &o);
    ck_assert_str_eq(row_of(r, "a").segment, "Top");
    ck_assert_str_eq(row_of(r, "c").segment, "Rest");
    ck_assert_uint_eq(lty_rfm_result_segment_count(r), 3);
    lty_rfm_segment_summary sum;
    ck_assert_int_eq(lty_rfm_result_segment(r, 2, &sum), LTY_OK);
    ck_assert_str_eq(sum.name, "Nobody");
    ck_assert_uint_eq(sum.customers, 0);
    lty_rfm_result_free(r);
    /* a table compiled for other bins is refused */
    o.bins = 5;
    ck_assert_int_eq(lty_rfm_from_transactions(&r, x.id, x.t, x.a, x.n, &o,
                                               err, sizeof err),
                     LTY_EINVALID);
    ck_assert_msg(strstr(err, "segments"), "%s", err);
    lty_rfm_segments_free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The store                                                           */
/* ------------------------------------------------------------------ */

/* 30 customers with purchases on distinct days (and a refund), recorded
 * in the store and listed in x. */
static char store_ids[30][8];
static char store_evs[200][12];

static void fill_store(lty_engine *e, txns *x)
{
    int ev = 0;
    x->n = 0;
    for (int i = 0; i < 30; i++) {
        snprintf(store_ids[i], sizeof store_ids[i], "k%02d", (i * 7) % 30);
        lty_test_customer(e, store_ids[i], NULL, NULL);
        int count = 1 + (i * 5) % 6;
        for (int k = 0; k < count; k++) {
            int64_t t = ASOF - (int64_t)((i * 13 + k * 17) % 90 + k * 90) * DAY;
            int64_t amount = 1000 + (i * 37 + k * 11) % 5000;
            snprintf(store_evs[ev], sizeof store_evs[ev], "e%d", ev);
            lty_test_event(e, store_evs[ev], store_ids[i], t, amount, NULL);
            tx(x, store_ids[i], t, amount);
            ev++;
        }
    }
    /* a refund of part of k00's first purchase ("e0") */
    lty_event rf = LTY_EVENT_INIT;
    rf.id = "refund-1";
    rf.customer_id = store_ids[0];
    rf.type = LTY_EVENT_REFUND;
    rf.time = ASOF - 1 * DAY;
    rf.amount = 300;
    rf.refund_of = "e0";
    ck_assert_int_eq(lty_record(e, &rf, NULL), LTY_OK);
    tx(x, store_ids[0], rf.time, -300);
}

static void same_rows(const lty_rfm_result *a, const lty_rfm_result *b)
{
    ck_assert_uint_eq(lty_rfm_result_count(a), lty_rfm_result_count(b));
    for (size_t i = 0; i < lty_rfm_result_count(a); i++) {
        lty_rfm_row x, y;
        ck_assert_int_eq(lty_rfm_result_row(a, i, &x), LTY_OK);
        y = row_of(b, x.customer_id);
        ck_assert_int_eq(x.recency_days, y.recency_days);
        ck_assert_int_eq(x.frequency, y.frequency);
        ck_assert_int_eq(x.monetary, y.monetary);
        ck_assert_int_eq(x.score, y.score);
        ck_assert_str_eq(x.segment, y.segment);
    }
    ck_assert_double_eq_tol(lty_rfm_result_pareto(a), lty_rfm_result_pareto(b),
                            1e-12);
}

START_TEST(the_store_path_equals_the_batch_path)
{
    lty_test_env t;
    txns x;
    lty_test_env_open(&t);
    fill_store(t.e, &x);
    static const int windows[] = {0, 120, 30};
    for (int w = 0; w < 3; w++) {
        for (int ties = 0; ties < 2; ties++) {
            lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
            o.window_days = windows[w];
            o.ties = (lty_rfm_ties)ties;
            o.frequency = LTY_RFM_FREQ_PURCHASES;
            o.no_save = 1;
            lty_rfm_result *s = NULL;
            ck_assert_int_eq(lty_rfm_compute(t.e, &o, &s), LTY_OK);
            ck_assert_int_eq(lty_rfm_result_as_of(s), t.now);
            o.as_of = t.now;
            lty_rfm_result *b = batch(&x, &o);
            same_rows(s, b);
            /* visits on distinct days count the same as purchases */
            o.frequency = LTY_RFM_FREQ_VISITS;
            lty_rfm_result *v = NULL;
            ck_assert_int_eq(lty_rfm_compute(t.e, &o, &v), LTY_OK);
            same_rows(v, b);
            if (w < 2)
                ck_assert_uint_eq(lty_rfm_result_count(s), 30);
            else
                ck_assert_uint_lt(lty_rfm_result_count(s), 30);
            /* store rows come in id order */
            lty_rfm_row r0, r1;
            for (size_t i = 1; i < lty_rfm_result_count(s); i++) {
                lty_rfm_result_row(s, i - 1, &r0);
                lty_rfm_result_row(s, i, &r1);
                ck_assert_int_lt(strcmp(r0.customer_id, r1.customer_id), 0);
            }
            lty_rfm_result_free(s);
            lty_rfm_result_free(v);
            lty_rfm_result_free(b);
        }
    }
    /* an as_of in the past reads the ledger instead of the aggregates */
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.as_of = t.now - 100 * DAY;
    o.frequency = LTY_RFM_FREQ_PURCHASES;
    o.no_save = 1;
    lty_rfm_result *s = NULL, *b;
    ck_assert_int_eq(lty_rfm_compute(t.e, &o, &s), LTY_OK);
    b = batch(&x, &o);
    same_rows(s, b);
    lty_rfm_result_free(s);
    lty_rfm_result_free(b);
    lty_test_env_close(&t);
}
END_TEST

START_TEST(visits_count_local_days)
{
    lty_test_env t;
    lty_test_env_open(&t);
    lty_test_customer(t.e, "v", NULL, NULL);
    /* UTC+9: 14:00Z and 15:30Z fall on two local days; two visits and a
     * purchase on one local day count once */
    int64_t d0 = ASOF - 10 * DAY;
    lty_test_event(t.e, "v1", "v", d0 + 14 * 3600, -1, NULL);
    lty_test_event(t.e, "v2", "v", d0 + 15 * 3600 + 1800, -1, NULL);
    lty_test_event(t.e, "v3", "v", d0 + 16 * 3600, 500, NULL);
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.no_save = 1;
    for (int w = 0; w < 2; w++) {
        o.window_days = w ? 60 : 0;
        lty_rfm_result *r = NULL;
        ck_assert_int_eq(lty_rfm_compute(t.e, &o, &r), LTY_OK);
        lty_rfm_row row = row_of(r, "v");
        ck_assert_int_eq(row.frequency, 2);
        ck_assert_int_eq(row.monetary, 500);
        ck_assert_int_eq(row.recency_days, 9); /* 10 days - 16 h */
        lty_rfm_result_free(r);
    }
    lty_test_env_close(&t);
}
END_TEST

START_TEST(the_latest_scores_are_kept_per_customer)
{
    lty_test_env t;
    txns x;
    lty_test_env_open(&t);
    fill_store(t.e, &x);
    lty_rfm_scores sc = LTY_RFM_SCORES_INIT;
    ck_assert_int_eq(lty_rfm_customer_get(t.e, "k00", &sc), LTY_ENOTFOUND);
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    lty_rfm_result *r = NULL;
    ck_assert_int_eq(lty_rfm_compute(t.e, &o, &r), LTY_OK);
    for (size_t i = 0; i < lty_rfm_result_count(r); i++) {
        lty_rfm_row w;
        lty_rfm_result_row(r, i, &w);
        lty_rfm_scores s = LTY_RFM_SCORES_INIT;
        ck_assert_int_eq(lty_rfm_customer_get(t.e, w.customer_id, &s), LTY_OK);
        ck_assert_int_eq(s.score, w.score);
        ck_assert_int_eq(s.r, w.r);
        ck_assert_int_eq(s.monetary, w.monetary);
        ck_assert_int_eq(s.frequency, w.frequency);
        ck_assert_int_eq(s.recency_days, w.recency_days);
        ck_assert_str_eq(s.segment, w.segment);
        ck_assert_int_eq(s.computed_at, t.now);
        ck_assert_int_eq(s.as_of, t.now);
        ck_assert_int_eq(s.bins, 5);
        ck_assert_int_eq(s.window_days, 0);
    }
    lty_rfm_result_free(r);

    /* a later, windowed computation drops those no longer scored */
    t.now += 10 * DAY;
    o.window_days = 30;
    ck_assert_int_eq(lty_rfm_compute(t.e, &o, &r), LTY_OK);
    size_t kept = 0;
    for (int i = 0; i < 30; i++) {
        lty_rfm_row w;
        lty_rfm_scores s = LTY_RFM_SCORES_INIT;
        int in = lty_rfm_result_find(r, store_ids[i], &w) == LTY_OK;
        int rc = lty_rfm_customer_get(t.e, store_ids[i], &s);
        ck_assert_int_eq(rc, in ? LTY_OK : LTY_ENOTFOUND);
        if (in) {
            kept++;
            ck_assert_int_eq(s.computed_at, t.now);
            ck_assert_int_eq(s.window_days, 30);
            ck_assert_int_eq(s.score, w.score);
        }
    }
    ck_assert_uint_eq(kept, lty_rfm_result_count(r));
    ck_assert_uint_gt(kept, 0);
    lty_rfm_result_free(r);

    /* the scores move with erasure (no personal data in them) */
    lty_rfm_result_free(NULL);
    lty_rfm_scores s = LTY_RFM_SCORES_INIT;
    const char *id = NULL;
    for (int i = 0; i < 30 && !id; i++)
        if (lty_rfm_customer_get(t.e, store_ids[i], &s) == LTY_OK)
            id = store_ids[i];
    ck_assert_ptr_nonnull(id);
    ck_assert_int_eq(lty_customer_erase(t.e, id), LTY_OK);
    ck_assert_int_eq(lty_rfm_customer_get(t.e, id, &s), LTY_ENOTFOUND);

    /* bad arguments */
    s.version = 99;
    ck_assert_int_eq(lty_rfm_customer_get(t.e, "k01", &s), LTY_EVERSION);
    s.version = LTY_RFM_SCORES_VERSION;
    ck_assert_int_eq(lty_rfm_customer_get(t.e, "", &s), LTY_EINVALID);
    o.bins = 12;
    ck_assert_int_eq(lty_rfm_compute(t.e, &o, &r), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "bins");
    lty_test_env_close(&t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* CSV                                                                 */
/* ------------------------------------------------------------------ */

static char *write_tmp(const char *text)
{
    const char *dir = getenv("TMPDIR");
    char *path = malloc(512);
    snprintf(path, 512, "%s/lty_rfm_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    size_t n = strlen(text);
    ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

START_TEST(a_csv_gives_the_same_as_the_arrays)
{
    char *path = write_tmp("\xEF\xBB\xBFnote,amount,customer_id,date\r\n"
                           "x,1000,a,2026-02-20\r\n"
                           "\"y, z\",500,\"b\",1772150400\r\n"
                           "\r\n"
                           "x,-200,a,2026-02-25\r\n"
                           "x,700,\"a\"\"q\",2026-01-01\n"
                           "x,300,b,2026-02-27");
    txns x = {0};
    tx(&x, "a", INT64_C(1771545600), 1000);
    tx(&x, "b", INT64_C(1772150400), 500);
    tx(&x, "a", INT64_C(1771977600), -200);
    tx(&x, "a\"q", INT64_C(1767225600), 700);
    tx(&x, "b", INT64_C(1772150400), 300);
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    lty_rfm_result *c = NULL;
    char err[256] = "";
    ck_assert_msg(lty_rfm_from_csv(&c, path, &o, err, sizeof err) == LTY_OK,
                  "%s", err);
    lty_rfm_result *b = batch(&x, &o);
    same_rows(c, b);
    ck_assert_int_eq(row_of(c, "a").monetary, 800);
    ck_assert_int_eq(row_of(c, "b").frequency, 2);
    ck_assert_int_eq(row_of(c, "a\"q").recency_days, 57);
    lty_rfm_result_free(c);
    lty_rfm_result_free(b);
    unlink(path);
    free(path);
}
END_TEST

static const struct {
    const char *text;
    const char *mentions;
} bad_csvs[] = {
    {"", ":1: the header line is missing"},
    {"customer_id,amount\na,1\n", ":1: date: column missing"},
    {"customer_id,date,amount\na,2026-02-30,5\n", ":2: date: not YYYY-MM-DD"},
    {"customer_id,date,amount\na,2026-02-01,5\nb,yesterday,5\n", ":3: date:"},
    {"customer_id,date,amount\na,2026-02-01,5.50\n", ":2: amount: not an integer"},
    {"customer_id,date,amount\na,2026-02-01\n", ":2: expected 3 fields, found 2"},
    {"customer_id,date,amount\n,2026-02-01,5\n", ":2: customer_id: empty"},
    {"customer_id,date,amount\n"
     "01234567890123456789012345678901234567890123456789012345678901234,1,1\n",
     ":2: customer_id: longer than 64"},
    {"customer_id,date,amount\n\"a,2026-02-01,5\n", ":2: unterminated"},
    {"customer_id,date,amount\na,1,99999999999999999999\n", ":2: amount:"},
    {"customer_id,date,amount\na,1,9000000000000000000\na,1,9000000000000000000\n",
     ":3: amount: customer total would overflow"},
};

START_TEST(csv_errors_name_the_line_and_the_column)
{
    char *path = write_tmp(bad_csvs[_i].text);
    lty_rfm_result *r = (lty_rfm_result *)path;
    char err[512] = "";
    ck_assert_int_eq(lty_rfm_from_csv(&r, path, NULL, err, sizeof err),
                     LTY_EPARSE);
    ck_assert_ptr_null(r);
    ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "%s", err);
    ck_assert_msg(strstr(err, bad_csvs[_i].mentions), "'%s' lacks '%s'", err,
                  bad_csvs[_i].mentions);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(batch_bad_arguments)
{
    lty_rfm_result *r = NULL;
    char err[256] = "";
    ck_assert_int_eq(lty_rfm_from_csv(&r, "/nonexistent/x.csv", NULL, err,
                                      sizeof err),
                     LTY_ESTORAGE);
    ck_assert_msg(strstr(err, "/nonexistent/x.csv: cannot open"), "%s", err);
    const char *ids[1] = {"a"};
    int64_t t[1] = {-5}, a[1] = {1};
    ck_assert_int_eq(lty_rfm_from_transactions(&r, ids, t, a, 1, NULL, err,
                                               sizeof err),
                     LTY_EINVALID);
    ck_assert_msg(strstr(err, "transaction 0: time"), "%s", err);
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.window_days = 10;
    t[0] = 5;
    ck_assert_int_eq(lty_rfm_from_transactions(&r, ids, t, a, 1, &o, err,
                                               sizeof err),
                     LTY_EINVALID);
    ck_assert_msg(strstr(err, "as_of"), "%s", err);
    o.window_days = 0;
    o.version = 7;
    ck_assert_int_eq(lty_rfm_from_transactions(&r, ids, t, a, 1, &o, NULL, 0),
                     LTY_EVERSION);
    /* nothing at all: an empty result */
    ck_assert_int_eq(lty_rfm_from_transactions(&r, NULL, NULL, NULL, 0, NULL,
                                               NULL, 0),
                     LTY_OK);
    ck_assert_uint_eq(lty_rfm_result_count(r), 0);
    ck_assert(lty_rfm_result_pareto(r) == 0.0);
    ck_assert_int_eq(lty_rfm_result_levels(r, 'R'), 0);
    lty_rfm_row w;
    ck_assert_int_eq(lty_rfm_result_row(r, 0, &w), LTY_ERANGE);
    lty_rfm_result_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Storage faults                                                      */
/* ------------------------------------------------------------------ */

static void fseed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    static const char *ids[4] = {"f1", "f2", "f3", "f4"};
    char ev[16];
    for (int i = 0; i < 4; i++) {
        lty_test_customer(w->e, ids[i], NULL, NULL);
        for (int k = 0; k <= i; k++) {
            snprintf(ev, sizeof ev, "fe%d-%d", i, k);
            lty_test_event(w->e, ev, ids[i], w->now - (i * 10 + k) * DAY,
                           100 * (i + 1), NULL);
        }
    }
    /* f4 has scores from an earlier run that a windowed run drops */
    lty_rfm_result *r = NULL;
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    ck_assert_int_eq(lty_rfm_compute(w->e, &o, &r), LTY_OK);
    lty_rfm_result_free(r);
}

static int f_compute(lty_engine *e)
{
    lty_rfm_result *r = NULL;
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.window_days = 25;
    int rc = lty_rfm_compute(e, &o, &r);
    if (rc == LTY_OK)
        ck_assert_uint_eq(lty_rfm_result_count(r), 3);
    lty_rfm_result_free(r);
    return rc;
}

START_TEST(a_storage_failure_leaves_the_stored_scores_unchanged)
{
    lty_test_fault_spec spec = {
        .name = "rfm compute", .call = f_compute,
        .flags = LTY_TEST_FAULT_STORAGE | LTY_TEST_FAULT_CONFLICT,
        .min_calls = 3, .now = LTY_TEST_NOW, .seed = fseed,
        .on_fault = lty_test_fault_error_names_storage};
    lty_test_fault_sweep(&spec);
}
END_TEST

static Suite *rfm_suite(void)
{
    Suite *s = suite_create("rfm");
    TCase *tc = tcase_create("rfm");
    tcase_add_loop_test(tc, frequency_scores_match_the_hand_checked_table, 0,
                        (int)(sizeof ftable / sizeof ftable[0]));
    tcase_add_test(tc, recency_is_reversed_and_counted_in_whole_days);
    tcase_add_test(tc, refunds_lower_monetary_only);
    tcase_add_test(tc, fixed_cut_points);
    tcase_add_test(tc, every_default_segment_is_reached);
    tcase_add_test(tc, summaries_pareto_and_concentration);
    tcase_add_test(tc, the_default_table_is_valid_and_has_no_unreachable_rule);
    tcase_add_loop_test(tc, bad_segment_tables_are_refused_naming_the_segment,
                        0, (int)(sizeof bad_tables / sizeof bad_tables[0]));
    tcase_add_test(tc, a_user_table_with_three_bins);
    tcase_add_test(tc, the_store_path_equals_the_batch_path);
    tcase_add_test(tc, visits_count_local_days);
    tcase_add_test(tc, the_latest_scores_are_kept_per_customer);
    tcase_add_test(tc, a_csv_gives_the_same_as_the_arrays);
    tcase_add_loop_test(tc, csv_errors_name_the_line_and_the_column, 0,
                        (int)(sizeof bad_csvs / sizeof bad_csvs[0]));
    tcase_add_test(tc, batch_bad_arguments);
    tcase_add_test(tc, a_storage_failure_leaves_the_stored_scores_unchanged);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rfm_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
