/*
 * loyalty appointment - book, reschedule, cancel, arrive, no-show, list.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "output.h"
#include "values.h"

static const char help_book[] =
    "usage: loyalty appointment book ID CUSTOMER START [--duration MIN] [--item CODE] [--branch CODE] [--staff CODE]\n"
    "Book an appointment (ID is the host's booking number) starting at START\n"
    "('YYYY-MM-DD HH:MM' local) for --duration minutes (default 30), and plan\n"
    "its reminders (3 days, 1 day and 2 hours before, unless the store's\n"
    "policy says otherwise).  Booking the same ID again is harmless.\n";
static const char help_reschedule[] =
    "usage: loyalty appointment reschedule ID START [--duration MIN]\n"
    "Move a booked appointment; its reminders are planned again.\n";
static const char help_cancel[] =
    "usage: loyalty appointment cancel ID\n"
    "Cancel a booked appointment and its pending reminders.\n";
static const char help_arrive[] =
    "usage: loyalty appointment arrive ID [--at TIME]\n"
    "The customer came: close the appointment and record the visit.\n";
static const char help_noshow[] =
    "usage: loyalty appointment noshow ID\n"
    "The customer did not come (allowed once the start has passed).\n";
static const char help_list[] =
    "usage: loyalty appointment list (--day DATE | --customer ID)\n"
    "List the appointments of a local day (YYYY-MM-DD or today) or of a\n"
    "customer, in every state.\n";

static const cli_opt book_spec[] = {{"duration", 1}, {"item", 1}, {"branch", 1},
                                    {"staff", 1}, {NULL, 0}};
static const cli_opt none[] = {{NULL, 0}};

static void put_one(cli_table *t, const lty_appointment *ap)
{
    cli_cell_text(t, ap->id);
    cli_cell_text(t, ap->customer_id);
    cli_cell_time(t, ap->start);
    cli_cell_int(t, ap->duration);
    cli_cell_text(t, cli_appointment_state_name(ap->state));
    cli_cell_text(t, ap->item[0] ? ap->item : NULL);
    cli_cell_text(t, ap->branch[0] ? ap->branch : NULL);
    cli_cell_text(t, ap->staff[0] ? ap->staff : NULL);
    cli_cell_int(t, ap->reminders);
}

static void cols(cli_table *t)
{
    cli_col(t, "id", "APPOINTMENT", 0);
    cli_col(t, "customer_id", "CUSTOMER", 0);
    cli_col(t, "start", "START", 0);
    cli_col(t, "duration", "MIN", 1);
    cli_col(t, "state", "STATE", 0);
    cli_col(t, "item", "ITEM", 0);
    cli_col(t, "branch", "BRANCH", 0);
    cli_col(t, "staff", "STAFF", 0);
    cli_col(t, "reminders", "REMINDERS", 1);
}

/* Print the appointment as it is now. */
static int show(cli_ctx *ctx, const char *id, const char *command)
{
    lty_appointment ap = LTY_APPOINTMENT_INIT;
    int rc = lty_appointment_get(ctx->engine, id, &ap);
    if (rc)
        return cli_fail(ctx, command, rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_table(d, "appointment", NULL);
        cols(t);
        put_one(t, &ap);
    }
    return cli_doc_finish(d);
}

