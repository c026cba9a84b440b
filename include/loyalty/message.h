/*
 * libloyalty - messaging: templates, the consent-aware outbox, the
 * messenger callbacks and delivery reports.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file message.h
 * @brief Plan messages into a durable outbox and hand them to the host's
 *        messenger, within consent, quiet hours and frequency caps.
 *
 * Everything the library wants to say — appointment reminders, aftercare
 * recalls, birthday offers, journey steps, win-back messages, program
 * notices — is first **planned** into the outbox in the store, with a
 * stable id derived from its cause (planning twice never sends twice).
 * lty_outbox_dispatch() later **claims** the due messages in a committed
 * transaction, applies the messaging policy (consent, quiet hours, caps,
 * contact hygiene), renders the template and calls the messenger's
 * @c send.  The guide (docs/guide/messaging.md) gives the exact rules.
 *
 * States:
 *
 * | state       | meaning |
 * |-------------|---------|
 * | planned     | waiting for its due time |
 * | claimed     | handed to a dispatcher; sent or retried when it acknowledges, or due again when the claim expires |
 * | sent        | the messenger accepted it |
 * | retry       | a temporary failure; due again after a back-off |
 * | dead        | a permanent failure or too many attempts (with the reason) |
 * | suppressed  | blocked by policy (with the reason); never reached @c send |
 * | cancelled   | withdrawn by its cause (a cancelled appointment) |
 */
#ifndef LOYALTY_MESSAGE_H
#define LOYALTY_MESSAGE_H

#include "common.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Longest message id, template id or reason, in bytes. */
#define LTY_MESSAGE_ID_MAX 128
/** @brief Longest template text, in bytes. */
#define LTY_TEMPLATE_MAX 4000
/** @brief Longest locale tag ("ko", "ko-KR", "en"), in bytes. */
#define LTY_LOCALE_MAX 16
/** @brief Most parameters one message carries. */
#define LTY_MESSAGE_PARAMS_MAX 16
/** @brief Longest parameter value, in bytes. */
#define LTY_PARAM_MAX 256

/** @brief States of an outbox message. */
typedef enum lty_message_state {
    LTY_MSG_PLANNED = 1,    /**< Waiting for its due time. */
    LTY_MSG_CLAIMED = 2,    /**< Being sent by a dispatcher. */
    LTY_MSG_SENT = 3,       /**< Accepted by the messenger. */
    LTY_MSG_RETRY = 4,      /**< Failed temporarily; due again later. */
    LTY_MSG_DEAD = 5,       /**< Failed for good (see the reason). */
    LTY_MSG_SUPPRESSED = 6, /**< Blocked by policy (see the reason). */
    LTY_MSG_CANCELLED = 7   /**< Withdrawn by its cause. */
} lty_message_state;

/* ------------------------------------------------------------------ */
/* The messenger                                                       */
/* ------------------------------------------------------------------ */

/**
 * @brief A message as the messenger receives it.  Every pointer is
 *        borrowed for the duration of the @c send call only.
 */
typedef struct lty_message {
    /** The stable message id: use it as the gateway's idempotency key. */
    const char *id;
    /** The customer (for #LTY_CHANNEL_STAFF, the customer the notice is about). */
    const char *customer_id;
    /** The channel chosen for this attempt. */
    lty_channel channel;
    /** Why it is sent. */
    lty_purpose purpose;
    /** The address on that channel: the phone in E.164 for SMS and
     *  KakaoTalk, the e-mail address, or NULL (push, staff). */
    const char *address;
    /** The template it was rendered from. */
    const char *template_id;
    /** The rendered text, with the advertising label and the opt-out line
     *  for marketing (NUL-terminated UTF-8). */
    const char *text;
    /** When it was due. */
    int64_t due;
    /** 1 for the first attempt, then 2, 3, ... */
    int attempt;
} lty_message;

/** @brief The version of #lty_messenger_ops this header describes. */
#define LTY_MESSENGER_OPS_VERSION 1

/**
 * @brief The host's messenger.
 *
 * @c send is called by lty_outbox_dispatch() on the dispatching thread,
 * outside any storage transaction, after the message's claim is committed.
 * It must not call back into the same engine.  It returns #LTY_OK when the
 * gateway accepted the message, #LTY_ETEMPORARY to have it retried with
 * back-off, or #LTY_EPERMANENT to give it up (any other code counts as
 * temporary).  Delivery is at least once: a gateway that honours the id
 * makes it exactly once.
 */
