/*
 * libloyalty - internal: writing a record straight into its buffer.
 *
 * Records written on every event (aggregates, ledger entries, program
 * states) are encoded by reserving the most they can take and writing
 * through a pointer, rather than through the general encoder's bounds
 * check per byte.  The bytes are exactly those of codec_int.h (tags below
 * 16, so a field key is one byte) and are read back with the general
 * decoder.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_FASTENC_INT_H
#define LTY_FASTENC_INT_H

#include <string.h>

#include "codec_int.h"

#define LTY__VARINT_MAX 10u
#define LTY__FIELD_NUM_MAX (1u + LTY__VARINT_MAX)
#define LTY__FIELD_BYTES_MAX(n) (1u + LTY__VARINT_MAX + (n))

typedef struct lty__writer {
    unsigned char *p;
} lty__writer;

/* Reserve `most` bytes of out and write the record header. */
static inline int lty__writer_begin(lty__writer *w, lty_buf *out, size_t most,
                                    unsigned kind, unsigned version)
{
    int rc = lty__buf_reserve(out, most);
    if (rc)
        return rc;
    w->p = out->data;
    *w->p++ = (unsigned char)kind;
    *w->p++ = (unsigned char)version;
    return LTY_OK;
}

static inline void lty__writer_end(const lty__writer *w, lty_buf *out)
{
    out->len = (size_t)(w->p - out->data);
}

static inline void lty__put_varint(lty__writer *w, uint64_t v)
{
    while (v >= 0x80) {
        *w->p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *w->p++ = (unsigned char)v;
}

static inline void lty__put_u64(lty__writer *w, unsigned tag, uint64_t v)
{
    *w->p++ = (unsigned char)(tag << 3 | LTY__WIRE_VARINT);
    lty__put_varint(w, v);
}

/* A signed number, zigzag-encoded (read with lty__field_i64). */
static inline void lty__put_i64(lty__writer *w, unsigned tag, int64_t v)
{
    lty__put_u64(w, tag, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline void lty__put_bytes(lty__writer *w, unsigned tag, const void *s,
                                  size_t n)
{
    *w->p++ = (unsigned char)(tag << 3 | LTY__WIRE_BYTES);
    lty__put_varint(w, n);
    memcpy(w->p, s, n);
    w->p += n;
}

#endif /* LTY_FASTENC_INT_H */
