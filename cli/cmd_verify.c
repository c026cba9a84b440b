/*
 * loyalty verify - decode every record of the store and recompute every
 * customer's aggregates from the ledger.  Exit code 4 when anything is
 * wrong, so that a cron job or a backup script can act on it.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "command.h"
#include "output.h"

static const char help[] =
    "usage: loyalty verify\n"
    "Read the whole store, decoding every record, and recompute every\n"
    "customer's aggregates (visits, purchases, net spend ...) from the\n"
    "ledger.  Lists the mismatches.  Exit code 0 when all is well, 4 when a\n"
    "mismatch or a corrupt record was found.  Writes nothing.\n";

static const cli_opt none[] = {{NULL, 0}};

static int each(const lty_verify_mismatch *m, void *userdata)
{
    cli_table *t = userdata;
    cli_cell_text(t, m->customer_id);
    cli_cell_text(t, m->field);
    if (m->stored_text || m->expected_text) {
        cli_cell_text(t, m->stored_text);
        cli_cell_text(t, m->expected_text);
    } else {
        char a[32], b[32];
        snprintf(a, sizeof a, "%lld", (long long)m->stored);
        snprintf(b, sizeof b, "%lld", (long long)m->expected);
        cli_cell_text(t, a);
        cli_cell_text(t, b);
    }
    return LTY_OK;
}

int cmd_verify(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, none, argc, argv, "verify", help, 0, 0, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    cli_doc *d = cli_doc_new(ctx);
    if (!d)
        return cli_doc_finish(d);
    cli_table *t = cli_doc_table(d, "mismatches", "Mismatches");
    cli_col(t, "customer_id", "CUSTOMER", 0);
    cli_col(t, "field", "FIELD", 0);
    cli_col(t, "stored", "STORED", 1);
    cli_col(t, "expected", "FROM THE LEDGER", 1);
    size_t mismatches = 0;
    rc = lty_verify(ctx->engine, &mismatches, each, t);
    if (rc && rc != LTY_ECORRUPT) {
        cli_doc_free(d);
        return cli_fail(ctx, "verify", rc);
    }
    cli_table *s = cli_doc_record(d, "verify", "Result");
    cli_field_int(s, "mismatches", "mismatches", (int64_t)mismatches);
    cli_field_bool(s, "corrupt", "corrupt record found", rc == LTY_ECORRUPT);
    cli_field_text(s, "corrupt_detail", "corrupt record",
                   rc == LTY_ECORRUPT ? lty_engine_last_error(ctx->engine) : NULL);
    cli_field_bool(s, "ok", "store is consistent", !rc && !mismatches);
    int out = cli_doc_finish(d);
    if (out)
        return out;
    if (rc == LTY_ECORRUPT || mismatches) {
        cli_errorf("verify: the store has problems (%zu mismatches%s)", mismatches,
                   rc == LTY_ECORRUPT ? ", a corrupt record" : "");
        return CLI_EXIT_PROBLEMS;
    }
    return CLI_EXIT_OK;
}