typedef struct lty_messenger_ops {
    /** Must be #LTY_MESSENGER_OPS_VERSION. */
    unsigned int version;
    /** Send one message. */
    int (*send)(const lty_message *msg, void *userdata);
    /** Release the userdata (may be NULL); called when the engine is freed
     *  or another messenger replaces this one. */
    void (*destroy)(void *userdata);
} lty_messenger_ops;

/** @brief Initialiser for #lty_messenger_ops. */
#define LTY_MESSENGER_OPS_INIT {LTY_MESSENGER_OPS_VERSION, NULL, NULL}

/**
 * @brief Register the messenger of an engine (replacing any earlier one).
 *
 * @param[in] e         The engine.
 * @param[in] ops       The callbacks (copied), or NULL to remove the
 *                      messenger.
 * @param[in] userdata  Passed to every callback; owned by the engine from
 *                      now on when @c destroy is set.
 * @return #LTY_OK; #LTY_EINVALID (no @c send); #LTY_EVERSION.
 */
LTY_API int lty_messenger_register(lty_engine *e, const lty_messenger_ops *ops,
                                   void *userdata);

/* ------------------------------------------------------------------ */
/* Policy                                                              */
/* ------------------------------------------------------------------ */

/** @brief The version of #lty_messaging_options this header describes. */
#define LTY_MESSAGING_OPTIONS_VERSION 1

/**
 * @brief The messaging policy of a store (every engine applies the same).
 *
 * Start from #LTY_MESSAGING_OPTIONS_INIT (neutral defaults) or
 * #LTY_MESSAGING_OPTIONS_KOREA (the Korean advertising rules).
 */
typedef struct lty_messaging_options {
    /** Must be #LTY_MESSAGING_OPTIONS_VERSION. */
    unsigned int version;
    /** Quiet hours for marketing, local minutes after midnight: from
     *  @c quiet_start to @c quiet_end (may wrap midnight); equal values
     *  mean none.  Default 21:00 to 08:00. */
    int quiet_start;
    /** End of the quiet hours (see @c quiet_start). */
    int quiet_end;
    /** Most marketing messages one customer receives in
     *  @c cap_window_days, 0..64 (0 for no cap).  Default 4.  A message
     *  over the cap is deferred until the window frees. */
    int cap_messages;
    /** The window of the frequency cap, 1..366 days.  Default 7. */
    int cap_window_days;
    /** Soft bounces in a row that invalidate an address.  Default 5. */
    int soft_bounce_limit;
    /** Unopened marketing e-mails in a row that suppress marketing e-mail
     *  to the address, 0 to never.  Default 10. */
    int unopened_limit;
    /** Attempts before a temporarily failing message is dead.  Default 5. */
    int max_attempts;
    /** The first retry's delay in seconds, doubled each attempt.
     *  Default 60. */
    int retry_base_seconds;
    /** How long a claim holds before the message is due again, seconds.
     *  Default 300. */
    int claim_seconds;
    /** The label marketing text must begin with, or NULL/"" for none
     *  (Korea: "(광고)"). */
    const char *ad_label;
    /** The sender's name, added after the label, or NULL. */
    const char *sender_name;
    /** The sender's contact, added after the name, or NULL. */
    const char *sender_contact;
    /** The opt-out line marketing text must end with, or NULL
     *  (Korea: "무료수신거부 080-…"). */
    const char *opt_out_line;
    /** 1: every marketing message needs the channel's recorded consent,
     *  and marketing during the quiet hours is sent only with the separate
     *  night-time consent (Korea).  0: marketing needs consent too, and
     *  always waits out the quiet hours. */
    int strict_consent;
    /** Longest rendered text per channel in bytes, indexed by
     *  #lty_channel (0 = no limit).  Defaults: SMS 2000 (LMS), e-mail
     *  100000, KakaoTalk 1000, push 1000, staff 2000. */
    int max_length[6];
} lty_messaging_options;

