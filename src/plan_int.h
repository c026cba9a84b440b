/*
 * libloyalty - internal: what the planning modules share (treatment.c,
 * plan_day.c, journey.c, plan_common.c): message ids, local due times, the
 * engine's cache of the treatment catalogue and the aftercare hook the
 * ledger calls.
 *
 * Records (docs/guide/record-format.md):
 *   M\0treatments                the treatment catalogue (kind 18)
 *   J\0<journey id>              a journey definition (kind 19)
 *   C\0<customer id>\0J<journey> an enrolment (kind 20)
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_PLAN_INT_H
#define LTY_PLAN_INT_H

#include "engine_int.h"
#include "loyalty/plan.h"
#include "outbox_int.h"

#define LTY__TREATMENTS_VERSION 1
#define LTY__JOURNEY_VERSION 1
#define LTY__ENROLMENT_VERSION 1

/* ------------------------------------------------------------------ */
/* Message ids                                                         */
/* ------------------------------------------------------------------ */

/* A variable part of a message id (a customer id, an item code, a label). */
typedef struct lty__idpart {
    const char *s;
    size_t n;
} lty__idpart;

/* A message id being built: prefix "<kind>/<part>/.../" then a tail. */
typedef struct lty__msgid {
    char b[LTY_MESSAGE_ID_MAX + 1];
    size_t n;          /* the whole id so far */
    size_t prefix;     /* length of "<kind>/<part>/.../" */
} lty__msgid;

/*
 * Build "<kind>/<part 1>/.../<part n>/" (every part escaped: '%' '/' '~'
 * and ' ' as %25 %2F %7E %20).  When the id with a tail of tail_max bytes
 * would be longer than LTY_MESSAGE_ID_MAX, the longest escaped part (the
 * first of equals) is replaced by "~" and 16 hex digits of the FNV-1a hash
 * of its raw bytes, and so on until it fits: the result depends only on
 * (kind, parts, tail_max), so a prefix and every id under it agree.
 */
LTY_INTERNAL void lty__msgid_prefix(lty__msgid *m, const char *kind,
                                    const lty__idpart *parts, size_t n,
                                    size_t tail_max);
/* Append the tail (at most the tail_max given above). */
LTY_INTERNAL void lty__msgid_tail(lty__msgid *m, const char *tail);

/* ------------------------------------------------------------------ */
/* Days and due times                                                  */
/* ------------------------------------------------------------------ */

/* "YYYY-MM-DD" of a day number (days since 1970-01-01); out holds 11+. */
LTY_INTERNAL void lty__day_text(int64_t day, char out[16]);

/* The UTC time of local day `day` at `minute` after midnight, in the
 * engine's zone: the offset in force at that instant (for a local time a
 * daylight-saving change skips, the instant after the change).
 * LTY_ERANGE (with a message) outside LTY_TIME_MIN..LTY_TIME_MAX. */
LTY_INTERNAL int lty__local_to_utc(lty_engine *e, int64_t day, int minute,
                                   int64_t *out);

/* Does a message exist in the outbox (any state)?  *found 0 or 1. */
LTY_INTERNAL int lty__message_exists(lty_engine *e, const char *id, size_t n,
                                     int *found);

/* Is the customer's profile there?  LTY_ENOTFOUND with a message. */
LTY_INTERNAL int lty__plan_customer_exists(lty_engine *e, const char *cid,
                                           size_t cn);

/* Check a purpose and channel given for planning (field names the
 * struct); messages name the field. */
LTY_INTERNAL int lty__plan_check_route(lty_engine *e, const char *field,
                                       lty_purpose purpose,
                                       lty_channel channel);

/* ------------------------------------------------------------------ */
/* The treatment catalogue                                             */
/* ------------------------------------------------------------------ */

typedef struct lty__treatment {
    char item[LTY_CODE_MAX + 1];
    size_t itemlen;
    char name[LTY_TITLE_MAX + 1];
    int effect_days;
    int lead_days;
    char template_id[LTY_MESSAGE_ID_MAX + 1];
    lty_purpose purpose;
    lty_channel channel;
} lty__treatment;

/* The engine's copy of "M\0treatments", valid while its revision is. */
typedef struct lty__treatments {
    uint64_t rev;              /* 0: nothing loaded */
    size_t n;
    lty__treatment *t;         /* n treatments, in item order */
} lty__treatments;

/* The current catalogue, read through the cache (*out valid until the
 * next call that may reload it). */
LTY_INTERNAL int lty__treatments_current(lty_engine *e,
                                         const lty__treatments **out);
/* Free the engine's cache (engine teardown). */
LTY_INTERNAL void lty__treatments_release(lty_engine *e);

/*
 * The aftercare hook, called by lty_record() inside its transaction for a
 * visit or purchase (not a duplicate) with an item, before the ledger
 * entry is written: plans the recall when the item is in the catalogue.
 * day is the event's local day.
 */
LTY_INTERNAL int lty__aftercare_on_event(lty_engine *e, const char *cid,
                                         size_t cn, const char *item,
                                         size_t itemlen, int64_t day);

#endif /* LTY_PLAN_INT_H */
