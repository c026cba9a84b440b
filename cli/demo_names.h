/*
 * loyalty CLI - Korean names and the demo's seeded generator.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_DEMO_NAMES_H
#define LOYALTY_CLI_DEMO_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64: small, fast, and the same sequence on every platform. */
typedef struct demo_rng {
    uint64_t s;
} demo_rng;

uint64_t demo_next(demo_rng *r);
/* Uniform in [0, n). */
uint64_t demo_below(demo_rng *r, uint64_t n);
/* Uniform in [0, 1). */
double demo_unit(demo_rng *r);
/* Exponential with mean @p mean. */
double demo_exp(demo_rng *r, double mean);

/* Gamma with shape @p k and scale 1 (Marsaglia and Tsang). */
double demo_gamma(demo_rng *r, double k);

/* A Korean full name (family name first) into @p buf, UTF-8; surnames by
 * their frequency in Korea. */
void demo_korean_name(demo_rng *r, char *buf, size_t len);

#endif
