/*
 * libloyalty - campaigns: the forecast before launch.  Eligible customers
 * per segment, each segment's response rate from the stored results of the
 * store's other campaigns on the same channel (a Beta posterior), expected
 * revenue, costs and ROI with a seeded Monte Carlo interval.
 * docs/guide/campaigns.md ("Simulation") states the model.
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"

/* Responders and non-responders of past campaigns, per segment. */
typedef struct history {
    size_t nseg;
    struct {
        char name[LTY_TITLE_MAX + 1];
        uint64_t responders, nonresponders;      /* treatment */
        uint64_t c_responders, c_nonresponders;  /* control */
    } seg[LTY_CAMPAIGN_SEGMENTS_MAX];
} history;

typedef struct simulate_op {
    lty__pass pass;
    lty_campaign_forecast f;
    history h;
} simulate_op;

static void history_add(history *h, const lty__seg_counts *s)
{
    /* at most one row per segment name; past LTY_CAMPAIGN_SEGMENTS_MAX
     * names, a segment counts in the pooled figures only */
    size_t i = lty__campaign_seg_row(h->seg, &h->nseg, sizeof h->seg[0],
                                     s->name);
    if (i == SIZE_MAX)
        return;
    h->seg[i].responders += s->treatment_responders;
    h->seg[i].nonresponders += s->treatment - s->treatment_responders;
    h->seg[i].c_responders += s->control_responders;
    h->seg[i].c_nonresponders += s->control - s->control_responders;
}

static int simulate_body(lty_engine *e, void *arg)
{
    simulate_op *op = arg;
    lty__pass *p = &op->pass;
    lty_campaign_forecast *f = &op->f;
    lty_buf ids;
    int rc;
    p->r.version = LTY_CAMPAIGN_REPORT_VERSION;
    memset(&op->h, 0, sizeof op->h);
    f->history_campaigns = f->history_responders = 0;
    f->history_nonresponders = 0;
    f->history_control_responders = f->history_control_nonresponders = 0;
    if ((rc = lty__campaign_pass(e, p)) || (rc = lty__campaign_ids(e, &ids)))
        return rc;
    for (size_t off = 0; off < ids.len;) {
        const char *id = (const char *)ids.data + off;
        size_t n = strlen(id);
        lty__results res;
        off += n + 1;
        if (n == p->idlen && memcmp(id, p->id, n) == 0)
            continue;
        rc = lty__campaign_results_load(e, id, n, &res);
        if (rc == LTY_ENOTFOUND) {
            rc = LTY_OK;
            continue;
        }
        if (rc)
            break;
        if (res.channel != p->c.channel)
            continue;
        uint64_t measured = 0;
        for (size_t i = 0; i < res.nseg; i++) {
            const lty__seg_counts *s = &res.seg[i];
            measured += s->treatment + s->control;
            f->history_responders += s->treatment_responders;
            f->history_nonresponders += s->treatment - s->treatment_responders;
            f->history_control_responders += s->control_responders;
            f->history_control_nonresponders += s->control - s->control_responders;
            history_add(&op->h, s);
        }
        f->history_campaigns += measured > 0;
    }
    lty__buf_release(&ids);
    return rc;
}

/* xorshift64*, seeded through splitmix64 so that any seed works. */
static uint64_t sim_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

