/*
 * libloyalty tests - the storage backend conformance suite.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_TEST_CONFORMANCE_H
#define LTY_TEST_CONFORMANCE_H

#include <check.h>

#include <loyalty/storage.h>

/*
 * How the suite reaches a backend.  Every test opens a fresh store, opens
 * one or more connections on it, destroys them all (through the ops'
 * destroy), then closes the store.
 */
typedef struct lty_conformance_backend {
    /* Shown in the suite's name and in failure messages. */
    const char *name;
    /* Create a fresh, EMPTY store in *store; LTY_OK or a negative code. */
    int (*open_store)(void **store, void *ctx);
    /* Open a new connection to store: fill *ops and *conn. */
    int (*connect)(void *store, lty_storage_ops *ops, void **conn, void *ctx);
    /* Release the store; called after all its connections are destroyed. */
    void (*close_store)(void *store, void *ctx);
    /* Passed to the three functions. */
    void *ctx;
} lty_conformance_backend;

/*
 * The conformance suite for one backend: the guarantees of storage.h
 * (keys, values, revisions, conditional writes, ordered scans with prefix,
 * resume and early stop, transactions with rollback, visibility to other
 * connections, no lost updates under concurrent writers, and a randomised
 * comparison against a reference model).
 *
 * *b is copied; b->name and b->ctx must outlive the run.  Several backends
 * may be registered in one runner (up to 8).  The concurrency test uses
 * threads, so the backend must allow several connections in several
 * threads.  Returns NULL when b is NULL or too many backends were
 * registered.
 */
Suite *lty_conformance_suite(const lty_conformance_backend *b);

#endif /* LTY_TEST_CONFORMANCE_H */
