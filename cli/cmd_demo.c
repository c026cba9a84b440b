/*
 * loyalty demo - a realistic clinic in a fresh store (cli/demo_data.c:
 * about 2,000 patients, two years of visits, treatments, referrals,
 * appointments, a visit ladder and a star card, a measured win-back
 * campaign), then what a manager would look at: today's briefing, the
 * reminders due, the segments, who is slipping away, a simulated win-back
 * campaign, and the HTML report.  The other commands print each part, so
 * the demo shows exactly what they show.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "demo_data.h"
#include "output.h"
#include "values.h"

static const char help[] =
    "usage: loyalty demo [--customers N] [--seed N] [--report FILE] [--force]\n"
    "Build a demo clinic in a fresh SQLite store: loyalty-demo.db, replaced\n"
    "on every run, unless --db FILE (or $LOYALTY_DB) names another, which\n"
    "must not exist unless --force is given to replace it: N\n"
    "patients (default 2000) with two years of visits, treatments, referrals,\n"
    "appointments, a visit ladder, a star card and a measured win-back\n"
    "campaign, generated from SEED (default 2026: the same seed, the same\n"
    "clinic).  Then show today's briefing, the reminders due, the RFM\n"
    "segments, churn risk and a simulated win-back campaign, and write the\n"
    "report (default report.html).  Messages are never sent anywhere.\n";

static const cli_opt spec[] = {
    {"customers", 1}, {"seed", 1}, {"report", 1}, {"force", 0}, {NULL, 0}};

/* Run another command of the program on the demo's store. */
static int run(cli_ctx *ctx, const char *heading, cli_command_fn fn,
               char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    if (ctx->format == CLI_FORMAT_TABLE)
        printf("\n== %s ==\n\n", heading);
    fflush(stdout);
    return fn(ctx, argc, argv);
}

/* A fresh file: refuse an existing store unless --force replaces it. */
static int fresh_file(const char *path, int force)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    if (access(path, F_OK) != 0)
        return CLI_EXIT_OK;
    if (!force) {
        cli_errorf("demo: %s exists; the demo builds a fresh store (give "
                   "--db NEW.db, or --force to replace it)", path);
        return CLI_EXIT_ERROR;
    }
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char name[4096];
        if ((size_t)snprintf(name, sizeof name, "%s%s", path, suffix[i]) >=
            sizeof name)
            return CLI_EXIT_USAGE;
        if (remove(name) != 0 && errno != ENOENT) {
            cli_errorf("demo: cannot remove %s", name);
            return CLI_EXIT_ERROR;
        }
    }
    return CLI_EXIT_OK;
}

int cmd_demo(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int64_t customers = 2000, seed = 2026;
    ctx->creating = 1;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "demo", help, 0, 0, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if ((cli_arg(&a, "customers") &&
         cli_parse_int("--customers", cli_arg(&a, "customers"), 10, 100000,
                       &customers)) ||
        (cli_arg(&a, "seed") &&
         cli_parse_int("--seed", cli_arg(&a, "seed"), 0, INT64_MAX, &seed)))
        return CLI_EXIT_USAGE;
    const char *report = cli_arg(&a, "report") ? cli_arg(&a, "report")
                                               : "report.html";
    if (ctx->pg_conninfo) {
        cli_errorf("demo: the demo builds a fresh SQLite store; give --db FILE "
                   "instead of --postgres");
        return CLI_EXIT_USAGE;
    }
    /* the demo's own file is the demo's to replace; a named one is not */
    if (!ctx->db_named)
        ctx->db_path = "loyalty-demo.db";
    if ((rc = fresh_file(ctx->db_path,
                         !ctx->db_named || cli_arg_has(&a, "force"))))
        return rc;
    ctx->bulk = 1;
    char *init[] = {"init", NULL};
    if ((rc = cmd_init(ctx, 1, init)))
        return rc;
    if ((rc = cli_store_open(ctx)))
        return rc;
    static struct cli_demo_summary sum;
    memset(&sum, 0, sizeof sum);
    if (ctx->format == CLI_FORMAT_TABLE) {
        printf("Building a clinic of %lld patients (seed %lld) in %s ...\n",
               (long long)customers, (long long)seed, ctx->db_path);
        fflush(stdout);
    }
    rc = cli_demo_populate(ctx->engine, (uint64_t)seed, (size_t)customers,
                           lty_engine_now(ctx->engine), &sum);
    if (rc) {
        cli_errorf("demo: %s (%s)", sum.message, lty_strerror(rc));
        return cli_exit_for(rc);
    }
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_record(d, "clinic", "The clinic");
        cli_field_int(t, "customers", "patients", (int64_t)sum.customers);
        cli_field_int(t, "events", "visits, purchases, refunds, feedback",
                      (int64_t)sum.events);
        cli_field_int(t, "appointments_past", "past appointments",
                      (int64_t)sum.appointments_past);
        cli_field_int(t, "no_shows", "of which no-shows", (int64_t)sum.no_shows);
        cli_field_int(t, "appointments_future", "booked ahead",
                      (int64_t)sum.appointments_future);
        cli_field_int(t, "referrals", "referrals", (int64_t)sum.referrals);
        cli_field_int(t, "campaign_members", "win-back campaign members",
                      (int64_t)sum.campaign_members);
    }
    if ((rc = cli_doc_finish(d)))
        return rc;
    char *brief[] = {"brief", NULL};
    char *due[] = {"outbox", "list", "--state", "planned", "--from", "now",
                   "--limit", "10", NULL};
    char *rfm[] = {"rfm", NULL};
    char *churn[] = {"churn", "--limit", "10", "--no-save", NULL};
    char *simulate[] = {"campaign", "simulate", CLI_DEMO_WINBACK_NEXT, NULL};
    char *result[] = {"campaign", "result", CLI_DEMO_WINBACK, NULL};
    if ((rc = run(ctx, "Today's briefing", cmd_brief, brief)) ||
        (rc = run(ctx, "Reminders and messages due next", cmd_outbox, due)) ||
        (rc = run(ctx, "RFM segments", cmd_rfm, rfm)) ||
        (rc = run(ctx, "Slipping away: churn risk by value at stake", cmd_churn,
                  churn)) ||
        (rc = run(ctx, "Last month's win-back campaign, measured",
                  cmd_campaign, result)) ||
        (rc = run(ctx, "The next win-back campaign, simulated before launch",
                  cmd_campaign, simulate)))
        return rc;
    if ((rc = cli_write_report(ctx, report, "Demo clinic")))
        return rc;
    if (ctx->format == CLI_FORMAT_TABLE)
        printf("\nWrote %s (open it in a browser). Try: loyalty --db %s "
               "customer show C00001\n", report, ctx->db_path);
    return CLI_EXIT_OK;
}
