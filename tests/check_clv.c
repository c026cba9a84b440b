/*
 * libloyalty tests - lifetime value: the `lifetimes` summary, BG/NBD and
 * Gamma-Gamma fits (CDNOW validation and simulation), predictions, CLV,
 * churn risk and the failure codes.
 *
 * The CDNOW cases read cdnow_customers_summary_with_transactions.csv from
 * $LTY_DATA_DIR, else from LTY_CDNOW_DIR (set by Makefile.am to
 * $(abs_top_srcdir)/../shared/data/cdnow); without it they print
 * "skipped: CDNOW data not found at ..." and pass.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "faultworld.h"
#include "testutil.h"

#ifndef LTY_CDNOW_DIR
#define LTY_CDNOW_DIR "../shared/data/cdnow"
#endif

/* ------------------------------------------------------------------ */
/* CDNOW                                                               */
/* ------------------------------------------------------------------ */

static lty_clv_row *cdnow_rows(size_t *n, char *path, size_t pathlen)
{
    const char *dir = getenv("LTY_DATA_DIR");
    if (!dir || !*dir)
        dir = LTY_CDNOW_DIR;
    snprintf(path, pathlen, "%s/cdnow_customers_summary_with_transactions.csv",
             dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[256];
    size_t cap = 4096, k = 0;
    lty_clv_row *rows = calloc(cap, sizeof *rows);
    ck_assert_ptr_nonnull(rows);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        int id;
        double x, tx, T, z;
        if (sscanf(line, "%d,%lf,%lf,%lf,%lf", &id, &x, &tx, &T, &z) != 5)
            continue;
        ck_assert_uint_lt(k, cap);
        rows[k].customer_id = NULL;
        rows[k].frequency = x;
        rows[k].recency = tx;
        rows[k].T = T;
        rows[k].monetary = z;
        k++;
    }
    fclose(f);
    *n = k;
    return rows;
}

static double round_to(double v, int digits)
{
    double s = pow(10.0, digits);
    return round(v * s) / s;
}

START_TEST(cdnow_bgnbd)
{
    char path[1024];
    size_t n = 0;
    lty_clv_row *rows = cdnow_rows(&n, path, sizeof path);
    if (!rows) {
        printf("skipped: CDNOW data not found at %s\n", path);
        return;
    }
    ck_assert_uint_eq(n, 2357);
    lty_bgnbd_model m;
    int rc = lty_bgnbd_fit(&m, rows, n);
    ck_assert_msg(rc == LTY_OK, "%s", m.message);
    printf("CDNOW BG/NBD: r %.10f alpha %.10f a %.10f b %.10f LL %.10f "
           "(%u iterations, gradient %.3g)\n", m.r, m.alpha, m.a, m.b,
           m.log_likelihood, m.iterations, m.gradient_norm);
    fflush(stdout);
    ck_assert_double_eq(round_to(m.r, 3), 0.243);
    ck_assert_double_eq(round_to(m.alpha, 3), 4.414);
    ck_assert_double_eq(round_to(m.a, 3), 0.793);
    ck_assert_double_eq(round_to(m.b, 3), 2.426);
    ck_assert_double_eq(round_to(m.log_likelihood, 1), -9582.4);

    /* the likelihood call agrees with the fit */
    double ll;
    ck_assert_int_eq(lty_bgnbd_log_likelihood(&m, rows, n, &ll), LTY_OK);
    ck_assert_double_eq_tol(ll, m.log_likelihood, 1e-6);

    /* Fader-Hardie-Lee's worked customer (x 2, t_x 30.43, T 38.86): 1.226
     * expected purchases in the next 39 weeks */
    double ey;
    ck_assert_int_eq(lty_bgnbd_expected_purchases(&m, 2, 30.43, 38.86, 39,
                                                  &ey), LTY_OK);
    printf("CDNOW E[Y(39) | 2, 30.43, 38.86] = %.6f, P(alive) = %.6f\n", ey,
           lty_bgnbd_p_alive(&m, 2, 30.43, 38.86));
    fflush(stdout);
    ck_assert_double_eq(round_to(ey, 3), 1.226);
    free(rows);
}
END_TEST

/* The summary file rounds zbar to cents; the papers fitted the unrounded
 * means, and the rounding moves gamma from 15.4435 to 15.4477 (15.45 at
 * the printed precision).  When CDNOW_sample.txt (the same 2,357
 * customers' purchases) is beside it, zbar is recomputed from it: the mean
 * of the repeat purchase days' amounts in the 39 weeks to 1997-09-30,
 * checked against the rounded value. */
static int cdnow_exact_zbar(lty_clv_row *rows, size_t n)
{
    char path[1024];
    const char *dir = getenv("LTY_DATA_DIR");
    if (!dir || !*dir)
        dir = LTY_CDNOW_DIR;
    snprintf(path, sizeof path, "%s/CDNOW_sample.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    double *sum = calloc(n + 1, sizeof *sum);
    int *days = calloc(n + 1, sizeof *days);
    ck_assert_ptr_nonnull(sum);
    ck_assert_ptr_nonnull(days);
    int cust, sid, date, cds, last_sid = -1, last_date = -1;
    double amount;
    while (fscanf(f, "%d %d %d %d %lf", &cust, &sid, &date, &cds,
                  &amount) == 5) {
        ck_assert(sid >= 1 && (size_t)sid <= n);
        if (date > 19970930)
            continue;
        if (sid != last_sid || date != last_date)
            days[sid]++;
        if (days[sid] > 1) /* the first day is not a repeat purchase */
            sum[sid] += amount;
        last_sid = sid;
        last_date = date;
    }
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        int x = days[i + 1] - 1;
        ck_assert_int_eq(x, (int)rows[i].frequency);
        double z = x > 0 ? sum[i + 1] / x : 0.0;
        ck_assert_double_eq_tol(z, rows[i].monetary, 0.0051);
        rows[i].monetary = z;
    }
    free(sum);
    free(days);
    return 1;
}

START_TEST(cdnow_gamgam)
{
    char path[1024];
    size_t n = 0;
    lty_clv_row *rows = cdnow_rows(&n, path, sizeof path);
    if (!rows) {
        printf("skipped: CDNOW data not found at %s\n", path);
        fflush(stdout);
        return;
    }
    lty_gamgam_model g;
    int rc = lty_gamgam_fit(&g, rows, n);
    ck_assert_msg(rc == LTY_OK, "%s", g.message);
    printf("CDNOW Gamma-Gamma, zbar rounded to cents: p %.10f q %.10f "
           "gamma %.10f LL %.10f (%u iterations)\n", g.p, g.q, g.gamma,
           g.log_likelihood, g.iterations);
    fflush(stdout);
    ck_assert_double_eq(round_to(g.p, 2), 6.25);
    ck_assert_double_eq(round_to(g.q, 2), 3.74);
    ck_assert_double_eq_tol(g.gamma, 15.44, 0.01);
    if (!cdnow_exact_zbar(rows, n)) {
        printf("skipped: CDNOW_sample.txt not found beside %s: gamma "
               "checked to 0.01 only\n", path);
        fflush(stdout);
        free(rows);
        return;
    }
    rc = lty_gamgam_fit(&g, rows, n);
    ck_assert_msg(rc == LTY_OK, "%s", g.message);
    printf("CDNOW Gamma-Gamma, exact zbar: p %.10f q %.10f gamma %.10f "
           "LL %.10f (%u iterations)\n", g.p, g.q, g.gamma,
           g.log_likelihood, g.iterations);
    fflush(stdout);
    ck_assert_double_eq(round_to(g.p, 2), 6.25);
    ck_assert_double_eq(round_to(g.q, 2), 3.74);
    ck_assert_double_eq(round_to(g.gamma, 2), 15.44);
    free(rows);
}
END_TEST

