/*
 * loyalty CLI - local calendar days to UTC through the engine's time zone.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_LOCAL_TIME_H
#define LOYALTY_CLI_LOCAL_TIME_H

#include <stdint.h>

#include <loyalty.h>

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t cli_days_from_civil(int64_t y, int m, int d);

/* The local day number (as cli_days_from_civil()) of UTC instant @p t. */
int cli_local_day(lty_engine *e, int64_t t, int64_t *day);

/* The UTC instant at which local day @p day begins in the engine's zone.
 * The public API converts UTC to local dates only, so this bisects over
 * UTC instants (offsets lie within +-18 hours).  Returns 0, or -1 when the
 * day is out of range. */
int cli_local_midnight(lty_engine *e, int64_t day, int64_t *utc);

#endif
