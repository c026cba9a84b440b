/*
 * libloyalty - internal: argument validation shared by every module.
 *
 * Each check names the field in the engine's last-error message and never
 * quotes the offending value (it may be personal data).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_VALIDATE_INT_H
#define LTY_VALIDATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alloc_int.h"
#include "loyalty/common.h"

struct lty_engine;

/* What a text field may contain besides printable UTF-8. */
typedef enum lty__text_kind {
    LTY__TEXT_LINE = 0,     /* no control characters at all */
    LTY__TEXT_MULTILINE = 1 /* newline, carriage return and tab allowed */
} lty__text_kind;

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or values
 * past U+10FFFF), else 0. */
LTY_INTERNAL int lty__utf8_valid(const char *s, size_t n);

/* 1 when s[0..n) is UTF-8 without forbidden control characters (C0, DEL,
 * C1; kind MULTILINE allows \n \r \t). */
LTY_INTERNAL int lty__text_valid(const char *s, size_t n, lty__text_kind kind);

/* Check an input string.  NULL is accepted (len 0) only when min is 0;
 * "" is accepted only when min is 0.  On success *len receives strlen.
 * Reads at most max+1 bytes, so unterminated input past max is safe.  */
LTY_INTERNAL int lty__check_text(struct lty_engine *e, const char *field,
                                 const char *s, size_t min, size_t max,
                                 lty__text_kind kind, size_t *len);

/* An object id: 1..LTY_ID_MAX bytes, printable UTF-8. */
LTY_INTERNAL int lty__check_id(struct lty_engine *e, const char *field,
                               const char *s, size_t *len);

/* A time within LTY_TIME_MIN..LTY_TIME_MAX. */
LTY_INTERNAL int lty__check_time(struct lty_engine *e, const char *field,
                                 int64_t t);

/* A calendar date; year 0 allowed when allow_no_year. */
LTY_INTERNAL int lty__check_date(struct lty_engine *e, const char *field,
                                 const lty_date *d, int allow_no_year);

/* 1 when the date is valid (see lty__check_date), without an engine. */
LTY_INTERNAL int lty__date_valid(const lty_date *d, int allow_no_year);

LTY_INTERNAL int lty__is_leap(int year);
LTY_INTERNAL int lty__days_in_month(int year, int month);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
LTY_INTERNAL int64_t lty__days_from_civil(int year, int month, int day);
LTY_INTERNAL void lty__civil_from_days(int64_t days, lty_date *out);

/* floor(a / b) for b > 0. */
static inline int64_t lty__floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0)) ? q - 1 : q;
}

#endif /* LTY_VALIDATE_INT_H */