static int appt_book(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    lty_appointment_spec sp = LTY_APPOINTMENT_SPEC_INIT;
    int64_t duration = 30;
    int rc = cli_begin(ctx, &a, book_spec, argc, argv, "appointment book",
                       help_book, 3, 3, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    sp.id = a.pos[0];
    sp.customer_id = a.pos[1];
    if (cli_parse_time(ctx, "START", a.pos[2], &sp.start) ||
        (cli_arg(&a, "duration") &&
         cli_parse_int("--duration", cli_arg(&a, "duration"), 1,
                       LTY_APPOINTMENT_DURATION_MAX, &duration)))
        return CLI_EXIT_USAGE;
    sp.duration = (int)duration;
    sp.item = cli_arg(&a, "item");
    sp.branch = cli_arg(&a, "branch");
    sp.staff = cli_arg(&a, "staff");
    if ((rc = cli_store_open(ctx)))
        return rc;
    if ((rc = lty_appointment_book(ctx->engine, &sp)))
        return cli_fail(ctx, "appointment book", rc);
    return show(ctx, sp.id, "appointment book");
}

static int appt_reschedule(cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt spec[] = {{"duration", 1}, {NULL, 0}};
    cli_args a;
    int64_t start, duration = 0;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "appointment reschedule",
                       help_reschedule, 2, 2, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if (cli_parse_time(ctx, "START", a.pos[1], &start) ||
        (cli_arg(&a, "duration") &&
         cli_parse_int("--duration", cli_arg(&a, "duration"), 1,
                       LTY_APPOINTMENT_DURATION_MAX, &duration)))
        return CLI_EXIT_USAGE;
    if ((rc = cli_store_open(ctx)))
        return rc;
    if ((rc = lty_appointment_reschedule(ctx->engine, a.pos[0], start, (int)duration)))
        return cli_fail(ctx, "appointment reschedule", rc);
    return show(ctx, a.pos[0], "appointment reschedule");
}

static int appt_cancel(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, none, argc, argv, "appointment cancel", help_cancel, 1, 1, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if ((rc = lty_appointment_cancel(ctx->engine, a.pos[0])))
        return cli_fail(ctx, "appointment cancel", rc);
    return show(ctx, a.pos[0], "appointment cancel");
}

static int appt_arrive(cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt spec[] = {{"at", 1}, {NULL, 0}};
    cli_args a;
    int64_t when = LTY_TIME_NOW;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "appointment arrive", help_arrive, 1, 1, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if (cli_arg(&a, "at") && cli_parse_time(ctx, "--at", cli_arg(&a, "at"), &when))
        return CLI_EXIT_USAGE;
    if ((rc = cli_store_open(ctx)))
        return rc;
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    if ((rc = lty_appointment_arrive(ctx->engine, a.pos[0], when, &out)))
        return cli_fail(ctx, "appointment arrive", rc);
    return show(ctx, a.pos[0], "appointment arrive");
}

static int appt_noshow(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, none, argc, argv, "appointment noshow", help_noshow, 1, 1, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if ((rc = lty_appointment_no_show(ctx->engine, a.pos[0])))
        return cli_fail(ctx, "appointment noshow", rc);
    return show(ctx, a.pos[0], "appointment noshow");
}

static int appt_list(cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt spec[] = {{"day", 1}, {"customer", 1}, {NULL, 0}};
    cli_args a;
    lty_date day;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "appointment list", help_list, 0, 0, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    const char *cust = cli_arg(&a, "customer"), *dtext = cli_arg(&a, "day");
    if (!cust == !dtext) {
        cli_errorf("appointment list: give one of --day or --customer");
        return CLI_EXIT_USAGE;
    }
    if (dtext && cli_parse_date(ctx, "--day", dtext, 0, &day))
        return CLI_EXIT_USAGE;
    if ((rc = cli_store_open(ctx)))
        return rc;
    size_t n = 0, cap = 0;
    lty_appointment *ap = NULL;
    /* count, then read them all */
    for (int pass = 0; pass < 2; pass++) {
        rc = cust ? lty_appointment_list(ctx->engine, cust, ap, cap, &n)
                  : lty_appointment_list_day(ctx->engine, &day, ap, cap, &n);
        if (rc) {
            free(ap);
            return cli_fail(ctx, "appointment list", rc);
        }
        if (pass || !n)
            break;
        ap = calloc(n, sizeof *ap);
        if (!ap) {
            cli_errorf("out of memory");
            return CLI_EXIT_ERROR;
        }
        cap = n;
        for (size_t i = 0; i < n; i++)
            ap[i].version = LTY_APPOINTMENT_VERSION;
    }
    if (n > cap)
        n = cap;
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_table(d, "appointments", NULL);
        cols(t);
        for (size_t i = 0; i < n; i++)
            put_one(t, &ap[i]);
    }
    free(ap);
    return cli_doc_finish(d);
}

static const cli_sub subs[] = {
    {"book", appt_book, "book ID CUSTOMER START [--duration MIN] [--item CODE] [--branch CODE] [--staff CODE]"},
    {"reschedule", appt_reschedule, "reschedule ID START [--duration MIN]"},
    {"cancel", appt_cancel, "cancel ID"},
    {"arrive", appt_arrive, "arrive ID [--at TIME]"},
    {"noshow", appt_noshow, "noshow ID"},
    {"list", appt_list, "list (--day DATE | --customer ID)"},
    {NULL, NULL, NULL}};

int cmd_appointment(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "appointment", "Appointments and their reminders.",
                        subs, argc, argv);
}
