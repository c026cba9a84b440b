/*
 * libloyalty - the event ledger.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file event.h
 * @brief Record visits, purchases, refunds and feedback; list a customer's
 *        history.
 *
 * Every event carries an id chosen by the host (the order number, the visit
 * number): it is the idempotency key.  Recording the same event again changes
 * nothing and reports a duplicate, so a point-of-sale system can safely replay
 * what it is not sure was recorded.  The same id with different content is
 * refused with #LTY_EEXISTS.
 *
 * The customer's aggregates (first and last visit, counted visits, purchases,
 * net spend, last item) are updated in the same transaction as the ledger.
 * Visits and purchases both mark a visit; visits are counted at most once per
 * local day (the engine's time zone), whatever order events arrive in.
 */
#ifndef LOYALTY_EVENT_H
#define LOYALTY_EVENT_H

#include "common.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Kinds of events. */
typedef enum lty_event_type {
    LTY_EVENT_VISIT = 1,    /**< The customer came (no payment recorded). */
    LTY_EVENT_PURCHASE = 2, /**< A payment of @c amount for @c item. */
    LTY_EVENT_REFUND = 3,   /**< Money back for the purchase @c refund_of (whole or part). */
    LTY_EVENT_FEEDBACK = 4  /**< A satisfaction score 0..10 with an optional comment. */
} lty_event_type;

/** @brief Longest feedback comment, in bytes. */
#define LTY_COMMENT_MAX 1024
/** @brief Longest item code or branch code, in bytes. */
#define LTY_CODE_MAX 64

/** @brief The version of #lty_event this header describes. */
#define LTY_EVENT_VERSION 1

/**
 * @brief An event, as recorded and as listed.
 *
 * Which fields apply depends on @c type; a field that does not apply must be
 * left at its #LTY_EVENT_INIT value (NULL, 0, or -1 for @c score), or the call
 * fails with #LTY_EINVALID naming it.
 *
 * | field       | visit    | purchase | refund          | feedback |
 * |-------------|----------|----------|-----------------|----------|
 * | amount      | 0        | >= 0     | > 0             | 0        |
 * | item        | optional | optional | (from purchase) | optional |
 * | branch      | optional | optional | optional        | optional |
 * | refund_of   | -        | -        | required        | -        |
 * | score       | -        | -        | -               | 0..10    |
 * | comment     | -        | -        | -               | optional |
 */
typedef struct lty_event {
    /** Must be #LTY_EVENT_VERSION (or an older supported version). */
    unsigned int version;
    /** The kind of event. */
    lty_event_type type;
    /** Required: the idempotency key, 1..#LTY_ID_MAX printable UTF-8 bytes. */
    const char *id;
    /** Required: the customer's id (the customer must exist). */
    const char *customer_id;
    /** Unix seconds UTC, or #LTY_TIME_NOW for the engine's clock. */
    int64_t time;
    /** Amount in the currency's minor unit; never negative. */
    int64_t amount;
    /** Product or treatment code, up to #LTY_CODE_MAX bytes, or NULL. */
    const char *item;
    /** Branch code, up to #LTY_CODE_MAX bytes, or NULL. */
    const char *branch;
    /** Refunds only: the id of the purchase refunded. */
    const char *refund_of;
    /** Feedback only: the score 0..10; -1 elsewhere. */
    int score;
    /** Feedback only: a comment of up to #LTY_COMMENT_MAX bytes, or NULL. */
    const char *comment;
} lty_event;

/** @brief Initialiser for #lty_event. */
#define LTY_EVENT_INIT {LTY_EVENT_VERSION, (lty_event_type)0, NULL, NULL, \
                        LTY_TIME_NOW, 0, NULL, NULL, NULL, -1, NULL}

/** @brief The version of #lty_record_outcome this header describes. */
#define LTY_RECORD_OUTCOME_VERSION 2

/**
 * @brief What recording an event did.  Set @c version before the call
 *        (#LTY_RECORD_OUTCOME_INIT); the library fills the fields that
 *        version has.
 */
typedef struct lty_record_outcome {
    /** Set by the caller: #LTY_RECORD_OUTCOME_VERSION. */
    unsigned int version;
    /** Non-zero when the event had been recorded before (nothing changed). */
    int duplicate;
    /** Non-zero when this event counted a new visit (first on its local day). */
    int visit_counted;
    /** The customer's counted visits after the event. */
    int64_t visits;
    /** The customer's net spend after the event. */
    int64_t net_spend;
    /** Version 2: ladder steps and tiers the event reached (program.h). */
    int promotions;
    /** Version 2: rewards the event issued (tier rules and draws). */
    int rewards;
    /** Version 2: the title or tier of the last promotion, or empty. */
    char title[LTY_TITLE_MAX + 1];
} lty_record_outcome;

