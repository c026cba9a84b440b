/*
 * loyalty program - load program definitions from a file, list programs.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "command.h"
#include "output.h"

static const char help_load[] =
    "usage: loyalty program load FILE\n"
    "Define every program of an INI file (docs/guide/programs-file.md), all in\n"
    "one transaction: on an error nothing is defined and the message gives\n"
    "FILE:LINE and the key.\n";
static const char help_list[] =
    "usage: loyalty program list\n"
    "List the programs of the store: id, name, kind, definition version and\n"
    "levels (ladder steps or tiers).\n";

static const cli_opt none[] = {{NULL, 0}};

static const char *kind_name(lty_program_kind k)
{
    switch (k) {
    case LTY_PROGRAM_LADDER: return "ladder";
    case LTY_PROGRAM_STARS: return "stars";
    case LTY_PROGRAM_POINTS: return "points";
    case LTY_PROGRAM_DRAW: return "draw";
    }
    return "?";
}

static int list_into(cli_ctx *ctx, cli_doc *d);

static int program_load(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, none, argc, argv, "program load", help_load, 1, 1, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if ((rc = lty_program_load_file(ctx->engine, a.pos[0])))
        return cli_fail(ctx, "program load", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (!d)
        return cli_doc_finish(d);
    if ((rc = list_into(ctx, d))) {
        cli_doc_free(d);
        return rc;
    }
    return cli_doc_finish(d);
}

static int list_into(cli_ctx *ctx, cli_doc *d)
{
    char ids[LTY_PROGRAMS_MAX][LTY_ID_MAX + 1];
    size_t n;
    int rc = lty_program_list(ctx->engine, ids, LTY_PROGRAMS_MAX, &n);
    if (rc)
        return cli_fail(ctx, "program list", rc);
    cli_table *t = cli_doc_table(d, "programs", "Programs");
    cli_col(t, "id", "ID", 0);
    cli_col(t, "name", "NAME", 0);
    cli_col(t, "kind", "KIND", 0);
    cli_col(t, "version", "VERSION", 1);
    cli_col(t, "levels", "LEVELS", 1);
    for (size_t i = 0; i < n && i < LTY_PROGRAMS_MAX; i++) {
        lty_program_info info;
        if ((rc = lty_program_info_get(ctx->engine, ids[i], &info)))
            return cli_fail(ctx, "program list", rc);
        cli_cell_text(t, ids[i]);
        cli_cell_text(t, info.name);
        cli_cell_text(t, kind_name(info.kind));
        cli_cell_int(t, info.def_version);
        cli_cell_int(t, (int64_t)info.levels);
    }
    return 0;
}

static int program_list(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, none, argc, argv, "program list", help_list, 0, 0, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    cli_doc *d = cli_doc_new(ctx);
    if (!d)
        return cli_doc_finish(d);
    if ((rc = list_into(ctx, d))) {
        cli_doc_free(d);
        return rc;
    }
    return cli_doc_finish(d);
}

static const cli_sub subs[] = {
    {"load", program_load, "load FILE"},
    {"list", program_list, "list"},
    {NULL, NULL, NULL}};

int cmd_program(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "program", "Loyalty programs: ladders, stars, points, draws.",
                        subs, argc, argv);
}
