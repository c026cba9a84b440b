/*
 * loyalty - values between text and the library's types.  Local times use
 * the zone the engine was given (store_open.c): --utc-offset, or the
 * system's zone through localtime_r(), which follows daylight saving time.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "values.h"

int cli_parse_int(const char *what, const char *text, int64_t min, int64_t max,
                  int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno || isspace((unsigned char)*text)) {
        cli_errorf("%s: '%s' is not a whole number", what, text);
        return CLI_EXIT_USAGE;
    }
    if (v < min || v > max) {
        cli_errorf("%s: %lld is outside %" PRId64 "..%" PRId64, what, v, min, max);
        return CLI_EXIT_USAGE;
    }
    *out = v;
    return 0;
}

int cli_parse_double(const char *what, const char *text, double min,
                     double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno || !isfinite(v)) {
        cli_errorf("%s: '%s' is not a number", what, text);
        return CLI_EXIT_USAGE;
    }
    if (v < min || v > max) {
        cli_errorf("%s: %s is outside %g..%g", what, text, min, max);
        return CLI_EXIT_USAGE;
    }
    *out = v;
    return 0;
}

int cli_parse_money(const cli_ctx *ctx, const char *what, const char *text,
                    int64_t *out)
{
    const char *p = text;
    int64_t v = 0;
    int digits = 0, decimals = -1;
    for (; *p; p++) {
        if (*p == ',' && decimals < 0 && digits)
            continue; /* thousands separators are allowed */
        if (*p == '.' && decimals < 0) {
            decimals = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            goto bad;
        if (decimals >= 0 && ++decimals > ctx->currency_exponent) {
            cli_errorf("%s: '%s' has more than %d decimal%s", what, text,
                       ctx->currency_exponent,
                       ctx->currency_exponent == 1 ? "" : "s");
            return CLI_EXIT_USAGE;
        }
        if (v > (INT64_MAX - 9) / 10)
            goto range;
        v = v * 10 + (*p - '0');
        digits++;
    }
    if (!digits)
        goto bad;
    for (int i = decimals < 0 ? 0 : decimals; i < ctx->currency_exponent; i++) {
        if (v > INT64_MAX / 10)
            goto range;
        v *= 10;
    }
    *out = v;
    return 0;
bad:
    cli_errorf("%s: '%s' is not an amount (write it like 12000 or 12.50, "
               "without a sign or currency)", what, text);
    return CLI_EXIT_USAGE;
range:
    cli_errorf("%s: '%s' is too large", what, text);
    return CLI_EXIT_USAGE;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && (y == 0 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
        return 29;
    return dm[m - 1];
}

int cli_utc_offset_at(const cli_ctx *ctx, int64_t t)
{
    if (ctx->utc_offset_set)
        return ctx->utc_offset;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    long off = tm.tm_gmtoff / 60;
    return off < -1080 || off > 1080 ? 0 : (int)off;
}

void cli_local_date(const cli_ctx *ctx, int64_t t, lty_date *out)
{
    int64_t local = t + (int64_t)cli_utc_offset_at(ctx, t) * 60;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    civil_from_days(days, &out->year, &out->month, &out->day);
}

static int scan_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* "YYYY-MM-DD" at *p; advances past it. */
static int scan_date(const char **p, lty_date *d)
{
    const char *s = *p;
    if (scan_digits(&s, 4, &d->year) || *s++ != '-' ||
        scan_digits(&s, 2, &d->month) || *s++ != '-' ||
        scan_digits(&s, 2, &d->day))
        return -1;
    if (d->year < 1900 || d->year > 9999 || d->month < 1 || d->month > 12 ||
        d->day < 1 || d->day > days_in_month(d->year, d->month))
        return -1;
    *p = s;
    return 0;
}

