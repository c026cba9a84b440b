/*
 * libloyalty - appointments, their reminders and no-show statistics.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file appointment.h
 * @brief Book, reschedule, cancel and close appointments; plan their
 *        reminders ("312": 3 days, 1 day and 2 hours before); measure
 *        no-shows.
 *
 * An appointment is booked with an id chosen by the host (the booking
 * number of its OCS/EMR); the id is the idempotency key: booking the same
 * id again with the same content changes nothing, with other content it is
 * refused with #LTY_EEXISTS.
 *
 * States:
 *
 * | state                          | reached by                     |
 * |--------------------------------|--------------------------------|
 * | #LTY_APPOINTMENT_BOOKED        | lty_appointment_book()         |
 * | #LTY_APPOINTMENT_ARRIVED       | lty_appointment_arrive()       |
 * | #LTY_APPOINTMENT_NO_SHOW       | lty_appointment_no_show()      |
 * | #LTY_APPOINTMENT_CANCELLED     | lty_appointment_cancel()       |
 *
 * Only a booked appointment can be rescheduled or closed; the three other
 * states are final.  Closing an appointment again into the state it is
 * already in is a harmless replay (#LTY_OK, nothing changes); any other
 * change of a closed appointment is #LTY_ESTATE.
 *
 * **Reminders.**  Booking plans the store's reminder policy
 * (lty_appointment_reminders_set(); by default 3 days, 1 day and 2 hours
 * before the start with the template "appointment_reminder" on the
 * customer's preferred channel) into the outbox (message.h) in the same
 * transaction, with the purpose #LTY_PURPOSE_TRANSACTIONAL.  A reminder
 * whose due time has already passed at booking is skipped, never sent late
 * in a burst.  Rescheduling cancels what is still pending and plans the
 * policy again for the new time; cancelling, arrival and a no-show cancel
 * what is still pending.  Message ids are
 * <tt>appt/&lt;appointment id&gt;/&lt;generation&gt;/&lt;offset seconds&gt;</tt> (with
 * <tt>/sms</tt>, <tt>/email</tt>, <tt>/kakao</tt>, <tt>/push</tt> or
 * <tt>/staff</tt> appended for a reminder the policy pins to a channel); the
 * generation starts at 1 and grows with every reschedule, because the
 * outbox never re-plans a cancelled message.  Templates receive the
 * parameters {date} (local, YYYY-MM-DD), {time} (local, HH:MM), {item},
 * {branch} and {staff}.
 *
 * **Arrival** records a visit (event.h) with the id
 * <tt>appt/&lt;appointment id&gt;</tt>, the appointment's item and branch, in the
 * same transaction as the state change: the customer's counted visits,
 * ladders and tiers move at once, and replaying the arrival records nothing
 * twice.
 *
 * The guide (docs/guide/appointments.md) gives the rules with examples.
 *
 * Thread notes: like every call on an engine, these run on the calling
 * thread and use the engine one thread at a time.
 */
#ifndef LOYALTY_APPOINTMENT_H
#define LOYALTY_APPOINTMENT_H

#include "common.h"
#include "engine.h"
#include "event.h"
#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Longest appointment id, in bytes: the visit recorded at arrival
 *        has the event id <tt>appt/&lt;appointment id&gt;</tt>, which must fit
 *        #LTY_ID_MAX.
 */
#define LTY_APPOINTMENT_ID_MAX (LTY_ID_MAX - 5)
/** @brief Longest appointment, in minutes (one day). */
#define LTY_APPOINTMENT_DURATION_MAX 1440
/** @brief Most reminder offsets of a policy. */
#define LTY_REMINDERS_MAX 8
/** @brief The longest reminder offset, in seconds (366 days). */
#define LTY_REMINDER_OFFSET_MAX INT64_C(31622400)
/** @brief Entries of lty_reminder.template_id: one per #lty_channel value,
 *         #LTY_CHANNEL_NONE through #LTY_CHANNEL_STAFF. */
#define LTY_REMINDER_CHANNELS 6

