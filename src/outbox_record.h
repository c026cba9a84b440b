/*
 * libloyalty - internal: the outbox message record, shared by the outbox
 * (planning, listing), the dispatcher and delivery reports.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_OUTBOX_RECORD_H
#define LTY_OUTBOX_RECORD_H

#include "keys_int.h"
#include "outbox_int.h"

#define LTY__MESSAGE_VERSION 1
#define LTY__ADDRESS_MAX 254

/* A message as stored ("O\0<id>"); strings are copies. */
typedef struct lty__msg {
    char id[LTY_MESSAGE_ID_MAX + 1];
    size_t idlen;
    char cid[LTY_ID_MAX + 1];
    size_t cn;
    char template_id[LTY_MESSAGE_ID_MAX + 1];
    lty_purpose purpose;
    lty_channel channel;       /* asked for; NONE: the customer's choice */
    lty_message_state state;
    int64_t due;               /* next due (claimed: the claim's end) */
    int64_t plan_due;          /* the due time it was planned for */
    int64_t planned;
    int64_t sent;
    int attempts;
    char reason[LTY_MESSAGE_ID_MAX + 1];
    lty_channel sent_channel;  /* of the last attempt */
    char address[LTY__ADDRESS_MAX + 1]; /* of the last attempt */
    unsigned reports;          /* delivery kinds received, bit per kind */
    size_t nparams;
    char keys[LTY_MESSAGE_PARAMS_MAX][16];
    char values[LTY_MESSAGE_PARAMS_MAX][LTY_PARAM_MAX + 1];
} lty__msg;

LTY_INTERNAL void lty__key_message(lty__key *k, const char *id, size_t n);
LTY_INTERNAL void lty__key_due(lty__key *k, int64_t due, const char *id,
                               size_t n);

/* Load a message (LTY_ENOTFOUND when absent, LTY_ECORRUPT reported). */
LTY_INTERNAL int lty__msg_load(lty_engine *e, const char *id, size_t n,
                               lty__msg *m, uint64_t *rev);
/* Store m; moves its due-index entry from old_due/old_state to its own
 * (an index entry exists for planned, retrying and claimed messages). */
LTY_INTERNAL int lty__msg_store(lty_engine *e, const lty__msg *m, uint64_t rev,
                                lty_message_state old_state, int64_t old_due);

/* Is a message in a state the due index holds? */
static inline int lty__msg_pending(lty_message_state s)
{
    return s == LTY_MSG_PLANNED || s == LTY_MSG_RETRY || s == LTY_MSG_CLAIMED;
}

/* The public view of a stored message. */
LTY_INTERNAL void lty__msg_fill_entry(const lty__msg *m, lty_outbox_entry *out);

#endif /* LTY_OUTBOX_RECORD_H */
