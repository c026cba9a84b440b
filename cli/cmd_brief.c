/*
 * loyalty brief and loyalty recognize - the front desk's briefing of a
 * day, and the card of a caller.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "card_out.h"
#include "command.h"
#include "values.h"

static const char help_brief[] =
    "usage: loyalty brief [DATE] [--text]\n"
    "The briefing of a local day (YYYY-MM-DD, default today): one entry per\n"
    "appointment that is not cancelled, in time order, with the customer's\n"
    "title and tier, visits, last visit, notes and what to notice (VIP, first\n"
    "visit, welcome back, promotion due, birthday, rewards ready, referrer).\n"
    "  --text   the library's printable layout instead of the table\n";
static const char help_recognize[] =
    "usage: loyalty recognize PHONE [--text]\n"
    "The card of the customer a phone number belongs to (caller ID), in any\n"
    "notation.  Exit code 3 when no customer has the number.\n"
    "  --text   the library's printable layout instead of the fields\n";

static const cli_opt spec[] = {{"text", 0}, {NULL, 0}};

static int print_text(char *text, size_t len)
{
    int ok = fwrite(text, 1, len, stdout) == len;
    lty_free(text);
    if (!ok) {
        cli_errorf("cannot write the output");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

int cmd_brief(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    lty_date day;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "brief", help_brief, 0, 1, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if (cli_parse_date(ctx, "DATE", a.npos ? a.pos[0] : "today", 0, &day))
        return CLI_EXIT_USAGE;
    if ((rc = cli_store_open(ctx)))
        return rc;
    lty_briefing *b = NULL;
    if ((rc = lty_briefing_day(ctx->engine, &day, &b)))
        return cli_fail(ctx, "brief", rc);
    if (cli_arg_has(&a, "text")) {
        char *text = NULL;
        size_t len;
        rc = lty_briefing_render_text(b, &text, &len);
        lty_briefing_free(b);
        if (rc)
            return cli_fail(ctx, "brief", rc);
        return print_text(text, len);
    }
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_table(d, "briefing", NULL);
        cli_card_cols(t);
        for (size_t i = 0; i < lty_briefing_count(b); i++)
            cli_card_cells(ctx, t, lty_briefing_entry(b, i));
    }
    lty_briefing_free(b);
    return cli_doc_finish(d);
}

int cmd_recognize(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "recognize", help_recognize, 1, 1, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    lty_card *c = NULL;
    rc = lty_recognize_phone(ctx->engine, a.pos[0], &c);
    if (rc == LTY_ENOTFOUND) {
        cli_errorf("recognize: no customer has this phone number");
        return CLI_EXIT_NOTFOUND;
    }
    if (rc)
        return cli_fail(ctx, "recognize", rc);
    if (cli_arg_has(&a, "text")) {
        char *text = NULL;
        size_t len;
        rc = lty_card_render_text(c, &text, &len);
        lty_card_free(c);
        if (rc)
            return cli_fail(ctx, "recognize", rc);
        return print_text(text, len);
    }
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_record(d, "card", NULL);
        cli_card_cols(t);
        cli_card_cells(ctx, t, c);
    }
    lty_card_free(c);
    return cli_doc_finish(d);
}
