/*
 * libloyalty tests - whole-store snapshots through a backend's scan.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_TEST_STOREDUMP_H
#define LTY_TEST_STOREDUMP_H

#include <stddef.h>

#include <loyalty/storage.h>

/*
 * Every record of the store, in key order, as canonical text: one line per
 * record, "<key in hex> <value in hex, or - when empty> <revision>\n".  Two
 * dumps are equal exactly when the stores hold the same keys, values and
 * revisions, so tests compare whole-store states with strcmp().  The
 * revision is the last space-separated field of a line.
 *
 * Reads through ops->scan on connection ud (inside its transaction, if one
 * is open).  Returns a malloc'd string (free() it; "" for an empty store),
 * or NULL when the scan fails or memory runs out.
 */
char *lty_test_dump(const lty_storage_ops *ops, void *ud);

/*
 * 1 when some key or some value of the store contains the n bytes at
 * needle (n > 0), 0 when none does; a negative code when the scan fails.
 * Used to prove that erased personal data is gone from every record.
 */
int lty_test_dump_contains(const lty_storage_ops *ops, void *ud,
                           const void *needle, size_t n);

/* lty_test_dump() without the revisions: a failed attempt may advance a
 * store's revision counter, which is allowed, so a faulted-then-retried
 * run is compared with a clean run on keys and values only.  Free with
 * free(); NULL when the scan fails. */
char *lty_test_dump_values(const lty_storage_ops *ops, void *ud);

#endif /* LTY_TEST_STOREDUMP_H */