START_TEST(cdnow_clv_and_churn)
{
    char path[1024];
    size_t n = 0;
    lty_clv_row *rows = cdnow_rows(&n, path, sizeof path);
    if (!rows) {
        printf("skipped: CDNOW data not found at %s\n", path);
        return;
    }
    lty_bgnbd_model m;
    lty_gamgam_model g;
    ck_assert_int_eq(lty_bgnbd_fit(&m, rows, n), LTY_OK);
    ck_assert_int_eq(lty_gamgam_fit(&g, rows, n), LTY_OK);
    lty_clv_score *s = calloc(n, sizeof *s), *s0 = calloc(n, sizeof *s0);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(s0);
    lty_clv_options o = LTY_CLV_OPTIONS_INIT;
    o.period = LTY_CLV_PERIOD_WEEK;
    ck_assert_int_eq(lty_clv_compute(s, rows, n, &m, &g, &o), LTY_OK);
    o.discount_rate = 0.0;
    ck_assert_int_eq(lty_clv_compute(s0, rows, n, &m, &g, &o), LTY_OK);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert(isfinite(s[i].clv) && s[i].clv >= 0);
        ck_assert(s[i].clv <= s0[i].clv + 1e-9);
        ck_assert(s[i].p_alive >= 0 && s[i].p_alive <= 1);
        total += s[i].clv;
    }
    printf("CDNOW 12-month CLV, 1%%/month: total %.2f, customer 1 %.4f\n",
           total, s[0].clv);
    fflush(stdout);
    size_t *idx = NULL, k = 0;
    ck_assert_int_eq(lty_clv_churn_risk(&idx, &k, s, n, 0.3), LTY_OK);
    ck_assert_uint_gt(k, 0);
    for (size_t i = 0; i < k; i++) {
        ck_assert(s[idx[i]].p_alive < 0.3);
        if (i)
            ck_assert(s[idx[i - 1]].value_at_stake >=
                      s[idx[i]].value_at_stake);
    }
    lty_free(idx);
    free(s);
    free(s0);
    free(rows);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Simulation: known parameters recovered                              */
