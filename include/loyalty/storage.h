/*
 * libloyalty - the storage contract and the built-in memory store.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file storage.h
 * @brief The storage backend contract (for people writing a backend over
 *        their own database) and the built-in memory store.
 *
 * libloyalty keeps everything as records in one ordered key-value space.  A
 * backend supplies the operations of #lty_storage_ops; the engine calls them
 * from the thread that called the engine.  Each engine owns one
 * @em connection: the @c userdata registered with it.  Several engines,
 * threads or processes may share one store through several connections.
 *
 * @section storage_guarantees Guarantees a backend must give
 *
 * - **Keys** are byte strings of 1..#LTY_KEY_MAX bytes that may contain any
 *   byte, NUL included.  Values are byte strings of 0..#LTY_VALUE_MAX bytes.
 *   Both are passed with explicit lengths and compared with @c memcmp order
 *   (shorter first on a common prefix).
 * - **Transactions.**  Every mutating engine call runs @c begin, reads and
 *   writes, then @c commit; on any error the engine calls @c rollback and the
 *   backend must discard every write of the transaction.  Reads inside a
 *   transaction see its own writes, scans included.  The engine never nests
 *   transactions on one connection.  Calls outside a transaction (plain reads)
 *   behave as if each were its own transaction.
 * - **Revisions.**  Every stored record has a revision: a non-zero 64-bit
 *   number that changes on every write of that key and is never reused for
 *   the key (a store-wide counter is the simple way).  @c put and @c del take
 *   the revision the engine read: #LTY_REV_NONE means "the key must not
 *   exist", #LTY_REV_ANY skips the check, any other value must equal the
 *   current revision.  A mismatch returns #LTY_ECONFLICT and writes nothing.
 *   A backend may also return #LTY_ECONFLICT from @c commit (or from any
 *   call) when a concurrent transaction won; the engine rolls back and runs
 *   the whole call again, up to the retry limit of its options.
 * - **Scans** deliver the keys that start with a prefix, in byte order,
 *   strictly after a resume key when one is given.
 * - **Errors.**  Callbacks return #LTY_OK or a negative code:
 *   #LTY_ENOTFOUND (get/del of a missing key), #LTY_ECONFLICT,
 *   #LTY_ESTORAGE (I/O and other failures), #LTY_ECORRUPT, #LTY_ENOMEM.
 *   The optional @c errmsg operation gives the backend's own text, which the
 *   engine appends to its last-error message; it must not contain record
 *   contents (they may be personal data).
 *
 * Records are encoded by the library (see docs/guide/record-format.md); a
 * backend stores them as opaque bytes.  Everything a backend returns is
 * treated as untrusted input: a malformed record makes the engine return
 * #LTY_ECORRUPT, never crash.
 *
 * A backend is known to meet this contract when it passes the conformance
 * suite in @c tests/conformance of the source tree.
 */
#ifndef LOYALTY_STORAGE_H
#define LOYALTY_STORAGE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Longest key a backend must store, in bytes. */
#define LTY_KEY_MAX 512
/** @brief Largest value a backend must store, in bytes (16 MiB). */
#define LTY_VALUE_MAX (16u * 1024u * 1024u)

/** @brief Expected revision meaning "the key must not exist yet". */
#define LTY_REV_NONE UINT64_C(0)
/** @brief Expected revision meaning "write whatever the current revision". */
#define LTY_REV_ANY UINT64_MAX

/** @brief Returned by an #lty_scan_fn to end a scan early without error. */
#define LTY_SCAN_STOP 1

/**
 * @brief A growable byte buffer owned by the library, filled by backends.
 *
 * A backend's @c get receives an #lty_buf and copies the value into it with
 * lty_buf_set(); the buffer's memory belongs to the engine.
 */
typedef struct lty_buf lty_buf;

/**
 * @brief Copy a value into a buffer handed to a backend.
 *
 * Replaces the buffer's contents with a copy of @p len bytes at @p data.
 *
 * @param[in,out] buf   The buffer the engine passed to @c get.
 * @param[in]     data  The bytes; may be NULL only when @p len is 0.
 * @param[in]     len   Number of bytes, at most #LTY_VALUE_MAX.
 * @return #LTY_OK, #LTY_EINVALID (NULL buffer, NULL data with a length, or a
 *         length over #LTY_VALUE_MAX) or #LTY_ENOMEM.
 */
LTY_API int lty_buf_set(lty_buf *buf, const void *data, size_t len);

/**
 * @brief Called by a backend's @c scan once per matching record, in key order.
 *
 * The key and value are only valid during the call.
 *
 * @return #LTY_OK to continue, #LTY_SCAN_STOP (or any positive value) to
 *         end the scan successfully, or a negative code, which ends the scan
 *         and which @c scan returns.
 */
typedef int (*lty_scan_fn)(const char *key, size_t keylen, const void *value,
                           size_t len, uint64_t rev, void *ctx);

/** @brief The version of #lty_storage_ops this header describes. */
#define LTY_STORAGE_OPS_VERSION 1

/**
 * @brief The operations of a storage backend.
 *
 * Set @c version to #LTY_STORAGE_OPS_VERSION (or use #LTY_STORAGE_OPS_INIT).
 * The engine copies the table when it is registered.  Every operation but
 * @c errmsg and @c destroy is required.  All run on the thread that called
 * the engine and receive the connection's @c userdata last.
 */
