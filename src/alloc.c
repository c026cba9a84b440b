/*
 * libloyalty - allocator hooks with defaults, and lty_buf.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "alloc_int.h"

static void *std_malloc(size_t n, void *ud)
{
    (void)ud;
    return malloc(n);
}

static void *std_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    return realloc(p, n);
}

static void std_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

int lty__alloc_init(lty_allocator *out, const lty_allocator *in)
{
    if (!in) {
        out->malloc = std_malloc;
        out->realloc = std_realloc;
        out->free = std_free;
        out->userdata = NULL;
        return LTY_OK;
    }
    if (!in->malloc || !in->realloc || !in->free)
        return LTY_EINVALID;
    *out = *in;
    return LTY_OK;
}

void *lty__zalloc(const lty_allocator *a, size_t n)
{
    void *p = lty__malloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *lty__strndup(const lty_allocator *a, const char *s, size_t n)
{
    char *p = lty__malloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *lty__strdup(const lty_allocator *a, const char *s)
{
    if (!s)
        return NULL;
    return lty__strndup(a, s, strlen(s));
}

void lty__buf_init(lty_buf *b, const lty_allocator *alloc)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->alloc = alloc;
}

void lty__buf_release(lty_buf *b)
{
    if (!b)
        return;
    lty__free(b->alloc, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int lty__buf_reserve(lty_buf *b, size_t n)
{
    if (n <= b->cap)
        return LTY_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < n) {
        if (cap > SIZE_MAX / 2)
            return LTY_ENOMEM;
        cap *= 2;
    }
    unsigned char *p = lty__realloc(b->alloc, b->data, cap);
    if (!p)
        return LTY_ENOMEM;
    b->data = p;
    b->cap = cap;
    return LTY_OK;
}

int lty__buf_append(lty_buf *b, const void *p, size_t n, size_t *off)
{
    if (n > SIZE_MAX - b->len)
        return LTY_ENOMEM;
    int rc = lty__buf_reserve(b, b->len + n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    if (off)
        *off = b->len;
    b->len += n;
    return LTY_OK;
}

int lty_buf_set(lty_buf *buf, const void *data, size_t len)
{
    if (!buf || (!data && len) || len > LTY_VALUE_MAX)
        return LTY_EINVALID;
    int rc = lty__buf_reserve(buf, len);
    if (rc)
        return rc;
    if (len)
        memcpy(buf->data, data, len);
    buf->len = len;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Memory handed to the caller (lty_free)                              */
/* ------------------------------------------------------------------ */

/* The block starts with the allocator it came from, padded so what
 * follows is aligned for any type. */
#define USER_HDR \
    ((sizeof(lty_allocator) + _Alignof(max_align_t) - 1) / \
     _Alignof(max_align_t) * _Alignof(max_align_t))

void *lty__user_alloc(const lty_allocator *a, size_t n)
{
    if (n > SIZE_MAX - USER_HDR)
        return NULL;
    unsigned char *b = lty__malloc(a, USER_HDR + n);
    if (!b)
        return NULL;
    memcpy(b, a, sizeof *a);
    return b + USER_HDR;
}

void lty_free(void *p)
{
    if (!p)
        return;
    unsigned char *b = (unsigned char *)p - USER_HDR;
    lty_allocator a;
    memcpy(&a, b, sizeof a);
    a.free(b, a.userdata);
}