/* ------------------------------------------------------------------ */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next_u64(rng *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(rng *g) /* (0, 1) */
{
    return ((double)(next_u64(g) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(rng *g)
{
    return sqrt(-2.0 * log(unif(g))) * cos(6.283185307179586 * unif(g));
}

/* Gamma(shape k, scale 1): Marsaglia and Tsang, boosted below 1 */
static double gamma1(rng *g, double k)
{
    if (k < 1.0)
        return gamma1(g, k + 1.0) * pow(unif(g), 1.0 / k);
    double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = normal(g), v = 1.0 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = unif(g);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

/* BG/NBD customers observed for T periods (T spread over 26..52) with
 * Gamma-Gamma spend. */
static lty_clv_row *simulate(size_t n, uint64_t seed, double r, double alpha,
                             double a, double b, double p, double q,
                             double gam)
{
    rng g = {seed};
    lty_clv_row *rows = calloc(n, sizeof *rows);
    ck_assert_ptr_nonnull(rows);
    for (size_t i = 0; i < n; i++) {
        double lambda = gamma1(&g, r) / alpha;
        double ga = gamma1(&g, a), gb = gamma1(&g, b);
        double drop = ga / (ga + gb);
        double nu = gamma1(&g, q) / gam;
        double T = 26.0 + 26.0 * unif(&g), t = 0.0, tx = 0.0, spend = 0.0;
        int x = 0;
        for (;;) {
            t += -log(unif(&g)) / lambda;
            if (t > T)
                break;
            x++;
            tx = t;
            spend += gamma1(&g, p) / nu;
            if (unif(&g) < drop)
                break;
        }
        rows[i].frequency = x;
        rows[i].recency = tx;
        rows[i].T = T;
        rows[i].monetary = x ? spend / x : 0.0;
    }
    return rows;
}

/* Tolerances: 50,000 customers; the standard errors at these parameters
 * are about 2% (r, alpha), 8% (a, b) and 5% (p, q, gamma), so the test
 * asks for 10% on r and alpha and 25% on the others. */
#define SIM_N 50000

START_TEST(simulation_recovers_parameters)
{
    const double r = 0.5, alpha = 5.0, a = 0.8, b = 2.5;
    const double p = 6.0, q = 4.0, gam = 15.0;
    lty_clv_row *rows = simulate(SIM_N, 20260301, r, alpha, a, b, p, q, gam);
    lty_bgnbd_model m;
    lty_gamgam_model g;
    int rc = lty_bgnbd_fit(&m, rows, SIM_N);
    ck_assert_msg(rc == LTY_OK, "%s", m.message);
    printf("simulated BG/NBD: r %.4f alpha %.4f a %.4f b %.4f (%u iterations)\n",
           m.r, m.alpha, m.a, m.b, m.iterations);
    fflush(stdout);
    ck_assert_double_eq_tol(m.r, r, 0.10 * r);
    ck_assert_double_eq_tol(m.alpha, alpha, 0.10 * alpha);
    ck_assert_double_eq_tol(m.a, a, 0.25 * a);
    ck_assert_double_eq_tol(m.b, b, 0.25 * b);
    rc = lty_gamgam_fit(&g, rows, SIM_N);
    ck_assert_msg(rc == LTY_OK, "%s", g.message);
    printf("simulated Gamma-Gamma: p %.4f q %.4f gamma %.4f (%u iterations)\n",
           g.p, g.q, g.gamma, g.iterations);
    fflush(stdout);
    ck_assert_double_eq_tol(g.p, p, 0.25 * p);
    ck_assert_double_eq_tol(g.q, q, 0.25 * q);
    ck_assert_double_eq_tol(g.gamma, gam, 0.25 * gam);
    free(rows);
}
END_TEST

/* Customers with the same history are evaluated once, with a weight: the
 * likelihood of a base full of repeated whole-week histories (and a -0
 * recency, the same history as 0) is the sum of its customers' own, and
 * the fit does not depend on how the repeats are ordered. */
START_TEST(grouped_histories)
{
    enum { N = 3000 };
    /* simulate() draws T in 26..52 weeks: in whole weeks, most histories
     * are shared by several customers */
    lty_clv_row *rows = simulate(N, 77, 0.5, 5.0, 0.8, 2.5, 6.0, 4.0, 15.0);
    lty_clv_row *rev = calloc(N, sizeof *rev);
    ck_assert_ptr_nonnull(rev);
    for (size_t i = 0; i < N; i++) { /* whole weeks */
        rows[i].T = floor(rows[i].T);
        rows[i].recency = floor(rows[i].recency);
        if (i % 2 && rows[i].frequency == 0)
            rows[i].recency = -0.0;
    }
    lty_bgnbd_model m = {0};
    m.r = 0.7;
    m.alpha = 3.5;
    m.a = 0.9;
    m.b = 2.1;
    double ll, one, sum = 0.0;
    ck_assert_int_eq(lty_bgnbd_log_likelihood(&m, rows, N, &ll), LTY_OK);
    for (size_t i = 0; i < N; i++) {
        ck_assert_int_eq(lty_bgnbd_log_likelihood(&m, &rows[i], 1, &one),
                         LTY_OK);
        sum += one;
    }
    ck_assert_msg(fabs(ll - sum) <= 1e-12 * fabs(sum), "%.17g vs %.17g", ll,
                  sum);

    lty_bgnbd_model f1, f2;
    ck_assert_int_eq(lty_bgnbd_fit(&f1, rows, N), LTY_OK);
    for (size_t i = 0; i < N; i++)
        rev[i] = rows[N - 1 - i];
    ck_assert_int_eq(lty_bgnbd_fit(&f2, rev, N), LTY_OK);
    ck_assert_double_eq_tol(f1.log_likelihood, f2.log_likelihood,
                            1e-9 * fabs(f1.log_likelihood));
    ck_assert_double_eq_tol(f1.r, f2.r, 1e-6 * f1.r);
    ck_assert_double_eq_tol(f1.alpha, f2.alpha, 1e-6 * f1.alpha);
    free(rows);
    free(rev);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Predictions                                                         */
/* ------------------------------------------------------------------ */

/* The textbook form: C/(a-1) [1 - (1-z)^A 2F1(A,B;C;z)] / (1 + odds),
 * with the plain series (fine for z < 0.5 and a away from 1). */
static double expected_direct(const lty_bgnbd_model *m, double x, double tx,
                              double T, double t)
{
    double A = m->r + x, B = m->b + x, C = m->a + m->b + x - 1;
    double z = t / (m->alpha + T + t), term = 1, sum = 1;
    for (int k = 0; k < 10000; k++) {
        term *= (A + k) * (B + k) / ((C + k) * (k + 1)) * z;
        sum += term;
    }
    double num = C / (m->a - 1) *
                 (1 - pow((m->alpha + T) / (m->alpha + T + t), A) * sum);
    double odds = x > 0 ? m->a / (m->b + x - 1) *
                          pow((m->alpha + T) / (m->alpha + tx), A) : 0;
    return num / (1 + odds);
}

START_TEST(predictions)
{
    lty_bgnbd_model m = {0};
    m.r = 0.243;
    m.alpha = 4.414;
    m.a = 0.793;
    m.b = 2.426;
    ck_assert_double_eq(lty_bgnbd_p_alive(&m, 0, 0, 30), 1.0);
    double pa = lty_bgnbd_p_alive(&m, 3, 10, 38);
    double want = 1 / (1 + 0.793 / (2.426 + 2) * pow(42.414 / 14.414, 3.243));
    ck_assert_double_eq_tol(pa, want, 1e-12);
    ck_assert(isnan(lty_bgnbd_p_alive(&m, 1, 5, 4)));

    const double cases[][4] = {{0, 0, 38, 10}, {2, 30.43, 38.86, 20},
                               {5, 20, 38, 5}, {1, 1, 2, 3}, {10, 30, 30, 25}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double e;
        ck_assert_int_eq(lty_bgnbd_expected_purchases(&m, cases[i][0],
                         cases[i][1], cases[i][2], cases[i][3], &e), LTY_OK);
        double d = expected_direct(&m, cases[i][0], cases[i][1], cases[i][2],
                                   cases[i][3]);
        ck_assert_msg(fabs(e - d) <= 1e-10 * fmax(1, fabs(d)),
                      "case %zu: %.15g vs %.15g", i, e, d);
    }
    /* small t: the posterior rate times t */
    double e;
    ck_assert_int_eq(lty_bgnbd_expected_purchases(&m, 0, 0, 20, 1e-6, &e),
                     LTY_OK);
    ck_assert_double_eq_tol(e, 0.243 / 24.414 * 1e-6, 1e-13);
    /* a = 1 and very long horizons are fine */
    m.a = 1.0;
    ck_assert_int_eq(lty_bgnbd_expected_purchases(&m, 3, 10, 38, 5000, &e),
                     LTY_OK);
    ck_assert(isfinite(e) && e > 0);
    ck_assert_int_eq(lty_bgnbd_expected_purchases(&m, 3, 10, 38, -1, &e),
                     LTY_EINVALID);

    lty_gamgam_model g = {0};
    g.p = 6.25;
    g.q = 3.74;
    g.gamma = 15.44;
    ck_assert_double_eq_tol(lty_gamgam_expected_spend(&g, 2, 30),
                            6.25 * (15.44 + 60) / (12.5 + 2.74), 1e-12);
    ck_assert_double_eq_tol(lty_gamgam_expected_spend(&g, 0, 0),
                            6.25 * 15.44 / 2.74, 1e-12);
}
END_TEST

START_TEST(clv_by_hand)
{
    lty_bgnbd_model m = {0};
    m.r = 0.243;
    m.alpha = 4.414;
    m.a = 0.793;
    m.b = 2.426;
    lty_gamgam_model g = {0};
    g.p = 6.25;
    g.q = 3.74;
    g.gamma = 15.44;
    lty_clv_row rows[2] = {{"a", 2, 30.43, 38.86, 22.35},
                           {"b", 0, 0, 38.86, 0}};
    lty_clv_score s[2];
    lty_clv_options o = LTY_CLV_OPTIONS_INIT;
    o.period = LTY_CLV_PERIOD_WEEK;
    o.months = 3;
    ck_assert_int_eq(lty_clv_compute(s, rows, 2, &m, &g, &o), LTY_OK);
    double want = 0, prev = 0, spend = lty_gamgam_expected_spend(&g, 2, 22.35);
    for (int k = 1; k <= 3; k++) {
        double e;
        ck_assert_int_eq(lty_bgnbd_expected_purchases(&m, 2, 30.43, 38.86,
                                                      4.345 * k, &e), LTY_OK);
        want += spend * (e - prev) / pow(1.01, k);
        prev = e;
    }
    ck_assert_double_eq_tol(s[0].clv, want, 1e-9);
    ck_assert_double_eq_tol(s[0].expected_purchases, prev, 1e-12);
    ck_assert_double_eq_tol(s[0].value_at_stake, want / s[0].p_alive, 1e-9);
    ck_assert_double_eq(s[1].p_alive, 1.0);

    lty_clv_options bad = o;
    bad.version = 99;
    ck_assert_int_eq(lty_clv_compute(s, rows, 2, &m, &g, &bad), LTY_EVERSION);
    bad = o;
    bad.months = 0;
    ck_assert_int_eq(lty_clv_compute(s, rows, 2, &m, &g, &bad), LTY_EINVALID);
    g.q = 0.9;
    ck_assert_int_eq(lty_clv_compute(s, rows, 2, &m, &g, &o), LTY_EINVALID);
}
END_TEST

START_TEST(churn_order)
{
    lty_clv_score s[5] = {{0.1, 0, 0, 0, 50}, {0.9, 0, 0, 0, 500},
                          {0.2, 0, 0, 0, 70}, {0.05, 0, 0, 0, 50},
                          {0.4, 0, 0, 0, 10}};
    size_t *idx, k;
    ck_assert_int_eq(lty_clv_churn_risk(&idx, &k, s, 5, 0.3), LTY_OK);
    ck_assert_uint_eq(k, 3);
    ck_assert_uint_eq(idx[0], 2);
    ck_assert_uint_eq(idx[1], 0); /* tie with 3: lower index first */
    ck_assert_uint_eq(idx[2], 3);
    lty_free(idx);
    ck_assert_int_eq(lty_clv_churn_risk(&idx, &k, s, 5, 0.01), LTY_OK);
    ck_assert_uint_eq(k, 0);
    ck_assert_ptr_null(idx);
    ck_assert_int_eq(lty_clv_churn_risk(&idx, &k, s, 5, 0), LTY_EINVALID);
    ck_assert_int_eq(lty_clv_churn_risk(&idx, &k, s, 5, 1.5), LTY_EINVALID);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The summary                                                         */
/* ------------------------------------------------------------------ */

/* 2026-03-02T00:00:00Z, a Monday */
#define MON INT64_C(1772409600)
#define DAY INT64_C(86400)

static const lty_clv_row *find(const lty_clv_row *rows, size_t n,
                               const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].customer_id, id))
            return &rows[i];
    ck_abort_msg("customer %s not in the summary", id);
    return NULL;
}

START_TEST(summary_days)
{
    lty_clv_txn t[] = {
        {"a", MON + 10 * DAY + 100, 300},
        {"a", MON + 3600, 100},          /* two on day 0: one period */
        {"a", MON + 7200, 50},
        {"a", MON + 3 * DAY, 200},
        {"b", MON + 5 * DAY, 70},        /* one-time buyer */
        {"c", MON + 30 * DAY, 10},       /* after the end: not there */
        {"a", MON + 25 * DAY, 999},      /* after the end: ignored */
        {"d", MON + 2 * DAY, 0},         /* zero amounts still count */
        {"d", MON + 4 * DAY, 0},
    };
    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    o.end = MON + 20 * DAY + 5;
    lty_clv_summary *s;
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, t, sizeof t / sizeof t[0],
                                               &o), LTY_OK);
    size_t n;
    const lty_clv_row *rows = lty_clv_summary_rows(s, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(rows[0].customer_id, "a");
    ck_assert_str_eq(rows[1].customer_id, "b");
    ck_assert_str_eq(rows[2].customer_id, "d");
    const lty_clv_row *a = find(rows, n, "a");
    ck_assert_double_eq(a->frequency, 2);
    ck_assert_double_eq(a->recency, 10);
    ck_assert_double_eq(a->T, 20);
    ck_assert_double_eq(a->monetary, 250); /* (200 + 300) / 2: first left out */
    const lty_clv_row *b = find(rows, n, "b");
    ck_assert_double_eq(b->frequency, 0);
    ck_assert_double_eq(b->recency, 0);
    ck_assert_double_eq(b->T, 15);
    ck_assert_double_eq(b->monetary, 0);
    const lty_clv_row *d = find(rows, n, "d");
    ck_assert_double_eq(d->frequency, 1);
    ck_assert_double_eq(d->recency, 2);
    ck_assert_double_eq(d->T, 18);
    lty_clv_summary_free(s);

    /* a local day: 23:30 UTC on day 0 is day 1 at UTC+9 */
    lty_clv_txn u[] = {{"x", MON + 1800, 10}, {"x", MON + 23 * 3600 + 1800, 20}};
    o.end = MON + 2 * DAY;
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, u, 2, &o), LTY_OK);
    rows = lty_clv_summary_rows(s, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_double_eq(rows[0].frequency, 0);
    lty_clv_summary_free(s);
    o.utc_offset_minutes = 540;
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, u, 2, &o), LTY_OK);
    rows = lty_clv_summary_rows(s, &n);
    ck_assert_double_eq(rows[0].frequency, 1);
    ck_assert_double_eq(rows[0].recency, 1);
    ck_assert_double_eq(rows[0].monetary, 20);
    lty_clv_summary_free(s);
}
END_TEST

