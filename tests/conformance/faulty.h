/*
 * libloyalty tests - a storage backend wrapper that injects faults.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_TEST_FAULTY_H
#define LTY_TEST_FAULTY_H

#include <loyalty/storage.h>

/*
 * Wraps one connection of any backend and exposes its own operations, so a
 * test can make the k-th storage call of an operation fail and check that
 * nothing of the operation was applied.
 *
 * Counted calls: begin, commit, get, put, del and scan.  rollback, errmsg
 * and destroy are never counted and never fail: they pass straight through.
 *
 * An injected failure never reaches the inner backend:
 *  - a failing begin, get, put, del or scan does not call the inner op;
 *  - a failing commit does not call the inner commit, so the inner
 *    transaction stays open with its writes; the engine always calls
 *    rollback after a failed commit, and that rollback is passed through
 *    and discards them.  (Whoever skips that rollback leaves the inner
 *    transaction open -- for the memory store, holding its lock -- until
 *    rollback or destroy.)
 *  - after a failing begin no inner transaction is open, so a following
 *    rollback reaches the inner backend without one (the memory store
 *    answers LTY_ESTATE), exactly as after a real failed begin.
 *
 * errmsg gives "injected fault" when the latest failure the wrapper
 * returned was injected, else the inner backend's errmsg (or NULL).
 *
 * Not thread-safe: like any connection, one thread at a time.
 */
typedef struct lty_faulty lty_faulty;

/* Wrap the connection (inner, inner_ud); inner is copied.  Takes ownership
 * of the inner connection: its destroy runs when the wrapper's does.
 * Returns LTY_OK, LTY_EINVALID (NULL argument, unknown version or missing
 * required op) or LTY_ENOMEM (then the inner connection is still the
 * caller's). */
int lty_faulty_new(lty_faulty **out, const lty_storage_ops *inner,
                   void *inner_ud);

/* The wrapper's operations and connection (userdata == f), ready for
 * lty_engine_options.  Their destroy frees the wrapper and the inner
 * connection. */
void lty_faulty_ops(lty_faulty *f, lty_storage_ops *ops, void **userdata);

/* Free the wrapper and its inner connection, when it was never handed to
 * an engine (same as calling its ops' destroy).  NULL is ignored. */
void lty_faulty_free(lty_faulty *f);

/* Arm: the k-th counted call (1-based) after this one returns code (a
 * negative code; 0 means LTY_ESTORAGE) instead of reaching the backend;
 * once.  Resets the call counter and the fired flag.  k <= 0 disarms. */
void lty_faulty_fail_at(lty_faulty *f, long k, int code);

/* Counted calls since the last lty_faulty_fail_at() or lty_faulty_reset(),
 * the injected one included. */
long lty_faulty_calls(const lty_faulty *f);

/* Counter to 0, nothing armed, fired flag cleared. */
void lty_faulty_reset(lty_faulty *f);

/* 1 when the armed failure has been injected, else 0. */
int lty_faulty_fired(const lty_faulty *f);

#endif /* LTY_TEST_FAULTY_H */