/** @brief Initialiser for #lty_record_outcome. */
#define LTY_RECORD_OUTCOME_INIT {LTY_RECORD_OUTCOME_VERSION, 0, 0, 0, 0, 0, 0, ""}

/**
 * @brief Record an event in the ledger.
 *
 * One transaction: the ledger entry, the event-id index and the customer's
 * aggregates change together or not at all.
 *
 * @param[in]  e        The engine.
 * @param[in]  ev       The event (copied; nothing is retained).
 * @param[out] outcome  What happened (may be NULL).
 * @return #LTY_OK (also for a duplicate: see @c outcome->duplicate);
 *         #LTY_EINVALID (a field is missing, malformed or does not apply; a
 *         refund exceeding what is left of the purchase);
 *         #LTY_ENOTFOUND (unknown customer, or the refunded purchase does not
 *         exist for this customer); #LTY_EEXISTS (the id was used for a
 *         different event); #LTY_ERANGE (spend would overflow);
 *         #LTY_EVERSION; #LTY_ENOMEM; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_record(lty_engine *e, const lty_event *ev,
                       lty_record_outcome *outcome);

/** @brief Most events one lty_record_batch() call takes. */
#define LTY_BATCH_MAX 10000

/**
 * @brief Record many events in one transaction: all of them or none.
 *
 * For imports and catching up after a link outage: one storage transaction
 * instead of one per event, which on a disk store is many times faster.
 * Each event follows the rules of lty_record(), in order, and later events
 * see earlier ones (an id given twice is a duplicate the second time, or
 * #LTY_EEXISTS if the content differs).  Every event is validated before
 * the store is touched.  If any event fails, nothing of the batch is
 * applied; a conflict with another engine runs the whole batch again, up to
 * the retry limit.
 *
 * @param[in]  e         The engine.
 * @param[in]  events    @p count events (copied; nothing is retained).
 * @param[in]  count     1..#LTY_BATCH_MAX.
 * @param[out] outcomes  NULL, or @p count outcomes with @c version set;
 *                       filled only on success.
 * @param[out] failed    Receives, on failure, the index of the event being
 *                       validated or recorded when it happened, or @p count
 *                       when it happened outside any one event (memory,
 *                       commit); may be NULL.
 * @return #LTY_OK, or the code lty_record() would return for the event at
 *         fault (its message starts with "events[i]: "); #LTY_EINVALID for
 *         NULL @p events or a bad @p count; #LTY_ENOMEM; storage errors.
 */
LTY_API int lty_record_batch(lty_engine *e, const lty_event *events,
                             size_t count, lty_record_outcome *outcomes,
                             size_t *failed);

/** @brief A page of a customer's history (opaque). */
typedef struct lty_history lty_history;

/**
 * @brief Read a page of a customer's events, newest first.
 *
 * @param[in]  e            The engine.
 * @param[in]  customer_id  The customer.
 * @param[in]  cursor       NULL for the first page, or the value of
 *                          lty_history_cursor() of the previous page.
 * @param[in]  limit        Events per page, 1..1000.
 * @param[out] out          Receives the page; free it with
 *                          lty_history_free().
 * @return #LTY_OK; #LTY_EINVALID (bad id, cursor or limit); #LTY_ENOTFOUND
 *         (no such customer); #LTY_ENOMEM; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_history_list(lty_engine *e, const char *customer_id,
                             const char *cursor, size_t limit,
                             lty_history **out);

/**
 * @brief Number of events on a page.
 * @param[in] h  The page (NULL gives 0).
 * @return The count.
 */
LTY_API size_t lty_history_count(const lty_history *h);

/**
 * @brief Read one event of a page.
 *
 * The strings in @p ev are borrowed from the page and valid until
 * lty_history_free().
 *
 * @param[in]  h      The page.
 * @param[in]  index  0 .. lty_history_count() - 1, newest first.
 * @param[out] ev     Receives the event; set @c ev->version first.
 * @return #LTY_OK, #LTY_EINVALID (NULL, or index out of range) or
 *         #LTY_EVERSION.
 */
LTY_API int lty_history_get(const lty_history *h, size_t index, lty_event *ev);

/**
 * @brief How much of a purchase on the page has been refunded so far.
 * @param[in] h      The page.
 * @param[in] index  The event's index.
 * @return The refunded amount (0 for other kinds, or a bad index).
 */
LTY_API int64_t lty_history_refunded(const lty_history *h, size_t index);

/**
 * @brief The cursor for the next page.
 * @param[in] h  The page.
 * @return A NUL-terminated opaque string owned by the page, or NULL when this
 *         was the last page.
 */
LTY_API const char *lty_history_cursor(const lty_history *h);

/**
 * @brief Free a history page.
 * @param[in] h  The page, or NULL (ignored).
 */
LTY_API void lty_history_free(lty_history *h);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_EVENT_H */