START_TEST(summary_weeks)
{
    lty_clv_txn t[] = {
        {"a", MON + 1, 10},                 /* Monday, week 0 */
        {"a", MON + 6 * DAY + 80000, 20},   /* Sunday, still week 0 */
        {"a", MON + 7 * DAY, 30},           /* next Monday: week 1 */
        {"a", MON + 22 * DAY, 40},          /* week 3 */
    };
    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    o.period = LTY_CLV_PERIOD_WEEK;
    o.end = MON + 40 * DAY;                 /* week 5 */
    lty_clv_summary *s;
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, t, 4, &o), LTY_OK);
    size_t n;
    const lty_clv_row *rows = lty_clv_summary_rows(s, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_double_eq(rows[0].frequency, 2);
    ck_assert_double_eq(rows[0].recency, 3);
    ck_assert_double_eq(rows[0].T, 5);
    ck_assert_double_eq(rows[0].monetary, 35);
    lty_clv_summary_free(s);

    /* empty input: an empty summary */
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, NULL, 0, &o), LTY_OK);
    ck_assert_ptr_null(lty_clv_summary_rows(s, &n));
    ck_assert_uint_eq(n, 0);
    lty_clv_summary_free(s);
    lty_clv_summary_free(NULL);
}
END_TEST

START_TEST(summary_bad_input)
{
    lty_clv_txn t[] = {{"a", MON, 10}};
    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    lty_clv_summary *s = (lty_clv_summary *)1;
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, t, 1, &o), LTY_EINVALID);
    ck_assert_ptr_null(s); /* end not set */
    o.end = MON + DAY;
    ck_assert_int_eq(lty_clv_summary_from_txns(NULL, t, 1, &o), LTY_EINVALID);
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, t, 1, NULL), LTY_EINVALID);
    t[0].amount = -1;
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, t, 1, &o), LTY_EINVALID);
    t[0].amount = 1;
    t[0].customer_id = NULL;
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, t, 1, &o), LTY_EINVALID);
    t[0].customer_id = "a";
    o.version = 7;
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, t, 1, &o), LTY_EVERSION);
    o.version = LTY_CLV_SUMMARY_OPTIONS_VERSION;
    o.period = (lty_clv_period)9;
    ck_assert_int_eq(lty_clv_summary_from_txns(&s, t, 1, &o), LTY_EINVALID);
}
END_TEST

/* ------------------------------------------------------------------ */
/* From a CSV file                                                     */
/* ------------------------------------------------------------------ */

