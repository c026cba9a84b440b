/*
 * loyalty clv and loyalty churn - lifetime value and churn risk from the
 * BG/NBD and Gamma-Gamma models fitted over the store.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>

#include "clv_fit.h"
#include "command.h"
#include "output.h"
#include "values.h"

static const char help_clv[] =
    "usage: loyalty clv [--limit N] [--period day|week] [--months N] [--discount-rate R] [--no-save]\n"
    "Fit the purchase (BG/NBD) and spend (Gamma-Gamma) models to every\n"
    "customer's purchases, and list the N customers (default 20) of highest\n"
    "lifetime value over --months (default 12) discounted by R a month\n"
    "(default 0.01), with P(alive) and expected purchases.  The figures are\n"
    "stored for the cards and campaigns unless --no-save.\n";
static const char help_churn[] =
    "usage: loyalty churn [--limit N] [--threshold P] [--period day|week] [--months N] [--no-save]\n"
    "The customers whose P(alive) is below P (default 0.5), by value at stake\n"
    "(the lifetime value they would have if still active), highest first;\n"
    "at most N (default 20).  Fits the models as 'loyalty clv' does.\n";

static const cli_opt spec[] = {CLI_CLV_OPTS, {NULL, 0}};

static void put_models(cli_doc *d, const cli_clv *c)
{
    cli_table *m = cli_doc_record(d, "models", "Models");
    cli_field_int(m, "customers", "customers with purchases", (int64_t)c->n);
    cli_field_double(m, "bgnbd_r", "BG/NBD r", c->bg.r, 4);
    cli_field_double(m, "bgnbd_alpha", "BG/NBD alpha", c->bg.alpha, 4);
    cli_field_double(m, "bgnbd_a", "BG/NBD a", c->bg.a, 4);
    cli_field_double(m, "bgnbd_b", "BG/NBD b", c->bg.b, 4);
    cli_field_double(m, "gamgam_p", "Gamma-Gamma p", c->gg.p, 4);
    cli_field_double(m, "gamgam_q", "Gamma-Gamma q", c->gg.q, 4);
    cli_field_double(m, "gamgam_gamma", "Gamma-Gamma gamma", c->gg.gamma, 4);
}

static void score_cols(cli_table *t)
{
    cli_col(t, "customer_id", "CUSTOMER", 0);
    cli_col(t, "p_alive", "P(ALIVE)", 1);
    cli_col(t, "expected_purchases", "EXP. PURCHASES", 1);
    cli_col(t, "expected_spend", "EXP. SPEND", 1);
    cli_col(t, "clv", "CLV", 1);
    cli_col(t, "value_at_stake", "AT STAKE", 1);
}

static void score_cells(cli_table *t, const cli_clv *c, size_t i)
{
    const lty_clv_score *s = &c->scores[i];
    cli_cell_text(t, c->rows[i].customer_id);
    cli_cell_double(t, s->p_alive, 3);
    cli_cell_double(t, s->expected_purchases, 2);
    cli_cell_money(t, (int64_t)(s->expected_spend + 0.5));
    cli_cell_money(t, (int64_t)(s->clv + 0.5));
    cli_cell_money(t, (int64_t)(s->value_at_stake + 0.5));
}

static const cli_clv *sort_ctx;
static int by_clv(const void *a, const void *b)
{
    double x = sort_ctx->scores[*(const size_t *)a].clv;
    double y = sort_ctx->scores[*(const size_t *)b].clv;
    if (x != y)
        return x < y ? 1 : -1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int begin(cli_ctx *ctx, cli_args *a, int argc, char **argv,
                 const char *command, const char *help, int64_t *limit)
{
    int rc = cli_begin(ctx, a, spec, argc, argv, command, help, 0, 0, 1);
    if (rc)
        return rc;
    const char *s = cli_arg(a, "limit");
    *limit = 20;
    if (s && cli_parse_int("--limit", s, 1, 100000000, limit))
        return CLI_EXIT_USAGE;
    return 0;
}

int cmd_clv(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    cli_clv c;
    int64_t limit;
    int rc = begin(ctx, &a, argc, argv, "clv", help_clv, &limit);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if ((rc = cli_clv_run(ctx, &a, "clv", &c)))
        return rc;
    size_t *order = malloc((c.n ? c.n : 1) * sizeof *order);
    cli_doc *d = order ? cli_doc_new(ctx) : NULL;
    if (d) {
        for (size_t i = 0; i < c.n; i++)
            order[i] = i;
        sort_ctx = &c;
        qsort(order, c.n, sizeof *order, by_clv);
        cli_table *t = cli_doc_table(d, "customers", "Highest lifetime value");
        score_cols(t);
        for (size_t i = 0; i < c.n && i < (size_t)limit; i++)
            score_cells(t, &c, order[i]);
        put_models(d, &c);
    }
    free(order);
    cli_clv_free(&c);
    return cli_doc_finish(d);
}

int cmd_churn(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    cli_clv c;
    int64_t limit;
    int rc = begin(ctx, &a, argc, argv, "churn", help_churn, &limit);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if ((rc = cli_clv_run(ctx, &a, "churn", &c)))
        return rc;
    size_t *risk = NULL, n = 0;
    if ((rc = lty_clv_churn_risk(&risk, &n, c.scores, c.n, c.opts.churn_threshold))) {
        cli_clv_free(&c);
        cli_errorf("churn: %s", lty_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_table(d, "at_risk", "At risk, by value at stake");
        score_cols(t);
        for (size_t i = 0; i < n && i < (size_t)limit; i++)
            score_cells(t, &c, risk[i]);
        cli_table *s = cli_doc_record(d, "summary", "Summary");
        cli_field_int(s, "customers", "customers with purchases", (int64_t)c.n);
        cli_field_int(s, "at_risk", "at risk", (int64_t)n);
        cli_field_double(s, "threshold", "P(alive) threshold", c.opts.churn_threshold, 2);
    }
    lty_free(risk);
    cli_clv_free(&c);
    return cli_doc_finish(d);
}
