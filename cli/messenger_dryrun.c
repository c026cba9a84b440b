/*
 * loyalty - the dry-run messenger: collects each message a dispatch would
 * send, with its rendered text, into an output table and accepts it.
 * `outbox dispatch --dry-run` runs it on a store whose commits are
 * discarded (cli_store_open_readonly), so the outbox's policy decides
 * exactly as it would and nothing is claimed, sent or counted.
 * SPDX-License-Identifier: MIT
 */
#include "messengers.h"
#include "output.h"
#include "values.h"

void cli_dryrun_cols(cli_table *t)
{
    cli_col(t, "id", "MESSAGE", 0);
    cli_col(t, "customer_id", "CUSTOMER", 0);
    cli_col(t, "channel", "CHANNEL", 0);
    cli_col(t, "purpose", "PURPOSE", 0);
    cli_col(t, "address", "ADDRESS", 0);
    cli_col(t, "due", "DUE", 0);
    cli_col(t, "attempt", "ATTEMPT", 1);
    cli_col(t, "text", "TEXT", 0);
}

static int dry_send(const lty_message *msg, void *userdata)
{
    cli_table *t = userdata;
    cli_cell_text(t, msg->id);
    cli_cell_text(t, msg->customer_id);
    cli_cell_text(t, cli_channel_name(msg->channel));
    cli_cell_text(t, cli_purpose_name(msg->purpose));
    cli_cell_text(t, msg->address);
    cli_cell_time(t, msg->due);
    cli_cell_int(t, msg->attempt);
    cli_cell_text(t, msg->text);
    return LTY_OK;
}

int cli_messenger_dryrun(cli_ctx *ctx, cli_table *t)
{
    static const lty_messenger_ops ops = {LTY_MESSENGER_OPS_VERSION, dry_send, NULL};
    int rc = lty_messenger_register(ctx->engine, &ops, t);
    return rc ? cli_fail(ctx, "outbox dispatch", rc) : 0;
}