static char *write_tmp(const char *text)
{
    const char *dir = getenv("TMPDIR");
    char *path = malloc(512);
    ck_assert_ptr_nonnull(path);
    snprintf(path, 512, "%s/lty_clv_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static void same_rows(const lty_clv_summary *x, const lty_clv_summary *y)
{
    size_t nx, ny;
    const lty_clv_row *a = lty_clv_summary_rows(x, &nx);
    const lty_clv_row *b = lty_clv_summary_rows(y, &ny);
    ck_assert_uint_eq(nx, ny);
    for (size_t i = 0; i < nx; i++) {
        ck_assert_str_eq(a[i].customer_id, b[i].customer_id);
        ck_assert_double_eq(a[i].frequency, b[i].frequency);
        ck_assert_double_eq(a[i].recency, b[i].recency);
        ck_assert_double_eq(a[i].T, b[i].T);
        ck_assert_double_eq(a[i].monetary, b[i].monetary);
    }
}

START_TEST(summary_csv_same_as_arrays)
{
    /* summary_days' purchases: BOM, CRLF, quotes, an extra column, dates
     * and Unix seconds mixed */
    char *path = write_tmp("\xEF\xBB\xBFnote,amount,customer_id,date\r\n"
                           "x,300,a,1773273700\r\n"      /* MON + 10 d + 100 */
                           "\"q, \"\"y\"\"\",100,\"a\",1772413200\r\n"
                           "x,50,a,1772416800\r\n"
                           "x,200,a,2026-03-05\r\n"
                           "\r\n"
                           "x,70,b,2026-03-07\r\n"
                           "x,10,c,2026-04-01\r\n"       /* after the end */
                           "x,999,a,2026-03-27\r\n"
                           "x,0,d,2026-03-04\r\n"
                           "x,+0,d,2026-03-06");
    lty_clv_txn t[] = {
        {"a", MON + 10 * DAY + 100, 300}, {"a", MON + 3600, 100},
        {"a", MON + 7200, 50},            {"a", MON + 3 * DAY, 200},
        {"b", MON + 5 * DAY, 70},         {"c", MON + 30 * DAY, 10},
        {"a", MON + 25 * DAY, 999},       {"d", MON + 2 * DAY, 0},
        {"d", MON + 4 * DAY, 0},
    };
    size_t nt = sizeof t / sizeof t[0];
    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    lty_clv_summary *s, *r;
    char err[256];
    for (int week = 0; week < 2; week++) {
        o.period = week ? LTY_CLV_PERIOD_WEEK : LTY_CLV_PERIOD_DAY;
        o.end = MON + 20 * DAY + 5;
        ck_assert_int_eq(lty_clv_summary_from_csv(&s, path, &o, err,
                                                  sizeof err), LTY_OK);
        ck_assert_int_eq(lty_clv_summary_from_txns(&r, t, nt, &o), LTY_OK);
        same_rows(s, r);
        lty_clv_summary_free(s);
        lty_clv_summary_free(r);
        /* end = 0: the latest purchase */
        o.end = 0;
        ck_assert_int_eq(lty_clv_summary_from_csv(&s, path, &o, err,
                                                  sizeof err), LTY_OK);
        o.end = MON + 30 * DAY;
        ck_assert_int_eq(lty_clv_summary_from_txns(&r, t, nt, &o), LTY_OK);
        same_rows(s, r);
        lty_clv_summary_free(s);
        lty_clv_summary_free(r);
    }
    /* NULL options: the defaults, end = the latest purchase */
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, path, NULL, NULL, 0), LTY_OK);
    size_t n;
    const lty_clv_row *rows = lty_clv_summary_rows(s, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_double_eq(find(rows, n, "c")->T, 0);
    lty_clv_summary_free(s);
    remove(path);
    free(path);

    /* a date is the local day; seconds move with the offset */
    path = write_tmp("customer_id,date,amount\n"
                     "x,2026-03-02,10\n"
                     "x,1772494200,20\n"); /* MON + 23:30 UTC */
    o.period = LTY_CLV_PERIOD_DAY;
    o.end = MON + 2 * DAY;
    o.utc_offset_minutes = -300;
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, path, &o, err, sizeof err),
                     LTY_OK);
    rows = lty_clv_summary_rows(s, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_double_eq(rows[0].frequency, 0); /* 18:30 local, same day */
    lty_clv_summary_free(s);
    o.utc_offset_minutes = 540;
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, path, &o, err, sizeof err),
                     LTY_OK);
    rows = lty_clv_summary_rows(s, &n);
    ck_assert_double_eq(rows[0].frequency, 1); /* 08:30 the next day */
    ck_assert_double_eq(rows[0].recency, 1);
    lty_clv_summary_free(s);
    remove(path);
    free(path);
}
END_TEST

static const struct {
    const char *text;
    int rc;
    const char *msg; /* after "path:" */
} bad_clv_csvs[] = {
    {"customer_id,amount\na,1\n", LTY_EPARSE,
     "1: date: column missing from the header"},
    {"customer_id,date,amount\na,2026-03-02,1\nb,2026-02-30,1\n", LTY_EPARSE,
     "3: date: not YYYY-MM-DD or Unix seconds in range"},
    {"customer_id,date,amount\na,2026-03-02,1.50\n", LTY_EPARSE,
     "2: amount: not an integer in minor units"},
    {"customer_id,date,amount\na,2026-03-02,1\n\na,2026-03-03,-5\n",
     LTY_EPARSE,
     "4: amount: negative (purchases only: net refunds out first)"},
    {"customer_id,date,amount\na,2026-03-02\n", LTY_EPARSE,
     "2: expected 3 fields, found 2"},
    {"", LTY_EPARSE, "1: the header line is missing"},
};

START_TEST(summary_csv_errors)
{
    char *path = write_tmp(bad_clv_csvs[_i].text);
    char err[512], want[1024];
    lty_clv_summary *s = (lty_clv_summary *)1;
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, path, NULL, err, sizeof err),
                     bad_clv_csvs[_i].rc);
    ck_assert_ptr_null(s);
    snprintf(want, sizeof want, "%s:%s", path, bad_clv_csvs[_i].msg);
    ck_assert_str_eq(err, want);
    remove(path);
    free(path);
}
END_TEST

START_TEST(summary_csv_bad_calls)
{
    lty_clv_summary *s;
    char err[256];
    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    ck_assert_int_eq(lty_clv_summary_from_csv(NULL, "x", &o, err, sizeof err),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, NULL, &o, err, sizeof err),
                     LTY_EINVALID);
    ck_assert_str_eq(err, "path: missing");
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, "/nonexistent/x.csv", &o,
                                              err, sizeof err), LTY_ESTORAGE);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.csv: cannot open"));
    o.version = 9;
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, "x", &o, err, sizeof err),
                     LTY_EVERSION);
    o.version = LTY_CLV_SUMMARY_OPTIONS_VERSION;
    o.period = (lty_clv_period)9;
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, "x", &o, err, sizeof err),
                     LTY_EINVALID);
    o.period = LTY_CLV_PERIOD_DAY;
    o.utc_offset_minutes = 5000;
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, "x", &o, NULL, 0),
                     LTY_EINVALID);
}
END_TEST

/* CDNOW_sample.txt (whitespace-separated: id, sample id, YYYYMMDD, CDs,
 * dollars) rewritten as customer_id,date,amount: the daily summary to
 * 1997-09-30, in weeks, is the published one (x, t_x, T to 2 decimals,
 * zbar to cents). */
START_TEST(summary_csv_cdnow)
{
    char path[1024], src[1024];
    size_t n;
    lty_clv_row *want = cdnow_rows(&n, path, sizeof path);
    const char *dir = getenv("LTY_DATA_DIR");
    if (!dir || !*dir)
        dir = LTY_CDNOW_DIR;
    snprintf(src, sizeof src, "%s/CDNOW_sample.txt", dir);
    FILE *in = want ? fopen(src, "r") : NULL;
    if (!in) {
        printf("skipped: CDNOW data not found at %s\n", want ? src : path);
        free(want);
        return;
    }
    char *csv = write_tmp("customer_id,date,amount\n");
    FILE *f = fopen(csv, "ab");
    ck_assert_ptr_nonnull(f);
    int cust, sid, date, cds;
    double amount;
    size_t lines = 0;
    while (fscanf(in, "%d %d %d %d %lf", &cust, &sid, &date, &cds,
                  &amount) == 5) {
        fprintf(f, "%04d,%04d-%02d-%02d,%lld\n", sid, date / 10000,
                date / 100 % 100, date % 100, (long long)llround(amount * 100));
        lines++;
    }
    fclose(in);
    ck_assert_int_eq(fclose(f), 0);
    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    o.end = INT64_C(875577600); /* 1997-09-30 */
    lty_clv_summary *s;
    char err[256];
    ck_assert_int_eq(lty_clv_summary_from_csv(&s, csv, &o, err, sizeof err),
                     LTY_OK);
    size_t k;
    const lty_clv_row *rows = lty_clv_summary_rows(s, &k);
    ck_assert_uint_eq(k, n);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "%04zu", i + 1);
        ck_assert_str_eq(rows[i].customer_id, id);
        ck_assert_double_eq(rows[i].frequency, want[i].frequency);
        ck_assert_double_eq_tol(rows[i].recency / 7, want[i].recency, 0.0051);
        ck_assert_double_eq_tol(rows[i].T / 7, want[i].T, 0.0051);
        ck_assert_double_eq_tol(rows[i].monetary / 100, want[i].monetary,
                                0.0051);
    }
    printf("CDNOW from CSV: %zu lines, %zu customers, as published\n", lines,
           k);
    lty_clv_summary_free(s);
    remove(csv);
    free(csv);
    free(want);
}
END_TEST

