/*
 * loyalty - parsing a command's options with its --help, and dispatching
 * the subcommands of a group.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "command.h"

int cli_begin(cli_ctx *ctx, cli_args *a, const cli_opt *spec, int argc,
              char **argv, const char *command, const char *help,
              size_t min_pos, size_t max_pos, int no_store)
{
    int rc = cli_args_parse(a, spec, argc, argv, command);
    if (rc)
        return rc;
    if (a->help) {
        fputs(help, stdout);
        return CLI_DONE;
    }
    /* the first line of the help is the synopsis */
    char synopsis[256];
    const char *nl = strchr(help, '\n');
    size_t n = nl ? (size_t)(nl - help) : strlen(help);
    if (n >= sizeof synopsis)
        n = sizeof synopsis - 1;
    memcpy(synopsis, help, n);
    synopsis[n] = '\0';
    const char *s = strncmp(synopsis, "usage: ", 7) ? synopsis : synopsis + 7;
    if ((rc = cli_args_positional(a, min_pos, max_pos, command, s)))
        return rc;
    /* the store's settings before the command reads amounts and dates */
    if ((rc = cli_store_peek(ctx)))
        return rc;
    if (!no_store && (rc = cli_store_open(ctx)))
        return rc;
    return 0;
}

static void group_usage(FILE *f, const char *group, const char *about,
                        const cli_sub *subs)
{
    fprintf(f, "usage: loyalty %s SUBCOMMAND ...\n%s\n\nSubcommands:\n", group,
            about);
    for (int i = 0; subs[i].name; i++)
        fprintf(f, "  loyalty %s %s\n", group, subs[i].synopsis);
    fprintf(f, "\n'loyalty %s SUBCOMMAND --help' describes one.\n", group);
}

int cli_dispatch(cli_ctx *ctx, const char *group, const char *about,
                 const cli_sub *subs, int argc, char **argv)
{
    if (argc < 2) {
        group_usage(stderr, group, about, subs);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        group_usage(stdout, group, about, subs);
        return CLI_EXIT_OK;
    }
    for (int i = 0; subs[i].name; i++)
        if (!strcmp(argv[1], subs[i].name))
            return subs[i].run(ctx, argc - 1, argv + 1);
    cli_errorf("%s: unknown subcommand '%s' (see 'loyalty %s --help')", group,
               argv[1], group);
    return CLI_EXIT_USAGE;
}
