/*
 * libloyalty - what the planning modules share: message ids built from
 * their cause, local due times, small checks.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "keys_int.h"
#include "plan_int.h"
#include "validate_int.h"

/* ------------------------------------------------------------------ */
/* Message ids                                                         */
/* ------------------------------------------------------------------ */

/* A hashed part: "~" and 16 hex digits. */
#define HASHED_LEN 17u

static int must_escape(unsigned char c)
{
    return c == '%' || c == '/' || c == '~' || c == ' ';
}

static size_t escaped_len(const lty__idpart *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += must_escape((unsigned char)p->s[i]) ? 3 : 1;
    return n;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static void put(lty__msgid *m, const char *s, size_t n)
{
    /* the length decision below keeps ids within the limit; the clamp only
     * guards against a programming error */
    if (n > LTY_MESSAGE_ID_MAX - m->n)
        n = LTY_MESSAGE_ID_MAX - m->n;
    memcpy(m->b + m->n, s, n);
    m->n += n;
    m->b[m->n] = '\0';
}

static void put_part(lty__msgid *m, const lty__idpart *p, int hashed)
{
    static const char hex[] = "0123456789ABCDEF";
    if (hashed) {
        char h[HASHED_LEN + 1];
        snprintf(h, sizeof h, "~%016llx", (unsigned long long)fnv1a(p->s, p->n));
        put(m, h, HASHED_LEN);
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        unsigned char c = (unsigned char)p->s[i];
        if (must_escape(c)) {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(m, esc, 3);
        } else {
            put(m, (const char *)&c, 1);
        }
    }
}

void lty__msgid_prefix(lty__msgid *m, const char *kind,
                       const lty__idpart *parts, size_t n, size_t tail_max)
{
    size_t len[8];
    int hashed[8] = {0};
    size_t kn = strlen(kind);
    size_t total = kn + 1 + tail_max;
    if (n > 8)
        n = 8;
    for (size_t i = 0; i < n; i++) {
        len[i] = escaped_len(&parts[i]);
        total += len[i] + 1;
    }
    while (total > LTY_MESSAGE_ID_MAX) {
        size_t longest = n;
        for (size_t i = 0; i < n; i++)
            if (!hashed[i] && len[i] > HASHED_LEN &&
                (longest == n || len[i] > len[longest]))
                longest = i;
        if (longest == n)
            break; /* cannot happen with the callers' limits */
        total -= len[longest] - HASHED_LEN;
        len[longest] = HASHED_LEN;
        hashed[longest] = 1;
    }
    m->n = 0;
    m->b[0] = '\0';
    put(m, kind, kn);
    put(m, "/", 1);
    for (size_t i = 0; i < n; i++) {
        put_part(m, &parts[i], hashed[i]);
        put(m, "/", 1);
    }
    m->prefix = m->n;
}

void lty__msgid_tail(lty__msgid *m, const char *tail)
{
    m->n = m->prefix;
    put(m, tail, strlen(tail));
}

/* ------------------------------------------------------------------ */
/* Days and due times                                                  */
/* ------------------------------------------------------------------ */

void lty__day_text(int64_t day, char out[16])
{
    lty_date d;
    lty__civil_from_days(day, &d);
    snprintf(out, 16, "%04d-%02d-%02d", d.year, d.month, d.day);
}

int lty__local_to_utc(lty_engine *e, int64_t day, int minute, int64_t *out)
{
    int64_t local = day * 86400 + (int64_t)minute * 60;
    int m0 = 0, m1 = 0, m2 = 0;
    /* a guess with the offset at the local time read as UTC, then the
     * offset in force at the guess; a second correction settles it unless
     * the local time falls in a gap a change to daylight saving time makes */
    int rc = lty__utc_offset(e, local, &m0);
    if (rc == LTY_OK)
        rc = lty__utc_offset(e, local - (int64_t)m0 * 60, &m1);
    if (rc)
        return rc;
    int64_t t = local - (int64_t)m1 * 60;
    if (m1 != m0) {
        if ((rc = lty__utc_offset(e, t, &m2)))
            return rc;
        if (m2 != m1) {
            /* in a gap: neither offset gives the local time back; take the
             * later instant, just after the change */
            int64_t a = local - (int64_t)m0 * 60;
            t = a > t ? a : t;
        }
    }
    if (t < LTY_TIME_MIN || t > LTY_TIME_MAX)
        return lty__err(e, LTY_ERANGE,
                        "due time: outside 1970-01-01..9999-12-31");
    *out = t;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Small reads and checks                                              */
/* ------------------------------------------------------------------ */

int lty__message_exists(lty_engine *e, const char *id, size_t n, int *found)
{
    /* "O\0<message id>": the outbox's record (outbox_int.h) */
    lty__key k;
    lty__key_reset(&k);
    lty__key_add(&k, "O", 1);
    lty__key_sep(&k);
    lty__key_add(&k, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    *found = rc == LTY_OK;
    return rc == LTY_ENOTFOUND ? LTY_OK : rc;
}

int lty__plan_customer_exists(lty_engine *e, const char *cid, size_t cn)
{
    lty__key k;
    lty__key_profile(&k, cid, cn);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "customer: not found");
    return rc;
}

int lty__plan_check_route(lty_engine *e, const char *field,
                          lty_purpose purpose, lty_channel channel)
{
    if (purpose != LTY_PURPOSE_TRANSACTIONAL && purpose != LTY_PURPOSE_MARKETING)
        return lty__err(e, LTY_EINVALID,
                        "%s purpose: must be transactional or marketing", field);
    if ((int)channel < LTY_CHANNEL_NONE || (int)channel > LTY_CHANNEL_STAFF)
        return lty__err(e, LTY_EINVALID, "%s channel: unknown", field);
    if (channel == LTY_CHANNEL_STAFF && purpose != LTY_PURPOSE_TRANSACTIONAL)
        return lty__err(e, LTY_EINVALID,
                        "%s channel: staff notices are transactional", field);
    return LTY_OK;
}
