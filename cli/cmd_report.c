/*
 * loyalty report - the store as one self-contained HTML page (RFM grid,
 * segments, Pareto curve, titles and tiers, no-shows, campaign results;
 * cli/report_html.c, docs/guide/cli-report.md).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "output.h"
#include "report_html.h"

static const char help[] =
    "usage: loyalty report --html FILE [--title TEXT]\n"
    "Write the report of the store as of now: one HTML file with inline SVG\n"
    "and CSS (no network), readable on a phone.  Reads only: RFM scores are\n"
    "computed for the page without being stored; campaigns show their last\n"
    "kept measurement ('loyalty campaign measure').\n";

static const cli_opt spec[] = {{"html", 1}, {"title", 1}, {NULL, 0}};

int cli_write_report(cli_ctx *ctx, const char *path, const char *title)
{
    struct cli_report_options o;
    memset(&o, 0, sizeof o);
    o.title = title;
    o.currency_exponent = ctx->currency_exponent;
    o.currency = ctx->currency;
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_errorf("report: cannot write %s", path);
        return CLI_EXIT_ERROR;
    }
    int rc = cli_report_html_ex(ctx->engine, lty_engine_now(ctx->engine), &o, f);
    if (fclose(f) != 0 && rc == LTY_OK)
        rc = LTY_ESTORAGE;
    if (rc) {
        remove(path);
        return cli_fail(ctx, "report", rc);
    }
    return CLI_EXIT_OK;
}

int cmd_report(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "report", help, 0, 0, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    const char *path = cli_arg(&a, "html");
    if (!path) {
        cli_errorf("report: give --html FILE");
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_write_report(ctx, path, cli_arg(&a, "title"))))
        return rc;
    if (ctx->format == CLI_FORMAT_TABLE)
        printf("wrote %s\n", path);
    return CLI_EXIT_OK;
}
