/*
 * libloyalty - internal: the key layout of the store.
 *
 * Parts of a key are separated by a NUL byte, which ids cannot contain, so a
 * prefix scan never mixes "ab" with "abc".  Every record that belongs to a
 * customer starts with "C\0<customer id>\0", so they sit together in byte
 * order (and on one shard of a sharded database):
 *
 *   M\0<name>                          store metadata (format version, counters)
 *   C\0<id>\0A                         the customer's aggregates
 *   C\0<id>\0L<~time:8 BE><event id>   ledger entries, newest first
 *   C\0<id>\0P                         the customer's profile
 *   E\0<event id>                      event id -> (customer, time)
 *   I\0phone\0<E.164>                  phone -> customer id
 *   I\0email\0<address>                e-mail -> customer id
 *
 * Documented for backend authors in docs/guide/record-format.md.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_KEYS_INT_H
#define LTY_KEYS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alloc_int.h"
#include "loyalty/storage.h"

typedef struct lty__key {
    char b[LTY_KEY_MAX];
    size_t n;
} lty__key;

/* Appenders; ids are at most LTY_ID_MAX bytes, so keys always fit. */
LTY_INTERNAL void lty__key_reset(lty__key *k);
LTY_INTERNAL void lty__key_add(lty__key *k, const void *p, size_t n);
LTY_INTERNAL void lty__key_sep(lty__key *k);
LTY_INTERNAL void lty__key_be64(lty__key *k, uint64_t v);

/* "C\0<id>\0": everything of one customer. */
LTY_INTERNAL void lty__key_customer(lty__key *k, const char *id, size_t n);
/* "C\0<id>\0P" */
LTY_INTERNAL void lty__key_profile(lty__key *k, const char *id, size_t n);
/* "C\0<id>\0A" */
LTY_INTERNAL void lty__key_stats(lty__key *k, const char *id, size_t n);
/* "C\0<id>\0L" */
LTY_INTERNAL void lty__key_ledger_prefix(lty__key *k, const char *id, size_t n);
/* "C\0<id>\0L<~time><event id>" */
LTY_INTERNAL void lty__key_ledger(lty__key *k, const char *id, size_t n,
                                  int64_t time, const char *evid, size_t en);
/* "E\0<event id>" */
LTY_INTERNAL void lty__key_event(lty__key *k, const char *evid, size_t n);
/* "I\0<index>\0<value>" */
LTY_INTERNAL void lty__key_index(lty__key *k, const char *index,
                                 const char *val, size_t n);
/* "M\0<name>" */
LTY_INTERNAL void lty__key_meta(lty__key *k, const char *name);

/* Split a key under "C\0": the id and what follows the id's separator.
 * Returns 0 when the key does not have that shape. */
LTY_INTERNAL int lty__key_parse_customer(const char *key, size_t n,
                                         const char **id, size_t *idlen,
                                         const char **rest, size_t *restlen);
/* Split a ledger key's rest ("L<~time><event id>") into time and event id. */
LTY_INTERNAL int lty__key_parse_ledger(const char *rest, size_t n,
                                       int64_t *time, const char **evid,
                                       size_t *evlen);

#endif /* LTY_KEYS_INT_H */
