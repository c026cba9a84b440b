/*
 * loyalty - the command-line program: global options, the command table
 * and exit codes.
 *
 * Every command is one entry of `commands` below; a command group (such as
 * `customer`) dispatches its subcommands itself.  Adding a command is one
 * line here and one function.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "values.h"

static const cli_command commands[] = {
    {"init", cmd_init, "create the store (and its default message templates)"},
    {"program", cmd_program, "load program definitions, list programs"},
    {"customer", cmd_customer, "show, find, add, change or erase a customer"},
    {"record", cmd_record, "record a visit, purchase, refund or feedback"},
    {"appointment", cmd_appointment, "book, cancel, arrive, no-show, list"},
    {"brief", cmd_brief, "the front desk's briefing of a day"},
    {"recognize", cmd_recognize, "the caller-ID card of a phone number"},
    {"plan", cmd_plan, "plan birthdays, anniversaries and win-back messages"},
    {"outbox", cmd_outbox, "list the outbox; dispatch what is due"},
    {"rfm", cmd_rfm, "RFM scores and segments (store or CSV file)"},
    {"clv", cmd_clv, "customer lifetime value (BG/NBD and Gamma-Gamma)"},
    {"churn", cmd_churn, "customers at risk of churning, by value at stake"},
    {"campaign", cmd_campaign, "define, simulate, launch and measure campaigns"},
    {"template", cmd_template, "store or remove a message template"},
    {"verify", cmd_verify, "check every record and aggregate of the store"},
    {"import", cmd_import, "import customers, events or appointments from CSV"},
    {"report", cmd_report, "write the store's report as one HTML file"},
    {"demo", cmd_demo, "build a demo clinic, show what it knows, write a report"},
    {NULL, NULL, NULL}};

static const char *progname = "loyalty";

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_exit_for(int rc)
{
    if (rc == LTY_OK)
        return CLI_EXIT_OK;
    if (rc == LTY_ENOTFOUND)
        return CLI_EXIT_NOTFOUND;
    return CLI_EXIT_ERROR;
}

int cli_fail(cli_ctx *ctx, const char *what, int rc)
{
    const char *detail = ctx->engine ? lty_engine_last_error(ctx->engine) : "";
    if (detail && *detail)
        cli_errorf("%s: %s (%s)", what, detail, lty_strerror(rc));
    else
        cli_errorf("%s: %s", what, lty_strerror(rc));
    return cli_exit_for(rc);
}

/* ---------------------------------------------------------------- */
/* Global options, also accepted after the command's name            */
/* ---------------------------------------------------------------- */

static const struct currency {
    const char *code;
    int exponent;
} currencies[] = {{"KRW", 0}, {"JPY", 0}, {"VND", 0}, {"USD", 2}, {"EUR", 2},
                  {"GBP", 2}, {"CNY", 2}, {"TWD", 2}, {"SGD", 2}, {"AUD", 2},
                  {"CAD", 2}, {"CHF", 2}, {"HKD", 2}, {NULL, 0}};

static int set_currency(cli_ctx *ctx, const char *v)
{
    ctx->currency_given = 1;
    static char code[4];
    size_t n = strlen(v);
    if (n == 5 && v[3] == ':' && v[4] >= '0' && v[4] <= '4') {
        memcpy(code, v, 3);
        code[3] = '\0';
        ctx->currency = code;
        ctx->currency_exponent = v[4] - '0';
        return 0;
    }
    for (int i = 0; currencies[i].code; i++)
        if (!strcmp(v, currencies[i].code)) {
            ctx->currency = currencies[i].code;
            ctx->currency_exponent = currencies[i].exponent;
            return 0;
        }
    cli_errorf("--currency: '%s' is not known; give an ISO code (KRW, JPY, "
               "USD, EUR, ...) or CODE:DIGITS such as CHF:2", v);
    return CLI_EXIT_USAGE;
}

/* "+09:00", "-05:30", "540" (minutes) or "local" */
static int set_utc_offset(cli_ctx *ctx, const char *v)
{
    int64_t m;
    ctx->zone_given = 1;
    if (!strcmp(v, "local")) {
        ctx->utc_offset_set = 0;
        return 0;
    }
    if ((v[0] == '+' || v[0] == '-') && strlen(v) == 6 && v[3] == ':') {
        char hh[3] = {v[1], v[2], 0}, mm[3] = {v[4], v[5], 0};
        int64_t h, mi;
        if (cli_parse_int("--utc-offset", hh, 0, 18, &h) ||
            cli_parse_int("--utc-offset", mm, 0, 59, &mi))
            return CLI_EXIT_USAGE;
        m = (h * 60 + mi) * (v[0] == '-' ? -1 : 1);
        if (m < -1080 || m > 1080) {
            cli_errorf("--utc-offset: '%s' is beyond 18 hours", v);
            return CLI_EXIT_USAGE;
        }
    } else if (cli_parse_int("--utc-offset", v, -1080, 1080, &m))
        return CLI_EXIT_USAGE;
    ctx->utc_offset = (int)m;
    ctx->utc_offset_set = 1;
    return 0;
}

int cli_apply_global(cli_ctx *ctx, const char *name, size_t len,
                     const char *value, int *takes_value);
