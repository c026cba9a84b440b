/*
 * libloyalty - the Gamma-Gamma spend model (Fader, Hardie & Lee 2005, JMR):
 * log-likelihood, analytic gradient and the maximum-likelihood fit.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv_int.h"

/* The customers used: x > 0 and spend > 0, with the per-customer constants
 * (x, log x, log m, x m).  Frequencies are grouped: lgamma and digamma are
 * computed once per distinct x. */
typedef struct gg_data {
    size_t n;
    double *x, *lm, *xm;
    size_t nx;          /* distinct frequencies */
    double *ux;         /* their values */
    double *ucount;     /* customers per value */
    double sum_xlx_xlm; /* sum of x log x + x log m */
    double sum_lm;      /* sum of log m */
} gg_data;

static int gg_objective(const double *th, double *f, double *g, void *ctx)
{
    gg_data *D = ctx;
    double p = exp(th[0]), q = exp(th[1]), v = exp(th[2]);
    double nd = (double)D->n;
    double lgq = lty__lgamma(q), psq = lty__digamma(q), lv = log(v);
    double ll = 0.0, dp = 0.0, dq = 0.0, dv = 0.0;
    for (size_t k = 0; k < D->nx; k++) {
        double x = D->ux[k], c = D->ucount[k];
        double px = p * x;
        double pxq = lty__digamma(px + q);
        ll += c * (lty__lgamma(px + q) - lty__lgamma(px) - lgq);
        dp += c * x * (pxq - lty__digamma(px));
        dq += c * (pxq - psq);
    }
    /* q log v + (p x - 1) log m + p x log x, summed */
    ll += nd * q * lv + p * D->sum_xlx_xlm - D->sum_lm;
    dp += D->sum_xlx_xlm;
    dq += nd * lv;
    dv += nd * q / v;
    for (size_t i = 0; i < D->n; i++) {
        double x = D->x[i], w = D->xm[i] + v, lw = log(w);
        ll -= (p * x + q) * lw;
        dp -= x * lw;
        dq -= lw;
        dv -= (p * x + q) / w;
    }
    if (!isfinite(ll))
        return 1;
    *f = -ll / nd;
    g[0] = -p * dp / nd;
    g[1] = -q * dq / nd;
    g[2] = -v * dv / nd;
    return 0;
}

static int fail(lty_gamgam_model *out, int rc, const char *text)
{
    char keep[LTY_CLV_MESSAGE_MAX];
    snprintf(keep, sizeof keep, "Gamma-Gamma fit: %.120s", text);
    memset(out, 0, sizeof *out);
    memcpy(out->message, keep, sizeof keep);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int lty_gamgam_fit(lty_gamgam_model *out, const lty_clv_row *rows, size_t n)
{
    gg_data D;
    char msg[LTY_CLV_MESSAGE_MAX];
    if (!out)
        return LTY_EINVALID;
    if (!rows && n)
        return fail(out, LTY_EINVALID, "NULL rows");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double x = rows[i].frequency, z = rows[i].monetary;
        if (!(x >= 0.0 && isfinite(x) && x == floor(x) && z >= 0.0 &&
              isfinite(z))) {
            snprintf(msg, sizeof msg, "row %zu: frequency must be a whole "
                     "number >= 0 and monetary >= 0", i);
            return fail(out, LTY_EINVALID, msg);
        }
        if (x > 0 && z > 0)
            m++;
    }
    if (m < 2)
        return fail(out, LTY_ESTATE, "too few repeat buyers with spend "
                                     "(at least 2 needed)");
    memset(&D, 0, sizeof D);
    D.n = m;
    D.x = malloc(m * sizeof *D.x);
    D.lm = malloc(m * sizeof *D.lm);
    D.xm = malloc(m * sizeof *D.xm);
    D.ux = malloc(m * sizeof *D.ux);
    D.ucount = malloc(m * sizeof *D.ucount);
    int rc = LTY_OK;
    if (!D.x || !D.lm || !D.xm || !D.ux || !D.ucount) {
        rc = fail(out, LTY_ENOMEM, "out of memory");
        goto done;
    }
    double sumz = 0.0, sumz2 = 0.0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].frequency > 0 && rows[i].monetary > 0)
            sumz += rows[i].monetary;
    /* Spend is divided by its mean, so the parameters are of order one in
     * any currency (gamma is scaled back, and the log-likelihood shifted by
     * -m log(scale), at the end). */
    double scale = sumz / (double)m;
    sumz = 0.0;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        double x = rows[i].frequency, z = rows[i].monetary / scale;
        if (!(x > 0 && rows[i].monetary > 0))
            continue;
        D.x[j] = x;
        D.lm[j] = log(z);
        D.xm[j] = x * z;
        D.sum_xlx_xlm += x * log(x) + x * D.lm[j];
        D.sum_lm += D.lm[j];
        D.ux[j] = x;
        sumz += z;
        sumz2 += z * z;
        j++;
    }
    qsort(D.ux, m, sizeof *D.ux, cmp_double);
    for (size_t i = 0; i < m; i++) {
        if (D.nx && D.ux[D.nx - 1] == D.ux[i]) {
            D.ucount[D.nx - 1] += 1.0;
        } else {
            D.ux[D.nx] = D.ux[i];
            D.ucount[D.nx++] = 1.0;
        }
    }
    /* start: p = 1, q = 2, gamma = the mean spend (a spend rate of about
     * 1/mean), unless every spend is the same */
    double mean = sumz / (double)m;
    if (sumz2 / (double)m - mean * mean <= 1e-12 * mean * mean) {
        rc = fail(out, LTY_ERANGE, "every spend is the same: the spread "
                                   "cannot be estimated");
        goto done;
    }
    double th[3] = {0.0, log(2.0), log(mean)}; /* mean is 1 here */
    double f = 0.0, gmax = 0.0;
    unsigned iters = 0;
    rc = lty__bfgs(gg_objective, &D, th, 3, &f, &gmax, &iters, msg, sizeof msg);
    if (rc) {
        rc = fail(out, rc, msg);
        goto done;
    }
    memset(out, 0, sizeof *out);
    out->p = exp(th[0]);
    out->q = exp(th[1]);
    out->gamma = exp(th[2]) * scale;
    out->log_likelihood = -f * (double)m - (double)m * log(scale);
    out->iterations = iters;
    out->gradient_norm = gmax;
    snprintf(out->message, sizeof out->message, "%s", msg);
done:
    free(D.x);
    free(D.lm);
    free(D.xm);
    free(D.ux);
    free(D.ucount);
    return rc;
}

double lty_gamgam_expected_spend(const lty_gamgam_model *m, double x,
                                 double monetary)
{
    if (!m || !(m->p > 0) || !(m->q > 0) || !(m->gamma > 0) || !(x >= 0) ||
        !(monetary >= 0) || !isfinite(x) || !isfinite(monetary))
        return NAN;
    double den = m->p * x + m->q - 1.0;
    if (!(den > 0))
        return NAN;
    return m->p * (m->gamma + x * monetary) / den;
}
