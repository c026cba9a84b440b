/*
 * loyalty import - customers, events or appointments from a CSV file
 * (cli/import_csv.c does the work; docs/guide/import.md gives the columns,
 * the batches and the error rules).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "import_csv.h"
#include "output.h"

static const char help[] =
    "usage: loyalty import customers|events|appointments FILE.csv\n"
    "Import a CSV file with a header row (columns: docs/guide/import.md).\n"
    "Rows are taken in batches of 10,000: a batch with a bad row is not\n"
    "written at all, and every bad line is reported with its number and the\n"
    "column at fault; the other batches are written.  Importing the same\n"
    "file again changes nothing.  A progress bar is drawn on a terminal.\n"
    "Exit status 0 when every row was written, 1 when some were rejected.\n";

static const cli_opt spec[] = {{NULL, 0}};

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "import", help, 2, 2, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    const char *kind = a.pos[0];
    if (strcmp(kind, "customers") && strcmp(kind, "events") &&
        strcmp(kind, "appointments")) {
        cli_errorf("import: '%s' is not customers, events or appointments", kind);
        return CLI_EXIT_USAGE;
    }
    ctx->bulk = 1;
    if ((rc = cli_store_open(ctx)))
        return rc;
    static struct cli_import_summary sum; /* ~20 KiB of error lines */
    memset(&sum, 0, sizeof sum);
    rc = cli_import_file(ctx->engine, kind, a.pos[1],
                         isatty(STDERR_FILENO) ? stderr : NULL, &sum);
    if (rc != LTY_OK && rc != LTY_EINVALID) {
        cli_errorf("import %s: %s (%s)", kind,
                   sum.message[0] ? sum.message : lty_engine_last_error(ctx->engine),
                   lty_strerror(rc));
        return cli_exit_for(rc) == CLI_EXIT_NOTFOUND ? CLI_EXIT_ERROR
                                                      : cli_exit_for(rc);
    }
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_record(d, "summary", "Summary");
        cli_field_text(t, "kind", "kind", kind);
        cli_field_int(t, "rows", "rows read", (int64_t)sum.rows);
        cli_field_int(t, "accepted", "rows written", (int64_t)sum.accepted);
        cli_field_int(t, "duplicates", "of which already stored",
                      (int64_t)sum.duplicates);
        cli_field_int(t, "rejected", "rows rejected", (int64_t)sum.rejected);
        cli_field_int(t, "held_back", "good rows of rejected batches",
                      (int64_t)sum.held_back);
        cli_field_int(t, "batches", "batches", (int64_t)sum.batches);
        cli_field_int(t, "batches_rejected", "batches not written",
                      (int64_t)sum.batches_rejected);
        cli_field_int(t, "errors_omitted", "rejected lines not listed",
                      (int64_t)sum.errors_omitted);
        if (sum.error_count) {
            cli_table *e = cli_doc_table(d, "rejected", "Rejected lines");
            cli_col(e, "line", "LINE", CLI_RIGHT);
            cli_col(e, "reason", "REASON", 0);
            for (size_t i = 0; i < sum.error_count; i++) {
                cli_cell_int(e, (int64_t)sum.errors[i].line);
                cli_cell_text(e, sum.errors[i].reason);
            }
        }
    }
    int out = cli_doc_finish(d);
    return out ? out : rc == LTY_EINVALID ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
