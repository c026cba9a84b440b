/*
 * libloyalty - the numerics shared by the lifetime-value models: digamma, a
 * thread-safe log-gamma and a small BFGS minimiser with a backtracking line
 * search.
 *
 * SPDX-License-Identifier: MIT
 */
/* lgamma_r() is declared by glibc with _DEFAULT_SOURCE (configure checks) */
#define _DEFAULT_SOURCE 1

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clv_int.h"

double lty__digamma(double x)
{
    double r = 0.0;
    while (x < 6.0) {
        r -= 1.0 / x;
        x += 1.0;
    }
    double f = 1.0 / (x * x);
    return r + log(x) - 0.5 / x -
           f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 -
                f * (1.0 / 240 - f * (1.0 / 132)))));
}

#ifndef HAVE_LGAMMA_R
/* log Gamma(x) for x > 0 without lgamma(), which writes the global signgam:
 * the recurrence up to x >= 15, then Stirling's series (error below 1e-14
 * absolute). */
static double lgamma_series(double x)
{
    double shift = 0.0, prod = 1.0;
    while (x < 15.0) {
        prod *= x;
        x += 1.0;
    }
    if (prod != 1.0)
        shift = log(prod);
    double f = 1.0 / (x * x);
    return (x - 0.5) * log(x) - x + 0.91893853320467274178 - shift +
           (1.0 / 12 - f * (1.0 / 360 - f * (1.0 / 1260 - f * (1.0 / 1680 -
            f * (1.0 / 1188))))) / x;
}
#endif

double lty__lgamma(double x)
{
#ifdef HAVE_LGAMMA_R
    int sign;
    return lgamma_r(x, &sign);
#else
    if (!(x > 0.0) || !isfinite(x))
        return x == INFINITY ? INFINITY : NAN;
    return lgamma_series(x);
#endif
}

static double maxabs(const double *v, int n)
{
    double m = 0.0;
    for (int i = 0; i < n; i++)
        if (fabs(v[i]) > m)
            m = fabs(v[i]);
    return m;
}

static void set_identity(double H[LTY__OPT_MAXDIM][LTY__OPT_MAXDIM], int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            H[i][j] = i == j ? 1.0 : 0.0;
}

/* The stopping rule (documented in clv.h):
 *  - converged when max |g| < LTY__OPT_GTOL;
 *  - converged when an accepted step improves f by less than 1e-15
 *    relative and max |g| < 1e-6, or when the line search can no longer
 *    decrease f (f is flat to rounding) and max |g| < 1e-6;
 *  - failed after LTY__OPT_MAXITER iterations, when a coordinate leaves
 *    [-LTY__OPT_BOUND, LTY__OPT_BOUND] (a parameter runs off to 0 or
 *    infinity), or when no decrease can be found far from a stationary
 *    point. */
