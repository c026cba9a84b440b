/*
 * libloyalty - the BG/NBD model (Fader, Hardie & Lee 2005): log-likelihood,
 * analytic gradient and the maximum-likelihood fit.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv_int.h"

/* Above this, frequencies are refused (more repeat periods than 2,700
 * years of days): the per-frequency tables stay small. */
#define XMAX 10000000.0

/* Customers with the same history (x, t_x, T) contribute the same terms:
 * they are evaluated once, with their number as a weight.  Summaries in
 * days or weeks have whole-period histories, so a large base has far fewer
 * distinct histories than customers. */
typedef struct bg_group {
    double x, tx, T; /* tx and T already multiplied by the time scale */
    double w;        /* how many customers */
} bg_group;

typedef struct bg_data {
    size_t n;          /* customers */
    bg_group *grp;     /* distinct histories, in order of first appearance */
    size_t ngrp;
    size_t xmax;
    size_t *count;     /* customers per frequency 0..xmax */
    double *tab;       /* per frequency: lbx1 (log(b + x - 1)) */
} bg_data;

static int check_rows(const lty_clv_row *rows, size_t n, size_t *xmax,
                      size_t *repeaters, char *msg, size_t msglen)
{
    double m = 0.0;
    size_t rep = 0;
    for (size_t i = 0; i < n; i++) {
        const lty_clv_row *r = &rows[i];
        if (!(r->frequency >= 0.0 && r->frequency <= XMAX &&
              r->frequency == floor(r->frequency) && r->T >= 0.0 &&
              isfinite(r->T) && r->recency >= 0.0 && r->recency <= r->T)) {
            snprintf(msg, msglen, "row %zu: frequency must be a whole number "
                     ">= 0 and 0 <= recency <= T", i);
            return LTY_EINVALID;
        }
        if (r->frequency > m)
            m = r->frequency;
        if (r->frequency > 0)
            rep++;
    }
    *xmax = (size_t)m;
    *repeaters = rep;
    return LTY_OK;
}

/* The mean negative log-likelihood and its gradient in log-parameters.  The
 * terms that depend on a customer only through x (A1, A2 of FHL eq. 6) are
 * summed once per distinct frequency, the others once per distinct
 * history, weighted by its number of customers. */
static int bg_objective(const double *th, double *f, double *g, void *ctx)
{
    bg_data *D = ctx;
    double r = exp(th[0]), al = exp(th[1]), a = exp(th[2]), b = exp(th[3]);
    double ll = 0.0, dr = 0.0, dal = 0.0, da = 0.0, db = 0.0;
    double lgr = lty__lgamma(r), psr = lty__digamma(r);
    double lgab = lty__lgamma(a + b), psab = lty__digamma(a + b);
    double lgb = lty__lgamma(b), psb = lty__digamma(b);
    double la = log(a), lal = log(al);
    double nd = (double)D->n;

    for (size_t x = 0; x <= D->xmax; x++) {
        if (!D->count[x])
            continue;
        double c = (double)D->count[x], xd = (double)x;
        /* A1 without r log alpha; A2 */
        double c1 = lty__lgamma(r + xd) - lgr;
        double d1 = lty__digamma(r + xd) - psr;
        double c2 = lgab + lty__lgamma(b + xd) - lgb -
                    lty__lgamma(a + b + xd);
        double psabx = lty__digamma(a + b + xd);
        ll += c * (c1 + c2);
        dr += c * d1;
        da += c * (psab - psabx);
        db += c * (psab + lty__digamma(b + xd) - psb - psabx);
        D->tab[x] = x > 0 ? log(b + xd - 1.0) : 0.0;
    }
    ll += nd * r * lal;
    dr += nd * lal;
    dal += nd * r / al;

    double s_ll = 0.0, s_dr = 0.0, s_dal = 0.0, s_w4 = 0.0, s_w4b = 0.0;
    const bg_group *grp = D->grp;
    for (size_t i = 0; i < D->ngrp; i++) {
        double x = grp[i].x, T = grp[i].T, tx = grp[i].tx, c = grp[i].w;
        double rx = r + x;
        double aT = al + T, lT = log(aT);
        double A3 = -rx * lT;
        if (x == 0.0) {
            s_ll += c * A3;
            s_dr -= c * lT;
            s_dal -= c * rx / aT;
            continue;
        }
        double at = al + tx;
        double lt = tx == T ? lT : log(at);
        double bx1 = D->tab[(size_t)x];
        double A4 = la - bx1 - rx * lt;
        double w3, w4, m, e;
        if (A3 >= A4) {
            e = exp(A4 - A3);
            m = A3;
            w3 = 1.0 / (1.0 + e);
            w4 = e * w3;
        } else {
            e = exp(A3 - A4);
            m = A4;
            w4 = 1.0 / (1.0 + e);
            w3 = e * w4;
        }
        s_ll += c * (m + log1p(e));
        s_dr -= c * (w3 * lT + w4 * lt);
        s_dal -= c * rx * (w3 / aT + w4 / at);
        s_w4 += c * w4;
        s_w4b += c * w4 / (b + x - 1.0);
    }
    ll += s_ll;
    dr += s_dr;
    dal += s_dal;
    da += s_w4 / a;
    db -= s_w4b;
    if (!isfinite(ll))
        return 1;
    *f = -ll / nd;
    g[0] = -r * dr / nd;
    g[1] = -al * dal / nd;
    g[2] = -a * da / nd;
    g[3] = -b * db / nd;
    return 0;
}

