/*
 * libloyalty - the engine: options, lifetime and error detail.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file engine.h
 * @brief Create and free an engine; read the detail of its last error.
 *
 * An engine is the handle every other call goes through.  It binds one
 * storage connection, a clock, a time zone and the currency's minor unit.
 *
 * @par Threads
 * An engine, and every object obtained from it, is used by one thread at a
 * time.  Separate engines may run in parallel over the same store (each with
 * its own connection).  lty_strerror() and lty_version() are safe from any
 * thread.
 *
 * @par Transactions
 * Every mutating call runs in one storage transaction.  On any failure the
 * engine rolls back and returns the code with nothing applied.  When the
 * backend reports #LTY_ECONFLICT (a concurrent writer won) the engine runs the
 * whole call again, up to @c retry_limit more times, and returns
 * #LTY_ECONFLICT only when every attempt lost.
 */
#ifndef LOYALTY_ENGINE_H
#define LOYALTY_ENGINE_H

#include "common.h"
#include "storage.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief An engine (opaque). */
typedef struct lty_engine lty_engine;

/**
 * @brief Clock callback: the current time in Unix seconds, UTC.
 *
 * Must return a time within #LTY_TIME_MIN..#LTY_TIME_MAX.
 */
typedef int64_t (*lty_clock_fn)(void *userdata);

/**
 * @brief Time-zone callback: the local offset from UTC, in minutes, in force
 *        at the UTC time @p utc (for zones with daylight saving time).
 *
 * Must return a value within -1080..+1080 (±18 hours).
 */
typedef int (*lty_tz_offset_fn)(int64_t utc, void *userdata);

/** @brief The version of #lty_engine_options this header describes. */
#define LTY_ENGINE_OPTIONS_VERSION 1

/** @brief Default number of times a conflicting call is run again. */
#define LTY_DEFAULT_RETRY_LIMIT 16

/**
 * @brief Options for lty_engine_new().
 *
 * Start from #LTY_ENGINE_OPTIONS_INIT, which sets the version and the
 * defaults, then set what you need.  The struct is copied; pointers inside it
 * (@c storage, @c allocator) are copied too, so they need not outlive the
 * call.
 */
typedef struct lty_engine_options {
    /** Must be #LTY_ENGINE_OPTIONS_VERSION (or an older supported version). */
    unsigned int version;
    /** Required: the storage backend's operations. */
    const lty_storage_ops *storage;
    /** The storage connection, passed to every storage operation. */
    void *storage_userdata;
    /** The clock; NULL uses the system clock. */
    lty_clock_fn clock;
    /** Passed to @c clock. */
    void *clock_userdata;
    /**
     * Fixed local offset from UTC in minutes, -1080..+1080 (Korea: +540).
     * Ignored when @c tz_offset is set.  Default 0.
     */
    int utc_offset_minutes;
    /** Optional time-zone callback for zones with daylight saving time. */
    lty_tz_offset_fn tz_offset;
    /** Passed to @c tz_offset. */
    void *tz_userdata;
    /**
     * Digits after the decimal point of the currency's minor unit: 0 for the
     * won or the yen, 2 for the dollar or the euro.  0..4.  Default 0.
     */
    int currency_exponent;
    /**
     * Country calling code used to normalise national phone numbers such as
     * "010-1234-5678" to E.164 ("+821012345678").  1..999.  Default 82.
     */
    int country_code;
    /** Times a call that met #LTY_ECONFLICT is run again, 0..1000. */
    int retry_limit;
    /** Allocator hooks; NULL uses the C library's. Copied. */
    const lty_allocator *allocator;
} lty_engine_options;

/** @brief Initialiser for #lty_engine_options with every default set. */
#define LTY_ENGINE_OPTIONS_INIT {LTY_ENGINE_OPTIONS_VERSION, NULL, NULL, NULL, \
    NULL, 0, NULL, NULL, 0, 82, LTY_DEFAULT_RETRY_LIMIT, NULL}

/**
 * @brief Create an engine.
 *
 * Validates the options, checks that the store's format version (if the
 * store is not empty) is one this library reads, and writes the format
 * version into an empty store.
 *
 * @param[out] out   Receives the engine; set to NULL on failure.
 * @param[in]  opts  The options (copied).
 * @return #LTY_OK; #LTY_EINVALID (NULL argument, missing storage operation,
 *         a value out of range); #LTY_EVERSION (unsupported options or
 *         storage-ops version, or a store written by a newer format);
 *         #LTY_ENOMEM; a storage error.  On success the engine owns the
 *         storage connection and calls its @c destroy in lty_engine_free();
 *         on failure the caller still owns it.
 */
LTY_API int lty_engine_new(lty_engine **out, const lty_engine_options *opts);

/**
 * @brief Free an engine and close its storage connection.
 *
 * Objects obtained from the engine (customer snapshots, history pages) stay
 * valid and are freed separately.
 *
 * @param[in] e  The engine, or NULL (ignored).
 */
