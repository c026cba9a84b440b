/*
 * loyalty plan - the daily planning run: birthdays and anniversaries
 * ahead, win-back of lapsed customers, and (with --tick) expiring points
 * and tiers.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "command.h"
#include "output.h"
#include "values.h"

static const char help[] =
    "usage: loyalty plan [DATE] [--days-ahead N] [--winback-days N]\n"
    "                    [--winback-factor PCT] [--winback-max-days N]\n"
    "                    [--at HH:MM] [--channel CH] [--transactional] [--tick]\n"
    "Plan into the outbox the birthdays and anniversaries from DATE (default\n"
    "today) to N days ahead (default 7), and with a lapse rule the win-back\n"
    "messages of lapsed customers.  Run it once a day; running it again plans\n"
    "nothing twice.\n"
    "  --winback-days N      lapsed after N days without a visit\n"
    "  --winback-factor PCT  lapsed after PCT% of the customer's usual interval\n"
    "  --winback-max-days N  leave alone customers gone longer than N days\n"
    "  --at HH:MM            local time the messages are due (default 10:00)\n"
    "  --channel CH          sms, email, kakao, push (default: the customer's)\n"
    "  --transactional       plan them as service notices, not marketing\n"
    "  --tick                also expire points and downgrade tiers that are due\n";

static const cli_opt spec[] = {
    {"days-ahead", 1}, {"winback-days", 1}, {"winback-factor", 1},
    {"winback-max-days", 1}, {"at", 1}, {"channel", 1}, {"transactional", 0},
    {"tick", 0}, {NULL, 0}};

int cmd_plan(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    lty_date day;
    lty_plan_day_options o = LTY_PLAN_DAY_OPTIONS_INIT;
    int64_t v;
    const char *s;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "plan", help, 0, 1, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if (cli_parse_date(ctx, "DATE", a.npos ? a.pos[0] : "today", 0, &day))
        return CLI_EXIT_USAGE;
    if ((s = cli_arg(&a, "days-ahead"))) {
        if (cli_parse_int("--days-ahead", s, 0, 366, &v))
            return CLI_EXIT_USAGE;
        o.days_ahead = (int)v;
    }
    if ((s = cli_arg(&a, "winback-days"))) {
        if (cli_parse_int("--winback-days", s, 1, LTY_PLAN_DAYS_MAX, &v))
            return CLI_EXIT_USAGE;
        o.lapse_days = (int)v;
        o.include |= LTY_PLAN_WINBACK;
    }
    if ((s = cli_arg(&a, "winback-factor"))) {
        if (cli_parse_int("--winback-factor", s, 100, 10000, &v))
            return CLI_EXIT_USAGE;
        o.lapse_factor_pct = (int)v;
        o.include |= LTY_PLAN_WINBACK;
    }
    if ((s = cli_arg(&a, "winback-max-days"))) {
        if (cli_parse_int("--winback-max-days", s, 1, LTY_PLAN_DAYS_MAX, &v))
            return CLI_EXIT_USAGE;
        o.lapse_max_days = (int)v;
    }
    if ((s = cli_arg(&a, "at"))) {
        int64_t h, m;
        char hh[3] = {0}, mm[3] = {0};
        if (!(s[0] && s[1] && s[2] == ':' && s[3] && s[4] && !s[5])) {
            cli_errorf("--at: '%s' is not HH:MM", s);
            return CLI_EXIT_USAGE;
        }
        hh[0] = s[0], hh[1] = s[1], mm[0] = s[3], mm[1] = s[4];
        if (cli_parse_int("--at", hh, 0, 23, &h) || cli_parse_int("--at", mm, 0, 59, &m))
            return CLI_EXIT_USAGE;
        o.local_minute = (int)(h * 60 + m);
    }
    if ((s = cli_arg(&a, "channel"))) {
        if (cli_parse_channel("--channel", s, 1, &o.channel))
            return CLI_EXIT_USAGE;
    }
    if (cli_arg_has(&a, "transactional"))
        o.purpose = LTY_PURPOSE_TRANSACTIONAL;
    if ((rc = cli_store_open(ctx)))
        return rc;
    size_t planned = 0, changed = 0;
    if ((rc = lty_plan_day(ctx->engine, &day, &o, &planned)))
        return cli_fail(ctx, "plan", rc);
    if (cli_arg_has(&a, "tick") &&
        (rc = lty_programs_tick(ctx->engine, LTY_TIME_NOW, &changed)))
        return cli_fail(ctx, "plan: --tick", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_record(d, "plan", NULL);
        cli_field_date(t, "date", "day", &day);
        cli_field_int(t, "planned", "messages planned", (int64_t)planned);
        cli_field_bool(t, "winback", "win-back", (o.include & LTY_PLAN_WINBACK) != 0);
        if (cli_arg_has(&a, "tick"))
            cli_field_int(t, "tick_changed", "customers changed by the tick",
                          (int64_t)changed);
    }
    return cli_doc_finish(d);
}
