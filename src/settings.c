/*
 * libloyalty - the store's settings ("M\0settings", kind 32, version 1):
 * currency, zone, phone country code and language, written once by the
 * host and read by every program that opens the store.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "loyalty/settings.h"

#include "codec_int.h"
#include "engine_int.h"
#include "keys_int.h"
#include "validate_int.h"

#define SETTINGS "settings"
#define SETTINGS_VERSION 1

enum { S_CURRENCY = 1, S_EXPONENT, S_ZONE_LOCAL, S_OFFSET, S_COUNTRY,
       S_LOCALE };

/* LTY_OK, or the field at fault (static text). */
static const char *check(const lty_store_settings *s)
{
    for (int i = 0; i < 3; i++)
        if (s->currency[i] < 'A' || s->currency[i] > 'Z')
            return "currency: not three letters A..Z";
    if (s->currency[3] != '\0')
        return "currency: not three letters A..Z";
    if (s->currency_exponent < 0 || s->currency_exponent > 4)
        return "currency exponent: not 0..4";
    if (s->zone_local != 0 && s->zone_local != 1)
        return "zone local: not 0 or 1";
    if (s->utc_offset_minutes < -1080 || s->utc_offset_minutes > 1080 ||
        (s->zone_local && s->utc_offset_minutes != 0))
        return "utc offset: not -1080..1080 (0 with a local zone)";
    if (s->country_code < 1 || s->country_code > 999)
        return "country code: not 1..999";
    const char *end = memchr(s->locale, '\0', sizeof s->locale);
    if (!end)
        return "locale: longer than LTY_LOCALE_MAX";
    size_t n = (size_t)(end - s->locale);
    for (size_t i = 0; i < n; i++) {
        char c = s->locale[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-'))
            return "locale: only letters, digits and '-'";
    }
    return NULL;
}

static int encode(const lty_store_settings *s, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_SETTINGS, SETTINGS_VERSION);
    lty__enc_str(&w, S_CURRENCY, s->currency);
    lty__enc_i64(&w, S_EXPONENT, s->currency_exponent);
    lty__enc_i64(&w, S_ZONE_LOCAL, s->zone_local);
    lty__enc_i64(&w, S_OFFSET, s->utc_offset_minutes);
    lty__enc_i64(&w, S_COUNTRY, s->country_code);
    lty__enc_str(&w, S_LOCALE, s->locale);
    return lty__enc_end(&w);
}

static int int_field(const lty__field *f, int64_t lo, int64_t hi, int *out)
{
    int64_t v;
    if (lty__field_int(f, lo, hi, &v))
        return LTY_ECORRUPT;
    *out = (int)v;
    return LTY_OK;
}

static int decode(const void *data, size_t len, lty_store_settings *s)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    const char *p;
    size_t n;
    int r, rc;
    if ((rc = lty__dec_begin(&d, data, len, LTY__REC_SETTINGS,
                             SETTINGS_VERSION, &version)))
        return rc == LTY_EVERSION ? rc : LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        rc = LTY_OK;
        switch (f.tag) {
        case S_CURRENCY:
            if ((rc = lty__field_text(&f, 3, 3, LTY__TEXT_LINE, &p, &n)) == 0) {
                memcpy(s->currency, p, 3);
                s->currency[3] = '\0';
            }
            break;
        case S_EXPONENT: rc = int_field(&f, 0, 4, &s->currency_exponent); break;
        case S_ZONE_LOCAL: rc = int_field(&f, 0, 1, &s->zone_local); break;
        case S_OFFSET: rc = int_field(&f, -1080, 1080, &s->utc_offset_minutes); break;
        case S_COUNTRY: rc = int_field(&f, 1, 999, &s->country_code); break;
        case S_LOCALE:
            if ((rc = lty__field_text(&f, 0, LTY_LOCALE_MAX, LTY__TEXT_LINE,
                                      &p, &n)) == 0) {
                memcpy(s->locale, p, n);
                s->locale[n] = '\0';
            }
            break;
        default: break; /* a later version's field */
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    /* every field is required, and the whole must pass the checks */
    if (r != 0 || seen != 0x7E || check(s))
        return LTY_ECORRUPT;
    return LTY_OK;
}

static int set_body(lty_engine *e, void *arg)
{
    lty__key k;
    uint64_t rev = LTY_REV_NONE;
    lty__key_meta(&k, SETTINGS);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        rev = LTY_REV_NONE;
    else if (rc)
        return rc;
    if ((rc = encode(arg, &e->wbuf)))
        return lty__err(e, rc, "settings: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

int lty_store_settings_set(lty_engine *e, const lty_store_settings *s)
{
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!s)
        return lty__err(e, LTY_EINVALID, "settings: NULL");
    int rc = lty__check_version(e, "settings", s->version,
                                LTY_STORE_SETTINGS_VERSION);
    if (rc)
        return rc;
    const char *bad = check(s);
    if (bad)
        return lty__err(e, LTY_EINVALID, "%s", bad);
    return lty__txn(e, set_body, (void *)s);
}

static int get_body(lty_engine *e, void *arg)
{
    lty__key k;
    lty__key_meta(&k, SETTINGS);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "settings: never stored");
    if (rc)
        return rc;
    lty_store_settings *s = arg;
    if ((rc = decode(e->rbuf.data, e->rbuf.len, s)))
        return lty__corrupt(e, rc, "store settings");
    return LTY_OK;
}

int lty_store_settings_get(lty_engine *e, lty_store_settings *out)
{
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "settings: NULL");
    int rc = lty__check_version(e, "settings", out->version,
                                LTY_STORE_SETTINGS_VERSION);
    if (rc)
        return rc;
    lty_store_settings s;
    memset(&s, 0, sizeof s);
    s.version = LTY_STORE_SETTINGS_VERSION;
    if ((rc = lty__txn(e, get_body, &s)))
        return rc;
    *out = s;
    return LTY_OK;
}

int lty_store_settings_apply(const lty_store_settings *s,
                             lty_engine_options *opts)
{
    if (!s || !opts || s->version != LTY_STORE_SETTINGS_VERSION || check(s))
        return LTY_EINVALID;
    opts->currency_exponent = s->currency_exponent;
    opts->country_code = s->country_code;
    if (!s->zone_local)
        opts->utc_offset_minutes = s->utc_offset_minutes;
    return LTY_OK;
}
