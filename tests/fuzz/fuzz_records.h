/*
 * libloyalty fuzz harnesses - the input format of fuzz_records.c, shared
 * with the seed generator (gen_records_corpus.c), which writes it.
 *
 * An input is a sequence of records, each
 *
 *   family (1 byte) | suffix length (1) | suffix | value length (2, BE) | value
 *
 * The key is the prefix of family (byte modulo FUZZ_FAMILIES) followed by
 * the suffix.  The prefixes are the key layouts of
 * docs/guide/record-format.md, with the ids the harness reads (customer
 * c1) filled in, so that a mutation of the value or of the rest of the key
 * reaches the decoder of that record; the last family is the empty prefix
 * (any key at all).  A truncated record ends the input.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_FUZZ_RECORDS_H
#define LTY_FUZZ_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The day the seed store's appointment is on (and the harness's clock). */
#define FUZZ_DAY_YEAR 2026
#define FUZZ_DAY_MONTH 3
#define FUZZ_DAY_DAY 2

typedef struct fuzz_family {
    const char *prefix;
    size_t n;
} fuzz_family;

#define FAM(s) {s, sizeof s - 1}
static const fuzz_family fuzz_families[] = {
    FAM("C\0c1\0P"),  /*  0 the profile */
    FAM("C\0c1\0A"),  /*  1 the aggregates */
    FAM("C\0c1\0L"),  /*  2 ledger entries: <~time:8><event id> */
    FAM("C\0c1\0G"),  /*  3 program state */
    FAM("O\0"),       /*  4 outbox messages */
    FAM("A\0"),       /*  5 appointments */
    FAM("C\0c1\0B"),  /*  6 the customer's appointment index */
    FAM("Y\0"),       /*  7 the day index of appointments */
    FAM("R\0"),       /*  8 referrals (by the referred) */
    FAM("C\0c1\0F"),  /*  9 the referrer's list */
    FAM("W\0"),       /* 10 rewards */
    FAM("C\0c1\0W"),  /* 11 the customer's reward index */
    FAM("K\0"),       /* 12 campaign definitions */
    FAM("C\0c1\0Q"),  /* 13 campaign membership */
    FAM("U\0"),       /* 14 campaign results */
    FAM("C\0c1\0Z"),  /* 15 RFM scores */
    FAM("C\0c1\0V"),  /* 16 lifetime-value figures */
    FAM("T\0"),       /* 17 templates */
    FAM("M\0"),       /* 18 policies, registries, counters */
    FAM("E\0"),       /* 19 the event index */
    FAM("I\0"),       /* 20 phone and e-mail indexes */
    FAM("C\0c1\0"),   /* 21 any other record of customer c1 */
    FAM("J\0"),       /* 22 journeys */
    FAM("Q\0"),       /* 23 the outbox's due-time index */
    FAM("C\0"),       /* 24 any record of any customer */
    FAM(""),          /* 25 any key */
};
#undef FAM
#define FUZZ_FAMILIES (sizeof fuzz_families / sizeof fuzz_families[0])

typedef struct fuzz_record {
    char key[256 + 16];
    size_t keylen;
    const uint8_t *value;
    size_t len;
} fuzz_record;

/* The record at *off: 1 and *r filled (off advanced), 0 at the end of the
 * input, or for a record cut short or with an empty key. */
static inline int fuzz_record_next(const uint8_t *d, size_t size, size_t *off,
                                   fuzz_record *r)
{
    for (;;) {
        size_t p = *off;
        if (size - p < 2)
            return 0;
        const fuzz_family *f = &fuzz_families[d[p] % FUZZ_FAMILIES];
        size_t sn = d[p + 1];
        p += 2;
        if (size - p < sn + 2)
            return 0;
        memcpy(r->key, f->prefix, f->n);
        memcpy(r->key + f->n, d + p, sn);
        r->keylen = f->n + sn;
        p += sn;
        r->len = (size_t)d[p] << 8 | d[p + 1];
        p += 2;
        if (size - p < r->len)
            return 0;
        r->value = d + p;
        *off = p + r->len;
        if (r->keylen > 0)
            return 1; /* an empty key is no key: skip it */
    }
}

/* The family whose prefix is the longest one key starts with (the last
 * family matches every key), for the generator. */
static inline size_t fuzz_family_of(const char *key, size_t keylen)
{
    size_t best = FUZZ_FAMILIES - 1, bestn = 0;
    for (size_t i = 0; i < FUZZ_FAMILIES; i++) {
        const fuzz_family *f = &fuzz_families[i];
        if (f->n > bestn && f->n <= keylen && keylen - f->n <= 255 &&
            memcmp(key, f->prefix, f->n) == 0) {
            best = i;
            bestn = f->n;
        }
    }
    return best;
}

#endif /* LTY_FUZZ_RECORDS_H */
