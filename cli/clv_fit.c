/*
 * loyalty - fitting the lifetime-value models over the store: the
 * `lifetimes` summary of every purchasing customer, BG/NBD and
 * Gamma-Gamma by maximum likelihood, scores per customer, stored for the
 * cards and campaigns unless --no-save.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "clv_fit.h"
#include "values.h"

int cli_clv_run(cli_ctx *ctx, const cli_args *a, const char *command, cli_clv *c)
{
    lty_clv_summary_options so = LTY_CLV_SUMMARY_OPTIONS_INIT;
    lty_clv_options o = LTY_CLV_OPTIONS_INIT;
    const char *s;
    int64_t v;
    int rc;
    memset(c, 0, sizeof *c);
    if ((s = cli_arg(a, "period"))) {
        if (!strcmp(s, "day"))
            so.period = LTY_CLV_PERIOD_DAY;
        else if (!strcmp(s, "week"))
            so.period = LTY_CLV_PERIOD_WEEK;
        else {
            cli_errorf("--period: '%s' is not day or week", s);
            return CLI_EXIT_USAGE;
        }
    }
    o.period = so.period;
    if ((s = cli_arg(a, "months"))) {
        if (cli_parse_int("--months", s, 1, 1200, &v))
            return CLI_EXIT_USAGE;
        o.months = (unsigned)v;
    }
    if ((s = cli_arg(a, "discount-rate")) &&
        cli_parse_double("--discount-rate", s, 0.0, 1.0, &o.discount_rate))
        return CLI_EXIT_USAGE;
    if ((s = cli_arg(a, "threshold")) &&
        cli_parse_double("--threshold", s, 0.0, 1.0, &o.churn_threshold))
        return CLI_EXIT_USAGE;
    c->opts = o;
    if ((rc = cli_store_open(ctx)))
        return rc;
    if ((rc = lty_clv_summary_from_store(&c->summary, ctx->engine, &so)))
        return cli_fail(ctx, command, rc);
    c->rows = lty_clv_summary_rows(c->summary, &c->n);
    if ((rc = lty_bgnbd_fit(&c->bg, c->rows, c->n))) {
        cli_errorf("%s: the purchase model (BG/NBD) cannot be fitted: %s (%s)",
                   command, c->bg.message, lty_strerror(rc));
        cli_clv_free(c);
        return CLI_EXIT_ERROR;
    }
    if ((rc = lty_gamgam_fit(&c->gg, c->rows, c->n))) {
        cli_errorf("%s: the spend model (Gamma-Gamma) cannot be fitted: %s (%s)",
                   command, c->gg.message, lty_strerror(rc));
        cli_clv_free(c);
        return CLI_EXIT_ERROR;
    }
    c->scores = calloc(c->n ? c->n : 1, sizeof *c->scores);
    if (!c->scores) {
        cli_clv_free(c);
        cli_errorf("out of memory");
        return CLI_EXIT_ERROR;
    }
    if ((rc = lty_clv_compute(c->scores, c->rows, c->n, &c->bg, &c->gg, &c->opts))) {
        cli_clv_free(c);
        cli_errorf("%s: scoring failed (%s)", command, lty_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    if (!cli_arg_has(a, "no-save") &&
        (rc = lty_clv_store(ctx->engine, c->scores, c->rows, c->n, &c->bg, &c->gg))) {
        rc = cli_fail(ctx, command, rc);
        cli_clv_free(c);
        return rc;
    }
    return 0;
}

void cli_clv_free(cli_clv *c)
{
    lty_clv_summary_free(c->summary);
    free(c->scores);
    memset(c, 0, sizeof *c);
}