/** @brief Initialiser for #lty_messaging_options with neutral defaults. */
#define LTY_MESSAGING_OPTIONS_INIT {LTY_MESSAGING_OPTIONS_VERSION, \
    21 * 60, 8 * 60, 4, 7, 5, 10, 5, 60, 300, NULL, NULL, NULL, NULL, 0, \
    {0, 2000, 100000, 1000, 1000, 2000}}

/**
 * @brief Initialiser for #lty_messaging_options with the Korean rules
 *        (정보통신망법 제50조): quiet hours 21:00–08:00, the label "(광고)",
 *        strict consent (every advertisement needs consent, night-time
 *        advertising its own), at most 4 marketing messages in 7 days.
 *        The host fills in @c sender_name, @c sender_contact and
 *        @c opt_out_line ("무료수신거부 080-…").
 */
#define LTY_MESSAGING_OPTIONS_KOREA {LTY_MESSAGING_OPTIONS_VERSION, \
    21 * 60, 8 * 60, 4, 7, 5, 10, 5, 60, 300, \
    "(\xea\xb4\x91\xea\xb3\xa0)", NULL, NULL, NULL, 1, \
    {0, 2000, 100000, 1000, 1000, 2000}}

/**
 * @brief Store the messaging policy (store-wide; every engine over the
 *        store applies it from its next call).
 *
 * Strings are copied.  The Korean preset needs @c sender_name,
 * @c sender_contact and @c opt_out_line filled in by the host.
 *
 * @param[in] e     The engine.
 * @param[in] opts  The policy.
 * @return #LTY_OK; #LTY_EINVALID naming the field (a time outside 0..1439,
 *         a label of the wrong form, a negative count); #LTY_EVERSION;
 *         storage errors.
 */
LTY_API int lty_messaging_configure(lty_engine *e,
                                    const lty_messaging_options *opts);

/* ------------------------------------------------------------------ */
/* Templates                                                           */
/* ------------------------------------------------------------------ */

/**
 * @brief Register (or replace) a template for a channel and locale.
 *
 * @p text may hold placeholders in braces, replaced when the message is
 * rendered: <tt>{name} {title} {tier} {date} {time} {clinic} {item}
 * {stars} {points} {referrer} {reward} {code} {branch} {staff} {amount}
 * {days}</tt>; <tt>{{</tt> and <tt>}}</tt> are literal braces.  An unknown
 * placeholder or a text longer than the channel's limit is refused here.
 * A message is rendered with the template of its channel and the
 * customer's locale, falling back to the locale "" (the default).
 *
 * @param[in] e            The engine.
 * @param[in] template_id  1..#LTY_MESSAGE_ID_MAX printable bytes.
 * @param[in] channel      #LTY_CHANNEL_SMS .. #LTY_CHANNEL_STAFF.
 * @param[in] locale       "" (default) or a tag of up to
 *                         #LTY_LOCALE_MAX bytes.
 * @param[in] text         1..#LTY_TEMPLATE_MAX bytes of UTF-8.
 * Locales match regardless of case and fall back from "ko-KR" to "ko" to
 * "".
 *
 * @return #LTY_OK; #LTY_EINVALID naming the problem (the placeholder, the
 *         limit); storage errors; #LTY_ECORRUPT or #LTY_EVERSION (a damaged
 *         or newer policy record).
 */
LTY_API int lty_template_set(lty_engine *e, const char *template_id,
                             lty_channel channel, const char *locale,
                             const char *text);

/**
 * @brief Remove a template.
 *
 * @param[in] e            The engine.
 * @param[in] template_id  The template.
 * @param[in] channel      Its channel.
 * @param[in] locale       Its locale ("" or NULL: the default).
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID; storage errors.
 */
LTY_API int lty_template_remove(lty_engine *e, const char *template_id,
                                lty_channel channel, const char *locale);

/* ------------------------------------------------------------------ */
/* The outbox                                                          */
/* ------------------------------------------------------------------ */

/** @brief A named value a template can use ({name} comes from the profile). */
typedef struct lty_param {
    const char *key;   /**< A placeholder name without braces. */
    const char *value; /**< Up to #LTY_PARAM_MAX bytes of UTF-8. */
} lty_param;

/** @brief The version of #lty_plan_spec this header describes. */
#define LTY_PLAN_SPEC_VERSION 1

