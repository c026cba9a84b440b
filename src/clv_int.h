/*
 * libloyalty - internal: shared numerics of the lifetime-value models.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_CLV_INT_H
#define LTY_CLV_INT_H

#include <stddef.h>

#include "alloc_int.h"
#include "loyalty/clv.h"

/* Digamma for x > 0 (recurrence to x >= 6, then the asymptotic series;
 * absolute error below 1e-14). */
LTY_INTERNAL double lty__digamma(double x);

/* log Gamma(x) for x > 0, without writing the global signgam (lgamma_r()
 * where configure found it, a series otherwise), so fits may run in
 * parallel threads. */
LTY_INTERNAL double lty__lgamma(double x);

/* The objective of the optimiser: f (to minimise) and its gradient g at
 * theta (dimension dim).  Returns 0, or non-zero when f is not finite there. */
typedef int (*lty__objective)(const double *theta, double *f, double *g,
                              void *ctx);

#define LTY__OPT_MAXDIM 4
#define LTY__OPT_MAXITER 500
#define LTY__OPT_GTOL 1e-9
/* |log parameter| limit, in units where the data's scale is 1 (the fits
 * divide times by the mean T and spend by the mean spend) */
#define LTY__OPT_BOUND 15.0

/* BFGS with a backtracking line search: minimise fn from theta (in/out).
 * Stops as clv.h documents.  Returns LTY_OK, or LTY_ERANGE with msg set. */
LTY_INTERNAL int lty__bfgs(lty__objective fn, void *ctx, double *theta,
                           int dim, double *fval, double *gnorm,
                           unsigned *iters, char *msg, size_t msglen);

/* Decode a stored "V" record (clv_store.c) into s (version set by the
 * caller): LTY_OK, LTY_ECORRUPT or LTY_EVERSION. */
LTY_INTERNAL int lty__clv_figures_decode(const void *data, size_t len,
                                         lty_clv_figures *s);

#endif /* LTY_CLV_INT_H */