/** @brief States of an appointment. */
typedef enum lty_appointment_state {
    LTY_APPOINTMENT_BOOKED = 1,   /**< Booked; reminders pending. */
    LTY_APPOINTMENT_ARRIVED = 2,  /**< The customer came (a visit was recorded). */
    LTY_APPOINTMENT_NO_SHOW = 3,  /**< The customer did not come. */
    LTY_APPOINTMENT_CANCELLED = 4 /**< Cancelled before it took place. */
} lty_appointment_state;

/* ------------------------------------------------------------------ */
/* Booking and changing                                                */
/* ------------------------------------------------------------------ */

/** @brief The version of #lty_appointment_spec this header describes. */
#define LTY_APPOINTMENT_SPEC_VERSION 1

/**
 * @brief What lty_appointment_book() books.
 *
 * Optional texts may be NULL or "" (absent); every text is one line of
 * UTF-8.
 */
typedef struct lty_appointment_spec {
    /** Must be #LTY_APPOINTMENT_SPEC_VERSION. */
    unsigned int version;
    /** Required: the appointment id, 1..#LTY_APPOINTMENT_ID_MAX bytes,
     *  unique in the store (the idempotency key). */
    const char *id;
    /** Required: the customer (must exist). */
    const char *customer_id;
    /** Required: the start, Unix seconds UTC (a time in the past is
     *  accepted: importing history plans no reminders). */
    int64_t start;
    /** Required: the length in minutes, 1..#LTY_APPOINTMENT_DURATION_MAX. */
    int duration;
    /** The item or treatment code, up to #LTY_CODE_MAX bytes, or NULL;
     *  the visit recorded at arrival carries it. */
    const char *item;
    /** The branch code, up to #LTY_CODE_MAX bytes, or NULL. */
    const char *branch;
    /** The member of staff (doctor, stylist) as the host's code, up to
     *  #LTY_CODE_MAX bytes, or NULL.  Use a code, not a person's name. */
    const char *staff;
} lty_appointment_spec;

/** @brief Initialiser for #lty_appointment_spec. */
#define LTY_APPOINTMENT_SPEC_INIT {LTY_APPOINTMENT_SPEC_VERSION, NULL, NULL, \
    0, 0, NULL, NULL, NULL}

/**
 * @brief Book an appointment and plan its reminders.
 *
 * One transaction: the appointment, its indexes and the reminders of the
 * store's policy that are not yet due are written together or not at all.
 * Booking the same id again with the same content (whatever the state it
 * has reached since) is a replay: #LTY_OK and nothing changes.
 *
 * @param[in] e     The engine.
 * @param[in] spec  What to book (copied; nothing is retained).
 * @return #LTY_OK; #LTY_EINVALID naming the field ("appointment duration:
 *         outside 1..1440 minutes"), also a reminder template id the outbox
 *         refuses; #LTY_ENOTFOUND (customer); #LTY_EEXISTS (the id holds
 *         another appointment); #LTY_EVERSION; #LTY_ENOMEM; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_book(lty_engine *e,
                                 const lty_appointment_spec *spec);

/**
 * @brief Move a booked appointment to another time.
 *
 * Cancels the reminders still pending (planned or retrying) and plans the
 * policy again for the new start, under the next generation of message
 * ids; reminders already due at the new time are skipped.  Giving the
 * current start and duration changes nothing.
 *
 * @param[in] e         The engine.
 * @param[in] id        The appointment.
 * @param[in] start     The new start, Unix seconds UTC.
 * @param[in] duration  The new length in minutes, or 0 to keep the current
 *                      one.
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_ESTATE (arrived, no-show or
 *         cancelled: the message says which); #LTY_EINVALID naming the
 *         field; #LTY_ERANGE (rescheduled more than a million times);
 *         storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_reschedule(lty_engine *e, const char *id,
                                       int64_t start, int duration);

/**
 * @brief Cancel a booked appointment; its pending reminders are cancelled.
 *
 * @param[in] e   The engine.
 * @param[in] id  The appointment.
 * @return #LTY_OK (also when it was already cancelled); #LTY_ENOTFOUND;
 *         #LTY_ESTATE (arrived or no-show); #LTY_EINVALID; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_cancel(lty_engine *e, const char *id);

/**
 * @brief The customer came: close the appointment, cancel its pending
 *        reminders and record the visit, in one transaction.
 *
 * The visit has the event id <tt>appt/&lt;appointment id&gt;</tt>, the time
 * @p when, and the appointment's item and branch; it counts like any visit
 * (once per local day) and drives the programs (ladders, tiers).  Arriving
 * again is a replay: #LTY_OK, nothing is written, and @p outcome reports
 * the visit as a duplicate.  An event id <tt>appt/...</tt> the host used
 * for another event makes the call fail with #LTY_EEXISTS and nothing
 * changes, so hosts should not use the <tt>appt/</tt> prefix for their own
 * event ids.
 *
 * @param[in]  e        The engine.
 * @param[in]  id       The appointment.
 * @param[in]  when     The arrival time, or #LTY_TIME_NOW.
 * @param[out] outcome  What recording the visit did (may be NULL; set its
 *                      @c version first).
 * @return #LTY_OK; #LTY_ENOTFOUND (appointment, or its customer);
 *         #LTY_ESTATE (cancelled or a no-show); #LTY_EEXISTS (see above);
 *         #LTY_EINVALID; #LTY_EVERSION; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_arrive(lty_engine *e, const char *id, int64_t when,
                                   lty_record_outcome *outcome);

/**
 * @brief The customer did not come: close the appointment and cancel its
 *        pending reminders.
 *
 * Allowed once the start time has passed (by the engine's clock).
 *
 * @param[in] e   The engine.
 * @param[in] id  The appointment.
 * @return #LTY_OK (also when it was already a no-show); #LTY_ENOTFOUND;
 *         #LTY_ESTATE (arrived, cancelled, or not started yet);
 *         #LTY_EINVALID; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_no_show(lty_engine *e, const char *id);

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

/** @brief The version of #lty_appointment this header describes. */
#define LTY_APPOINTMENT_VERSION 1

