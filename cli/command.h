/*
 * loyalty - what the command files share: parsing a command's options
 * with its --help, and dispatching the subcommands of a group.
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_COMMAND_H
#define LOYALTY_CLI_COMMAND_H

#include "args.h"
#include "cli.h"

/* cli_begin() returns this after printing the --help text: the command
 * ends with exit code 0. */
#define CLI_DONE (-1)

/* Parse argv of a (sub)command against `spec`; print `help` on --help;
 * check the positional arguments; open the store unless `no_store`.
 * Returns 0 to go on, CLI_DONE, or a CLI_EXIT_* code. */
int cli_begin(cli_ctx *ctx, cli_args *a, const cli_opt *spec, int argc,
              char **argv, const char *command, const char *help,
              size_t min_pos, size_t max_pos, int no_store);

/* The value of cli_begin() as a command's exit code. */
#define CLI_BEGIN_EXIT(rc) ((rc) == CLI_DONE ? CLI_EXIT_OK : (rc))

typedef struct cli_sub {
    const char *name;
    cli_command_fn run;
    const char *synopsis;   /* "show ID" */
} cli_sub;

/* Run the subcommand named by argv[1] of a group named argv[0]. */
int cli_dispatch(cli_ctx *ctx, const char *group, const char *about,
                 const cli_sub *subs, int argc, char **argv);

#endif
