/*
 * libloyalty - internal: the record codec.
 *
 * Records are [kind byte][version byte] followed by fields.  A field is a
 * varint key (tag << 3 | wire) and a payload: wire 0 is a varint, wire 2 a
 * varint length and that many bytes.  Signed integers are zigzag-encoded
 * varints.  Tags appear in non-decreasing order; repeated tags form lists.
 * The format is written down in docs/guide/record-format.md.
 *
 * Decoding treats its input as hostile: every length is bounds-checked and
 * anything malformed is LTY_ECORRUPT.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_CODEC_INT_H
#define LTY_CODEC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alloc_int.h"

/* Record kinds: the first byte of every value. */
enum lty__record_kind {
    LTY__REC_META = 1,     /* store format version */
    LTY__REC_PROFILE = 2,  /* customer profile */
    LTY__REC_STATS = 3,    /* customer aggregates */
    LTY__REC_EVENT = 4,    /* ledger entry */
    LTY__REC_EVINDEX = 5,  /* event id -> ledger entry */
    LTY__REC_COUNTER = 6,  /* a store-wide counter */
    LTY__REC_PROGRAMS = 7, /* the program registry: every definition */
    LTY__REC_PSTATE = 8,   /* a customer's state in every program */
    LTY__REC_REWARD = 9,   /* a reward or coupon */
    LTY__REC_EARNING = 10, /* what one event earned in each program */
    LTY__REC_SPEND = 11,   /* a points spend */
    LTY__REC_PLOG = 12,    /* an entry of a customer's program history */
    LTY__REC_DRAWDAY = 13, /* prizes won on one day of a draw */
    LTY__REC_MESSAGING = 14, /* the store's messaging policy */
    LTY__REC_TEMPLATE = 15,  /* a message template */
    LTY__REC_APPOINTMENT = 16,      /* an appointment */
    LTY__REC_REMINDER_POLICY = 17,  /* the appointment reminder policy */
    LTY__REC_TREATMENTS = 18, /* the treatment catalogue (aftercare) */
    LTY__REC_JOURNEY = 19,    /* a journey definition */
    LTY__REC_ENROLMENT = 20,  /* a customer's enrolment in a journey */
    LTY__REC_MESSAGE = 21, /* an outbox message */
    LTY__REC_CONTACT = 22, /* a customer's contact hygiene and recent sends */
    LTY__REC_REFERRAL_POLICY = 23, /* the store's referral policy */
    LTY__REC_REFERRAL = 24,        /* a referral (keyed by the referred) */
    LTY__REC_REFERRAL_TIMES = 25,  /* a referrer's recent registrations (cap) */
    LTY__REC_PCREDIT = 26,         /* stars or points credited outside an event */
    LTY__REC_RFM = 27,             /* a customer's latest RFM scores */
    LTY__REC_CLV = 28,             /* a customer's latest lifetime-value figures */
    LTY__REC_CAMPAIGN = 29,        /* a campaign definition */
    LTY__REC_CAMPAIGN_MEMBER = 30, /* a customer's membership of a campaign */
    LTY__REC_CAMPAIGN_RESULTS = 31, /* a campaign's last measurement */
    LTY__REC_SETTINGS = 32          /* the store's settings */
};

#define LTY__WIRE_VARINT 0u
#define LTY__WIRE_BYTES 2u
#define LTY__TAG_MAX 1000u

typedef struct lty__enc {
    lty_buf *b;
    int err;
} lty__enc;

/* Start a record of kind/version in b (its contents are replaced). */
LTY_INTERNAL void lty__enc_begin(lty__enc *w, lty_buf *b, unsigned kind,
                                 unsigned version);
/* Start a nested message (no header) in b. */
LTY_INTERNAL void lty__enc_begin_sub(lty__enc *w, lty_buf *b);
LTY_INTERNAL void lty__enc_u64(lty__enc *w, unsigned tag, uint64_t v);
LTY_INTERNAL void lty__enc_i64(lty__enc *w, unsigned tag, int64_t v);
LTY_INTERNAL void lty__enc_bytes(lty__enc *w, unsigned tag, const void *p,
                                 size_t n);
/* Writes nothing for NULL. */
LTY_INTERNAL void lty__enc_str(lty__enc *w, unsigned tag, const char *s);
/* LTY_OK or the first error (LTY_ENOMEM, LTY_ERANGE for oversize). */
LTY_INTERNAL int lty__enc_end(lty__enc *w);

typedef struct lty__dec {
    const unsigned char *p;
    const unsigned char *end;
    unsigned last_tag;
} lty__dec;

