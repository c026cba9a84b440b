/*
 * libloyalty - building and parsing store keys (layout in keys_int.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "keys_int.h"

void lty__key_reset(lty__key *k)
{
    k->n = 0;
}

void lty__key_add(lty__key *k, const void *p, size_t n)
{
    /* Callers pass validated ids, so keys stay far below LTY_KEY_MAX; the
     * clamp only guards against a programming error. */
    if (n > sizeof k->b - k->n)
        n = sizeof k->b - k->n;
    memcpy(k->b + k->n, p, n);
    k->n += n;
}

void lty__key_sep(lty__key *k)
{
    lty__key_add(k, "", 1);
}

void lty__key_be64(lty__key *k, uint64_t v)
{
    unsigned char b[8];
    for (int i = 7; i >= 0; i--) {
        b[i] = (unsigned char)v;
        v >>= 8;
    }
    lty__key_add(k, b, 8);
}

void lty__key_customer(lty__key *k, const char *id, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "C", 1);
    lty__key_sep(k);
    lty__key_add(k, id, n);
    lty__key_sep(k);
}

void lty__key_profile(lty__key *k, const char *id, size_t n)
{
    lty__key_customer(k, id, n);
    lty__key_add(k, "P", 1);
}

void lty__key_stats(lty__key *k, const char *id, size_t n)
{
    lty__key_customer(k, id, n);
    lty__key_add(k, "A", 1);
}

void lty__key_ledger_prefix(lty__key *k, const char *id, size_t n)
{
    lty__key_customer(k, id, n);
    lty__key_add(k, "L", 1);
}

void lty__key_ledger(lty__key *k, const char *id, size_t n, int64_t time,
                     const char *evid, size_t en)
{
    lty__key_ledger_prefix(k, id, n);
    /* Inverted so that byte order lists the newest entry first. */
    lty__key_be64(k, ~(uint64_t)time);
    lty__key_add(k, evid, en);
}

void lty__key_event(lty__key *k, const char *evid, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "E", 1);
    lty__key_sep(k);
    lty__key_add(k, evid, n);
}

void lty__key_index(lty__key *k, const char *index, const char *val, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "I", 1);
    lty__key_sep(k);
    lty__key_add(k, index, strlen(index));
    lty__key_sep(k);
    lty__key_add(k, val, n);
}

void lty__key_meta(lty__key *k, const char *name)
{
    lty__key_reset(k);
    lty__key_add(k, "M", 1);
    lty__key_sep(k);
    lty__key_add(k, name, strlen(name));
}

int lty__key_parse_customer(const char *key, size_t n, const char **id,
                            size_t *idlen, const char **rest, size_t *restlen)
{
    if (n < 4 || key[0] != 'C' || key[1] != '\0')
        return 0;
    const char *start = key + 2;
    const char *sep = memchr(start, '\0', n - 2);
    if (!sep || sep == start || (size_t)(sep - start) > 64)
        return 0;
    *id = start;
    *idlen = (size_t)(sep - start);
    *rest = sep + 1;
    *restlen = n - (size_t)(sep + 1 - key);
    return *restlen > 0;
}

int lty__key_parse_ledger(const char *rest, size_t n, int64_t *time,
                          const char **evid, size_t *evlen)
{
    if (n < 1 + 8 + 1 || rest[0] != 'L')
        return 0;
    uint64_t v = 0;
    for (int i = 1; i <= 8; i++)
        v = v << 8 | (unsigned char)rest[i];
    v = ~v;
    if (v > (uint64_t)LTY_TIME_MAX)
        return 0;
    *time = (int64_t)v;
    *evid = rest + 9;
    *evlen = n - 9;
    return *evlen <= 64;
}