LTY_API void lty_engine_free(lty_engine *e);

/**
 * @brief The detail of the engine's most recent failure.
 *
 * Names the field or the operation that failed ("customer id: longer than 64
 * bytes").  Never contains a customer's personal data.
 *
 * @param[in] e  The engine (NULL gives a fixed text).
 * @return A NUL-terminated string owned by the engine, valid until its next
 *         call; "" when the last call succeeded.
 */
LTY_API const char *lty_engine_last_error(const lty_engine *e);

/**
 * @brief The body of lty_transaction(): calls on @p e it makes join the
 *        transaction.
 * @param e         The engine.
 * @param userdata  As passed to lty_transaction().
 * @return #LTY_OK to commit; anything else rolls back, and
 *         lty_transaction() returns it.
 */
typedef int (*lty_transaction_fn)(lty_engine *e, void *userdata);

/**
 * @brief Run several engine calls as one storage transaction: all of their
 *        writes are kept, or none.
 *
 * @p body is called inside a transaction; every call it makes on @p e
 * (customers, events, bookings, rewards, campaigns ...) joins that
 * transaction instead of committing its own.  The transaction commits when
 * @p body returns #LTY_OK and no call inside failed; otherwise everything is
 * rolled back, even when @p body ignored the failing call's code (a call
 * that failed may have done part of its work).  An import uses it to write
 * a batch of customers all or nothing.
 *
 * **Retries.**  When the store reports a conflict (another engine won),
 * the whole transaction is rolled back and @p body runs again, up to the
 * engine's retry limit: @p body must be repeatable, with no effect outside
 * the engine that a second run would duplicate.
 *
 * **Not inside:** lty_transaction() itself, and lty_outbox_dispatch(),
 * which hands messages to the messenger and must commit each claim before
 * sending (#LTY_ESTATE).  Reads see the transaction's own writes.  A long
 * body holds the store's write lock (SQLite) for its whole run.
 *
 * @param[in] e         The engine.
 * @param[in] body      The calls to make.
 * @param[in] userdata  Passed to @p body.
 * @return #LTY_OK when committed; the first failing call's code, or what
 *         @p body returned (a positive value becomes #LTY_EUSER in the
 *         engine's message, and is returned as is); #LTY_ESTATE when
 *         nested; #LTY_EINVALID; storage errors.
 */
LTY_API int lty_transaction(lty_engine *e, lty_transaction_fn body,
                            void *userdata);

/**
 * @brief The engine's current time, from its clock.
 *
 * @param[in] e  The engine.
 * @return Unix seconds, UTC; 0 when @p e is NULL.
 */
LTY_API int64_t lty_engine_now(lty_engine *e);

/**
 * @brief Convert a UTC time to a local calendar date in the engine's zone.
 *
 * @param[in]  e    The engine.
 * @param[in]  t    Unix seconds within #LTY_TIME_MIN..#LTY_TIME_MAX.
 * @param[out] out  Receives the local date.
 * @return #LTY_OK or #LTY_EINVALID.
 */
LTY_API int lty_engine_local_date(lty_engine *e, int64_t t, lty_date *out);

/** @brief One mismatch found by lty_verify(). */
typedef struct lty_verify_mismatch {
    /** The customer's id (an anonymous id after erasure). */
    const char *customer_id;
    /** The aggregate that differs ("visits", "net_spend", ...). */
    const char *field;
    /** The value kept in the store. */
    int64_t stored;
    /** The value recomputed from the ledger. */
    int64_t expected;
    /** For text aggregates ("last_item"): the stored text, or NULL. */
    const char *stored_text;
    /** For text aggregates: the recomputed text, or NULL. */
    const char *expected_text;
} lty_verify_mismatch;

/**
 * @brief Called by lty_verify() for each mismatch; the struct and its strings
 *        are valid during the call only.
 * @return #LTY_OK to go on, or a negative code to stop lty_verify() with it.
 */
typedef int (*lty_verify_fn)(const lty_verify_mismatch *m, void *userdata);

/**
 * @brief Recompute every customer's aggregates from the ledger and compare.
 *
 * Reads the whole store (through scans), decoding every record, so it also
 * finds corrupt records.  Writes nothing.
 *
 * @param[in]  e           The engine.
 * @param[out] mismatches  Receives the number of mismatches (may be NULL).
 * @param[in]  each        Called for each mismatch (may be NULL).
 * @param[in]  userdata    Passed to @p each.
 * @return #LTY_OK when the check ran (look at @p mismatches);
 *         #LTY_ECORRUPT when a record cannot be decoded (the message names the
 *         kind of record); a storage error; the code returned by @p each.
 */
LTY_API int lty_verify(lty_engine *e, size_t *mismatches, lty_verify_fn each,
                       void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_ENGINE_H */
