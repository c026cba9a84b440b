/*
 * loyalty rfm - RFM scores and segments over the store, or in batch over a
 * CSV file of transactions (lty_rfm_from_csv).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "output.h"
#include "values.h"

static const char help[] =
    "usage: loyalty rfm [--csv FILE] [--customers] [--as-of TIME] [--window-days N]\n"
    "                   [--bins N] [--frequency visits|purchases] [--split-ties] [--no-save]\n"
    "RFM over every customer of the store (the scores are stored for\n"
    "campaigns and cards unless --no-save), or over the transactions of a\n"
    "CSV file (columns customer_id, date, amount; nothing is stored).\n"
    "Shows the segments (customers, revenue and its share, mean scores) and\n"
    "the share of revenue of the top 20%; --customers lists every customer.\n"
    "  --as-of TIME      the analysis time (default now; for a file, the\n"
    "                    latest purchase)\n"
    "  --window-days N   only the last N days\n"
    "  --bins N          scores 1..N (2..9, default 5; the named segments need 5)\n"
    "  --split-ties      spread equal values evenly instead of sharing a score\n";

static const cli_opt spec[] = {
    {"csv", 1}, {"customers", 0}, {"as-of", 1}, {"window-days", 1}, {"bins", 1},
    {"frequency", 1}, {"split-ties", 0}, {"no-save", 0}, {NULL, 0}};

int cmd_rfm(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    const char *s;
    int64_t v;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "rfm", help, 0, 0, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    const char *csv = cli_arg(&a, "csv");
    if ((s = cli_arg(&a, "as-of")) && cli_parse_time(ctx, "--as-of", s, &o.as_of))
        return CLI_EXIT_USAGE;
    if ((s = cli_arg(&a, "window-days"))) {
        if (cli_parse_int("--window-days", s, 1, 36600, &v))
            return CLI_EXIT_USAGE;
        o.window_days = (int)v;
    }
    if ((s = cli_arg(&a, "bins"))) {
        if (cli_parse_int("--bins", s, 2, LTY_RFM_BINS_MAX, &v))
            return CLI_EXIT_USAGE;
        o.bins = (int)v;
    }
    if ((s = cli_arg(&a, "frequency"))) {
        if (csv) {
            cli_errorf("rfm: --frequency applies to the store (a file counts transactions)");
            return CLI_EXIT_USAGE;
        }
        if (!strcmp(s, "visits"))
            o.frequency = LTY_RFM_FREQ_VISITS;
        else if (!strcmp(s, "purchases"))
            o.frequency = LTY_RFM_FREQ_PURCHASES;
        else {
            cli_errorf("--frequency: '%s' is not visits or purchases", s);
            return CLI_EXIT_USAGE;
        }
    }
    if (cli_arg_has(&a, "split-ties"))
        o.ties = LTY_RFM_TIES_SPLIT;
    o.no_save = cli_arg_has(&a, "no-save");
    lty_rfm_result *r = NULL;
    if (csv) {
        char err[512] = "";
        if ((rc = lty_rfm_from_csv(&r, csv, &o, err, sizeof err))) {
            cli_errorf("rfm: %s (%s)", err[0] ? err : csv, lty_strerror(rc));
            return CLI_EXIT_ERROR;
        }
    } else {
        if ((rc = cli_store_open(ctx)))
            return rc;
        if ((rc = lty_rfm_compute(ctx->engine, &o, &r)))
            return cli_fail(ctx, "rfm", rc);
    }
    cli_doc *d = cli_doc_new(ctx);
    if (!d) {
        lty_rfm_result_free(r);
        return cli_doc_finish(d);
    }
    int customers = cli_arg_has(&a, "customers");
    cli_table *rows = customers ? cli_doc_table(d, "customers", "Customers") : NULL;
    cli_table *seg = cli_doc_table(d, "segments", "Segments");
    cli_table *sum = cli_doc_record(d, "summary", "Summary");
    if (rows) {
        cli_col(rows, "customer_id", "CUSTOMER", 0);
        cli_col(rows, "recency_days", "RECENCY", 1);
        cli_col(rows, "frequency", "FREQUENCY", 1);
        cli_col(rows, "monetary", "MONETARY", 1);
        cli_col(rows, "r", "R", 1);
        cli_col(rows, "f", "F", 1);
        cli_col(rows, "m", "M", 1);
        cli_col(rows, "segment", "SEGMENT", 0);
        for (size_t i = 0; i < lty_rfm_result_count(r); i++) {
            lty_rfm_row row;
            if (lty_rfm_result_row(r, i, &row))
                continue;
            cli_cell_text(rows, row.customer_id);
            cli_cell_int(rows, row.recency_days);
            cli_cell_int(rows, row.frequency);
            cli_cell_money(rows, row.monetary);
            cli_cell_int(rows, row.r);
            cli_cell_int(rows, row.f);
            cli_cell_int(rows, row.m);
            cli_cell_text(rows, row.segment);
        }
    }
    cli_col(seg, "segment", "SEGMENT", 0);
    cli_col(seg, "customers", "CUSTOMERS", 1);
    cli_col(seg, "revenue", "REVENUE", 1);
    cli_col(seg, "revenue_share", "SHARE %", 1);
    cli_col(seg, "mean_r", "MEAN R", 1);
    cli_col(seg, "mean_f", "MEAN F", 1);
    cli_col(seg, "mean_m", "MEAN M", 1);
    for (size_t i = 0; i < lty_rfm_result_segment_count(r); i++) {
        lty_rfm_segment_summary ss;
        if (lty_rfm_result_segment(r, i, &ss))
            continue;
        cli_cell_text(seg, ss.name);
        cli_cell_int(seg, (int64_t)ss.customers);
        cli_cell_money(seg, ss.revenue);
        cli_cell_double(seg, ss.revenue_share * 100.0, 1);
        cli_cell_double(seg, ss.mean_r, 2);
        cli_cell_double(seg, ss.mean_f, 2);
        cli_cell_double(seg, ss.mean_m, 2);
    }
    cli_field_int(sum, "customers", "customers", (int64_t)lty_rfm_result_count(r));
    cli_field_time(sum, "as_of", "as of", lty_rfm_result_as_of(r));
    cli_field_double(sum, "top20_revenue_share", "revenue share of the top 20% (%)",
                     lty_rfm_result_pareto(r) * 100.0, 1);
    cli_field_bool(sum, "saved", "scores stored", !csv && !o.no_save);
    lty_rfm_result_free(r);
    return cli_doc_finish(d);
}
