/*
 * loyalty - a customer's card (briefing entry or caller ID) as output
 * cells.
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_CARD_OUT_H
#define LOYALTY_CLI_CARD_OUT_H

#include "output.h"

/* The columns of a card, then one row of cells per card. */
void cli_card_cols(cli_table *t);
void cli_card_cells(cli_ctx *ctx, cli_table *t, const lty_card *c);

#endif
