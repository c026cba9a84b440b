/*
 * loyalty - the messengers of `outbox dispatch`: a command run per
 * message, a spool directory of JSON files, and a dry run.
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_MESSENGERS_H
#define LOYALTY_CLI_MESSENGERS_H

#include <stdio.h>

#include "cli.h"
#include "output.h"

/* Each registers a messenger on ctx->engine (the engine owns its state
 * from then on).  0 or a CLI_EXIT_* code after a message on stderr. */

/* `/bin/sh -c COMMAND` per message: the text on standard input, the
 * fields in LOYALTY_MSG_* variables, its standard output sent to our
 * standard error.  Exit status 0: sent; 65 (EX_DATAERR): refused for
 * good; anything else (a crash, 75 EX_TEMPFAIL, a missing program):
 * retried later with back-off, until the policy's attempts run out. */
int cli_messenger_command(cli_ctx *ctx, const char *command);

/* One JSON file per message in DIR, named after the message id, written
 * to a temporary name, synced and renamed. */
int cli_messenger_spool(cli_ctx *ctx, const char *dir);

/* Adds each message that would be sent as a row of `t` (columns set by
 * cli_dryrun_cols) and accepts it; used on a store whose commits are
 * discarded, so nothing changes. */
int cli_messenger_dryrun(cli_ctx *ctx, cli_table *t);
void cli_dryrun_cols(cli_table *t);

/* The message as one JSON object (no newline): shared by the spool and
 * the dry run. */
void cli_message_json(const cli_ctx *ctx, const lty_message *m, FILE *f);

#endif