START_TEST(summary_store)
{
    lty_test_env t;
    lty_test_env_open(&t); /* UTC+9 */
    t.now = MON + 30 * DAY;  /* the events are in the past */
    lty_test_customer(t.e, "c1", NULL, NULL);
    lty_test_customer(t.e, "c2", NULL, NULL);
    lty_test_customer(t.e, "c3", NULL, NULL);
    lty_test_customer(t.e, "c4", NULL, NULL);
    /* c1: purchases on local days 0, 0, 4 and 9; a visit on day 12 */
    lty_test_event(t.e, "e1", "c1", MON + 3600, 1000, NULL);
    lty_test_event(t.e, "e2", "c1", MON + 7200, 500, NULL);
    lty_test_event(t.e, "e3", "c1", MON + 4 * DAY, 3000, NULL);
    lty_test_event(t.e, "e4", "c1", MON + 9 * DAY, 5000, NULL);
    lty_test_event(t.e, "e5", "c1", MON + 12 * DAY, -1, NULL);
    /* c2: the second purchase is refunded in full, the third in part */
    lty_test_event(t.e, "f1", "c2", MON, 800, NULL);
    lty_test_event(t.e, "f2", "c2", MON + 2 * DAY, 900, NULL);
    lty_test_event(t.e, "f3", "c2", MON + 5 * DAY, 1000, NULL);
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_REFUND;
    ev.id = "f2r";
    ev.customer_id = "c2";
    ev.time = MON + 3 * DAY;
    ev.amount = 900;
    ev.refund_of = "f2";
    ck_assert_int_eq(lty_record(t.e, &ev, NULL), LTY_OK);
    ev.id = "f3r";
    ev.amount = 400;
    ev.refund_of = "f3";
    ev.time = MON + 6 * DAY;
    ck_assert_int_eq(lty_record(t.e, &ev, NULL), LTY_OK);
    /* c3: visits only; c4: nothing */
    lty_test_event(t.e, "g1", "c3", MON + DAY, -1, NULL);

    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    o.end = MON + 20 * DAY;
    lty_clv_summary *s;
    ck_assert_int_eq(lty_clv_summary_from_store(&s, t.e, &o), LTY_OK);
    size_t n;
    const lty_clv_row *rows = lty_clv_summary_rows(s, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rows[0].customer_id, "c1");
    ck_assert_double_eq(rows[0].frequency, 2);
    ck_assert_double_eq(rows[0].recency, 9);
    ck_assert_double_eq(rows[0].T, 20);
    ck_assert_double_eq(rows[0].monetary, 4000);
    ck_assert_str_eq(rows[1].customer_id, "c2");
    ck_assert_double_eq(rows[1].frequency, 1);
    ck_assert_double_eq(rows[1].recency, 5);
    ck_assert_double_eq(rows[1].monetary, 600);
    lty_clv_summary_free(s);

    /* weeks, and the end before some purchases */
    o.period = LTY_CLV_PERIOD_WEEK;
    o.end = MON + 5 * DAY;
    ck_assert_int_eq(lty_clv_summary_from_store(&s, t.e, &o), LTY_OK);
    rows = lty_clv_summary_rows(s, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_double_eq(rows[0].frequency, 0);
    ck_assert_double_eq(rows[0].T, 0);
    lty_clv_summary_free(s);

    /* the default end is the engine's clock */
    t.now = MON + 30 * DAY;
    ck_assert_int_eq(lty_clv_summary_from_store(&s, t.e, NULL), LTY_OK);
    rows = lty_clv_summary_rows(s, &n);
    ck_assert_double_eq(rows[0].T, 30);
    lty_clv_summary_free(s);

    o.version = 0;
    ck_assert_int_eq(lty_clv_summary_from_store(&s, t.e, &o), LTY_EVERSION);
    ck_assert_int_eq(lty_clv_summary_from_store(NULL, t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_clv_summary_from_store(&s, NULL, NULL), LTY_EINVALID);
    lty_test_env_close(&t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Failures                                                            */
/* ------------------------------------------------------------------ */

static void assert_zeroed(const lty_bgnbd_model *m)
{
    ck_assert(m->r == 0 && m->alpha == 0 && m->a == 0 && m->b == 0 &&
              m->log_likelihood == 0);
    ck_assert(strlen(m->message) > 0);
}

START_TEST(fit_failures)
{
    lty_bgnbd_model m;
    lty_clv_row one[1] = {{NULL, 1, 2, 10, 5}};
    ck_assert_int_eq(lty_bgnbd_fit(&m, one, 1), LTY_ESTATE);
    assert_zeroed(&m);
    ck_assert_ptr_nonnull(strstr(m.message, "too few customers"));
    ck_assert_int_eq(lty_bgnbd_fit(&m, NULL, 0), LTY_ESTATE);
    ck_assert_int_eq(lty_bgnbd_fit(NULL, one, 1), LTY_EINVALID);

    lty_clv_row none[3] = {{NULL, 0, 0, 10, 0}, {NULL, 0, 0, 20, 0},
                           {NULL, 0, 0, 5, 0}};
    ck_assert_int_eq(lty_bgnbd_fit(&m, none, 3), LTY_ESTATE);
    assert_zeroed(&m);
    ck_assert_ptr_nonnull(strstr(m.message, "no repeat buyers"));

    lty_clv_row bad[2] = {{NULL, 1, 12, 10, 5}, {NULL, 0, 0, 10, 0}};
    ck_assert_int_eq(lty_bgnbd_fit(&m, bad, 2), LTY_EINVALID);
    assert_zeroed(&m);
    bad[0].recency = 5;
    bad[0].frequency = 1.5;
    ck_assert_int_eq(lty_bgnbd_fit(&m, bad, 2), LTY_EINVALID);
    bad[0].frequency = NAN;
    ck_assert_int_eq(lty_bgnbd_fit(&m, bad, 2), LTY_EINVALID);

    /* everyone buys at once and keeps buying without a sign of dropout:
     * the fit runs off (b to infinity) and says so */
    lty_clv_row all[4] = {{NULL, 10, 10, 10, 1}, {NULL, 10, 10, 10, 1},
                          {NULL, 10, 10, 10, 1}, {NULL, 10, 10, 10, 1}};
    int rc = lty_bgnbd_fit(&m, all, 4);
    ck_assert_msg(rc == LTY_ERANGE, "rc %d: %s (r %g alpha %g a %g b %g)", rc,
                  m.message, m.r, m.alpha, m.a, m.b);
    assert_zeroed(&m);
    ck_assert_ptr_nonnull(strstr(m.message, "did not converge"));

    lty_gamgam_model g;
    ck_assert_int_eq(lty_gamgam_fit(&g, one, 1), LTY_ESTATE);
    ck_assert(g.p == 0 && g.q == 0 && g.gamma == 0);
    ck_assert_ptr_nonnull(strstr(g.message, "too few repeat buyers"));
    ck_assert_int_eq(lty_gamgam_fit(&g, none, 3), LTY_ESTATE);
    lty_clv_row same[3] = {{NULL, 1, 2, 10, 5}, {NULL, 2, 3, 10, 5},
                           {NULL, 3, 4, 10, 5}};
    ck_assert_int_eq(lty_gamgam_fit(&g, same, 3), LTY_ERANGE);
    ck_assert(g.p == 0 && g.q == 0 && g.gamma == 0);
    same[0].monetary = -1;
    ck_assert_int_eq(lty_gamgam_fit(&g, same, 3), LTY_EINVALID);

    double ll;
    ck_assert_int_eq(lty_bgnbd_log_likelihood(&m, one, 1, &ll), LTY_EINVALID);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Figures kept per customer                                           */
/* ------------------------------------------------------------------ */

/* CDNOW's parameters (lifetimes' documentation), near enough */
static const lty_bgnbd_model store_bg = {0.243, 4.414, 0.793, 2.426, 0, 0, 0,
                                         "converged"};
static const lty_gamgam_model store_gg = {6.25, 3.74, 15.44, 0, 0, 0,
                                          "converged"};

#define NSTORE 12
static const char *const store_ids[NSTORE] = {
    "s01", "s02", "s03", "s04", "s05", "s06",
    "s07", "s08", "s09", "s10", "s11", "s12"};

/* rows and scores of the store's customers: s01 buys most, s12 least */
static void store_rows(lty_clv_row *rows, lty_clv_score *scores, size_t n,
                       const lty_bgnbd_model *bg)
{
    for (size_t i = 0; i < n; i++) {
        rows[i].customer_id = store_ids[i];
        rows[i].frequency = (double)(n - i);
        rows[i].recency = 30.0 + (double)(n - i) * 2;
        rows[i].T = 60.0;
        rows[i].monetary = 1000.0 + 100.0 * (double)(n - i);
    }
    ck_assert_int_eq(lty_clv_compute(scores, rows, n, bg, &store_gg, NULL),
                     LTY_OK);
}

static void assert_figures(const lty_clv_figures *f, const lty_clv_score *s)
{
    /* bit for bit */
    ck_assert(memcmp(&f->p_alive, &s->p_alive, sizeof(double)) == 0);
    ck_assert(memcmp(&f->expected_purchases, &s->expected_purchases,
                     sizeof(double)) == 0);
    ck_assert(memcmp(&f->expected_spend, &s->expected_spend,
                     sizeof(double)) == 0);
    ck_assert(memcmp(&f->clv, &s->clv, sizeof(double)) == 0);
    ck_assert(memcmp(&f->value_at_stake, &s->value_at_stake,
                     sizeof(double)) == 0);
}

START_TEST(store_round_trip)
{
    lty_test_env t;
    lty_test_env_open(&t);
    for (int i = 0; i < NSTORE; i++)
        lty_test_customer(t.e, store_ids[i], NULL, NULL);
    lty_clv_row rows[NSTORE];
    lty_clv_score sc[NSTORE];
    store_rows(rows, sc, NSTORE, &store_bg);
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, NSTORE, &store_bg,
                                   &store_gg),
                     LTY_OK);
    uint64_t fp = lty_clv_model_fingerprint(&store_bg, &store_gg);
    ck_assert(fp != 0);
    for (int i = 0; i < NSTORE; i++) {
        lty_clv_figures f = LTY_CLV_FIGURES_INIT;
        ck_assert_int_eq(lty_clv_customer_get(t.e, store_ids[i], &f), LTY_OK);
        assert_figures(&f, &sc[i]);
        ck_assert_int_eq(f.computed_at, t.now);
        ck_assert(f.model_fingerprint == fp);
        ck_assert_uint_eq(f.of, NSTORE);
        /* s01 has the highest lifetime value */
        ck_assert_uint_eq(f.rank, (uint64_t)i + 1);
        /* 12 customers: the top decile is the first 2 */
        ck_assert_int_eq(lty_clv_figures_top_decile(&f), i < 2);
    }

    /* a second store replaces the figures of its customers only */
    t.now += 86400;
    lty_bgnbd_model bg2 = store_bg;
    bg2.r = 0.3;
    lty_clv_score sc2[2];
    store_rows(rows, sc2, 2, &bg2);
    ck_assert_int_eq(lty_clv_store(t.e, sc2, rows, 2, &bg2, &store_gg),
                     LTY_OK);
    uint64_t fp2 = lty_clv_model_fingerprint(&bg2, &store_gg);
    ck_assert(fp2 != fp);
    lty_clv_figures f = LTY_CLV_FIGURES_INIT;
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_OK);
    assert_figures(&f, &sc2[0]);
    ck_assert(f.model_fingerprint == fp2);
    ck_assert_int_eq(f.computed_at, t.now);
    ck_assert_uint_eq(f.of, 2);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s12", &f), LTY_OK);
    ck_assert(f.model_fingerprint == fp);
    ck_assert_int_eq(f.computed_at, t.now - 86400);

    /* nothing to store is fine */
    ck_assert_int_eq(lty_clv_store(t.e, NULL, NULL, 0, &store_bg, &store_gg),
                     LTY_OK);
    lty_test_env_close(&t);
}
END_TEST

START_TEST(store_unknown_and_bad_input)
{
    lty_test_env t;
    lty_test_env_open(&t);
    for (int i = 0; i < 3; i++)
        lty_test_customer(t.e, store_ids[i], NULL, NULL);
    lty_clv_row rows[3];
    lty_clv_score sc[3];
    store_rows(rows, sc, 3, &store_bg);
    lty_clv_figures f = LTY_CLV_FIGURES_INIT;

    /* a customer with nothing stored, and one the store does not know */
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "nobody", &f), LTY_ENOTFOUND);

    /* storing for an unknown customer writes nothing at all */
    rows[2].customer_id = "nobody";
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 3, &store_bg, &store_gg),
                     LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "rows[2]");
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "nobody", &f), LTY_ENOTFOUND);

    /* a repeated customer */
    rows[2].customer_id = "s01";
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 3, &store_bg, &store_gg),
                     LTY_EINVALID);
    lty_assert_err_mentions(t.e, "rows[2].customer_id: repeats rows[0]");
    rows[2].customer_id = "";
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 3, &store_bg, &store_gg),
                     LTY_EINVALID);
    lty_assert_err_mentions(t.e, "rows[2]");
    rows[2].customer_id = NULL;
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 3, &store_bg, &store_gg),
                     LTY_EINVALID);
    rows[2].customer_id = store_ids[2];

    /* bad scores and models */
    lty_clv_score keep = sc[1];
    sc[1].p_alive = 1.5;
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 3, &store_bg, &store_gg),
                     LTY_EINVALID);
    lty_assert_err_mentions(t.e, "scores[1]");
    sc[1] = keep;
    sc[1].clv = NAN;
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 3, &store_bg, &store_gg),
                     LTY_EINVALID);
    sc[1] = keep;
    lty_bgnbd_model bad = store_bg;
    bad.a = 0;
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 3, &bad, &store_gg),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 3, NULL, &store_gg),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_clv_store(t.e, sc, NULL, 3, &store_bg, &store_gg),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_clv_store(NULL, sc, rows, 3, &store_bg, &store_gg),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ENOTFOUND);

    /* reading */
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 3, &store_bg, &store_gg),
                     LTY_OK);
    f.version = 99;
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_EVERSION);
    f.version = LTY_CLV_FIGURES_VERSION;
    ck_assert_int_eq(lty_clv_customer_get(t.e, "", &f), LTY_EINVALID);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_OK);
    ck_assert_uint_eq(lty_clv_model_fingerprint(NULL, &store_gg), 0);
    ck_assert_int_eq(lty_clv_figures_top_decile(NULL), 0);
    lty_test_env_close(&t);
}
END_TEST

