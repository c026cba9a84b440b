/*
 * libloyalty - internal: appointment and reminder-policy records, their
 * keys, and the pieces the public calls (appointment.c), the statistics
 * (appointment_stats.c) and erasure (customer_rekey.c) share.
 *
 * Keys (docs/guide/record-format.md, "Appointments"):
 *
 *   A\0<appointment id>                       the appointment (kind 16)
 *   C\0<customer id>\0B<start:8><appt id>     the customer's bookings, by
 *                                             start time (empty value)
 *   Y\0<day:8><start:8><appt id>              the day index (empty value):
 *                                             day is the local day number
 *                                             with its sign bit flipped,
 *                                             start the UTC start, both
 *                                             big-endian
 *   M\0reminders                              the reminder policy (kind 17)
 *
 * Reminder message ids: "appt/<appointment id>/<generation>/<offset>" and,
 * for a reminder pinned to a channel, "/<channel name>" after that.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_APPOINTMENT_INT_H
#define LTY_APPOINTMENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "engine_int.h"
#include "keys_int.h"
#include "loyalty/appointment.h"

#define LTY__APPOINTMENT_VERSION 1u
#define LTY__REMINDER_POLICY_VERSION 1u

/* Most reminder messages one schedule of an appointment can have. */
#define LTY__APPT_MESSAGES_MAX (LTY_REMINDERS_MAX * LTY_REMINDER_CHANNELS)
/* Most reschedules (the generation's bound). */
#define LTY__APPT_GENERATION_MAX 1000001u

/* An appointment as stored ("A\0<id>"), with copies of its texts. */
typedef struct lty__appt {
    char cid[LTY_ID_MAX + 1];
    size_t cn;
    int64_t start;
    int duration;              /* minutes */
    int64_t day;               /* local day of start, as booked */
    char item[LTY_CODE_MAX + 1];
    size_t itemn;
    char branch[LTY_CODE_MAX + 1];
    size_t branchn;
    char staff[LTY_CODE_MAX + 1];
    size_t staffn;
    int state;                 /* lty_appointment_state */
    int64_t booked;
    int64_t closed;            /* present exactly when state != BOOKED */
    uint32_t generation;       /* 1.. */
    int reminded;              /* a reminder of an earlier generation went out */
    size_t nmsg;
    /* the reminder messages planned for this generation: offset << 3 |
     * channel, in planning order */
    uint64_t msg[LTY__APPT_MESSAGES_MAX];
} lty__appt;

/* The reminder policy, flattened: one entry per (offset, channel) template,
 * largest offset first, then by channel. */
typedef struct lty__rpolicy_entry {
    int64_t offset;
    int channel;
    char template_id[LTY_MESSAGE_ID_MAX + 1];
} lty__rpolicy_entry;

typedef struct lty__rpolicy {
    size_t n;
    lty__rpolicy_entry e[LTY__APPT_MESSAGES_MAX];
} lty__rpolicy;

/* Keys. */
LTY_INTERNAL void lty__key_appt(lty__key *k, const char *id, size_t n);
LTY_INTERNAL void lty__key_appt_customer_prefix(lty__key *k, const char *cid,
                                                size_t cn);
LTY_INTERNAL void lty__key_appt_customer(lty__key *k, const char *cid,
                                         size_t cn, int64_t start,
                                         const char *id, size_t n);
LTY_INTERNAL void lty__key_appt_day_prefix(lty__key *k, int64_t day);
LTY_INTERNAL void lty__key_appt_day(lty__key *k, int64_t day, int64_t start,
                                    const char *id, size_t n);

/* Records: LTY_OK, LTY_ENOMEM, LTY_ERANGE; decoding LTY_ECORRUPT or
 * LTY_EVERSION. */
LTY_INTERNAL int lty__appt_encode(const lty__appt *a, lty_buf *out);
LTY_INTERNAL int lty__appt_decode(const void *data, size_t len, lty__appt *a);
LTY_INTERNAL int lty__rpolicy_encode(const lty__rpolicy *p, lty_buf *out,
                                     lty_buf *scratch);
LTY_INTERNAL int lty__rpolicy_decode(const void *data, size_t len,
                                     lty__rpolicy *p);
/* The "312" default. */
LTY_INTERNAL void lty__rpolicy_default(lty__rpolicy *p);

/* Read an appointment (LTY_ENOTFOUND with a message; corrupt records
 * reported).  rev may be NULL. */
LTY_INTERNAL int lty__appt_load(lty_engine *e, const char *id, size_t n,
                                lty__appt *a, uint64_t *rev);

/* The id of reminder message msg (offset << 3 | channel) of generation gen
 * into out (NUL-terminated); returns its length. */
LTY_INTERNAL size_t lty__appt_message_id(char out[LTY_MESSAGE_ID_MAX + 1],
                                         const char *id, size_t n,
                                         uint32_t gen, uint64_t msg);

/* Erasure (customer_rekey.c): inside the erase transaction, rewrite the
 * customer id of the appointment named by an index entry's rest
 * ("B<start:8><appointment id>" after "C\0<id>\0") from `from` to `to`. */
LTY_INTERNAL int lty__appointment_rekey(lty_engine *e, const char *rest,
                                        size_t restn, const char *from,
                                        size_t fn, const char *to, size_t tn);

#endif /* LTY_APPOINTMENT_INT_H */
