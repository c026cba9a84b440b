/*
 * loyalty outbox - list the outbox; dispatch what is due through a
 * command, into a spool directory, or as a dry run.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "messengers.h"
#include "output.h"
#include "values.h"

static const char help_list[] =
    "usage: loyalty outbox list [--state STATE] [--customer ID] [--from TIME] [--to TIME] [--limit N]\n"
    "List messages in due-time order.  STATE is planned, claimed, sent, retry,\n"
    "dead, suppressed or cancelled; --from/--to bound the due time; at most N\n"
    "(default 100) are listed, the total is said on standard error.\n";
static const char help_dispatch[] =
    "usage: loyalty outbox dispatch (--command CMD | --spool DIR | --dry-run) [--at TIME] [--max N]\n"
    "Send the messages due now (or at TIME), at most N (default 1000), after\n"
    "the messaging policy: consent, quiet hours, frequency caps, hygiene.\n"
    "  --command CMD  run '/bin/sh -c CMD' per message, the text on standard\n"
    "                 input, the fields in LOYALTY_MSG_ID, LOYALTY_MSG_CUSTOMER,\n"
    "                 LOYALTY_MSG_CHANNEL, LOYALTY_MSG_PURPOSE, LOYALTY_MSG_ADDRESS,\n"
    "                 LOYALTY_MSG_TEMPLATE, LOYALTY_MSG_DUE, LOYALTY_MSG_ATTEMPT;\n"
    "                 its output goes to standard error.  Exit 0: sent;\n"
    "                 65: refused for good (dead); other: retried later\n"
    "  --spool DIR    write each message to DIR/<message id>.json\n"
    "  --dry-run      show what would be sent, with the texts; change nothing\n";

static const cli_opt list_spec[] = {{"state", 1}, {"customer", 1}, {"from", 1},
                                    {"to", 1}, {"limit", 1}, {NULL, 0}};

static int outbox_list(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    lty_outbox_filter f = {NULL, (lty_message_state)0, 0, 0};
    int64_t limit = 100;
    const char *s;
    int rc = cli_begin(ctx, &a, list_spec, argc, argv, "outbox list", help_list, 0, 0, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if ((s = cli_arg(&a, "state"))) {
        for (int i = 1; i <= 7 && !f.state; i++)
            if (!strcmp(s, cli_state_name((lty_message_state)i)))
                f.state = (lty_message_state)i;
        if (!f.state) {
            cli_errorf("--state: '%s' is not planned, claimed, sent, retry, dead, "
                       "suppressed or cancelled", s);
            return CLI_EXIT_USAGE;
        }
    }
    f.customer_id = cli_arg(&a, "customer");
    if (((s = cli_arg(&a, "from")) && cli_parse_time(ctx, "--from", s, &f.due_from)) ||
        ((s = cli_arg(&a, "to")) && cli_parse_time(ctx, "--to", s, &f.due_to)) ||
        ((s = cli_arg(&a, "limit")) && cli_parse_int("--limit", s, 1, 1000000, &limit)))
        return CLI_EXIT_USAGE;
    if ((rc = cli_store_open(ctx)))
        return rc;
    lty_outbox_entry *es = calloc((size_t)limit, sizeof *es);
    if (!es) {
        cli_errorf("out of memory");
        return CLI_EXIT_ERROR;
    }
    for (int64_t i = 0; i < limit; i++)
        es[i].version = LTY_OUTBOX_ENTRY_VERSION;
    size_t n;
    if ((rc = lty_outbox_list(ctx->engine, &f, es, (size_t)limit, &n))) {
        free(es);
        return cli_fail(ctx, "outbox list", rc);
    }
    if (n > (size_t)limit)
        fprintf(stderr, "loyalty: outbox list: %zu messages match; the first %lld "
                        "are listed (--limit)\n", n, (long long)limit);
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_table(d, "messages", NULL);
        cli_col(t, "id", "MESSAGE", 0);
        cli_col(t, "customer_id", "CUSTOMER", 0);
        cli_col(t, "template_id", "TEMPLATE", 0);
        cli_col(t, "purpose", "PURPOSE", 0);
        cli_col(t, "channel", "CHANNEL", 0);
        cli_col(t, "state", "STATE", 0);
        cli_col(t, "due", "DUE", 0);
        cli_col(t, "sent", "SENT", 0);
        cli_col(t, "attempts", "TRIES", 1);
        cli_col(t, "reason", "REASON", 0);
        for (size_t i = 0; i < n && i < (size_t)limit; i++) {
            const lty_outbox_entry *e = &es[i];
            cli_cell_text(t, e->id);
            cli_cell_text(t, e->customer_id);
            cli_cell_text(t, e->template_id);
            cli_cell_text(t, cli_purpose_name(e->purpose));
            cli_cell_text(t, cli_channel_name(e->sent_channel ? e->sent_channel
                                                              : e->channel));
            cli_cell_text(t, cli_state_name(e->state));
            cli_cell_time(t, e->due);
            cli_cell_time(t, e->sent);
            cli_cell_int(t, e->attempts);
            cli_cell_text(t, e->reason[0] ? e->reason : NULL);
        }
    }
    free(es);
    return cli_doc_finish(d);
}

static const cli_opt dispatch_spec[] = {{"command", 1}, {"spool", 1}, {"dry-run", 0},
                                        {"at", 1}, {"max", 1}, {NULL, 0}};

static int outbox_dispatch(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int64_t now = LTY_TIME_NOW, max = 1000;
    const char *s;
    int rc = cli_begin(ctx, &a, dispatch_spec, argc, argv, "outbox dispatch",
                       help_dispatch, 0, 0, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    const char *command = cli_arg(&a, "command"), *dir = cli_arg(&a, "spool");
    int dry = cli_arg_has(&a, "dry-run");
    if ((command != NULL) + (dir != NULL) + dry != 1) {
        cli_errorf("outbox dispatch: give one of --command, --spool or --dry-run");
        return CLI_EXIT_USAGE;
    }
    if (command && !*command) {
        cli_errorf("outbox dispatch: --command is empty");
        return CLI_EXIT_USAGE;
    }
    if (((s = cli_arg(&a, "at")) && cli_parse_time(ctx, "--at", s, &now)) ||
        ((s = cli_arg(&a, "max")) && cli_parse_int("--max", s, 1, 10000, &max)))
        return CLI_EXIT_USAGE;
    if ((rc = dry ? cli_store_open_readonly(ctx) : cli_store_open(ctx)))
        return rc;
    cli_doc *d = cli_doc_new(ctx);
    if (!d)
        return cli_doc_finish(d);
    cli_table *report = cli_doc_record(d, "dispatch", "Dispatch");
    cli_table *msgs = NULL;
    if (dry) {
        msgs = cli_doc_table(d, "messages", "Messages that would be sent");
        cli_dryrun_cols(msgs);
        rc = cli_messenger_dryrun(ctx, msgs);
    } else
        rc = command ? cli_messenger_command(ctx, command)
                     : cli_messenger_spool(ctx, dir);
    if (rc) {
        cli_doc_free(d);
        return rc;
    }
    lty_dispatch_report r;
    if ((rc = lty_outbox_dispatch(ctx->engine, now, (size_t)max, &r))) {
        cli_doc_free(d);
        return cli_fail(ctx, "outbox dispatch", rc);
    }
    cli_field_bool(report, "dry_run", "dry run", dry);
    cli_field_int(report, "claimed", dry ? "would claim" : "claimed", (int64_t)r.claimed);
    cli_field_int(report, "sent", "sent", (int64_t)r.sent);
    cli_field_int(report, "retried", "retried", (int64_t)r.retried);
    cli_field_int(report, "dead", "dead", (int64_t)r.dead);
    cli_field_int(report, "suppressed", "suppressed", (int64_t)r.suppressed);
    cli_field_int(report, "deferred", "deferred", (int64_t)r.deferred);
    return cli_doc_finish(d);
}

static const cli_sub subs[] = {
    {"list", outbox_list, "list [--state STATE] [--customer ID] [--from TIME] [--to TIME] [--limit N]"},
    {"dispatch", outbox_dispatch, "dispatch (--command CMD | --spool DIR | --dry-run) [--at TIME] [--max N]"},
    {NULL, NULL, NULL}};

int cmd_outbox(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "outbox", "The outbox of planned messages.", subs, argc, argv);
}