static void put_v(lty_test_env *t, const char *id, const void *v, size_t n)
{
    char key[64];
    size_t idn = strlen(id);
    memcpy(key, "C\0", 2);
    memcpy(key + 2, id, idn);
    memcpy(key + 2 + idn, "\0V", 2);
    ck_assert_int_eq(t->ops.put(key, idn + 4, v, n, LTY_REV_ANY, NULL, t->ud),
                     LTY_OK);
}

/* computed_at 1, p_alive, 2 expected purchases, 3 expected spend, 12 clv,
 * 24 value at stake, fingerprint 7, rank, of */
static size_t hand_record(unsigned char *p, double p_alive, unsigned rank,
                          unsigned of)
{
    size_t n = 0;
    const double d[5] = {p_alive, 2.0, 3.0, 12.0, 24.0};
    p[n++] = 28;
    p[n++] = 1;
    p[n++] = 1 << 3;
    p[n++] = 2; /* zigzag 1 */
    for (unsigned i = 0; i < 5; i++) {
        uint64_t u;
        memcpy(&u, &d[i], 8);
        p[n++] = (unsigned char)(((2 + i) << 3) | 2);
        p[n++] = 8;
        for (int b = 0; b < 8; b++)
            p[n++] = (unsigned char)(u >> (8 * b));
    }
    p[n++] = 7 << 3;
    p[n++] = 7;
    p[n++] = 8 << 3;
    p[n++] = (unsigned char)rank;
    p[n++] = 9 << 3;
    p[n++] = (unsigned char)of;
    return n;
}