/** @brief An appointment as stored.  Set @c version before a call that
 *         fills it. */
typedef struct lty_appointment {
    /** Set by the caller: #LTY_APPOINTMENT_VERSION. */
    unsigned int version;
    /** The appointment id. */
    char id[LTY_ID_MAX + 1];
    /** The customer. */
    char customer_id[LTY_ID_MAX + 1];
    /** The start, Unix seconds UTC. */
    int64_t start;
    /** The length in minutes. */
    int duration;
    /** The item or treatment code, or empty. */
    char item[LTY_CODE_MAX + 1];
    /** The branch code, or empty. */
    char branch[LTY_CODE_MAX + 1];
    /** The member of staff's code, or empty. */
    char staff[LTY_CODE_MAX + 1];
    /** The state. */
    lty_appointment_state state;
    /** When it was booked (the engine's clock). */
    int64_t booked;
    /** When it was closed: the arrival time, or when it was marked a
     *  no-show or cancelled; 0 while booked. */
    int64_t closed;
    /** The generation of its reminder ids: 1, plus one per reschedule. */
    int generation;
    /** Reminder messages planned for the current start (skipped ones are
     *  not counted). */
    int reminders;
} lty_appointment;

/** @brief Initialiser for #lty_appointment. */
#define LTY_APPOINTMENT_INIT {LTY_APPOINTMENT_VERSION, "", "", 0, 0, "", "", \
    "", (lty_appointment_state)0, 0, 0, 0, 0}

