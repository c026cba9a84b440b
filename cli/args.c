/*
 * loyalty - command-line options of one command: a small long-option
 * parser (no getopt, so that the same rules hold everywhere and every
 * option can be repeated and read back in order).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "args.h"
#include "cli.h"

/* The global options (main.c) are accepted after the command's name too:
 * "loyalty customer show 7 --json". */
int cli_apply_global(cli_ctx *ctx, const char *name, size_t len,
                     const char *value, int *takes_value);
static cli_ctx *globals;

void cli_args_set_context(cli_ctx *ctx)
{
    globals = ctx;
}

static const cli_opt *find(const cli_opt *spec, const char *name, size_t len,
                           size_t *index)
{
    for (size_t i = 0; spec[i].name; i++)
        if (strlen(spec[i].name) == len && !memcmp(spec[i].name, name, len)) {
            *index = i;
            return &spec[i];
        }
    return NULL;
}

int cli_args_parse(cli_args *a, const cli_opt *spec, int argc, char **argv,
                   const char *command)
{
    int only_positional = 0;
    memset(a, 0, sizeof *a);
    a->spec = spec;
    for (a->nspec = 0; spec[a->nspec].name; a->nspec++)
        ;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (only_positional || arg[0] != '-' || arg[1] == '\0' ||
            (arg[1] != '-' && (arg[1] < 'a' || arg[1] > 'z'))) {
            /* "-" alone, and negative numbers such as "-5", are values */
            if (a->npos == CLI_ARGS_MAX) {
                cli_errorf("%s: too many arguments", command);
                return CLI_EXIT_USAGE;
            }
            a->pos[a->npos++] = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            only_positional = 1;
            continue;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            a->help = 1;
            continue;
        }
        if (arg[1] != '-') {
            cli_errorf("%s: unknown option '%s' (options are spelled --name)",
                       command, arg);
            return CLI_EXIT_USAGE;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        size_t index;
        const cli_opt *o = find(spec, name, len, &index);
        if (!o && globals) {
            int takes, rc = cli_apply_global(globals, name, len, eq ? eq + 1 : NULL,
                                             &takes);
            if (rc >= 0 && takes && !eq) {
                if (i + 1 >= argc) {
                    cli_errorf("%s: option '--%.*s' needs a value", command,
                               (int)len, name);
                    return CLI_EXIT_USAGE;
                }
                rc = cli_apply_global(globals, name, len, argv[++i], &takes);
            } else if (rc >= 0 && !takes && eq) {
                cli_errorf("%s: option '--%.*s' takes no value", command,
                           (int)len, name);
                return CLI_EXIT_USAGE;
            }
            if (rc > 0)
                return rc;
            if (rc == 0)
                continue;
        }
        if (!o) {
            cli_errorf("%s: unknown option '--%.*s' (see '%s --help')", command,
                       (int)len, name, command);
            return CLI_EXIT_USAGE;
        }
        const char *value = "";
        if (o->has_arg) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                cli_errorf("%s: option '--%s' needs a value", command, o->name);
                return CLI_EXIT_USAGE;
            }
        } else if (eq) {
            cli_errorf("%s: option '--%s' takes no value", command, o->name);
            return CLI_EXIT_USAGE;
        }
        if (a->nitems == CLI_ARGS_MAX) {
            cli_errorf("%s: too many options", command);
            return CLI_EXIT_USAGE;
        }
        a->item[a->nitems].opt = index;
        a->item[a->nitems].value = value;
        a->nitems++;
    }
    return 0;
}

const char *cli_arg(const cli_args *a, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < a->nitems; i++)
        if (!strcmp(a->spec[a->item[i].opt].name, name))
            v = a->item[i].value;
    return v;
}

int cli_arg_has(const cli_args *a, const char *name)
{
    return cli_arg(a, name) != NULL;
}

size_t cli_arg_all(const cli_args *a, const char *name, const char **out,
                   size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < a->nitems; i++)
        if (!strcmp(a->spec[a->item[i].opt].name, name)) {
            if (n < cap)
                out[n] = a->item[i].value;
            n++;
        }
    return n;
}

int cli_args_positional(const cli_args *a, size_t min, size_t max,
                        const char *command, const char *usage)
{
    if (a->npos >= min && a->npos <= max)
        return 0;
    if (a->npos < min)
        cli_errorf("%s: missing argument (usage: %s)", command, usage);
    else
        cli_errorf("%s: unexpected argument '%s' (usage: %s)", command,
                   a->pos[max], usage);
    return CLI_EXIT_USAGE;
}
