/*
 * loyalty - values between text and the library's types: integers, money,
 * dates, times, channels.
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_VALUES_H
#define LOYALTY_CLI_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* Parsers: 0 on success; otherwise they name the option (`what`) and the
 * problem on stderr and return CLI_EXIT_USAGE. */
int cli_parse_int(const char *what, const char *text, int64_t min, int64_t max,
                  int64_t *out);
int cli_parse_double(const char *what, const char *text, double min,
                     double max, double *out);
/* An amount in the currency's major unit with up to `exponent` decimals
 * ("12000", "12.50"), to minor units. */
int cli_parse_money(const cli_ctx *ctx, const char *what, const char *text,
                    int64_t *out);
/* "YYYY-MM-DD", or "today"; with allow_no_year also "MM-DD" (year 0). */
int cli_parse_date(cli_ctx *ctx, const char *what, const char *text,
                   int allow_no_year, lty_date *out);
/* A local time "YYYY-MM-DD HH:MM[:SS]" (or with a "T"), "YYYY-MM-DD"
 * (midnight), "now", "@UNIXSECONDS", to UTC seconds. */
int cli_parse_time(cli_ctx *ctx, const char *what, const char *text,
                   int64_t *out);
/* "sms", "email", "kakao", "push", "staff" ("any"/"none" with allow_none). */
int cli_parse_channel(const char *what, const char *text, int allow_none,
                      lty_channel *out);

/* The local offset from UTC (minutes) in force at t. */
int cli_utc_offset_at(const cli_ctx *ctx, int64_t t);

/* Formatters write into buf (NUL-terminated, truncated to size). */
/* "2026-12-01 10:00" (local) for people. */
void cli_fmt_time(const cli_ctx *ctx, int64_t t, char *buf, size_t size);
/* "2026-12-01T10:00:00+09:00" (local, with its offset) for programs. */
void cli_fmt_time_iso(const cli_ctx *ctx, int64_t t, char *buf, size_t size);
/* "2026-12-01", or "--12-01" when the year is unknown (ISO 8601). */
void cli_fmt_date(const lty_date *d, char *buf, size_t size);
/* "12,000" or "1,234.50": major units with thousands separators. */
void cli_fmt_money(const cli_ctx *ctx, int64_t minor, char *buf, size_t size);
/* A thousands-separated integer. */
void cli_fmt_count(int64_t v, char *buf, size_t size);

const char *cli_channel_name(lty_channel c);
const char *cli_purpose_name(lty_purpose p);
const char *cli_state_name(lty_message_state s);
const char *cli_appointment_state_name(lty_appointment_state s);

/* The local calendar date of t in the CLI's zone. */
void cli_local_date(const cli_ctx *ctx, int64_t t, lty_date *out);

#endif