int cli_apply_global(cli_ctx *ctx, const char *name, size_t len,
                     const char *value, int *takes_value)
{
#define IS(s) (len == strlen(s) && !memcmp(name, s, len))
    *takes_value = !(IS("json") || IS("csv"));
    if (!value && *takes_value)
        return IS("db") || IS("postgres") || IS("currency") ||
                       IS("utc-offset") || IS("country-code")
                   ? 0
                   : -1;
    if (IS("json"))
        ctx->format = CLI_FORMAT_JSON;
    else if (IS("csv"))
        ctx->format = CLI_FORMAT_CSV;
    else if (IS("db")) {
        ctx->db_path = value;
        ctx->db_named = 1;
        ctx->pg_conninfo = NULL;
    } else if (IS("postgres"))
        ctx->pg_conninfo = value;
    else if (IS("currency"))
        return set_currency(ctx, value);
    else if (IS("utc-offset"))
        return set_utc_offset(ctx, value);
    else if (IS("country-code")) {
        int64_t c;
        if (cli_parse_int("--country-code", value, 1, 999, &c))
            return CLI_EXIT_USAGE;
        ctx->country_code = (int)c;
        ctx->country_given = 1;
    } else
        return -1;
    return 0;
#undef IS
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: loyalty [GLOBAL OPTIONS] COMMAND [ARGS...]\n"
            "\n"
            "Global options (also accepted after the command):\n"
            "  --db FILE            the SQLite store (default $LOYALTY_DB, else loyalty.db)\n"
            "  --postgres CONNINFO  use the PostgreSQL store instead ($LOYALTY_POSTGRES)\n"
            "  --json, --csv        output for programs instead of aligned tables\n"
            "  --currency CODE      KRW (default, $LOYALTY_CURRENCY), USD, ... or CODE:DIGITS\n"
            "  --utc-offset OFFSET  +09:00, minutes, or 'local' (default: the system's zone)\n"
            "  --country-code N     for national phone numbers (default 82)\n"
            "  --help, --version\n"
            "\n"
            "Commands:\n");
    for (int i = 0; commands[i].name; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'loyalty COMMAND --help' describes a command.  Exit codes: 0 done, "
               "1 error,\n2 bad usage, 3 not found, 4 verify found problems.\n");
}

static int env_defaults(cli_ctx *ctx)
{
    const char *v;
    ctx->db_path = "loyalty.db";
    ctx->currency = "KRW";
    ctx->currency_exponent = 0;
    ctx->country_code = 82;
    if ((v = getenv("LOYALTY_DB")) && *v) {
        ctx->db_path = v;
        ctx->db_named = 1;
    }
    if ((v = getenv("LOYALTY_POSTGRES")) && *v)
        ctx->pg_conninfo = v;
    if ((v = getenv("LOYALTY_CURRENCY")) && *v && set_currency(ctx, v))
        return CLI_EXIT_USAGE;
    if ((v = getenv("LOYALTY_UTC_OFFSET")) && *v && set_utc_offset(ctx, v))
        return CLI_EXIT_USAGE;
    if ((v = getenv("LOYALTY_COUNTRY_CODE")) && *v) {
        int64_t c;
        if (cli_parse_int("LOYALTY_COUNTRY_CODE", v, 1, 999, &c))
            return CLI_EXIT_USAGE;
        ctx->country_code = (int)c;
        ctx->country_given = 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_ctx ctx;
    int i, rc;
    memset(&ctx, 0, sizeof ctx);
    ctx.out = stdout;
    ctx.program = progname;
    if ((rc = env_defaults(&ctx)))
        return rc;
    cli_args_set_context(&ctx);
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        if (!strcmp(a, "--version")) {
            printf("loyalty (libloyalty) %s\n", lty_version(NULL, NULL, NULL));
            return CLI_EXIT_OK;
        }
        if (a[1] != '-') {
            cli_errorf("unknown option '%s' (see 'loyalty --help')", a);
            return CLI_EXIT_USAGE;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int takes;
        const char *value = eq ? eq + 1 : NULL;
        rc = cli_apply_global(&ctx, name, len, value, &takes);
        if (rc < 0) {
            cli_errorf("unknown option '%s' (see 'loyalty --help')", a);
            return CLI_EXIT_USAGE;
        }
        if (!value && takes) {
            if (i + 1 >= argc) {
                cli_errorf("option '%s' needs a value", a);
                return CLI_EXIT_USAGE;
            }
            rc = cli_apply_global(&ctx, name, len, argv[++i], &takes);
        } else if (eq && !takes) {
            cli_errorf("option '--%.*s' takes no value", (int)len, name);
            return CLI_EXIT_USAGE;
        }
        if (rc)
            return rc;
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    for (int c = 0; commands[c].name; c++)
        if (!strcmp(argv[i], commands[c].name)) {
            rc = commands[c].run(&ctx, argc - i, argv + i);
            cli_store_close(&ctx);
            if (fflush(stdout)) {
                cli_errorf("cannot write the output");
                return CLI_EXIT_ERROR;
            }
            return rc;
        }
    cli_errorf("unknown command '%s' (see 'loyalty --help')", argv[i]);
    return CLI_EXIT_USAGE;
}
