/*
 * libloyalty tests - the API calls the fault-injection tests fail in turn,
 * shared by check_faults (memory store) and check_sqlite (SQLite).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_TEST_FAULTCALLS_H
#define LTY_TEST_FAULTCALLS_H

#include <loyalty.h>

/*
 * Each entry is one mutating public API call.  A fault test runs it once
 * cleanly to count its storage calls, then for every k fails the k-th one
 * (behind the lty_faulty wrapper) and checks that the store is unchanged,
 * that a retry applies the call exactly once, and that an injected conflict
 * is retried by the engine instead.
 *
 * Every call returns LTY_OK when run once on a store seeded by
 * lty_test_fault_seed(), through an engine whose clock reads LTY_TEST_NOW
 * at UTC+9 (utc_offset_minutes = 540).
 */
typedef struct lty_test_fault_call {
    const char *name;             /* for failure messages */
    int (*call)(lty_engine *e);   /* the API call; returns its result */
} lty_test_fault_call;

extern const lty_test_fault_call lty_test_fault_calls[];
extern const int lty_test_fault_ncalls; /* entries in lty_test_fault_calls */

/*
 * The state the calls assume, written through e (asserts on failure):
 *  - customer c1 "Kim Minji", 010-1234-5678, note allergy = penicillin,
 *    tag vip, purchases p1 (50000, "scaling", 3 days before LTY_TEST_NOW)
 *    and p2 (20000, "whitening", 2 days before);
 *  - customer c2 "Lee Seojun", 010-9999-0000, visit v1 ("check-up",
 *    1 day before);
 *  - no customer c3 and no events p3, r1, f1 or v9 (the calls add them).
 * Reset the fault wrapper's counter after seeding.
 */
void lty_test_fault_seed(lty_engine *e);

#endif /* LTY_TEST_FAULTCALLS_H */
