/*
 * libloyalty tests - the "fault world" shared by the fault-injection tests,
 * and the sweep that fails every storage call of an API call in turn.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_TEST_FAULTWORLD_H
#define LTY_TEST_FAULTWORLD_H

#include <stdint.h>

#include <loyalty.h>

#include "conformance/faulty.h"

/*
 * A store, a connection of its own for dumps (never counted, never failed),
 * and an engine over a second connection wrapped by lty_faulty.  The
 * engine's clock reads w->now, at UTC+9 (utc_offset_minutes = 540).
 *
 * The world must stay where it was opened: the engine's clock points at it.
 */
typedef struct lty_test_fault_world lty_test_fault_world;
struct lty_test_fault_world {
    lty_memstore *ms;         /* NULL when opened on another backend */
    lty_storage_ops inner;    /* the dump connection */
    void *inner_ud;
    lty_faulty *faulty;       /* wraps the engine's connection */
    lty_storage_ops ops;      /* the wrapper's: the engine's storage */
    void *ud;
    lty_engine *e;
    int64_t now;              /* what the engine's clock returns */
    void *user;               /* the suite's; set by the seed if need be */
    /* When set (by the seed), run by lty_test_fault_world_close() after
     * everything else is closed, e.g. to free w->user. */
    void (*cleanup)(lty_test_fault_world *w);
};

/* Writes the state a world starts from through w->e (asserts on failure);
 * may set w->now, w->user and w->cleanup. */
typedef void (*lty_test_fault_seed_fn)(lty_test_fault_world *w, void *ud);

/*
 * A fresh memory store and its world, clock at now, then seed(w, seed_ud)
 * when seed is not NULL, then the wrapper's counter reset: the next counted
 * storage call is the first of the call under test.  Asserts on failure.
 */
void lty_test_fault_world_open(lty_test_fault_world *w, int64_t now,
                               lty_test_fault_seed_fn seed, void *seed_ud);

/* The same with the engine allocating through alloc (NULL: the C
 * library's): the allocation-failure test counts and fails allocations. */
void lty_test_fault_world_open_alloc(lty_test_fault_world *w, int64_t now,
                                     const lty_allocator *alloc,
                                     lty_test_fault_seed_fn seed,
                                     void *seed_ud);

/*
 * The same on any backend: engine_ops/engine_ud is the connection to wrap
 * for the engine, dump_ops/dump_ud another connection to the same store,
 * for dumps.  The world takes ownership of both (w->ms stays NULL).
 */
void lty_test_fault_world_open_on(lty_test_fault_world *w, int64_t now,
                                  const lty_storage_ops *engine_ops,
                                  void *engine_ud,
                                  const lty_storage_ops *dump_ops,
                                  void *dump_ud, lty_test_fault_seed_fn seed,
                                  void *seed_ud);

/* Frees the engine (and with it the wrapper and its connection), the dump
 * connection and the memory store, then runs w->cleanup. */
void lty_test_fault_world_close(lty_test_fault_world *w);

/* The whole store through the dump connection: lty_test_dump() and
 * lty_test_dump_values() that assert success.  free() the result. */
char *lty_test_fault_world_dump(lty_test_fault_world *w);
char *lty_test_fault_world_values(lty_test_fault_world *w);

/* ------------------------------------------------------------------ */
/* The sweep                                                           */
/* ------------------------------------------------------------------ */

enum {
    /* for every k, fail the k-th storage call with LTY_ESTORAGE: the call
     * must fail with it and leave the store exactly as it was (revisions
     * included); a retry must then succeed and leave the keys and values
     * of a clean run */
    LTY_TEST_FAULT_STORAGE = 1u << 0,
    /* for every k, make the k-th storage call report LTY_ECONFLICT: the
     * engine retries, the call succeeds, the keys and values are those of
     * a clean run */
    LTY_TEST_FAULT_CONFLICT = 1u << 1,
    /* with LTY_TEST_FAULT_CONFLICT: a conflict outside a transaction (a
     * read before it) may instead be reported as LTY_ECONFLICT; the store
     * must then be exactly as it was */
    LTY_TEST_FAULT_CONFLICT_MAY_FAIL = 1u << 2
};

typedef struct lty_test_fault_spec {
    const char *name;            /* for failure messages */
    int (*call)(lty_engine *e);  /* the call under test: LTY_OK in a clean run */
    unsigned flags;              /* LTY_TEST_FAULT_* */
    long min_calls;              /* a clean run makes more storage calls */

    /* Each run starts from a fresh world: lty_test_fault_world_open(w, now,
     * seed, seed_ud), or, when open is set, open(w, ctx) (which must open
     * it, seeded and with the counter reset). */
    int64_t now;
    lty_test_fault_seed_fn seed;
    void *seed_ud;
    void (*open)(lty_test_fault_world *w, void *ctx);
    void *ctx;                   /* for open and the hooks */

    /* Optional: right after an injected LTY_ESTORAGE made the call fail
     * (rc), before the store is compared; k is the failed call. */
    void (*on_fault)(lty_test_fault_world *w, void *ctx, long k, int rc);
    /* Optional: after each successful application has been compared with
     * the clean run -- the clean run itself (k = 0), every retry after a
     * fault and every run through a conflict at k.  May use the world. */
    void (*on_applied)(lty_test_fault_world *w, void *ctx, long k);
} lty_test_fault_spec;

/*
 * Runs the call once in a clean world to count its storage calls (more
 * than spec->min_calls) and record the resulting keys and values; then for
 * every k from 1 to that count, in a fresh world each time, injects what
 * spec->flags ask for (a storage failure, then a conflict) at call k and
 * checks the outcome as described with the flags.  Every injected failure
 * must be reached.  Asserts (Check) on any difference.
 */
void lty_test_fault_sweep(const lty_test_fault_spec *spec);

/* An on_fault hook: the engine's last error mentions "storage". */
void lty_test_fault_error_names_storage(lty_test_fault_world *w, void *ctx,
                                        long k, int rc);

#endif /* LTY_TEST_FAULTWORLD_H */
