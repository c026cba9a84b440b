/*
 * libloyalty benchmark - bgnbd: how fast the BG/NBD model is fitted, on
 * one core.
 *
 *   bench/bgnbd [--customers N] [--runs N] [--seed N]
 *
 * For 100,000 and 1,000,000 customers (or only N with --customers):
 *
 * 1. Simulates purchases from known parameters with the seeded generator
 *    of tests/check_clv.c (splitmix64, Marsaglia-Tsang gammas), in days:
 *    purchase rate lambda ~ Gamma(r 0.5, alpha 35 days), dropout
 *    p ~ Beta(a 0.8, b 2.5) after each repeat purchase, spend per purchase
 *    Gamma(p 6, rate nu), nu ~ Gamma(q 4, gamma 15) (in thousands of minor
 *    units), first purchases spread uniformly over the 365 days before the
 *    end of observation.
 * 2. Summarises them with lty_clv_summary_from_txns() in local days, as a
 *    host would (info: no target).
 * 3. Fits BG/NBD on the summary with lty_bgnbd_fit(): the median of --runs
 *    runs (default 3).  Targets: at most 0.1 s for 100,000 customers and
 *    1 s for 1,000,000.
 * 4. For comparison, fits the test's own data (T continuous in 26..52
 *    weeks, so no two customers share a history and nothing can be
 *    grouped) of the same size (info: no target), and fits Gamma-Gamma on
 *    the day summary (info).
 *
 * Exits 0 when every fit converged (whatever the speed: a slow machine is
 * a MISS, not an error), 1 on any failure, 2 on bad arguments.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <loyalty.h>

/* 2026-03-01T00:00:00Z: the end of observation */
#define END INT64_C(1772323200)
#define DAY 86400.0
#define HORIZON_DAYS 365.0

static const double R = 0.5, ALPHA = 35.0, A = 0.8, B = 2.5;
static const double P = 6.0, Q = 4.0, GAM = 15.0;

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The generator of tests/check_clv.c. */
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

#define ID_SIZE 24

typedef struct txns {
    lty_clv_txn *v;
    size_t n, cap;
    char *ids; /* ID_SIZE bytes per customer */
} txns;

static int push(txns *t, const char *id, int64_t time, int64_t amount)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 1024;
        lty_clv_txn *p = realloc(t->v, nc * sizeof *p);
        if (!p)
            return -1;
        t->v = p;
        t->cap = nc;
    }
    t->v[t->n].customer_id = id;
    t->v[t->n].time = time;
    t->v[t->n].amount = amount;
    t->n++;
    return 0;
}

/* Purchases of n customers, in days (see the top of the file). */
static int simulate_txns(txns *t, size_t n, uint64_t seed)
{
    rng g = {seed};
    memset(t, 0, sizeof *t);
    t->ids = malloc(n * ID_SIZE);
    if (!t->ids)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *id = t->ids + i * ID_SIZE;
        snprintf(id, ID_SIZE, "c%09zu", i);
        double lambda = gamma1(&g, R) / ALPHA;
        double ga = gamma1(&g, A), gb = gamma1(&g, B);
        double drop = ga / (ga + gb);
        double nu = gamma1(&g, Q) / GAM;
        double T = HORIZON_DAYS * unif(&g); /* days since the first purchase */
        double start = (double)END - T * DAY, t0 = 0.0;
        if (push(t, id, (int64_t)start,
                 (int64_t)llround(1000.0 * gamma1(&g, P) / nu)))
            return -1;
        for (;;) {
            t0 += -log(unif(&g)) / lambda;
            if (t0 > T)
                break;
            if (push(t, id, (int64_t)(start + t0 * DAY),
                     (int64_t)llround(1000.0 * gamma1(&g, P) / nu)))
                return -1;
            if (unif(&g) < drop)
                break;
        }
    }
    return 0;
}

/* The rows of tests/check_clv.c's simulate(): weeks, T continuous. */
static lty_clv_row *simulate_rows(size_t n, uint64_t seed)
{
    rng g = {seed};
    lty_clv_row *rows = calloc(n, sizeof *rows);
    if (!rows)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        double lambda = gamma1(&g, 0.5) / 5.0;
        double ga = gamma1(&g, 0.8), gb = gamma1(&g, 2.5);
        double drop = ga / (ga + gb);
        double T = 26.0 + 26.0 * unif(&g), t = 0.0, tx = 0.0;
        int x = 0;
        for (;;) {
            t += -log(unif(&g)) / lambda;
            if (t > T)
                break;
            x++;
            tx = t;
            if (unif(&g) < drop)
                break;
        }
        rows[i].frequency = x;
        rows[i].recency = tx;
        rows[i].T = T;
    }
    return rows;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median time of `runs` fits; the model of the last one. */
static int time_fit(lty_bgnbd_model *m, const lty_clv_row *rows, size_t n,
                    int runs, double *median)
{
    double t[32];
    for (int k = 0; k < runs; k++) {
        double t0 = seconds_now();
        int rc = lty_bgnbd_fit(m, rows, n);
        t[k] = seconds_now() - t0;
        if (rc) {
            fprintf(stderr, "bgnbd: fit of %zu customers: %s (%s)\n", n,
                    lty_strerror(rc), m->message);
            return 1;
        }
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp_double);
    *median = t[runs / 2];
    return 0;
}

