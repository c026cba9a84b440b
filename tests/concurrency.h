/*
 * libloyalty tests - the "no lost updates" test shared by every disk
 * backend: threads and processes, each with its own engine and connection,
 * record purchases on the same customers at once.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_TEST_CONCURRENCY_H
#define LTY_TEST_CONCURRENCY_H

#include <loyalty.h>

/* How long the workers may run before they stop early (a test case running
 * lty_test_lose_no_update needs a timeout above this). */
#define LTY_TEST_CONCURRENCY_SECONDS 60

/* Open a new engine, with its own connection, on the store under test. */
typedef int (*lty_test_open_fn)(void *ctx, lty_engine **e);
/* The backend's text for the last failed open (may be NULL). */
typedef const char *(*lty_test_open_error_fn)(void);

/* 4 threads and 4 forked processes each record up to 10,000 purchases
 * (stopping at 60 s) on 100 customers, with a star program defined; then
 * every customer's purchases, net spend and star balance must equal what
 * the workers were told was recorded, and lty_verify() must be clean.  Asserts with Check; prints one line of
 * figures starting with label. */
void lty_test_lose_no_update(const char *label, lty_test_open_fn open,
                             lty_test_open_error_fn open_error, void *ctx);

#endif /* LTY_TEST_CONCURRENCY_H */