/** @brief A message to plan (lty_outbox_plan()). */
typedef struct lty_plan_spec {
    /** Must be #LTY_PLAN_SPEC_VERSION. */
    unsigned int version;
    /** The stable id, 1..#LTY_MESSAGE_ID_MAX bytes, derived by the host
     *  from the cause ("campaign-7/chart-1024"). */
    const char *id;
    /** The customer. */
    const char *customer_id;
    /** The template. */
    const char *template_id;
    /** Transactional or marketing. */
    lty_purpose purpose;
    /** The channel, or #LTY_CHANNEL_NONE for the customer's preferred one
     *  (then any consented channel with a valid address). */
    lty_channel channel;
    /** When it is due (Unix seconds UTC). */
    int64_t due;
    /** Parameters for the template (copied). */
    const lty_param *params;
    /** Number of @c params, 0..#LTY_MESSAGE_PARAMS_MAX. */
    size_t param_count;
} lty_plan_spec;

/** @brief Initialiser for #lty_plan_spec. */
#define LTY_PLAN_SPEC_INIT {LTY_PLAN_SPEC_VERSION, NULL, NULL, NULL, \
    (lty_purpose)0, LTY_CHANNEL_NONE, 0, NULL, 0}

/**
 * @brief Plan a message.
 *
 * Planning the same id again with the same content changes nothing;
 * a planned (not yet claimed) message planned again with another due time
 * or parameters is replanned.  A message already claimed, sent, dead,
 * suppressed or cancelled is left alone (#LTY_OK, nothing changes).
 *
 * @param[in] e     The engine.
 * @param[in] spec  The message (copied).
 * @return #LTY_OK; #LTY_EINVALID naming the field; #LTY_ENOTFOUND
 *         (customer); #LTY_EEXISTS (the id is planned for another
 *         customer); #LTY_EVERSION; storage errors.
 */
LTY_API int lty_outbox_plan(lty_engine *e, const lty_plan_spec *spec);

/**
 * @brief Cancel a planned or retrying message.
 *
 * @param[in] e           The engine.
 * @param[in] message_id  The message.
 * @return #LTY_OK (also when it was already cancelled); #LTY_ESTATE (it was
 *         claimed, sent, dead or suppressed); #LTY_ENOTFOUND; storage errors.
 */
LTY_API int lty_outbox_cancel(lty_engine *e, const char *message_id);

/** @brief The version of #lty_outbox_entry this header describes. */
#define LTY_OUTBOX_ENTRY_VERSION 1

/** @brief An outbox message as stored.  Set @c version before a call. */
typedef struct lty_outbox_entry {
    /** Set by the caller: #LTY_OUTBOX_ENTRY_VERSION. */
    unsigned int version;
    /** The message id. */
    char id[LTY_MESSAGE_ID_MAX + 1];
    /** The customer. */
    char customer_id[LTY_ID_MAX + 1];
    /** The template. */
    char template_id[LTY_MESSAGE_ID_MAX + 1];
    /** The purpose. */
    lty_purpose purpose;
    /** The channel asked for (#LTY_CHANNEL_NONE: the customer's). */
    lty_channel channel;
    /** The channel of the last attempt, or #LTY_CHANNEL_NONE. */
    lty_channel sent_channel;
    /** The state. */
    lty_message_state state;
    /** When it is (or was) due; for retries and deferrals, the next time. */
    int64_t due;
    /** When it was first planned. */
    int64_t planned;
    /** When it was sent, or 0. */
    int64_t sent;
    /** Attempts so far. */
    int attempts;
    /** Why it is dead, suppressed, deferred or cancelled, or empty. */
    char reason[LTY_MESSAGE_ID_MAX + 1];
} lty_outbox_entry;

/** @brief Initialiser for #lty_outbox_entry. */
#define LTY_OUTBOX_ENTRY_INIT {LTY_OUTBOX_ENTRY_VERSION, "", "", "", \
    (lty_purpose)0, LTY_CHANNEL_NONE, LTY_CHANNEL_NONE, (lty_message_state)0, \
    0, 0, 0, 0, ""}

/**
 * @brief Read one message.
 *
 * @param[in]  e           The engine.
 * @param[in]  message_id  The message.
 * @param[out] out         Filled on success (set @c version first).
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID; #LTY_EVERSION; storage
 *         errors; #LTY_ECORRUPT.
 */
LTY_API int lty_outbox_get(lty_engine *e, const char *message_id,
                           lty_outbox_entry *out);

