/*
 * loyalty - command-line options of one command.
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_ARGS_H
#define LOYALTY_CLI_ARGS_H

#include <stddef.h>

/* One option a command accepts: "--name VALUE" (has_arg) or "--name". */
typedef struct cli_opt {
    const char *name;   /* without the dashes */
    int has_arg;
} cli_opt;

#define CLI_ARGS_MAX 64

/* The parsed command line of one command, in the order given. */
typedef struct cli_args {
    const cli_opt *spec;
    size_t nspec;
    struct { size_t opt; const char *value; } item[CLI_ARGS_MAX];
    size_t nitems;
    char *pos[CLI_ARGS_MAX];   /* positional arguments */
    size_t npos;
    int help;                  /* -h or --help was given */
} cli_args;

/* Parse argv[1..argc-1] (argv[0] is the command's name, used in messages)
 * against a spec ended by a {NULL, 0} entry.  "--name=value", "--name
 * value" and "--" (end of options) are understood.  Returns 0, or
 * CLI_EXIT_USAGE after naming the problem on stderr. */
int cli_args_parse(cli_args *a, const cli_opt *spec, int argc, char **argv,
                   const char *command);

/* The last value of an option ("" for a flag), or NULL when absent. */
const char *cli_arg(const cli_args *a, const char *name);

/* Whether an option was given. */
int cli_arg_has(const cli_args *a, const char *name);

/* Every value of a repeatable option, in order; returns how many (at most
 * cap are stored). */
size_t cli_arg_all(const cli_args *a, const char *name, const char **out,
                   size_t cap);

/* Check the number of positional arguments; prints the usage problem and
 * returns CLI_EXIT_USAGE when it is outside min..max. */
int cli_args_positional(const cli_args *a, size_t min, size_t max,
                        const char *command, const char *usage);

/* Let the parser accept the global options after a command's name. */
struct cli_ctx;
void cli_args_set_context(struct cli_ctx *ctx);

#endif