static uint64_t key_bits(double v)
{
    uint64_t u;
    v += 0.0; /* -0 and +0 are one value */
    memcpy(&u, &v, sizeof u);
    return u;
}

static size_t history_hash(double x, double tx, double T)
{
    uint64_t h = key_bits(x) * 0x9e3779b97f4a7c15ULL;
    h = (h ^ key_bits(tx) ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ key_bits(T) ^ (h >> 31)) * 0x94d049bb133111ebULL;
    return (size_t)(h ^ (h >> 32));
}

/* Count the customers per frequency and group the distinct histories (an
 * open-addressing hash table on (x, t_x, T), in one pass); times are
 * multiplied by inv once grouped. */
static int bg_prepare(bg_data *D, const lty_clv_row *rows, size_t n,
                      size_t xmax, double inv)
{
    memset(D, 0, sizeof *D);
    D->n = n;
    D->xmax = xmax;
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    size_t *slot = malloc(cap * sizeof *slot); /* group index + 1; 0: empty */
    size_t gcap = n < 1024 ? n : 1024;
    D->count = calloc(xmax + 1, sizeof *D->count);
    D->tab = calloc(xmax + 1, sizeof *D->tab);
    D->grp = malloc(gcap * sizeof *D->grp);
    if (!slot || !D->count || !D->tab || !D->grp)
        goto nomem;
    memset(slot, 0, cap * sizeof *slot);
    for (size_t i = 0; i < n; i++) {
        double x = rows[i].frequency, tx = rows[i].recency, T = rows[i].T;
        D->count[(size_t)x]++;
        size_t h = history_hash(x, tx, T) & (cap - 1);
        for (;;) {
            size_t k = slot[h];
            if (!k)
                break;
            bg_group *gp = &D->grp[k - 1];
            if (gp->x == x && gp->tx == tx && gp->T == T) {
                gp->w += 1.0;
                goto next;
            }
            h = (h + 1) & (cap - 1);
        }
        if (D->ngrp == gcap) {
            size_t nc = gcap * 2 < n ? gcap * 2 : n;
            bg_group *p = realloc(D->grp, nc * sizeof *p);
            if (!p)
                goto nomem;
            D->grp = p;
            gcap = nc;
        }
        D->grp[D->ngrp].x = x;
        D->grp[D->ngrp].tx = tx;
        D->grp[D->ngrp].T = T;
        D->grp[D->ngrp].w = 1.0;
        slot[h] = ++D->ngrp;
next:;
    }
    free(slot);
    for (size_t i = 0; i < D->ngrp; i++) {
        D->grp[i].tx *= inv;
        D->grp[i].T *= inv;
    }
    return LTY_OK;
nomem:
    free(slot);
    free(D->count);
    free(D->tab);
    free(D->grp);
    memset(D, 0, sizeof *D);
    return LTY_ENOMEM;
}

