/*
 * loyalty - the command-line program: what every part of it shares.
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_H
#define LOYALTY_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <loyalty.h>

/* Exit codes (documented in docs/loyalty.1 and docs/guide/cli.md). */
#define CLI_EXIT_OK 0        /* done */
#define CLI_EXIT_ERROR 1     /* the store or the library refused or failed */
#define CLI_EXIT_USAGE 2     /* bad command line: unknown command or option, bad value */
#define CLI_EXIT_NOTFOUND 3  /* the customer, appointment, campaign ... does not exist */
#define CLI_EXIT_PROBLEMS 4  /* verify found mismatches or corrupt records */

/* How results are written: aligned tables for people, JSON or CSV for
 * programs. */
typedef enum cli_format {
    CLI_FORMAT_TABLE = 0,
    CLI_FORMAT_JSON = 1,
    CLI_FORMAT_CSV = 2
} cli_format;

/* The global options and the open engine, handed to every command. */
typedef struct cli_ctx {
    const char *db_path;        /* --db, $LOYALTY_DB, or "loyalty.db" */
    int db_named;               /* --db or $LOYALTY_DB given */
    const char *pg_conninfo;    /* --postgres, or NULL for SQLite */
    cli_format format;          /* --json / --csv */
    const char *currency;       /* --currency code, shown by `init` */
    int currency_exponent;      /* digits of the minor unit */
    int utc_offset_set;         /* --utc-offset given (else the system zone) */
    int utc_offset;             /* minutes */
    int country_code;           /* --country-code */
    int currency_given;         /* --currency or $LOYALTY_CURRENCY given */
    int zone_given;             /* --utc-offset or $LOYALTY_UTC_OFFSET given */
    int language_given;         /* init --language given */
    const char *language;       /* init --language (else the store's, or "en") */
    int country_given;          /* --country-code or $LOYALTY_COUNTRY_CODE given */
    const char *program;        /* argv[0] for messages */
    int bulk;                   /* import, demo: SQLite synchronous NORMAL */
    int creating;               /* init, demo: no store to read settings from yet */
    lty_engine *engine;         /* opened by cli_store_open() */
    FILE *out;                  /* stdout */
} cli_ctx;

/* One command (or command group) of the dispatch table in main.c.  `argv`
 * starts at the command's own name.  Returns a CLI_EXIT_* code. */
typedef int (*cli_command_fn)(cli_ctx *ctx, int argc, char **argv);

typedef struct cli_command {
    const char *name;
    cli_command_fn run;
    const char *summary;        /* one line for `loyalty --help` */
} cli_command;

/* --- messages (main.c) --- */
/* An error on stderr, "loyalty: ..." */
void cli_errorf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Report a failed library call on stderr with the engine's detail and map
 * the code to an exit code (ENOTFOUND -> 3, EINVALID/ERANGE/EPARSE -> 1 ...). */
int cli_fail(cli_ctx *ctx, const char *what, int rc);

/* The exit code for a library code (without printing). */
int cli_exit_for(int rc);

/* --- the store (store_open.c) --- */
/* Open the store named by the global options and create the engine (the
 * real clock, the chosen zone, currency exponent and country code).
 * Prints the reason and returns a CLI_EXIT_* code on failure. */
int cli_store_open(cli_ctx *ctx);
void cli_store_close(cli_ctx *ctx);

/* Open the store with every commit turned into a rollback: what runs on it
 * changes nothing (outbox dispatch --dry-run). */
int cli_store_open_readonly(cli_ctx *ctx);

/* Open, creating the SQLite file or the PostgreSQL tables when missing
 * (`init`). */
int cli_store_create(cli_ctx *ctx);

/* Before a command reads its values: open the store if there is one, so
 * that its settings (currency, zone, country code) are known; nothing when
 * there is none yet.  cli_begin() calls it. */
int cli_store_peek(cli_ctx *ctx);

/* --- the command groups (cmd_*.c) --- */
int cmd_init(cli_ctx *ctx, int argc, char **argv);
int cmd_program(cli_ctx *ctx, int argc, char **argv);
int cmd_customer(cli_ctx *ctx, int argc, char **argv);
int cmd_record(cli_ctx *ctx, int argc, char **argv);
int cmd_appointment(cli_ctx *ctx, int argc, char **argv);
int cmd_brief(cli_ctx *ctx, int argc, char **argv);
int cmd_recognize(cli_ctx *ctx, int argc, char **argv);
int cmd_plan(cli_ctx *ctx, int argc, char **argv);
int cmd_outbox(cli_ctx *ctx, int argc, char **argv);
int cmd_rfm(cli_ctx *ctx, int argc, char **argv);
int cmd_clv(cli_ctx *ctx, int argc, char **argv);
int cmd_churn(cli_ctx *ctx, int argc, char **argv);
int cmd_campaign(cli_ctx *ctx, int argc, char **argv);
int cmd_verify(cli_ctx *ctx, int argc, char **argv);
int cmd_template(cli_ctx *ctx, int argc, char **argv);
int cmd_import(cli_ctx *ctx, int argc, char **argv);
int cmd_report(cli_ctx *ctx, int argc, char **argv);
int cmd_demo(cli_ctx *ctx, int argc, char **argv);
/* Write the HTML report of the open store to `path` (cmd_report.c). */
int cli_write_report(cli_ctx *ctx, const char *path, const char *title);

#endif /* LOYALTY_CLI_H */