START_TEST(store_corrupt_record)
{
    lty_test_env t;
    lty_test_env_open(&t);
    lty_test_customer(t.e, "s01", NULL, NULL);
    lty_clv_figures f = LTY_CLV_FIGURES_INIT;
    /* kind 28, version 1, a truncated varint */
    static const unsigned char trunc[] = {28, 1, 0x08, 0xff};
    put_v(&t, "s01", trunc, sizeof trunc);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "clv figures");
    /* well formed but missing every figure but computed_at */
    static const unsigned char missing[] = {28, 1, 0x08, 0x02};
    put_v(&t, "s01", missing, sizeof missing);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ECORRUPT);
    /* another record kind */
    static const unsigned char other[] = {27, 1};
    put_v(&t, "s01", other, sizeof other);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ECORRUPT);
    /* a newer version */
    static const unsigned char newer[] = {28, 2};
    put_v(&t, "s01", newer, sizeof newer);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_EVERSION);
    /* a record built by hand, as docs/guide/record-format.md describes */
    unsigned char rec[128];
    size_t n = hand_record(rec, 0.5, 1, 1);
    put_v(&t, "s01", rec, n);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_OK);
    ck_assert(f.p_alive == 0.5 && f.clv == 12.0 && f.rank == 1 && f.of == 1);
    ck_assert_int_eq(f.computed_at, 1);
    ck_assert(f.model_fingerprint == 7);
    n = hand_record(rec, 2.0, 1, 1);   /* P(alive) out of range */
    put_v(&t, "s01", rec, n);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ECORRUPT);
    n = hand_record(rec, INFINITY, 1, 1);
    put_v(&t, "s01", rec, n);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ECORRUPT);
    n = hand_record(rec, 0.5, 2, 1);   /* rank past of */
    put_v(&t, "s01", rec, n);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ECORRUPT);
    lty_test_env_close(&t);
}
END_TEST

START_TEST(store_erasure_moves_the_figures)
{
    lty_test_env t;
    lty_test_env_open(&t);
    lty_test_customer(t.e, "s01", "Kim", "010-1234-5678");
    lty_test_customer(t.e, "s02", NULL, NULL);
    lty_test_event(t.e, "e1", "s01", t.now - 86400, 1000, NULL);
    lty_clv_row rows[2];
    lty_clv_score sc[2];
    store_rows(rows, sc, 2, &store_bg);
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 2, &store_bg, &store_gg),
                     LTY_OK);
    ck_assert_int_eq(lty_customer_erase(t.e, "s01"), LTY_OK);
    lty_clv_figures f = LTY_CLV_FIGURES_INIT;
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s01", &f), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "anon-1", &f), LTY_OK);
    assert_figures(&f, &sc[0]);
    ck_assert_uint_eq(f.rank, 1);
    /* the anonymous id can be scored again (its aggregates make it a
     * customer of the store), the erased id cannot */
    rows[0].customer_id = "anon-1";
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 1, &store_bg, &store_gg),
                     LTY_OK);
    rows[0].customer_id = "s01";
    ck_assert_int_eq(lty_clv_store(t.e, sc, rows, 1, &store_bg, &store_gg),
                     LTY_ENOTFOUND);
    ck_assert_int_eq(lty_clv_customer_get(t.e, "s02", &f), LTY_OK);
    assert_figures(&f, &sc[1]);
    lty_test_env_close(&t);
}
END_TEST

/* Storage faults: s01..s03 are customers, s01 has figures already */
static void fault_seed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    for (int i = 0; i < 3; i++)
        lty_test_customer(w->e, store_ids[i], NULL, NULL);
    lty_clv_row rows[1];
    lty_clv_score sc[1];
    store_rows(rows, sc, 1, &store_bg);
    ck_assert_int_eq(lty_clv_store(w->e, sc, rows, 1, &store_bg, &store_gg),
                     LTY_OK);
}

static int f_store(lty_engine *e)
{
    lty_bgnbd_model bg2 = store_bg;
    bg2.b = 2.0;
    lty_clv_row rows[3];
    lty_clv_score sc[3];
    store_rows(rows, sc, 3, &bg2);
    return lty_clv_store(e, sc, rows, 3, &bg2, &store_gg);
}

START_TEST(store_fault_sweep)
{
    lty_test_fault_spec spec = {
        .name = "clv store", .call = f_store,
        .flags = LTY_TEST_FAULT_STORAGE | LTY_TEST_FAULT_CONFLICT,
        .min_calls = 3, .now = LTY_TEST_NOW, .seed = fault_seed,
        .on_fault = lty_test_fault_error_names_storage};
    lty_test_fault_sweep(&spec);
}
END_TEST

static Suite *clv_suite(void)
{
    Suite *s = suite_create("clv");
    TCase *tc = tcase_create("cdnow");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, cdnow_bgnbd);
    tcase_add_test(tc, cdnow_gamgam);
    tcase_add_test(tc, cdnow_clv_and_churn);
    suite_add_tcase(s, tc);

    tc = tcase_create("simulation");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, simulation_recovers_parameters);
    tcase_add_test(tc, grouped_histories);
    suite_add_tcase(s, tc);

    tc = tcase_create("predictions");
    tcase_add_test(tc, predictions);
    tcase_add_test(tc, clv_by_hand);
    tcase_add_test(tc, churn_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("summary");
    tcase_add_test(tc, summary_days);
    tcase_add_test(tc, summary_weeks);
    tcase_add_test(tc, summary_bad_input);
    tcase_add_test(tc, summary_store);
    tcase_add_test(tc, summary_csv_same_as_arrays);
    tcase_add_loop_test(tc, summary_csv_errors, 0,
                        (int)(sizeof bad_clv_csvs / sizeof bad_clv_csvs[0]));
    tcase_add_test(tc, summary_csv_bad_calls);
    tcase_add_test(tc, summary_csv_cdnow);
    suite_add_tcase(s, tc);

    tc = tcase_create("store");
    tcase_add_test(tc, store_round_trip);
    tcase_add_test(tc, store_unknown_and_bad_input);
    tcase_add_test(tc, store_corrupt_record);
    tcase_add_test(tc, store_erasure_moves_the_figures);
    tcase_add_test(tc, store_fault_sweep);
    suite_add_tcase(s, tc);

    tc = tcase_create("failures");
    tcase_add_test(tc, fit_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(clv_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