static void bg_release(bg_data *D)
{
    free(D->count);
    free(D->tab);
    free(D->grp);
}

static int fail(lty_bgnbd_model *out, int rc, const char *text)
{
    char keep[LTY_CLV_MESSAGE_MAX];
    snprintf(keep, sizeof keep, "BG/NBD fit: %.120s", text);
    memset(out, 0, sizeof *out);
    memcpy(out->message, keep, sizeof keep);
    return rc;
}

int lty_bgnbd_log_likelihood(const lty_bgnbd_model *m,
                             const lty_clv_row *rows, size_t n, double *ll)
{
    char msg[LTY_CLV_MESSAGE_MAX];
    size_t xmax, rep;
    bg_data D;
    double th[4], f, g[4];
    if (!m || !ll || (!rows && n) || !(m->r > 0) || !(m->alpha > 0) ||
        !(m->a > 0) || !(m->b > 0) || !isfinite(m->r + m->alpha + m->a + m->b))
        return LTY_EINVALID;
    if (n == 0) {
        *ll = 0.0;
        return LTY_OK;
    }
    int rc = check_rows(rows, n, &xmax, &rep, msg, sizeof msg);
    if (rc)
        return rc;
    if ((rc = bg_prepare(&D, rows, n, xmax, 1.0)))
        return rc;
    th[0] = log(m->r);
    th[1] = log(m->alpha);
    th[2] = log(m->a);
    th[3] = log(m->b);
    rc = bg_objective(th, &f, g, &D) ? LTY_ERANGE : LTY_OK;
    bg_release(&D);
    if (!rc)
        *ll = -f * (double)n;
    return rc;
}

int lty_bgnbd_fit(lty_bgnbd_model *out, const lty_clv_row *rows, size_t n)
{
    char msg[LTY_CLV_MESSAGE_MAX];
    size_t xmax, rep;
    bg_data D;
    if (!out)
        return LTY_EINVALID;
    if (!rows && n)
        return fail(out, LTY_EINVALID, "NULL rows");
    if (n < 2)
        return fail(out, LTY_ESTATE, "too few customers (at least 2 needed)");
    int rc = check_rows(rows, n, &xmax, &rep, msg, sizeof msg);
    if (rc)
        return fail(out, rc, msg);
    if (rep == 0)
        return fail(out, LTY_ESTATE, "no repeat buyers (every frequency is 0)");
    double sumT = 0.0, sumx = 0.0;
    for (size_t i = 0; i < n; i++) {
        sumT += rows[i].T;
        sumx += rows[i].frequency;
    }
    if (!(sumT > 0.0))
        return fail(out, LTY_ESTATE, "no observation time (every T is 0)");
    /* Times are divided by the mean T, so the parameters are of order one
     * whatever the period (alpha is scaled back, and the log-likelihood
     * shifted by -sum(x) log(scale), at the end).  Start: r = 1, alpha =
     * the mean time per purchase, a = b = 1. */
    double scale = sumT / (double)n;
    if ((rc = bg_prepare(&D, rows, n, xmax, 1.0 / scale)))
        return fail(out, rc, "out of memory");
    double th[4] = {0.0, log(fmax((double)n / fmax(sumx, 1.0), 1e-6)), 0.0,
                    0.0};
    double f = 0.0, gmax = 0.0;
    unsigned iters = 0;
    rc = lty__bfgs(bg_objective, &D, th, 4, &f, &gmax, &iters, msg, sizeof msg);
    bg_release(&D);
    if (rc)
        return fail(out, rc, msg);
    memset(out, 0, sizeof *out);
    out->r = exp(th[0]);
    out->alpha = exp(th[1]) * scale;
    out->a = exp(th[2]);
    out->b = exp(th[3]);
    out->log_likelihood = -f * (double)n - sumx * log(scale);
    out->iterations = iters;
    out->gradient_norm = gmax;
    snprintf(out->message, sizeof out->message, "%s", msg);
    return LTY_OK;
}
