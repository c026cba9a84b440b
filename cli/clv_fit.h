/*
 * loyalty - fitting the lifetime-value models over the store, shared by
 * `clv` and `churn`.
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_CLV_FIT_H
#define LOYALTY_CLI_CLV_FIT_H

#include "args.h"
#include "cli.h"

typedef struct cli_clv {
    lty_clv_summary *summary;
    const lty_clv_row *rows;
    size_t n;
    lty_bgnbd_model bg;
    lty_gamgam_model gg;
    lty_clv_options opts;
    lty_clv_score *scores;
} cli_clv;

/* The options clv and churn share. */
#define CLI_CLV_OPTS {"period", 1}, {"months", 1}, {"discount-rate", 1}, \
    {"threshold", 1}, {"limit", 1}, {"no-save", 0}

/* Summarise the store, fit BG/NBD and Gamma-Gamma, score every customer
 * and (unless --no-save) store the figures.  0 or a CLI_EXIT_* code. */
int cli_clv_run(cli_ctx *ctx, const cli_args *a, const char *command, cli_clv *out);
void cli_clv_free(cli_clv *c);

#endif
