/*
 * libloyalty - internal: a customer's contact state ("C\0<id>\0K"): the
 * hygiene counters of each channel's address and the times of recent
 * marketing sends (for the frequency cap).  Used by the dispatcher and by
 * delivery reports.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_CONTACT_STATE_H
#define LTY_CONTACT_STATE_H

#include "engine_int.h"
#include "loyalty/message.h"

#define LTY__CONTACT_VERSION 1
/* Most recent marketing sends remembered (the cap cannot exceed it). */
#define LTY__SENDS_MAX 64

typedef struct lty__contact_channel {
    uint64_t address_hash;     /* the address the counters are about; 0 none */
    int soft_bounces;          /* in a row */
    int unopened;              /* marketing e-mails in a row */
    int invalid;               /* a hard bounce, or too many soft ones */
    int marketing_suppressed;  /* too many unopened marketing e-mails */
} lty__contact_channel;

typedef struct lty__contact {
    lty__contact_channel ch[LTY_CHANNEL_STAFF + 1]; /* indexed by lty_channel */
    size_t nsends;
    int64_t sends[LTY__SENDS_MAX]; /* marketing send times, oldest first */
} lty__contact;

/* 64-bit FNV-1a of an address (never 0). */
LTY_INTERNAL uint64_t lty__address_hash(const char *addr);

LTY_INTERNAL int lty__contact_load(lty_engine *e, const char *cid, size_t cn,
                                   lty__contact *c, uint64_t *rev);
LTY_INTERNAL int lty__contact_store(lty_engine *e, const char *cid, size_t cn,
                                    const lty__contact *c, uint64_t rev);

/* The channel's counters for the address in use now: a changed address
 * starts clean (the counters are reset in c). */
LTY_INTERNAL lty__contact_channel *lty__contact_for(lty__contact *c,
                                                    lty_channel ch,
                                                    const char *addr);

/* Remember a marketing send at t (dropping the oldest beyond the max). */
LTY_INTERNAL void lty__contact_sent(lty__contact *c, int64_t t);

/* Marketing sends within [t - window, t]. */
LTY_INTERNAL size_t lty__contact_sends_since(const lty__contact *c, int64_t since);

#endif /* LTY_CONTACT_STATE_H */
