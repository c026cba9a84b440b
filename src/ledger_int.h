/*
 * libloyalty - internal: ledger records and customer aggregates.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_LEDGER_INT_H
#define LTY_LEDGER_INT_H

#include "codec_int.h"
#include "engine_int.h"
#include "loyalty/event.h"

/* A customer's aggregates ("C\0<id>\0A").  Absent means all zero: the record
 * is created by the customer's first event, which keeps customers without
 * events small. */
typedef struct lty__stats {
    int64_t first_visit;     /* 0 while visits == 0 */
    int64_t last_visit;
    int64_t visits;          /* distinct local days with a visit or purchase */
    int64_t purchases;
    int64_t net_spend;
    int64_t refunds;
    int64_t feedbacks;
    /* last_item is the item of the latest visit or purchase that had one;
     * "latest" orders by time, then by event id, the same order the ledger
     * keys give, so lty_verify() recomputes the same answer whatever order
     * the events arrived in. */
    int64_t last_item_time;
    char last_item[LTY_CODE_MAX + 1];
    char last_item_event[LTY_ID_MAX + 1];
} lty__stats;

LTY_INTERNAL int lty__stats_encode(const lty__stats *s, lty_buf *out);
LTY_INTERNAL int lty__stats_decode(const void *data, size_t len,
                                   lty__stats *s);

/* A decoded ledger entry.  Strings point into the buffer decoded from and
 * are not NUL-terminated (lengths beside them). */
typedef struct lty__entry {
    lty_event_type type;
    int64_t amount;
    int64_t refunded;          /* purchases: refunded so far */
    int score;                 /* feedback: 0..10, else -1 */
    const char *item;
    size_t item_len;
    const char *branch;
    size_t branch_len;
    const char *refund_of;
    size_t refund_of_len;
    const char *comment;
    size_t comment_len;
    /* purchases: what the purchase earned in each program, and the points
     * spent on it (program_int.h, lty__earnings_write()); raw bytes that
     * the programs module decodes */
    const unsigned char *earnings;
    size_t earnings_len;
} lty__entry;

/* The longest earnings field of an entry. */
#define LTY__EARNINGS_MAX 8192

LTY_INTERNAL int lty__entry_encode(const lty__entry *en, lty_buf *out);
LTY_INTERNAL int lty__entry_decode(const void *data, size_t len,
                                   lty__entry *en);

/* The event-id index ("E\0<event id>"): where the entry lives. */
typedef struct lty__evindex {
    const char *customer_id;   /* points into the decoded buffer */
    size_t customer_len;
    int64_t time;
} lty__evindex;

LTY_INTERNAL int lty__evindex_encode(const char *cid, size_t cn, int64_t time,
                                     lty_buf *out);
LTY_INTERNAL int lty__evindex_decode(const void *data, size_t len,
                                     lty__evindex *ix);

/* Read a customer's aggregates inside the current call; zeros and *rev = 0
 * when the record does not exist yet. */
LTY_INTERNAL int lty__stats_load(lty_engine *e, const char *id, size_t n,
                                 lty__stats *s, uint64_t *rev);

/* Move a customer's ledger and aggregates to another id, dropping feedback
 * comments (used by erasure).  Runs inside the caller's transaction. */
LTY_INTERNAL int lty__ledger_rekey(lty_engine *e, const char *from, size_t fn,
                                   const char *to, size_t tn);

/* lty_record() inside the caller's open transaction (appointment.c records
 * an arrival's visit with the state change): validation, duplicate and
 * LTY_EEXISTS rules, aggregates and program effects as lty_record(); on an
 * error the caller's transaction must be rolled back.  Uses e->rbuf,
 * e->wbuf and e->wbuf2. */
LTY_INTERNAL int lty__record_in_txn(lty_engine *e, const lty_event *ev,
                                    lty_record_outcome *outcome);

#endif /* LTY_LEDGER_INT_H */
