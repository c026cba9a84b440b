/*
 * loyalty CLI - parsing the values of import columns: times, dates,
 * whole numbers and channel names.
 *
 * Times without a UTC offset are local times in the engine's zone.  The
 * public API converts UTC to a local date (lty_engine_local_date()) but
 * not back, so the start of each local day is found by bisection
 * (cli_local_midnight()) and the day's offset cached: a file in time order costs
 * one bisection per day.  (On a day with a daylight-saving switch a time
 * after the switch without an explicit offset is taken with the offset
 * of the day's midnight; give an offset in such files.)
 *
 * SPDX-License-Identifier: MIT
 */
#include "import_int.h"
#include "local_time.h"

#include <string.h>

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Local wall-clock seconds (as if UTC) to UTC. */
static int local_to_utc(struct import_ctx *ctx, int64_t local, int64_t *out)
{
    int64_t day = floor_div(local, 86400);
    if (!ctx->tz_valid || ctx->tz_day != day) {
        int64_t midnight;
        if (cli_local_midnight(ctx->e, day, &midnight))
            return -1;
        ctx->tz_day = day;
        ctx->tz_off = day * 86400 - midnight;
        ctx->tz_valid = 1;
    }
    *out = local - ctx->tz_off;
    if (*out < LTY_TIME_MIN || *out > LTY_TIME_MAX)
        return -1;
    return 0;
}

int import_parse_int(const char *s, int64_t min, int64_t max, int64_t *out,
                     const char **why)
{
    const char *p = s;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (!*p) {
        *why = "not a whole number";
        return -1;
    }
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') {
            *why = "not a whole number";
            return -1;
        }
        if (v > (UINT64_MAX - 9) / 10 || v * 10 + (uint64_t)(*p - '0') > (uint64_t)INT64_MAX) {
            *why = "out of range";
            return -1;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    int64_t x = neg ? -(int64_t)v : (int64_t)v;
    if (x < min || x > max) {
        *why = "out of range";
        return -1;
    }
    *out = x;
    return 0;
}

int import_parse_date(const char *s, lty_date *out, const char **why)
{
    int y = 0, m, d;
    size_t n = strlen(s);
    *why = "not YYYY-MM-DD (or --MM-DD without a year)";
    if (n == 7 && s[0] == '-' && s[1] == '-' && s[4] == '-') {
        if (digits(s + 2, 2, &m) || digits(s + 5, 2, &d))
            return -1;
    } else if (n == 10 && s[4] == '-' && s[7] == '-') {
        if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
            return -1;
        if (y < 1900 || y > 9999) {
            *why = "year outside 1900..9999";
            return -1;
        }
    } else {
        return -1;
    }
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y ? y : 2000, m)) {
        *why = "no such day";
        return -1;
    }
    out->year = y;
    out->month = m;
    out->day = d;
    return 0;
}

int import_parse_time(struct import_ctx *ctx, const char *s, int64_t *out,
                      const char **why)
{
    size_t n = strlen(s);
    int y, mo, d, h = 0, mi = 0, sec = 0;
    *why = "not a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM] or Unix seconds)";
    if (n > 0 && strspn(s, "0123456789") == n) {
        int64_t v;
        if (import_parse_int(s, LTY_TIME_MIN, LTY_TIME_MAX, &v, why))
            return -1;
        *out = v;
        return 0;
    }
    if (n < 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) ||
        digits(s + 5, 2, &mo) || digits(s + 8, 2, &d))
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
        *why = "no such day";
        return -1;
    }
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (strlen(p) < 5 || digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi))
            return -1;
        p += 5;
        if (*p == ':') {
            if (digits(p + 1, 2, &sec))
                return -1;
            p += 3;
        }
        if (h > 23 || mi > 59 || sec > 59) {
            *why = "no such time of day";
            return -1;
        }
    }
    int64_t wall = cli_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    if (*p == '\0') {
        if (local_to_utc(ctx, wall, out)) {
            *why = "out of range";
            return -1;
        }
        return 0;
    }
    int off = 0;
    if (*p == 'Z' && p[1] == '\0') {
        off = 0;
    } else if ((*p == '+' || *p == '-') && p != s + 10) {
        int oh, om;
        const char *q = p + 1;
        if (digits(q, 2, &oh))
            return -1;
        q += 2;
        if (*q == ':')
            q++;
        if (digits(q, 2, &om) || q[2] != '\0' || oh > 18 || om > 59)
            return -1;
        off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
    } else {
        return -1;
    }
    *out = wall - (int64_t)off * 60;
    if (*out < LTY_TIME_MIN || *out > LTY_TIME_MAX) {
        *why = "out of range";
        return -1;
    }
    return 0;
}

int import_parse_channel(const char *s, lty_channel *out, const char **why)
{
    static const struct {
        const char *name;
        lty_channel ch;
    } names[] = {{"none", LTY_CHANNEL_NONE},   {"sms", LTY_CHANNEL_SMS},
                 {"email", LTY_CHANNEL_EMAIL}, {"kakao", LTY_CHANNEL_KAKAO},
                 {"push", LTY_CHANNEL_PUSH}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].ch;
            return 0;
        }
    }
    *why = "not one of none, sms, email, kakao, push";
    return -1;
}