typedef struct lty_storage_ops {
    /** Must be #LTY_STORAGE_OPS_VERSION (or an older supported version). */
    unsigned int version;
    /** Start a transaction on this connection. */
    int (*begin)(void *userdata);
    /**
     * Make the transaction's writes durable and visible; may return
     * #LTY_ECONFLICT.  After a failed commit the engine calls @c rollback,
     * which must then end the transaction, discarding what was not
     * committed.
     */
    int (*commit)(void *userdata);
    /** Discard the transaction's writes.  Must succeed whenever a transaction is open. */
    int (*rollback)(void *userdata);
    /**
     * Read a key: fill @p value with lty_buf_set() and @p rev with the
     * record's revision, or return #LTY_ENOTFOUND.  The engine always passes
     * a non-NULL @p rev.
     */
    int (*get)(const char *key, size_t keylen, lty_buf *value, uint64_t *rev,
               void *userdata);
    /**
     * Write a key if its revision is @p expected_rev (see the guarantees);
     * store the record's new revision in @p new_rev (which may be NULL).
     */
    int (*put)(const char *key, size_t keylen, const void *value, size_t len,
               uint64_t expected_rev, uint64_t *new_rev, void *userdata);
    /**
     * Delete a key if its revision is @p expected_rev (#LTY_REV_ANY skips the
     * check); #LTY_ENOTFOUND when it does not exist.
     */
    int (*del)(const char *key, size_t keylen, uint64_t expected_rev,
               void *userdata);
    /**
     * Call @p each for every key beginning with @p prefix (@p prefixlen may
     * be 0 for all keys) and, when @p afterlen is non-zero, sorting strictly
     * after @p after, in byte order, until @p each returns non-zero.  @p each
     * must not call back into this connection.
     */
    int (*scan)(const char *prefix, size_t prefixlen, const char *after,
                size_t afterlen, lty_scan_fn each, void *each_ctx,
                void *userdata);
    /** Optional: the backend's message for its last failure, or NULL. */
    const char *(*errmsg)(void *userdata);
    /** Optional: release the connection; called by lty_engine_free(). */
    void (*destroy)(void *userdata);
    /**
     * Optional hint, called inside a transaction: the engine is about to
     * read or write @p key.  A backend may start bringing it in (a memory
     * store a cache line, a disk store a page, a network store a batched
     * read) so that the look-ups of one call overlap instead of waiting one
     * after another.  Must not fail, block for long or change anything.
     */
    void (*prefetch)(const char *key, size_t keylen, void *userdata);
} lty_storage_ops;

/** @brief Initialiser for an #lty_storage_ops with only the version set. */
#define LTY_STORAGE_OPS_INIT {LTY_STORAGE_OPS_VERSION, NULL, NULL, NULL, NULL, \
                              NULL, NULL, NULL, NULL, NULL, NULL}

/* ------------------------------------------------------------------ */
/* The memory store                                                    */
/* ------------------------------------------------------------------ */

/**
 * @brief The built-in memory store: an ordered, transactional key-value
 *        store kept in this process's memory.
 *
 * One memory store may serve several engines in several threads: each engine
 * gets its own connection from lty_memstore_connect().  Transactions are
 * serialised: a connection holds the store's lock from @c begin to
 * @c commit or @c rollback (and during a scan), so while a thread has a
 * transaction open or is inside a scan callback it must not call another
 * connection of the same store, lty_memstore_connect() or
 * lty_memstore_free(): it would wait for itself.  Rollback restores exactly
 * what was there before (contents and revisions).  Nothing is persisted.
 * Memory freed by deletes is reused by the store and returned to the
 * allocator when the store is freed.
 */
typedef struct lty_memstore lty_memstore;

/**
 * @brief Create an empty memory store.
 *
 * @param[out] out    Receives the store; set to NULL on failure.
 * @param[in]  alloc  Allocator hooks for the store's memory, or NULL for the
 *                    C library's; copied.
 * @return #LTY_OK, #LTY_EINVALID (NULL @p out, or hooks with a NULL
 *         function) or #LTY_ENOMEM.
 */
LTY_API int lty_memstore_new(lty_memstore **out, const lty_allocator *alloc);

/**
 * @brief Open a connection to a memory store for one engine.
 *
 * Fills @p ops and @p userdata ready for the @c storage fields of
 * #lty_engine_options.  The connection holds a reference to the store; the
 * ops table's @c destroy (called by lty_engine_free()) closes it.
 *
 * @param[in]  store     The store.
 * @param[out] ops       Receives the operations table.
 * @param[out] userdata  Receives the connection.
 * @return #LTY_OK, #LTY_EINVALID or #LTY_ENOMEM.
 */
LTY_API int lty_memstore_connect(lty_memstore *store, lty_storage_ops *ops,
                                 void **userdata);

/**
 * @brief Number of records in a memory store (committed state).
 *
 * @param[in] store  The store, or NULL (gives 0).
 * @return The record count.
 */
LTY_API size_t lty_memstore_count(lty_memstore *store);

/**
 * @brief Release the caller's reference to a memory store.
 *
 * The memory is freed once the last connection is closed too.  NULL is
 * accepted and ignored.
 *
 * @param[in] store  The store.
 */
LTY_API void lty_memstore_free(lty_memstore *store);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_STORAGE_H */