/**
 * @brief Read an appointment.
 *
 * @param[in]  e    The engine.
 * @param[in]  id   The appointment.
 * @param[out] out  Filled on success (set @c version first).
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID; #LTY_EVERSION; storage
 *         errors; #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_get(lty_engine *e, const char *id,
                                lty_appointment *out);

/**
 * @brief List a customer's appointments in every state, by start time
 *        (then id), oldest first.
 *
 * @param[in]  e            The engine.
 * @param[in]  customer_id  The customer.
 * @param[out] out          Array of @p cap appointments, each with
 *                          @c version set (may be NULL when @p cap is 0).
 * @param[in]  cap          Size of @p out.
 * @param[out] count        How many appointments the customer has (may
 *                          exceed @p cap; only the first @p cap are
 *                          filled).
 * @return #LTY_OK; #LTY_ENOTFOUND (customer); #LTY_EINVALID; #LTY_EVERSION;
 *         storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_list(lty_engine *e, const char *customer_id,
                                 lty_appointment *out, size_t cap,
                                 size_t *count);

/**
 * @brief List the appointments starting on one local day, in every state,
 *        by start time (then id): the front desk's day.
 *
 * The local day of an appointment is fixed when it is booked or
 * rescheduled, in the time zone of the engine that did it.
 *
 * @param[in]  e      The engine.
 * @param[in]  day    The local date (a year is required).
 * @param[out] out    Array of @p cap appointments, each with @c version set
 *                    (may be NULL when @p cap is 0).
 * @param[in]  cap    Size of @p out.
 * @param[out] count  How many appointments start that day (may exceed
 *                    @p cap).
 * @return #LTY_OK; #LTY_EINVALID (a bad date); #LTY_EVERSION; storage
 *         errors; #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_list_day(lty_engine *e, const lty_date *day,
                                     lty_appointment *out, size_t cap,
                                     size_t *count);

/* ------------------------------------------------------------------ */
/* The reminder policy                                                 */
/* ------------------------------------------------------------------ */

/** @brief One reminder of a policy: when, and with which templates. */
typedef struct lty_reminder {
    /** Seconds before the start, 1..#LTY_REMINDER_OFFSET_MAX; distinct
     *  within a policy. */
    int64_t offset;
    /**
     * Template ids by channel (index = #lty_channel value), "" for none; at
     * least one is set.  @c template_id[#LTY_CHANNEL_NONE] plans one
     * message on the customer's choice of channel (the outbox picks the
     * preferred, then any consented one with a valid address); each other
     * entry plans one message pinned to that channel (#LTY_CHANNEL_STAFF: a
     * notice for the front desk).
     */
    char template_id[LTY_REMINDER_CHANNELS][LTY_MESSAGE_ID_MAX + 1];
} lty_reminder;

/** @brief The version of #lty_reminder_policy this header describes. */
#define LTY_REMINDER_POLICY_VERSION 1

/**
 * @brief The store's appointment reminder policy.
 *
 * Until one is stored the policy is "312": offsets 259200 (3 days), 86400
 * (1 day) and 7200 (2 hours), each with the template
 * "appointment_reminder" on the customer's choice of channel.  A policy of
 * no reminders (@c count 0) turns reminders off.
 */
typedef struct lty_reminder_policy {
    /** Must be #LTY_REMINDER_POLICY_VERSION. */
    unsigned int version;
    /** Reminders used, 0..#LTY_REMINDERS_MAX. */
    size_t count;
    /** The reminders, in any order (lty_appointment_reminders_get() gives
     *  them earliest first, i.e. the largest offset first). */
    lty_reminder reminders[LTY_REMINDERS_MAX];
} lty_reminder_policy;

/** @brief Initialiser for #lty_reminder_policy: no reminders yet (fill
 *         @c count and @c reminders). */
#define LTY_REMINDER_POLICY_INIT {LTY_REMINDER_POLICY_VERSION, 0, \
    {{0, {""}}}}

/**
 * @brief Store the reminder policy (store-wide; bookings and reschedules
 *        from then on use it; what is already planned is kept).
 *
 * @param[in] e       The engine.
 * @param[in] policy  The policy (copied).
 * @return #LTY_OK; #LTY_EINVALID naming the field ("reminders[1] offset:
 *         outside 1..31622400 seconds", a repeated offset, a reminder
 *         without a template, a malformed template id); #LTY_EVERSION;
 *         storage errors.
 */
LTY_API int lty_appointment_reminders_set(lty_engine *e,
                                          const lty_reminder_policy *policy);

/**
 * @brief Read the reminder policy (the "312" default when none was set).
 *
 * @param[in]  e    The engine.
 * @param[out] out  Filled on success (set @c version first); reminders in
 *                  order of due time, largest offset first.
 * @return #LTY_OK; #LTY_EINVALID; #LTY_EVERSION; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_reminders_get(lty_engine *e,
                                          lty_reminder_policy *out);

/* ------------------------------------------------------------------ */
/* No-show statistics                                                  */
/* ------------------------------------------------------------------ */