/** @brief Which messages lty_outbox_list() returns. */
typedef struct lty_outbox_filter {
    /** Only this customer's, or NULL for all. */
    const char *customer_id;
    /** Only this state, or 0 for all. */
    lty_message_state state;
    /** Only messages due at or after this time (0: no bound). */
    int64_t due_from;
    /** Only messages due before this time (0: no bound). */
    int64_t due_to;
} lty_outbox_filter;

/**
 * @brief List messages, in due-time order (then id).
 *
 * @param[in]  e       The engine.
 * @param[in]  filter  What to list (NULL: everything).
 * @param[out] out     Array of @p cap entries, each with @c version set
 *                     (may be NULL when @p cap is 0).
 * @param[in]  cap     Size of @p out.
 * @param[out] count   How many match (may exceed @p cap).
 * @return #LTY_OK; #LTY_EINVALID; #LTY_EVERSION; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_outbox_list(lty_engine *e, const lty_outbox_filter *filter,
                            lty_outbox_entry *out, size_t cap, size_t *count);

/** @brief What one lty_outbox_dispatch() call did. */
typedef struct lty_dispatch_report {
    size_t claimed;    /**< Messages claimed. */
    size_t sent;       /**< Accepted by the messenger. */
    size_t retried;    /**< Failed temporarily; due again later. */
    size_t dead;       /**< Failed for good. */
    size_t suppressed; /**< Blocked by policy. */
    size_t deferred;   /**< Moved past quiet hours or a cap window. */
} lty_dispatch_report;

/**
 * @brief Send what is due.
 *
 * Claims up to @p max messages due at @p now in one committed transaction
 * (applying the policy: consent, quiet hours, caps, contact hygiene,
 * channel fallback), then calls the messenger for each claimed one and
 * records the outcome in a transaction of its own.  Two engines
 * dispatching at once never send one message twice; a process that dies
 * between @c send and the acknowledgement leaves the message claimed, and
 * it is sent again with the same id once the claim expires.
 *
 * @param[in]  e       The engine (with a registered messenger).
 * @param[in]  now     The time, or #LTY_TIME_NOW.
 * @param[in]  max     Most messages to claim, 1..10,000.
 * @param[out] report  What happened (may be NULL).
 * @return #LTY_OK (also when the messenger failed: see the report);
 *         #LTY_ESTATE (no messenger); #LTY_EINVALID; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_outbox_dispatch(lty_engine *e, int64_t now, size_t max,
                                lty_dispatch_report *report);

/* ------------------------------------------------------------------ */
/* Delivery reports and contact hygiene                                */
/* ------------------------------------------------------------------ */

/** @brief What a gateway reported about a sent message. */
typedef enum lty_delivery_kind {
    LTY_DELIVERED = 1,    /**< Delivered. */
    LTY_OPENED = 2,       /**< Opened (e-mail). */
    LTY_CLICKED = 3,      /**< A link was clicked. */
    LTY_SOFT_BOUNCE = 4,  /**< Temporarily undeliverable (mailbox full). */
    LTY_HARD_BOUNCE = 5,  /**< The address does not exist. */
    LTY_COMPLAINT = 6,    /**< Marked as spam. */
    LTY_UNSUBSCRIBED = 7  /**< The recipient opted out. */
} lty_delivery_kind;

/**
 * @brief Record a delivery report for a sent message.
 *
 * Contact hygiene follows: a hard bounce invalidates the address at once;
 * @c soft_bounce_limit soft bounces in a row invalidate it; @c
 * unopened_limit unopened marketing e-mails in a row suppress marketing
 * e-mail; a complaint or an unsubscription withdraws that channel's
 * marketing consent.  A changed address starts clean.  Reports are
 * idempotent per message and kind.
 *
 * @param[in] e           The engine.
 * @param[in] message_id  A sent message.
 * @param[in] kind        What happened.
 * @param[in] when        When, or #LTY_TIME_NOW.
 * @return #LTY_OK; #LTY_ENOTFOUND (unknown message); #LTY_ESTATE (never
 *         sent); #LTY_EINVALID; storage errors.
 */
LTY_API int lty_delivery_report(lty_engine *e, const char *message_id,
                                lty_delivery_kind kind, int64_t when);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_MESSAGE_H */
