/*
 * libloyalty tests - whole-store snapshots through a backend's scan.
 *
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storedump.h"

typedef struct text {
    char *s;
    size_t len, cap;
    int failed;
} text;

static int text_reserve(text *t, size_t more)
{
    if (t->len + more + 1 <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + more + 1)
        cap *= 2;
    char *s = realloc(t->s, cap);
    if (!s) {
        t->failed = 1;
        return -1;
    }
    t->s = s;
    t->cap = cap;
    return 0;
}

static void text_hex(text *t, const void *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *b = p;
    if (n == 0) {
        t->s[t->len++] = '-';
        return;
    }
    for (size_t i = 0; i < n; i++) {
        t->s[t->len++] = digits[b[i] >> 4];
        t->s[t->len++] = digits[b[i] & 15];
    }
}

static int dump_one(const char *key, size_t keylen, const void *value,
                    size_t len, uint64_t rev, void *ctx)
{
    text *t = ctx;
    /* hex doubles the bytes; a 64-bit number needs at most 20 digits */
    if (text_reserve(t, 2 * keylen + 2 * len + 2 + 2 + 20 + 1))
        return LTY_ENOMEM;
    text_hex(t, key, keylen);
    t->s[t->len++] = ' ';
    text_hex(t, value, len);
    t->len += (size_t)sprintf(t->s + t->len, " %" PRIu64 "\n", rev);
    return LTY_OK;
}

char *lty_test_dump(const lty_storage_ops *ops, void *ud)
{
    text t = {NULL, 0, 0, 0};
    if (text_reserve(&t, 0))
        return NULL;
    t.s[0] = '\0';
    int rc = ops->scan(NULL, 0, NULL, 0, dump_one, &t, ud);
    if (rc != LTY_OK || t.failed) {
        free(t.s);
        return NULL;
    }
    t.s[t.len] = '\0';
    return t.s;
}

typedef struct needle {
    const unsigned char *p;
    size_t n;
    int found;
} needle;

static int holds(const void *hay, size_t len, const needle *nd)
{
    const unsigned char *h = hay;
    for (size_t i = 0; i + nd->n <= len; i++)
        if (h[i] == nd->p[0] && memcmp(h + i, nd->p, nd->n) == 0)
            return 1;
    return 0;
}

static int find_one(const char *key, size_t keylen, const void *value,
                    size_t len, uint64_t rev, void *ctx)
{
    needle *nd = ctx;
    (void)rev;
    if (holds(key, keylen, nd) || holds(value, len, nd)) {
        nd->found = 1;
        return LTY_SCAN_STOP;
    }
    return LTY_OK;
}

int lty_test_dump_contains(const lty_storage_ops *ops, void *ud,
                           const void *needle_bytes, size_t n)
{
    needle nd = {needle_bytes, n, 0};
    if (!needle_bytes || n == 0)
        return LTY_EINVALID;
    int rc = ops->scan(NULL, 0, NULL, 0, find_one, &nd, ud);
    if (rc < 0)
        return rc;
    return nd.found;
}

char *lty_test_dump_values(const lty_storage_ops *ops, void *ud)
{
    char *d = lty_test_dump(ops, ud);
    if (!d)
        return NULL;
    char *out = malloc(strlen(d) + 1), *o = out, *save = NULL;
    if (!out)
        abort();
    for (char *line = strtok_r(d, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *last = strrchr(line, ' ');
        size_t n = last ? (size_t)(last - line) : strlen(line);
        memcpy(o, line, n);
        o += n;
        *o++ = '\n';
    }
    *o = '\0';
    free(d);
    return out;
}
