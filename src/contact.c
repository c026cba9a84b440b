/*
 * libloyalty - normalising phone numbers and e-mail addresses.
 *
 * The rules are written down in contact_int.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "contact_int.h"
#include "validate_int.h"

/* E.164 limits on the digits after the '+'. */
#define E164_DIGITS_MIN 8
#define E164_DIGITS_MAX 15

/* The value of a numeric macro as a string literal, for fixed messages. */
#define CONTACT_XSTR(x) #x
#define CONTACT_STR(x) CONTACT_XSTR(x)

size_t lty__bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n <= max && s[n] != '\0')
        n++;
    return n;
}

/* ------------------------------------------------------------------ */
/* Phone numbers                                                       */
/* ------------------------------------------------------------------ */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Punctuation people put into numbers and that carries no meaning. */
static int is_phone_separator(char c)
{
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' ||
           c == '[' || c == ']';
}

/* What the notation said before the digits were reinterpreted. */
typedef struct phone_digits {
    char d[LTY_PHONE_MAX];
    size_t n;
    int plus;
} phone_digits;

/* "(0)" after some digits of a "+" number is the trunk marker of the
 * "+44 (0)20 ..." notation: it is not part of the number. */
static int is_trunk_marker(const char *s, size_t n, size_t i,
                           const phone_digits *pd)
{
    return pd->plus && pd->n > 0 && i + 2 < n && s[i] == '(' &&
           s[i + 1] == '0' && s[i + 2] == ')';
}

/* Keep the digits and the leading '+'; refuse anything else. */
static int collect_digits(const char *s, size_t n, phone_digits *pd,
                          const char **why)
{
    pd->n = 0;
    pd->plus = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_digit(c)) {
            pd->d[pd->n++] = c;
        } else if (is_trunk_marker(s, n, i, pd)) {
            i += 2;
        } else if (is_phone_separator(c)) {
            continue;
        } else if (c == '+' && !pd->plus && pd->n == 0) {
            pd->plus = 1;
        } else {
            *why = "not a phone number";
            return LTY_EINVALID;
        }
    }
    if (pd->n == 0) {
        *why = "not a phone number";
        return LTY_EINVALID;
    }
    return LTY_OK;
}

/* Append the country code's decimal digits. */
static size_t put_country_code(char *out, int country_code)
{
    char tmp[4];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + country_code % 10);
        country_code /= 10;
    } while (country_code > 0 && n < sizeof tmp);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

int lty__phone_normalize(const char *s, size_t n, int country_code,
                         char out[LTY__E164_SIZE], size_t *outlen,
                         const char **why)
{
    phone_digits pd;
    /* Country code digits and up to LTY_PHONE_MAX national digits: room
     * enough to count them before refusing an overlong number. */
    char num[3 + LTY_PHONE_MAX];
    size_t k = 0;
    const char *rest;
    size_t restn;

    out[0] = '\0';
    *outlen = 0;
    if (n > LTY_PHONE_MAX) {
        *why = "longer than " CONTACT_STR(LTY_PHONE_MAX) " bytes";
        return LTY_EINVALID;
    }
    int rc = collect_digits(s, n, &pd, why);
    if (rc)
        return rc;

    rest = pd.d;
    restn = pd.n;
    if (pd.plus) {
        /* international already */
    } else if (restn >= 2 && rest[0] == '0' && rest[1] == '0') {
        rest += 2;
        restn -= 2;
    } else {
        if (country_code < 1 || country_code > 999) {
            *why = "no valid country code to complete a national number";
            return LTY_EINVALID;
        }
        if (rest[0] == '0') {
            rest++;
            restn--;
        }
        k = put_country_code(num, country_code);
    }
    memcpy(num + k, rest, restn);
    k += restn;

    if (k == 0 || num[0] == '0') {
        *why = "country code cannot start with 0";
        return LTY_EINVALID;
    }
    if (k < E164_DIGITS_MIN) {
        *why = "fewer than 8 digits";
        return LTY_EINVALID;
    }
    if (k > E164_DIGITS_MAX) {
        *why = "more than 15 digits";
        return LTY_EINVALID;
    }
    out[0] = '+';
    memcpy(out + 1, num, k);
    out[k + 1] = '\0';
    *outlen = k + 1;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* E-mail addresses                                                    */
/* ------------------------------------------------------------------ */

static int is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* The shape check after trimming: one '@', both parts present, no space. */
static int email_shape_ok(const char *s, size_t n, const char **why)
{
    size_t at = n, ats = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ') {
            *why = "contains a space";
            return 0;
        }
        if (s[i] == '@') {
            ats++;
            at = i;
        }
    }
    if (ats != 1 || at == 0 || at == n - 1) {
        *why = "not an e-mail address";
        return 0;
    }
    return 1;
}

int lty__email_normalize(const char *s, size_t n, char out[LTY__EMAIL_SIZE],
                         size_t *outlen, const char **why)
{
    out[0] = '\0';
    *outlen = 0;
    if (n > LTY_EMAIL_MAX) {
        *why = "longer than " CONTACT_STR(LTY_EMAIL_MAX) " bytes";
        return LTY_EINVALID;
    }
    if (!lty__utf8_valid(s, n)) {
        *why = "not valid UTF-8";
        return LTY_EINVALID;
    }
    /* Trim first: a stray newline pasted after an address is white space
     * to remove, not a control character to refuse. */
    while (n > 0 && is_ascii_space(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_ascii_space(s[n - 1]))
        n--;
    if (!lty__text_valid(s, n, LTY__TEXT_LINE)) {
        *why = "contains a control character";
        return LTY_EINVALID;
    }
    if (!email_shape_ok(s, n, why))
        return LTY_EINVALID;
    for (size_t i = 0; i < n; i++)
        out[i] = ascii_lower(s[i]);
    out[n] = '\0';
    *outlen = n;
    return LTY_OK;
}