typedef struct lty__field {
    unsigned tag;
    unsigned wire;
    uint64_t u;               /* wire 0 */
    const unsigned char *s;   /* wire 2 */
    size_t n;                 /* wire 2 */
} lty__field;

/* Check the header (kind must match; version 1..max_version, else
 * LTY_EVERSION for newer, LTY_ECORRUPT for 0) and start reading fields. */
LTY_INTERNAL int lty__dec_begin(lty__dec *d, const void *data, size_t len,
                                unsigned kind, unsigned max_version,
                                unsigned *version);
/* Read a nested message carried in a bytes field. */
LTY_INTERNAL int lty__dec_sub(lty__dec *d, const lty__field *f);

/* Typed views of a field (lty__field_u64, _i64, _int, _text, below);
 * LTY_ECORRUPT when the wire type or range is wrong. */
/* A text field: UTF-8 of kind (see validate_int.h), 1..max bytes (0 allowed
 * when min is 0). Points into the record; not NUL-terminated. */
LTY_INTERNAL int lty__field_text(const lty__field *f, size_t min, size_t max,
                                 int kind, const char **s, size_t *n);

/* Plain varint helpers, exposed for tests and keys. */
LTY_INTERNAL size_t lty__varint_put(unsigned char *p, uint64_t v);
LTY_INTERNAL int lty__varint_get(const unsigned char **p,
                                 const unsigned char *end, uint64_t *v);

/* ------------------------------------------------------------------ */
/* Decoding one field: inline, since every record read goes through it  */
/* ------------------------------------------------------------------ */

/* lty__varint_get() with the common one-byte case inline. */
static inline int lty__get_varint(const unsigned char **pp,
                                  const unsigned char *end, uint64_t *v)
{
    const unsigned char *p = *pp;
    if (p < end && *p < 0x80) {
        *v = *p;
        *pp = p + 1;
        return LTY_OK;
    }
    return lty__varint_get(pp, end, v);
}

/* The next field: 1 and *f filled; 0 at the end; LTY_ECORRUPT. */
static inline int lty__dec_next(lty__dec *d, lty__field *f)
{
    uint64_t key, v;
    if (d->p == d->end)
        return LTY_OK;
    if (lty__get_varint(&d->p, d->end, &key))
        return LTY_ECORRUPT; /* LTY_ECORRUPT */
    uint64_t tag = key >> 3;
    unsigned wire = (unsigned)(key & 7);
    if (tag == 0 || tag > LTY__TAG_MAX || tag < d->last_tag)
        return LTY_ECORRUPT;
    if (lty__get_varint(&d->p, d->end, &v))
        return LTY_ECORRUPT;
    f->tag = (unsigned)tag;
    f->wire = wire;
    f->u = 0;
    f->s = NULL;
    f->n = 0;
    if (wire == LTY__WIRE_VARINT) {
        f->u = v;
    } else if (wire == LTY__WIRE_BYTES) {
        if (v > (uint64_t)(d->end - d->p))
            return LTY_ECORRUPT;
        f->s = d->p;
        f->n = (size_t)v;
        d->p += v;
    } else {
        return LTY_ECORRUPT;
    }
    d->last_tag = (unsigned)tag;
    return 1;
}

static inline int lty__field_u64(const lty__field *f, uint64_t *out)
{
    if (f->wire != LTY__WIRE_VARINT)
        return LTY_ECORRUPT;
    *out = f->u;
    return LTY_OK;
}

/* A zigzag-encoded signed number. */
static inline int lty__field_i64(const lty__field *f, int64_t *out)
{
    if (f->wire != LTY__WIRE_VARINT)
        return LTY_ECORRUPT;
    *out = (int64_t)(f->u >> 1) ^ -(int64_t)(f->u & 1);
    return LTY_OK;
}

static inline int lty__field_int(const lty__field *f, int64_t min, int64_t max,
                                 int64_t *out)
{
    int64_t v;
    if (lty__field_i64(f, &v) || v < min || v > max)
        return LTY_ECORRUPT;
    *out = v;
    return LTY_OK;
}

/* Scalar fields may appear once: LTY_ECORRUPT on a repeat.  tag < 64. */
static inline int lty__dec_once(uint64_t *seen, unsigned tag)
{
    if (tag >= 64)
        return LTY_ECORRUPT;
    uint64_t bit = UINT64_C(1) << tag;
    if (*seen & bit)
        return LTY_ECORRUPT;
    *seen |= bit;
    return LTY_OK;
}

#endif /* LTY_CODEC_INT_H */
