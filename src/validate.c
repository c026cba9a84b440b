/*
 * libloyalty - argument validation: UTF-8, control characters, ids, times
 * and calendar dates.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "engine_int.h"
#include "validate_int.h"

/* Decode one UTF-8 sequence at s[i..n); returns its length, or 0 when it is
 * malformed (truncated, overlong, surrogate, past U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t i, size_t n,
                       uint32_t *cp)
{
    unsigned char c = s[i];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2; v = c & 0x1F; min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3; v = c & 0x0F; min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (n - i < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i + k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

int lty__utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp;
    size_t i = 0;
    while (i < n && u[i] < 0x80) /* ASCII needs no decoding */
        i++;
    while (i < n) {
        size_t l = utf8_seq(u, i, n, &cp);
        if (!l)
            return 0;
        i += l;
    }
    return 1;
}

static int is_control(uint32_t cp, lty__text_kind kind)
{
    if (kind == LTY__TEXT_MULTILINE && (cp == '\n' || cp == '\r' || cp == '\t'))
        return 0;
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

int lty__text_valid(const char *s, size_t n, lty__text_kind kind)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp;
    size_t i = 0;
    /* Ids, codes and most stored text are printable ASCII, which needs no
     * decoding: this runs on every record read, so it is worth the loop. */
    while (i < n && u[i] >= 0x20 && u[i] < 0x7F)
        i++;
    while (i < n) {
        size_t l = utf8_seq(u, i, n, &cp);
        if (!l || is_control(cp, kind))
            return 0;
        i += l;
    }
    return 1;
}

int lty__check_text(lty_engine *e, const char *field, const char *s,
                    size_t min, size_t max, lty__text_kind kind, size_t *len)
{
    if (!s) {
        if (min > 0)
            return lty__err(e, LTY_EINVALID, "%s: required", field);
        if (len)
            *len = 0;
        return LTY_OK;
    }
    size_t n = strnlen(s, max + 1);
    if (n > max)
        return lty__err(e, LTY_EINVALID, "%s: longer than %zu bytes", field,
                        max);
    if (n < min)
        return lty__err(e, LTY_EINVALID, "%s: empty", field);
    if (!lty__utf8_valid(s, n))
        return lty__err(e, LTY_EINVALID, "%s: not valid UTF-8", field);
    if (!lty__text_valid(s, n, kind))
        return lty__err(e, LTY_EINVALID, "%s: contains control characters",
                        field);
    if (len)
        *len = n;
    return LTY_OK;
}

int lty__check_id(lty_engine *e, const char *field, const char *s, size_t *len)
{
    return lty__check_text(e, field, s, 1, LTY_ID_MAX, LTY__TEXT_LINE, len);
}

int lty__check_time(lty_engine *e, const char *field, int64_t t)
{
    if (t < LTY_TIME_MIN || t > LTY_TIME_MAX)
        return lty__err(e, LTY_EINVALID, "%s: outside 1970-01-01..9999-12-31",
                        field);
    return LTY_OK;
}

int lty__is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int lty__days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && (year == 0 || lty__is_leap(year)))
        return 29; /* year 0: unknown year, so 29 February is possible */
    return days[month - 1];
}

int lty__date_valid(const lty_date *d, int allow_no_year)
{
    if (!d)
        return 0;
    if (d->year == 0 ? !allow_no_year : (d->year < 1900 || d->year > 9999))
        return 0;
    if (d->month < 1 || d->month > 12)
        return 0;
    return d->day >= 1 && d->day <= lty__days_in_month(d->year, d->month);
}

int lty__check_date(lty_engine *e, const char *field, const lty_date *d,
                    int allow_no_year)
{
    if (!d)
        return lty__err(e, LTY_EINVALID, "%s: required", field);
    if (d->year == 0 && !allow_no_year)
        return lty__err(e, LTY_EINVALID, "%s: year required", field);
    if (d->year != 0 && (d->year < 1900 || d->year > 9999))
        return lty__err(e, LTY_EINVALID, "%s: year outside 1900..9999", field);
    if (d->month < 1 || d->month > 12)
        return lty__err(e, LTY_EINVALID, "%s: month outside 1..12", field);
    if (d->day < 1 || d->day > lty__days_in_month(d->year, d->month))
        return lty__err(e, LTY_EINVALID, "%s: no such day in that month",
                        field);
    return LTY_OK;
}

/* Howard Hinnant's days-from-civil algorithm (public domain description). */
int64_t lty__days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = lty__floordiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void lty__civil_from_days(int64_t z, lty_date *out)
{
    z += 719468;
    int64_t era = lty__floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    out->year = (int)(y + (m <= 2));
    out->month = (int)m;
    out->day = (int)d;
}
