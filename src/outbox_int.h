/*
 * libloyalty - internal: planning into the outbox from inside a module's
 * transaction, the messaging policy as the engine keeps it, and rendering.
 *
 * Keys (docs/guide/record-format.md):
 *   O\0<message id>              the message (its state, due time, params)
 *   Q\0<due:8><message id>       due index: planned, retrying and claimed
 *                                messages, by the time they are due next
 *   C\0<customer id>\0O<id>      the customer's messages (empty value)
 *   M\0messaging                 the store's messaging policy
 *   T\0<template>\0<ch>\0<loc>   a template
 *
 * Message ids are derived from the cause, so planning twice is harmless:
 *   appt/<appointment id>/<generation>/<offset seconds>[/<channel>]
 *                                               appointment reminders
 *   aftercare/<customer id>/<item>              treatment recalls
 *   birthday/<customer id>/<year>               birthdays
 *   anniv/<customer id>/<label>/<year>          anniversaries
 *   journey/<journey>/<customer id>/<step>      journey steps
 *   winback/<customer id>/<last visit day>      win-back
 *   program/<program>/<customer id>/<cause>     program notices
 *   referral/<referred id>/<booked|thanks>      to the referrer (referral.c)
 *   campaign/<campaign>/<customer id>           campaign treatment (campaign.c)
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_OUTBOX_INT_H
#define LTY_OUTBOX_INT_H

#include "engine_int.h"
#include "loyalty/message.h"

/* A message to plan, inside the caller's transaction. */
typedef struct lty__plan {
    const char *id;            /* the stable id (see above) */
    size_t idlen;
    const char *cid;           /* the customer (must exist) */
    size_t cn;
    const char *template_id;   /* need not be registered yet */
    lty_purpose purpose;
    lty_channel channel;       /* LTY_CHANNEL_NONE: the customer's choice */
    int64_t due;
    const lty_param *params;   /* validated by lty__plan_check() */
    size_t nparams;
    int customer_known;        /* the caller knows the customer exists */
} lty__plan;

/* Check a plan's fields (ids, template id, purpose, channel, due time,
 * params: keys must be placeholder names, values UTF-8 within limits);
 * messages name the field. */
LTY_INTERNAL int lty__plan_check(lty_engine *e, const lty__plan *p);

/* Plan or replan (see lty_outbox_plan()): inside a transaction. */
LTY_INTERNAL int lty__outbox_plan(lty_engine *e, const lty__plan *p);

/* Cancel one message if it is planned or retrying (reason kept); a
 * message in any other state, or missing, is left alone.  Inside a
 * transaction. */
LTY_INTERNAL int lty__outbox_cancel(lty_engine *e, const char *id, size_t n,
                                    const char *reason);

/* Cancel every planned or retrying message whose id starts with prefix
 * (an appointment's reminders: "appt/<id>/").  Inside a transaction. */
LTY_INTERNAL int lty__outbox_cancel_prefix(lty_engine *e, const char *prefix,
                                           size_t n, const char *reason);

/* Erasure: delete message id of customer cid (its id, parameters and
 * address may name the customer; an erased customer is sent nothing).
 * Inside a transaction. */
LTY_INTERNAL int lty__outbox_erase(lty_engine *e, const char *id, size_t n,
                                   const char *cid, size_t cn);

/* Erasure: give message `from` the id `to` (the customer it is about was
 * erased; its recipient is someone else), keeping everything else.  A
 * missing message is left alone.  Inside a transaction. */
LTY_INTERNAL int lty__outbox_rename(lty_engine *e, const char *from, size_t fn,
                                    const char *to, size_t tn);

/* Is a placeholder name one templates may use? */
LTY_INTERNAL int lty__placeholder_known(const char *name, size_t n);

#endif /* LTY_OUTBOX_INT_H */
