/*
 * loyalty record - record a visit, purchase, refund or feedback in the
 * ledger.  Every event has an id, the idempotency key: give the host's own
 * (the order or visit number) with --id, so that running the command again
 * records nothing twice.  Without --id an id is made from the time and the
 * process ("cli-<seconds>-<pid>-<n>"), unique but not replayable.
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "output.h"
#include "values.h"

static const char help_visit[] =
    "usage: loyalty record visit CUSTOMER [--id EVENT_ID] [--at TIME] [--item CODE] [--branch CODE]\n"
    "Record a visit (counted once per local day).\n"
    "  --id EVENT_ID  the idempotency key (recording it again changes nothing)\n"
    "  --at TIME      'YYYY-MM-DD HH:MM' local, or now (default)\n";
static const char help_purchase[] =
    "usage: loyalty record purchase CUSTOMER AMOUNT [--id EVENT_ID] [--at TIME] [--item CODE] [--branch CODE]\n"
    "Record a purchase of AMOUNT in the currency's major unit (12000, 12.50).\n";
static const char help_refund[] =
    "usage: loyalty record refund CUSTOMER PURCHASE_ID AMOUNT [--id EVENT_ID] [--at TIME] [--branch CODE]\n"
    "Refund all or part of the purchase PURCHASE_ID.\n";
static const char help_feedback[] =
    "usage: loyalty record feedback CUSTOMER SCORE [--comment TEXT] [--id EVENT_ID] [--at TIME] [--item CODE]\n"
    "Record a satisfaction score 0..10 with an optional comment.\n";

static const cli_opt spec[] = {{"id", 1}, {"at", 1}, {"item", 1}, {"branch", 1},
                               {"comment", 1}, {NULL, 0}};

static int record(cli_ctx *ctx, lty_event_type type, int argc, char **argv,
                  const char *command, const char *help, size_t npos)
{
    cli_args a;
    lty_event ev = LTY_EVENT_INIT;
    char made_id[LTY_ID_MAX + 1];
    int rc = cli_begin(ctx, &a, spec, argc, argv, command, help, npos, npos, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    ev.type = type;
    ev.customer_id = a.pos[0];
    ev.item = cli_arg(&a, "item");
    ev.branch = cli_arg(&a, "branch");
    if ((cli_arg(&a, "comment") && type != LTY_EVENT_FEEDBACK) ||
        (ev.item && type == LTY_EVENT_REFUND)) {
        cli_errorf("%s: --%s does not apply", command,
                   ev.item && type == LTY_EVENT_REFUND ? "item" : "comment");
        return CLI_EXIT_USAGE;
    }
    if (cli_arg(&a, "at") && cli_parse_time(ctx, "--at", cli_arg(&a, "at"), &ev.time))
        return CLI_EXIT_USAGE;
    if (type == LTY_EVENT_PURCHASE &&
        cli_parse_money(ctx, "AMOUNT", a.pos[1], &ev.amount))
        return CLI_EXIT_USAGE;
    if (type == LTY_EVENT_REFUND) {
        ev.refund_of = a.pos[1];
        if (cli_parse_money(ctx, "AMOUNT", a.pos[2], &ev.amount))
            return CLI_EXIT_USAGE;
    }
    if (type == LTY_EVENT_FEEDBACK) {
        int64_t score;
        if (cli_parse_int("SCORE", a.pos[1], 0, 10, &score))
            return CLI_EXIT_USAGE;
        ev.score = (int)score;
        ev.comment = cli_arg(&a, "comment");
    }
    ev.id = cli_arg(&a, "id");
    if (!ev.id) {
        static unsigned serial;
        snprintf(made_id, sizeof made_id, "cli-%" PRId64 "-%ld-%u",
                 (int64_t)time(NULL), (long)getpid(), serial++);
        ev.id = made_id;
    }
    if ((rc = cli_store_open(ctx)))
        return rc;
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    if ((rc = lty_record(ctx->engine, &ev, &out)))
        return cli_fail(ctx, command, rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_record(d, "recorded", NULL);
        cli_field_text(t, "event_id", "event", ev.id);
        cli_field_text(t, "customer_id", "customer", ev.customer_id);
        cli_field_bool(t, "duplicate", "already recorded", out.duplicate);
        cli_field_bool(t, "visit_counted", "new visit counted", out.visit_counted);
        cli_field_int(t, "visits", "visits", out.visits);
        cli_field_money(t, "net_spend", "net spend", out.net_spend);
        cli_field_int(t, "promotions", "promotions", out.promotions);
        cli_field_int(t, "rewards", "rewards issued", out.rewards);
        cli_field_text(t, "title", "new title/tier", out.title[0] ? out.title : NULL);
    }
    return cli_doc_finish(d);
}

static int rec_visit(cli_ctx *ctx, int argc, char **argv)
{
    return record(ctx, LTY_EVENT_VISIT, argc, argv, "record visit", help_visit, 1);
}
static int rec_purchase(cli_ctx *ctx, int argc, char **argv)
{
    return record(ctx, LTY_EVENT_PURCHASE, argc, argv, "record purchase", help_purchase, 2);
}
static int rec_refund(cli_ctx *ctx, int argc, char **argv)
{
    return record(ctx, LTY_EVENT_REFUND, argc, argv, "record refund", help_refund, 3);
}
static int rec_feedback(cli_ctx *ctx, int argc, char **argv)
{
    return record(ctx, LTY_EVENT_FEEDBACK, argc, argv, "record feedback", help_feedback, 2);
}

static const cli_sub subs[] = {
    {"visit", rec_visit, "visit CUSTOMER [--id EVENT_ID] [--at TIME] [--item CODE] [--branch CODE]"},
    {"purchase", rec_purchase, "purchase CUSTOMER AMOUNT [--id EVENT_ID] [--at TIME] [--item CODE]"},
    {"refund", rec_refund, "refund CUSTOMER PURCHASE_ID AMOUNT [--id EVENT_ID] [--at TIME]"},
    {"feedback", rec_feedback, "feedback CUSTOMER SCORE [--comment TEXT] [--id EVENT_ID]"},
    {NULL, NULL, NULL}};

int cmd_record(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "record", "Record events in the ledger.", subs, argc, argv);
}
