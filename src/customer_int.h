/*
 * libloyalty - internal: the customer profile record.
 *
 * A profile lives at "C\0<id>\0P" (kind LTY__REC_PROFILE, version 1).  The
 * id is not repeated inside: the key carries it.  Fields, in tag order:
 *
 *   1  created            zigzag varint, Unix seconds (required)
 *   2  name               bytes, UTF-8 line, 1..LTY_NAME_MAX
 *   3  phone              bytes, normalised E.164 ("+" and 8..15 digits)
 *   4  email              bytes, normalised address
 *   5  birthday           message { 1 year, 2 month, 3 day } (varints)
 *   6  preferred_channel  varint 1..4
 *   7  preference         repeated message { 1 key, 2 value }
 *   8  note               repeated message { 1 key, 2 value }
 *   9  tag                repeated bytes
 *   10 anniversary        repeated message { 1 label, 2 year, 3 month, 4 day }
 *   11 consent            repeated message { 1 channel, 2 purpose,
 *                                             3 granted (0/1), 4 since (zigzag) }
 *
 * Absent optional fields are simply not written.  Lists are strictly sorted
 * (keys, tags and labels in byte order; consents by channel, then purpose),
 * so a decoder can check that no entry is repeated.  A year of 0 means
 * "unknown" and is written as 0.  Unknown tags, at the top level and inside
 * nested messages, are skipped: a later minor version may add fields that
 * this reader ignores (docs/guide/record-format.md).
 *
 * The anonymous-id counter ("M\0anon", kind LTY__REC_COUNTER, version 1)
 * holds the last number handed out in tag 1.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_CUSTOMER_INT_H
#define LTY_CUSTOMER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alloc_int.h"
#include "loyalty/customer.h"

#define LTY__PROFILE_VERSION 1
#define LTY__COUNTER_VERSION 1

/* Channels SMS..PUSH times purposes MARKETING..NIGHT_MARKETING. */
#define LTY__CONSENTS_MAX 8

/* A string that is not NUL-terminated; n == 0 means absent. */
typedef struct lty__str {
    const char *p;
    size_t n;
} lty__str;

typedef struct lty__attr {
    lty__str key;
    lty__str value;             /* may be empty */
} lty__attr;

typedef struct lty__anniv {
    lty__str label;
    lty_date date;
} lty__anniv;

typedef struct lty__consent {
    int channel;                /* LTY_CHANNEL_SMS..LTY_CHANNEL_PUSH */
    int purpose;                /* LTY_PURPOSE_MARKETING or _NIGHT_MARKETING */
    int granted;                /* 0 or 1 */
    int64_t since;
} lty__consent;

/* A decoded (or about to be encoded) profile.  The strings point into the
 * buffer it was decoded from, or into the caller's arguments while a call
 * edits it; the profile owns nothing. */
typedef struct lty__profile {
    int64_t created;
    lty__str name;
    lty__str phone;
    lty__str email;
    lty_date birthday;          /* month 0: not set */
    int preferred_channel;      /* LTY_CHANNEL_NONE: not set */
    size_t npref;
    lty__attr pref[LTY_ATTRS_MAX];
    size_t nnote;
    lty__attr note[LTY_ATTRS_MAX];
    size_t ntag;
    lty__str tag[LTY_TAGS_MAX];
    size_t nanniv;
    lty__anniv anniv[LTY_ANNIVERSARIES_MAX];
    size_t nconsent;
    lty__consent consent[LTY__CONSENTS_MAX];
} lty__profile;

/* Byte order of two strings, shorter first on a common prefix (the order
 * of the store's keys). */
LTY_INTERNAL int lty__str_cmp(lty__str a, lty__str b);

/* Encode p into out (contents replaced), using scratch for nested
 * messages.  LTY_OK, LTY_ENOMEM or LTY_ERANGE. */
LTY_INTERNAL int lty__profile_encode(const lty__profile *p, lty_buf *out,
                                     lty_buf *scratch);

/* Decode and validate a stored profile: LTY_OK, LTY_ECORRUPT (anything
 * malformed, out of the public limits or out of order) or LTY_EVERSION (a
 * newer record version).  p's strings point into data. */
LTY_INTERNAL int lty__profile_decode(const void *data, size_t len,
                                     lty__profile *p);

/* The anonymous-id counter record. */
/* Inside a transaction: read a profile (LTY_ENOTFOUND with a message);
 * p's strings point into buf. */
LTY_INTERNAL int lty__profile_load(struct lty_engine *e, const char *id,
                                   size_t n, lty_buf *buf, lty__profile *p,
                                   uint64_t *rev);
/* Inside a transaction: record a consent change (delivery reports:
 * complaints and unsubscriptions withdraw marketing consent). */
LTY_INTERNAL int lty__consent_set_in_txn(struct lty_engine *e, const char *id,
                                         size_t idlen, lty_channel channel,
                                         lty_purpose purpose, int granted);

LTY_INTERNAL int lty__anon_counter_encode(uint64_t value, lty_buf *out);
LTY_INTERNAL int lty__anon_counter_decode(const void *data, size_t len,
                                          uint64_t *value);

#endif /* LTY_CUSTOMER_INT_H */