int lty__bfgs(lty__objective fn, void *ctx, double *x, int n, double *fval,
              double *gnorm, unsigned *iters, char *msg, size_t msglen)
{
    double H[LTY__OPT_MAXDIM][LTY__OPT_MAXDIM];
    double g[LTY__OPT_MAXDIM], d[LTY__OPT_MAXDIM], xn[LTY__OPT_MAXDIM];
    double gn[LTY__OPT_MAXDIM], s[LTY__OPT_MAXDIM], y[LTY__OPT_MAXDIM];
    double Hy[LTY__OPT_MAXDIM];
    double f = 0.0, fnew = 0.0;
    int fresh = 1;
    unsigned it;

    *iters = 0;
    if (fn(x, &f, g, ctx) || !isfinite(f) || !isfinite(maxabs(g, n))) {
        snprintf(msg, msglen, "the likelihood is not finite at the start");
        return LTY_ERANGE;
    }
    set_identity(H, n);
    for (it = 1; it <= LTY__OPT_MAXITER; it++) {
        double gmax = maxabs(g, n);
        *iters = it - 1;
        *gnorm = gmax;
        *fval = f;
        if (gmax < LTY__OPT_GTOL) {
            snprintf(msg, msglen, "converged");
            return LTY_OK;
        }
        double slope = 0.0;
        for (int i = 0; i < n; i++) {
            d[i] = 0.0;
            for (int j = 0; j < n; j++)
                d[i] -= H[i][j] * g[j];
            slope += d[i] * g[i];
        }
        if (!(slope < 0.0)) { /* not a descent direction: restart */
            set_identity(H, n);
            fresh = 1;
            slope = 0.0;
            for (int i = 0; i < n; i++) {
                d[i] = -g[i];
                slope -= g[i] * g[i];
            }
        }
        /* never jump further than e^5 in one step */
        double dm = maxabs(d, n);
        if (dm > 5.0) {
            for (int i = 0; i < n; i++)
                d[i] *= 5.0 / dm;
            slope *= 5.0 / dm;
        }
        double t = 1.0;
        int ok = 0;
        for (int k = 0; k < 60; k++, t *= 0.5) {
            for (int i = 0; i < n; i++)
                xn[i] = x[i] + t * d[i];
            if (fn(xn, &fnew, gn, ctx) || !isfinite(fnew) ||
                !isfinite(maxabs(gn, n)))
                continue;
            if (fnew <= f + 1e-4 * t * slope) {
                ok = 1;
                break;
            }
        }
        if (!ok) {
            if (gmax < 1e-6) {
                snprintf(msg, msglen, "converged");
                return LTY_OK;
            }
            if (!fresh) { /* retry from steepest descent */
                set_identity(H, n);
                fresh = 1;
                continue;
            }
            snprintf(msg, msglen, "did not converge: no decrease found "
                     "(gradient %.3g after %u iterations)", gmax, it - 1);
            return LTY_ERANGE;
        }
        double sy = 0.0, yy = 0.0, ss = 0.0;
        for (int i = 0; i < n; i++) {
            s[i] = xn[i] - x[i];
            y[i] = gn[i] - g[i];
            sy += s[i] * y[i];
            yy += y[i] * y[i];
            ss += s[i] * s[i];
        }
        double improvement = f - fnew;
        memcpy(x, xn, sizeof(double) * (size_t)n);
        memcpy(g, gn, sizeof(double) * (size_t)n);
        f = fnew;
        for (int i = 0; i < n; i++)
            if (fabs(x[i]) > LTY__OPT_BOUND) {
                *iters = it;
                snprintf(msg, msglen, "did not converge: parameter %d runs "
                         "off to %s", i + 1, x[i] > 0 ? "infinity" : "zero");
                return LTY_ERANGE;
            }
        if (improvement <= 1e-15 * fmax(1.0, fabs(f)) && maxabs(g, n) < 1e-6) {
            *iters = it;
            *gnorm = maxabs(g, n);
            *fval = f;
            snprintf(msg, msglen, "converged");
            return LTY_OK;
        }
        if (sy > 1e-12 * sqrt(ss * yy)) {
            if (fresh) {
                double sc = sy / yy;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        H[i][j] = i == j ? sc : 0.0;
                fresh = 0;
            }
            double rho = 1.0 / sy, yHy = 0.0;
            for (int i = 0; i < n; i++) {
                Hy[i] = 0.0;
                for (int j = 0; j < n; j++)
                    Hy[i] += H[i][j] * y[j];
                yHy += y[i] * Hy[i];
            }
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    H[i][j] += -rho * (Hy[i] * s[j] + s[i] * Hy[j]) +
                               (rho * rho * yHy + rho) * s[i] * s[j];
        }
    }
    *iters = LTY__OPT_MAXITER;
    *gnorm = maxabs(g, n);
    *fval = f;
    snprintf(msg, msglen, "did not converge in %d iterations (gradient %.3g)",
             LTY__OPT_MAXITER, *gnorm);
    return LTY_ERANGE;
}
