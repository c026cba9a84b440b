/*
 * libloyalty - per-customer predictions of the fitted models: P(alive),
 * expected purchases, lifetime value and churn risk.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clv_int.h"

/* The most terms the hypergeometric series may take. */
#define SERIES_MAX 2000000

static int model_ok(const lty_bgnbd_model *m)
{
    return m && m->r > 0 && m->alpha > 0 && m->a > 0 && m->b > 0 &&
           isfinite(m->r) && isfinite(m->alpha) && isfinite(m->a) &&
           isfinite(m->b);
}

static int history_ok(double x, double tx, double T)
{
    return x >= 0 && isfinite(x) && x == floor(x) && T >= 0 && isfinite(T) &&
           tx >= 0 && tx <= T;
}

/* a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x), the odds of having dropped out */
static double death_odds(const lty_bgnbd_model *m, double x, double tx,
                         double T)
{
    if (x == 0)
        return 0.0;
    return exp(log(m->a) - log(m->b + x - 1.0) +
               (m->r + x) * (log(m->alpha + T) - log(m->alpha + tx)));
}

double lty_bgnbd_p_alive(const lty_bgnbd_model *m, double x, double t_x,
                         double T)
{
    if (!model_ok(m) || !history_ok(x, t_x, T))
        return NAN;
    return 1.0 / (1.0 + death_odds(m, x, t_x, T));
}

/* FHL 2005 eq. 10.  With A = r + x, B = b + x, C = a + b + x - 1 and
 * z = t / (alpha + T + t), the numerator
 *   C/(a-1) [1 - (1-z)^A 2F1(A, B; C; z)]
 * is rewritten with Euler's transformation (1-z)^A 2F1(A,B;C;z) =
 * (1-z)^(a-1) 2F1(C-A, a-1; C; z) and the factors (a-1) and C cancelled
 * by hand:
 *   C h - (1-z)^(a-1) (C-A) z S,   h = (1 - (1-z)^(a-1)) / (a-1),
 *   S = sum_j (C-A+1)_j (a)_j / ((C+1)_j (j+1)!) z^j,
 * which has no singularity at a = 1 or C = 0 and converges for z < 1
 * (its terms fall like z^j j^-(A-a+2)).  The series is summed until a term
 * is below 1e-16 of the sum and the terms are shrinking. */
int lty_bgnbd_expected_purchases(const lty_bgnbd_model *m, double x,
                                 double t_x, double T, double t, double *out)
{
    if (!out || !model_ok(m) || !history_ok(x, t_x, T) || !(t >= 0) ||
        !isfinite(t))
        return LTY_EINVALID;
    if (t == 0) {
        *out = 0.0;
        return LTY_OK;
    }
    double A = m->r + x, C = m->a + m->b + x - 1.0, a = m->a;
    double z = t / (m->alpha + T + t);
    double L = log(m->alpha + T) - log(m->alpha + T + t); /* log(1 - z) */
    double h = fabs(a - 1.0) < 1e-300 ? -L : -expm1((a - 1.0) * L) / (a - 1.0);
    double term = 1.0, sum = 1.0, ca1 = C - A + 1.0;
    int j, done = 0;
    for (j = 0; j < SERIES_MAX; j++) {
        double ratio = (ca1 + j) * (a + j) * z / ((C + 1.0 + j) * (j + 2.0));
        term *= ratio;
        sum += term;
        if (fabs(term) <= 1e-16 * fabs(sum) && fabs(ratio) < 1.0) {
            done = 1;
            break;
        }
    }
    if (!done || !isfinite(sum))
        return LTY_ERANGE;
    double num = C * h - exp((a - 1.0) * L) * (C - A) * z * sum;
    double e = num / (1.0 + death_odds(m, x, t_x, T));
    if (!isfinite(e))
        return LTY_ERANGE;
    *out = e < 0 ? 0.0 : e;
    return LTY_OK;
}

int lty_clv_compute(lty_clv_score *scores, const lty_clv_row *rows, size_t n,
                    const lty_bgnbd_model *bg, const lty_gamgam_model *gg,
                    const lty_clv_options *opts)
{
    lty_clv_options o = LTY_CLV_OPTIONS_INIT;
    if ((!scores || !rows) && n)
        return LTY_EINVALID;
    if (!model_ok(bg) || !gg || !(gg->q > 1) || !(gg->p > 0) ||
        !(gg->gamma > 0))
        return LTY_EINVALID;
    if (opts) {
        if (opts->version == 0 || opts->version > LTY_CLV_OPTIONS_VERSION)
            return LTY_EVERSION;
        o = *opts;
    }
    if ((o.period != LTY_CLV_PERIOD_DAY && o.period != LTY_CLV_PERIOD_WEEK) ||
        o.months < 1 || o.months > 1200 || !(o.discount_rate > -1.0) ||
        !isfinite(o.discount_rate))
        return LTY_EINVALID;
    double month = o.period == LTY_CLV_PERIOD_DAY ? 30.0 : 4.345;
    for (size_t i = 0; i < n; i++) {
        const lty_clv_row *r = &rows[i];
        lty_clv_score *s = &scores[i];
        if (!history_ok(r->frequency, r->recency, r->T) ||
            !(r->monetary >= 0) || !isfinite(r->monetary))
            return LTY_EINVALID;
        memset(s, 0, sizeof *s);
        s->p_alive = lty_bgnbd_p_alive(bg, r->frequency, r->recency, r->T);
        s->expected_spend = lty_gamgam_expected_spend(gg, r->frequency,
                                                      r->monetary);
        double prev = 0.0, clv = 0.0, disc = 1.0;
        for (unsigned k = 1; k <= o.months; k++) {
            double cur;
            int rc = lty_bgnbd_expected_purchases(bg, r->frequency, r->recency,
                                                  r->T, month * k, &cur);
            if (rc)
                return rc;
            disc /= 1.0 + o.discount_rate;
            clv += s->expected_spend * (cur - prev) * disc;
            prev = cur;
        }
        s->expected_purchases = prev;
        s->clv = clv;
        s->value_at_stake = s->p_alive > 0 ? clv / s->p_alive : 0.0;
    }
    return LTY_OK;
}


/* qsort has no context argument in C11: a merge sort of our own keeps
 * this call free of global state (and so thread-safe). */
static void merge_sort(size_t *v, size_t *tmp, size_t n,
                       const lty_clv_score *s)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(v, tmp, h, s);
    merge_sort(v + h, tmp, n - h, s);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        double vi = s[v[i]].value_at_stake, vj = s[v[j]].value_at_stake;
        /* stable: equal values keep index order */
        if (vj > vi)
            tmp[k++] = v[j++];
        else
            tmp[k++] = v[i++];
    }
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

int lty_clv_churn_risk(size_t **out, size_t *count,
                       const lty_clv_score *scores, size_t n,
                       double threshold)
{
    lty_allocator al;
    if (!out || !count || (!scores && n) || !(threshold > 0) ||
        !(threshold <= 1))
        return LTY_EINVALID;
    *out = NULL;
    *count = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (scores[i].p_alive < threshold)
            k++;
    if (!k)
        return LTY_OK;
    lty__alloc_init(&al, NULL);
    size_t *v = lty__user_alloc(&al, k * sizeof *v);
    size_t *tmp = malloc(k * sizeof *tmp);
    if (!v || !tmp) {
        lty_free(v);
        free(tmp);
        return LTY_ENOMEM;
    }
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (scores[i].p_alive < threshold)
            v[k++] = i;
    merge_sort(v, tmp, k, scores);
    free(tmp);
    *out = v;
    *count = k;
    return LTY_OK;
}
