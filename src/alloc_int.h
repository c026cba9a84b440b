/*
 * libloyalty - internal: allocator hooks with defaults, and the lty_buf type.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_ALLOC_INT_H
#define LTY_ALLOC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "loyalty/common.h"
#include "loyalty/storage.h"

#define LTY_INTERNAL __attribute__((visibility("hidden")))

/* Fill @a out with the hooks in @a in, or with the C library's when @a in is
 * NULL.  Returns LTY_EINVALID when @a in has a NULL function. */
LTY_INTERNAL int lty__alloc_init(lty_allocator *out, const lty_allocator *in);

static inline void *lty__malloc(const lty_allocator *a, size_t n)
{
    return a->malloc(n ? n : 1, a->userdata);
}

static inline void *lty__realloc(const lty_allocator *a, void *p, size_t n)
{
    return a->realloc(p, n ? n : 1, a->userdata);
}

static inline void lty__free(const lty_allocator *a, void *p)
{
    if (p)
        a->free(p, a->userdata);
}

/* calloc-like: zeroed block of n bytes, NULL on failure. */
LTY_INTERNAL void *lty__zalloc(const lty_allocator *a, size_t n);

/* Copy of a NUL-terminated string (NULL gives NULL with *ok set to 1). */
LTY_INTERNAL char *lty__strdup(const lty_allocator *a, const char *s);

/* Copy of n bytes plus a terminating NUL. */
LTY_INTERNAL char *lty__strndup(const lty_allocator *a, const char *s, size_t n);

/* A block of n bytes handed to the caller, who frees it with lty_free():
 * the allocator is recorded in front of it.  NULL on failure. */
LTY_INTERNAL void *lty__user_alloc(const lty_allocator *a, size_t n);

/* The growable buffer backends fill through lty_buf_set().  The engine owns
 * one and reuses it, so reads cost no allocation once it has grown. */
struct lty_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
    const lty_allocator *alloc; /* borrowed from the owner */
};

LTY_INTERNAL void lty__buf_init(lty_buf *b, const lty_allocator *alloc);
LTY_INTERNAL void lty__buf_release(lty_buf *b);
/* Make room for at least n bytes; contents kept. */
LTY_INTERNAL int lty__buf_reserve(lty_buf *b, size_t n);
/* Append n bytes; *off (may be NULL) receives the offset they start at. */
LTY_INTERNAL int lty__buf_append(lty_buf *b, const void *p, size_t n,
                                 size_t *off);

#endif /* LTY_ALLOC_INT_H */