int cli_parse_date(cli_ctx *ctx, const char *what, const char *text,
                   int allow_no_year, lty_date *out)
{
    const char *p = text;
    if (!strcmp(text, "today")) {
        cli_local_date(ctx, (int64_t)time(NULL), out);
        return 0;
    }
    if (allow_no_year && strlen(text) == 5) {
        if (!scan_digits(&p, 2, &out->month) && *p++ == '-' &&
            !scan_digits(&p, 2, &out->day) && !*p && out->month >= 1 &&
            out->month <= 12 && out->day >= 1 &&
            out->day <= days_in_month(0, out->month)) {
            out->year = 0;
            return 0;
        }
        p = text;
    }
    if (scan_date(&p, out) || *p) {
        cli_errorf("%s: '%s' is not a date (YYYY-MM-DD%s)", what, text,
                   allow_no_year ? " or MM-DD" : "");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_parse_time(cli_ctx *ctx, const char *what, const char *text,
                   int64_t *out)
{
    const char *p = text;
    lty_date d;
    int hh = 0, mm = 0, ss = 0;
    if (!strcmp(text, "now")) {
        *out = (int64_t)time(NULL);
        return 0;
    }
    if (text[0] == '@') {
        int64_t v;
        if (cli_parse_int(what, text + 1, LTY_TIME_MIN, LTY_TIME_MAX, &v))
            return CLI_EXIT_USAGE;
        *out = v;
        return 0;
    }
    if (scan_date(&p, &d))
        goto bad;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (scan_digits(&p, 2, &hh) || *p++ != ':' || scan_digits(&p, 2, &mm))
            goto bad;
        if (*p == ':' && (p++, scan_digits(&p, 2, &ss)))
            goto bad;
        if (hh > 23 || mm > 59 || ss > 59)
            goto bad;
    }
    if (*p)
        goto bad;
    /* local to UTC: take the offset at the naive guess, then once more at
     * the corrected time (right except inside a DST gap or overlap) */
    int64_t local = days_from_civil(d.year, d.month, d.day) * 86400 +
                    hh * 3600 + mm * 60 + ss;
    int64_t t = local - (int64_t)cli_utc_offset_at(ctx, local) * 60;
    t = local - (int64_t)cli_utc_offset_at(ctx, t) * 60;
    if (t < LTY_TIME_MIN || t > LTY_TIME_MAX)
        goto bad;
    *out = t;
    return 0;
bad:
    cli_errorf("%s: '%s' is not a time (YYYY-MM-DD HH:MM, YYYY-MM-DD, now "
               "or @UNIXSECONDS)", what, text);
    return CLI_EXIT_USAGE;
}

static const char *const channel_names[] = {"any", "sms", "email", "kakao",
                                            "push", "staff"};

int cli_parse_channel(const char *what, const char *text, int allow_none,
                      lty_channel *out)
{
    for (int i = allow_none ? 0 : 1; i < 6; i++)
        if (!strcmp(text, channel_names[i])) {
            *out = (lty_channel)i;
            return 0;
        }
    if (allow_none && !strcmp(text, "none")) {
        *out = LTY_CHANNEL_NONE;
        return 0;
    }
    cli_errorf("%s: '%s' is not a channel (sms, email, kakao, push, staff%s)",
               what, text, allow_none ? " or any" : "");
    return CLI_EXIT_USAGE;
}

const char *cli_channel_name(lty_channel c)
{
    return (int)c >= 0 && (int)c < 6 ? channel_names[c] : "?";
}

const char *cli_purpose_name(lty_purpose p)
{
    switch (p) {
    case LTY_PURPOSE_TRANSACTIONAL: return "transactional";
    case LTY_PURPOSE_MARKETING: return "marketing";
    case LTY_PURPOSE_NIGHT_MARKETING: return "night-marketing";
    }
    return "?";
}

const char *cli_state_name(lty_message_state s)
{
    static const char *const n[] = {"?", "planned", "claimed", "sent", "retry",
                                    "dead", "suppressed", "cancelled"};
    return (int)s >= 1 && (int)s <= 7 ? n[s] : "?";
}

const char *cli_appointment_state_name(lty_appointment_state s)
{
    static const char *const n[] = {"?", "booked", "arrived", "no-show",
                                    "cancelled"};
    return (int)s >= 1 && (int)s <= 4 ? n[s] : "?";
}

static void split_local(const cli_ctx *ctx, int64_t t, int *off, int *y,
                        int *mo, int *d, int *h, int *mi, int *s)
{
    *off = cli_utc_offset_at(ctx, t);
    int64_t local = t + (int64_t)*off * 60;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t sec = local - days * 86400;
    civil_from_days(days, y, mo, d);
    *h = (int)(sec / 3600);
    *mi = (int)(sec / 60 % 60);
    *s = (int)(sec % 60);
}

void cli_fmt_time(const cli_ctx *ctx, int64_t t, char *buf, size_t size)
{
    int off, y, mo, d, h, mi, s;
    if (t <= 0 || t == LTY_TIME_NONE) {
        snprintf(buf, size, "-");
        return;
    }
    split_local(ctx, t, &off, &y, &mo, &d, &h, &mi, &s);
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
}

void cli_fmt_time_iso(const cli_ctx *ctx, int64_t t, char *buf, size_t size)
{
    int off, y, mo, d, h, mi, s;
    split_local(ctx, t, &off, &y, &mo, &d, &h, &mi, &s);
    int a = off < 0 ? -off : off;
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, mo, d,
             h, mi, s, off < 0 ? '-' : '+', a / 60, a % 60);
}

void cli_fmt_date(const lty_date *d, char *buf, size_t size)
{
    if (d->year)
        snprintf(buf, size, "%04d-%02d-%02d", d->year, d->month, d->day);
    else
        snprintf(buf, size, "--%02d-%02d", d->month, d->day);
}

/* Digits of |v| with a comma every three, into buf. */
static void grouped(uint64_t v, char *buf, size_t size)
{
    char digits[32], out[48];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v), o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, size, "%s", out);
}

void cli_fmt_count(int64_t v, char *buf, size_t size)
{
    char g[48];
    grouped(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, g, sizeof g);
    snprintf(buf, size, "%s%s", v < 0 ? "-" : "", g);
}

void cli_fmt_money(const cli_ctx *ctx, int64_t minor, char *buf, size_t size)
{
    uint64_t a = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t unit = 1;
    for (int i = 0; i < ctx->currency_exponent; i++)
        unit *= 10;
    char g[48];
    grouped(a / unit, g, sizeof g);
    if (ctx->currency_exponent)
        snprintf(buf, size, "%s%s.%0*" PRIu64, minor < 0 ? "-" : "", g,
                 ctx->currency_exponent, a % unit);
    else
        snprintf(buf, size, "%s%s", minor < 0 ? "-" : "", g);
}