static double sim_uniform(uint64_t *s)
{
    return ((double)(sim_next(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double sim_normal(uint64_t *s)
{
    double u1 = sim_uniform(s), u2 = sim_uniform(s);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Marsaglia-Tsang for shape >= 1; below 1, a draw of shape + 1 times
 * U^(1/shape) (a segment's prior 2m can be under 1). */
static double sim_gamma(uint64_t *s, double shape)
{
    if (shape < 1.0) {
        double g = sim_gamma(s, shape + 1.0);
        return g * pow(sim_uniform(s), 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = sim_normal(s), v = 1.0 + c * x;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = sim_uniform(s);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

static double sim_beta(uint64_t *s, double a, double b)
{
    double x = sim_gamma(s, a), y = sim_gamma(s, b);
    return x / (x + y);
}

/* Binomial(n, p): exact for n <= 64, else the normal approximation. */
static double sim_binomial(uint64_t *s, uint64_t n, double p)
{
    if (n <= 64) {
        uint64_t k = 0;
        for (uint64_t i = 0; i < n; i++)
            k += sim_uniform(s) < p;
        return (double)k;
    }
    double nn = (double)n;
    double k = nn * p + sqrt(nn * p * (1.0 - p)) * sim_normal(s);
    return k < 0.0 ? 0.0 : k > nn ? nn : floor(k + 0.5);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void seed_state(uint64_t seed, uint64_t *s)
{
    uint64_t x = seed + UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    *s = x ? x : UINT64_C(0x9e3779b97f4a7c15);
}

/* A segment's posterior mean under the prior Beta(2m, 2(1 - m)). */
static double segment_mean(double m, uint64_t yes, uint64_t no)
{
    return (2.0 * m + (double)yes) / (2.0 + (double)yes + (double)no);
}

/* The closed-form part: pooled posteriors, each segment's prior and
 * posterior, expected responders and revenue, gross and incremental. */
static void expectations(const lty__pass *p, const history *h,
                         lty_campaign_forecast *f)
{
    f->prior_alpha = 1.0;
    f->prior_beta = 1.0;
    f->from_history = f->history_responders + f->history_nonresponders +
                          f->history_control_responders +
                          f->history_control_nonresponders > 0;
    f->posterior_alpha = f->prior_alpha + (double)f->history_responders;
    f->posterior_beta = f->prior_beta + (double)f->history_nonresponders;
    double m = f->posterior_alpha / (f->posterior_alpha + f->posterior_beta);
    double mc = (1.0 + (double)f->history_control_responders) /
                (2.0 + (double)f->history_control_responders +
                 (double)f->history_control_nonresponders);
    f->segment_count = p->nseg;
    f->expected_responders = f->expected_revenue = 0.0;
    f->expected_incremental_responders = f->expected_incremental_revenue = 0.0;
    for (size_t i = 0; i < p->nseg; i++) {
        lty_campaign_segment_forecast *g = &f->segments[i];
        int found;
        memset(g, 0, sizeof *g);
        memcpy(g->segment, p->seg[i].name, sizeof g->segment);
        g->treatment = p->seg[i].treatment;
        size_t j = lty__campaign_seg_slot(h->seg, h->nseg, sizeof h->seg[0],
                                          g->segment, &found);
        if (found) {
            g->history_responders = h->seg[j].responders;
            g->history_nonresponders = h->seg[j].nonresponders;
            g->history_control_responders = h->seg[j].c_responders;
            g->history_control_nonresponders = h->seg[j].c_nonresponders;
        }
        g->prior_alpha = 2.0 * m;
        g->prior_beta = 2.0 * (1.0 - m);
        g->posterior_alpha = g->prior_alpha + (double)g->history_responders;
        g->posterior_beta = g->prior_beta + (double)g->history_nonresponders;
        g->response_rate = segment_mean(m, g->history_responders,
                                        g->history_nonresponders);
        g->control_rate = segment_mean(mc, g->history_control_responders,
                                       g->history_control_nonresponders);
        g->expected_responders = (double)g->treatment * g->response_rate;
        g->expected_incremental_responders =
            (double)g->treatment * (g->response_rate - g->control_rate);
        g->spend_per_purchase = p->seg[i].purchases > 0.0
                                    ? p->seg[i].spend / p->seg[i].purchases
                                    : 0.0;
        g->expected_revenue = g->expected_responders * g->spend_per_purchase;
        f->expected_responders += g->expected_responders;
        f->expected_revenue += g->expected_revenue;
        f->expected_incremental_responders += g->expected_incremental_responders;
        f->expected_incremental_revenue +=
            g->expected_incremental_responders * g->spend_per_purchase;
    }
    uint64_t n = f->eligibility.treatment;
    f->response_rate = n ? f->expected_responders / (double)n : m;
    f->spend_per_purchase = f->expected_responders > 0.0
                                ? f->expected_revenue / f->expected_responders
                                : 0.0;
    f->cost = (double)n * ((double)p->c.cost_per_message +
                           (double)p->c.offer_cost);
}

/* The 5th and 95th percentiles of n sorted draws. */
static void interval(double *draws, size_t n, double *low, double *high)
{
    qsort(draws, n, sizeof draws[0], cmp_double);
    *low = draws[(n - 1) * 5 / 100];
    *high = draws[(n - 1) * 95 / 100];
}

static int simulate_figures(lty_engine *e, const lty__pass *p,
                            const history *h, uint64_t seed,
                            lty_campaign_forecast *f)
{
    const size_t draws_n = LTY_CAMPAIGN_SIMULATION_DRAWS;
    uint64_t s;
    expectations(p, h, f);
    f->roi = f->roi_low = f->roi_high = 0.0;
    f->incremental_roi = f->incremental_roi_low = f->incremental_roi_high = 0.0;
    if (f->cost <= 0.0)
        return LTY_OK;
    f->roi = (f->expected_revenue - f->cost) / f->cost;
    f->incremental_roi = (f->expected_incremental_revenue - f->cost) / f->cost;
    double *gross = lty__malloc(&e->alloc, 2 * draws_n * sizeof *gross);
    if (!gross)
        return lty__err(e, LTY_ENOMEM, "campaign forecast: out of memory");
    double *incr = gross + draws_n;
    double mc = (1.0 + (double)f->history_control_responders) /
                (2.0 + (double)f->history_control_responders +
                 (double)f->history_control_nonresponders);
    seed_state(seed, &s);
    for (size_t i = 0; i < draws_n; i++) {
        double revenue = 0.0, added = 0.0;
        for (size_t j = 0; j < f->segment_count; j++) {
            const lty_campaign_segment_forecast *g = &f->segments[j];
            double rate = sim_beta(&s, g->posterior_alpha, g->posterior_beta);
            double k = sim_binomial(&s, g->treatment, rate);
            double base = sim_beta(
                &s, 2.0 * mc + (double)g->history_control_responders,
                2.0 * (1.0 - mc) + (double)g->history_control_nonresponders);
            double kc = sim_binomial(&s, g->treatment, base);
            revenue += k * g->spend_per_purchase;
            added += (k - kc) * g->spend_per_purchase;
        }
        gross[i] = (revenue - f->cost) / f->cost;
        incr[i] = (added - f->cost) / f->cost;
    }
    interval(gross, draws_n, &f->roi_low, &f->roi_high);
    interval(incr, draws_n, &f->incremental_roi_low, &f->incremental_roi_high);
    lty__free(&e->alloc, gross);
    return LTY_OK;
}

int lty_campaign_simulate(lty_engine *e, const char *campaign_id,
                          uint64_t seed, lty_campaign_forecast *out)
{
    simulate_op *op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "campaign forecast: NULL");
    if ((rc = lty__check_version(e, "campaign forecast", out->version,
                                 LTY_CAMPAIGN_FORECAST_VERSION)))
        return rc;
    /* the op holds two tables of segments: on the heap, not the stack */
    if (!(op = lty__malloc(&e->alloc, sizeof *op)))
        return lty__err(e, LTY_ENOMEM, "campaign forecast: out of memory");
    memset(op, 0, sizeof *op);
    if ((rc = lty__campaign_check_id(e, campaign_id, &op->pass.idlen)))
        goto out;
    op->pass.id = campaign_id;
    op->pass.now = lty__now(e);
    op->pass.simulate = 1;
    op->f.version = LTY_CAMPAIGN_FORECAST_VERSION;
    lty__buf_init(&op->pass.prof, &e->alloc);
    rc = lty__txn(e, simulate_body, op);
    lty__buf_release(&op->pass.prof);
    if (rc)
        goto out;
    op->f.eligibility = op->pass.r;
    if ((rc = simulate_figures(e, &op->pass, &op->h, seed, &op->f)))
        goto out;
    *out = op->f;
out:
    lty__free(&e->alloc, op);
    return rc;
}
