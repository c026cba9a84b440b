/*
 * loyalty template - store or remove a message template.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "command.h"
#include "output.h"
#include "values.h"

static const char help_set[] =
    "usage: loyalty template set ID CHANNEL TEXT [--locale TAG]\n"
    "Store (or replace) the text of template ID on CHANNEL (sms, email,\n"
    "kakao, push, staff) for the locale TAG (default: every customer).\n"
    "Placeholders: {name} {title} {tier} {date} {time} {clinic} {item}\n"
    "{stars} {points} {referrer} {reward} {code} {branch} {staff} {amount}\n"
    "{days}; {{ and }} are literal braces.\n";
static const char help_remove[] =
    "usage: loyalty template remove ID CHANNEL [--locale TAG]\n"
    "Remove a template.  Exit code 3 when there is none.\n";

static const cli_opt spec[] = {{"locale", 1}, {NULL, 0}};

static int tpl_set(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    lty_channel ch;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "template set", help_set, 3, 3, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if (cli_parse_channel("CHANNEL", a.pos[1], 0, &ch))
        return CLI_EXIT_USAGE;
    const char *locale = cli_arg(&a, "locale") ? cli_arg(&a, "locale") : "";
    if ((rc = cli_store_open(ctx)))
        return rc;
    if ((rc = lty_template_set(ctx->engine, a.pos[0], ch, locale, a.pos[2])))
        return cli_fail(ctx, "template set", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_record(d, "template", NULL);
        cli_field_text(t, "id", "template", a.pos[0]);
        cli_field_text(t, "channel", "channel", cli_channel_name(ch));
        cli_field_text(t, "locale", "locale", locale);
    }
    return cli_doc_finish(d);
}

static int tpl_remove(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    lty_channel ch;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "template remove", help_remove, 2, 2, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if (cli_parse_channel("CHANNEL", a.pos[1], 0, &ch))
        return CLI_EXIT_USAGE;
    if ((rc = cli_store_open(ctx)))
        return rc;
    if ((rc = lty_template_remove(ctx->engine, a.pos[0], ch, cli_arg(&a, "locale"))))
        return cli_fail(ctx, "template remove", rc);
    return CLI_EXIT_OK;
}

static const cli_sub subs[] = {
    {"set", tpl_set, "set ID CHANNEL TEXT [--locale TAG]"},
    {"remove", tpl_remove, "remove ID CHANNEL [--locale TAG]"},
    {NULL, NULL, NULL}};

int cmd_template(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "template", "Message templates.", subs, argc, argv);
}