/** @brief Kept and missed appointments, and the no-show rate. */
typedef struct lty_noshow_counts {
    /** Appointments the customer came to. */
    int64_t arrived;
    /** Appointments marked as no-shows. */
    int64_t no_shows;
    /** no_shows / (arrived + no_shows); 0 when both are 0. */
    double rate;
} lty_noshow_counts;

/** @brief The version of #lty_noshow_stats this header describes. */
#define LTY_NOSHOW_STATS_VERSION 1

/**
 * @brief No-show statistics of a period.
 *
 * Rates count closed appointments only: cancelled ones and those still
 * booked are reported but left out of every rate.  An appointment counts
 * as reminded when at least one of its reminder messages reached
 * #LTY_MSG_SENT (a reminder for an earlier time, before a reschedule,
 * counts too).
 */
typedef struct lty_noshow_stats {
    /** Set by the caller: #LTY_NOSHOW_STATS_VERSION. */
    unsigned int version;
    /** Appointments starting in the period, in any state. */
    int64_t appointments;
    /** Of those, cancelled. */
    int64_t cancelled;
    /** Of those, still booked (neither arrived nor marked a no-show). */
    int64_t open;
    /** Every closed appointment. */
    lty_noshow_counts overall;
    /** Closed appointments at least one reminder went out for. */
    lty_noshow_counts reminded;
    /** Closed appointments no reminder went out for. */
    lty_noshow_counts not_reminded;
} lty_noshow_stats;

/** @brief Initialiser for #lty_noshow_stats. */
#define LTY_NOSHOW_STATS_INIT {LTY_NOSHOW_STATS_VERSION, 0, 0, 0, \
    {0, 0, 0.0}, {0, 0, 0.0}, {0, 0, 0.0}}

/** @brief The version of #lty_noshow_branch this header describes. */
#define LTY_NOSHOW_BRANCH_VERSION 1

/** @brief No-show statistics of one branch. */
typedef struct lty_noshow_branch {
    /** Set by the caller: #LTY_NOSHOW_BRANCH_VERSION. */
    unsigned int version;
    /** The branch code; empty for appointments booked without one. */
    char branch[LTY_CODE_MAX + 1];
    /** Every closed appointment of the branch. */
    lty_noshow_counts overall;
    /** Those at least one reminder went out for. */
    lty_noshow_counts reminded;
    /** Those no reminder went out for. */
    lty_noshow_counts not_reminded;
} lty_noshow_branch;

/** @brief Initialiser for #lty_noshow_branch. */
#define LTY_NOSHOW_BRANCH_INIT {LTY_NOSHOW_BRANCH_VERSION, "", {0, 0, 0.0}, \
    {0, 0, 0.0}, {0, 0, 0.0}}

/**
 * @brief No-show statistics of the appointments starting in [from, to):
 *        overall, by whether reminders went out, and by branch.
 *
 * Reads the appointments through the day index and each closed
 * appointment's reminders through lty_outbox_get(); it writes nothing.
 * The figures are not one snapshot: an appointment closed while the call
 * runs may or may not be counted.
 *
 * @param[in]  e             The engine.
 * @param[in]  from          Start of the period (included).
 * @param[in]  to            End of the period (excluded), after @p from.
 * @param[out] out           The totals (set @c version first).
 * @param[out] branches      Array of @p cap branch entries, each with
 *                           @c version set, filled in branch-code order
 *                           (may be NULL when @p cap is 0).
 * @param[in]  cap           Size of @p branches.
 * @param[out] branch_count  How many branches had appointments in the
 *                           period (may exceed @p cap); may be NULL when
 *                           @p cap is 0.
 * @return #LTY_OK; #LTY_EINVALID (times, NULL output); #LTY_EVERSION;
 *         #LTY_ENOMEM; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_appointment_noshow_stats(lty_engine *e, int64_t from,
                                         int64_t to, lty_noshow_stats *out,
                                         lty_noshow_branch *branches,
                                         size_t cap, size_t *branch_count);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_APPOINTMENT_H */