static char notes[4096];

static void row(const char *figure, const char *value, const char *target,
                const char *verdict)
{
    printf("| %-40s | %12s | %10s | %-4s |\n", figure, value, target, verdict);
}

static int parse_count(const char *s, long *out, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

static int run(size_t n, int runs, uint64_t seed)
{
    txns t;
    char figure[80], buf[64];
    double target = n <= 100000 ? 0.1 : 1.0 * ((double)n / 1e6);
    int rc = 1;
    lty_clv_summary *s = NULL;
    lty_clv_row *crows = NULL;

    if (simulate_txns(&t, n, seed)) {
        fprintf(stderr, "bgnbd: out of memory\n");
        goto done;
    }
    lty_clv_summary_options so = LTY_CLV_SUMMARY_OPTIONS_INIT;
    so.end = END;
    double t0 = seconds_now();
    int e = lty_clv_summary_from_txns(&s, t.v, t.n, &so);
    double summary_s = seconds_now() - t0;
    if (e) {
        fprintf(stderr, "bgnbd: summary: %s\n", lty_strerror(e));
        goto done;
    }
    size_t rn;
    const lty_clv_row *rows = lty_clv_summary_rows(s, &rn);
    lty_bgnbd_model m;
    double fit_s;
    if (time_fit(&m, rows, rn, runs, &fit_s))
        goto done;
    lty_gamgam_model gg;
    t0 = seconds_now();
    e = lty_gamgam_fit(&gg, rows, rn);
    double gg_s = seconds_now() - t0;
    if (e) {
        fprintf(stderr, "bgnbd: Gamma-Gamma fit: %s (%s)\n", lty_strerror(e),
                gg.message);
        goto done;
    }
    crows = simulate_rows(n, seed);
    if (!crows) {
        fprintf(stderr, "bgnbd: out of memory\n");
        goto done;
    }
    lty_bgnbd_model cm;
    double cont_s;
    if (time_fit(&cm, crows, n, runs, &cont_s))
        goto done;

    size_t used = strlen(notes);
    snprintf(notes + used, sizeof notes - used,
             "%zu customers, %zu purchases (seed %" PRIu64 "):\n"
             "  day fit r %.4f alpha %.3f a %.4f b %.4f (%u iterations; "
             "simulated from r %.1f alpha %.0f a %.1f b %.1f)\n"
             "  Gamma-Gamma p %.3f q %.3f gamma %.1f (simulated from p %.0f "
             "q %.0f gamma %.0f thousand)\n"
             "  continuous fit r %.4f alpha %.3f a %.4f b %.4f "
             "(%u iterations)\n",
             n, t.n, seed, m.r, m.alpha, m.a, m.b, m.iterations, R, ALPHA, A,
             B, gg.p, gg.q, gg.gamma, P, Q, GAM, cm.r, cm.alpha, cm.a, cm.b,
             cm.iterations);
    snprintf(figure, sizeof figure, "summary in days, %zu customers", n);
    snprintf(buf, sizeof buf, "%.3f s", summary_s);
    row(figure, buf, "(info)", "");
    snprintf(figure, sizeof figure, "BG/NBD fit, days, %zu customers", n);
    snprintf(buf, sizeof buf, "%.3f s", fit_s);
    char tbuf[32];
    snprintf(tbuf, sizeof tbuf, "<= %g s", target);
    row(figure, buf, tbuf, fit_s <= target ? "PASS" : "MISS");
    snprintf(figure, sizeof figure, "BG/NBD fit, T continuous, %zu", n);
    snprintf(buf, sizeof buf, "%.3f s", cont_s);
    row(figure, buf, "(info)", "");
    snprintf(figure, sizeof figure, "Gamma-Gamma fit, days, %zu", n);
    snprintf(buf, sizeof buf, "%.3f s", gg_s);
    row(figure, buf, "(info)", "");
    fflush(stdout);
    rc = 0;
done:
    lty_clv_summary_free(s);
    free(t.v);
    free(t.ids);
    free(crows);
    return rc;
}

int main(int argc, char **argv)
{
    long customers = 0, runs = 3, seed = 20260301;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--customers") && i + 1 < argc) {
            if (parse_count(argv[++i], &customers, 20000000))
                goto usage;
        } else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            if (parse_count(argv[++i], &runs, 31))
                goto usage;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (parse_count(argv[++i], &seed, 2000000000))
                goto usage;
        } else {
            goto usage;
        }
    }
    printf("bgnbd: lty_bgnbd_fit on simulated customers, one thread, median "
           "of %ld runs\n\n", runs);
    printf("| %-40s | %12s | %10s | %-4s |\n", "figure", "measured", "target",
           "");
    printf("|%s|%s|%s|%s|\n", "------------------------------------------",
           "--------------", "------------", "------");
    int rc;
    if (customers)
        rc = run((size_t)customers, (int)runs, (uint64_t)seed);
    else
        rc = run(100000, (int)runs, (uint64_t)seed) ||
             run(1000000, (int)runs, (uint64_t)seed);
    printf("\n%s", notes);
    return rc ? 1 : 0;
usage:
    fprintf(stderr, "usage: bgnbd [--customers N] [--runs N] [--seed N]\n");
    return 2;
}
