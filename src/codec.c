/*
 * libloyalty - the record codec: varints, fields and bounds-checked decoding.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "codec_int.h"
#include "validate_int.h"

size_t lty__varint_put(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

int lty__varint_get(const unsigned char **pp, const unsigned char *end,
                    uint64_t *v)
{
    const unsigned char *p = *pp;
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (p >= end)
            return LTY_ECORRUPT;
        unsigned char c = *p++;
        /* The tenth byte may only carry the top bit of a 64-bit value;
         * a zero continuation byte is an overlong (non-canonical) form. */
        if (shift == 63 && c > 1)
            return LTY_ECORRUPT;
        r |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) {
            if (c == 0 && shift > 0)
                return LTY_ECORRUPT;
            *pp = p;
            *v = r;
            return LTY_OK;
        }
    }
    return LTY_ECORRUPT;
}

static void enc_raw(lty__enc *w, const void *p, size_t n)
{
    if (w->err)
        return;
    if (n > LTY_VALUE_MAX - w->b->len) {
        w->err = LTY_ERANGE;
        return;
    }
    w->err = lty__buf_append(w->b, p, n, NULL);
}

static void enc_varint(lty__enc *w, uint64_t v)
{
    unsigned char tmp[10];
    enc_raw(w, tmp, lty__varint_put(tmp, v));
}

void lty__enc_begin_sub(lty__enc *w, lty_buf *b)
{
    w->b = b;
    w->err = LTY_OK;
    b->len = 0;
}

void lty__enc_begin(lty__enc *w, lty_buf *b, unsigned kind, unsigned version)
{
    unsigned char hdr[2] = {(unsigned char)kind, (unsigned char)version};
    lty__enc_begin_sub(w, b);
    enc_raw(w, hdr, 2);
}

void lty__enc_u64(lty__enc *w, unsigned tag, uint64_t v)
{
    enc_varint(w, (uint64_t)tag << 3 | LTY__WIRE_VARINT);
    enc_varint(w, v);
}

void lty__enc_i64(lty__enc *w, unsigned tag, int64_t v)
{
    /* zigzag: small magnitudes of either sign stay short */
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    lty__enc_u64(w, tag, z);
}

void lty__enc_bytes(lty__enc *w, unsigned tag, const void *p, size_t n)
{
    enc_varint(w, (uint64_t)tag << 3 | LTY__WIRE_BYTES);
    enc_varint(w, n);
    if (n)
        enc_raw(w, p, n);
}

void lty__enc_str(lty__enc *w, unsigned tag, const char *s)
{
    if (s)
        lty__enc_bytes(w, tag, s, strlen(s));
}

int lty__enc_end(lty__enc *w)
{
    return w->err;
}

int lty__dec_begin(lty__dec *d, const void *data, size_t len, unsigned kind,
                   unsigned max_version, unsigned *version)
{
    const unsigned char *p = data;
    if (!data || len < 2 || len > LTY_VALUE_MAX || p[0] != kind || p[1] == 0)
        return LTY_ECORRUPT;
    if (p[1] > max_version)
        return LTY_EVERSION;
    if (version)
        *version = p[1];
    d->p = p + 2;
    d->end = p + len;
    d->last_tag = 0;
    return LTY_OK;
}

int lty__dec_sub(lty__dec *d, const lty__field *f)
{
    if (f->wire != LTY__WIRE_BYTES)
        return LTY_ECORRUPT;
    d->p = f->s;
    d->end = f->s + f->n;
    d->last_tag = 0;
    return LTY_OK;
}

int lty__field_text(const lty__field *f, size_t min, size_t max, int kind,
                    const char **s, size_t *n)
{
    if (f->wire != LTY__WIRE_BYTES || f->n < min || f->n > max)
        return LTY_ECORRUPT;
    if (memchr(f->s, 0, f->n) ||
        !lty__text_valid((const char *)f->s, f->n, (lty__text_kind)kind))
        return LTY_ECORRUPT;
    *s = (const char *)f->s;
    *n = f->n;
    return LTY_OK;
}
