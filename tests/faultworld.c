/*
 * libloyalty tests - the fault world and the fault sweep (see faultworld.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "faultworld.h"
#include "storedump.h"

static int64_t world_clock(void *ud)
{
    return ((lty_test_fault_world *)ud)->now;
}

/* Everything but the store itself: w->ms is already set (or NULL). */
static void world_start(lty_test_fault_world *w, int64_t now,
                        const lty_allocator *alloc,
                        const lty_storage_ops *engine_ops, void *engine_ud,
                        const lty_storage_ops *dump_ops, void *dump_ud,
                        lty_test_fault_seed_fn seed, void *seed_ud)
{
    w->inner = *dump_ops;
    w->inner_ud = dump_ud;
    ck_assert_int_eq(lty_faulty_new(&w->faulty, engine_ops, engine_ud), LTY_OK);
    lty_faulty_ops(w->faulty, &w->ops, &w->ud);
    w->now = now;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &w->ops;
    o.storage_userdata = w->ud;
    o.clock = world_clock;
    o.clock_userdata = w;
    o.utc_offset_minutes = 540;
    o.allocator = alloc;
    ck_assert_int_eq(lty_engine_new(&w->e, &o), LTY_OK);
    if (seed)
        seed(w, seed_ud);
    lty_faulty_reset(w->faulty);
}

void lty_test_fault_world_open(lty_test_fault_world *w, int64_t now,
                               lty_test_fault_seed_fn seed, void *seed_ud)
{
    lty_test_fault_world_open_alloc(w, now, NULL, seed, seed_ud);
}

void lty_test_fault_world_open_alloc(lty_test_fault_world *w, int64_t now,
                                     const lty_allocator *alloc,
                                     lty_test_fault_seed_fn seed,
                                     void *seed_ud)
{
    memset(w, 0, sizeof *w);
    ck_assert_int_eq(lty_memstore_new(&w->ms, NULL), LTY_OK);
    lty_storage_ops dump_ops, engine_ops;
    void *dump_ud, *engine_ud;
    ck_assert_int_eq(lty_memstore_connect(w->ms, &dump_ops, &dump_ud), LTY_OK);
    ck_assert_int_eq(lty_memstore_connect(w->ms, &engine_ops, &engine_ud),
                     LTY_OK);
    world_start(w, now, alloc, &engine_ops, engine_ud, &dump_ops, dump_ud,
                seed, seed_ud);
}

void lty_test_fault_world_open_on(lty_test_fault_world *w, int64_t now,
                                  const lty_storage_ops *engine_ops,
                                  void *engine_ud,
                                  const lty_storage_ops *dump_ops,
                                  void *dump_ud, lty_test_fault_seed_fn seed,
                                  void *seed_ud)
{
    memset(w, 0, sizeof *w);
    world_start(w, now, NULL, engine_ops, engine_ud, dump_ops, dump_ud, seed,
                seed_ud);
}

void lty_test_fault_world_close(lty_test_fault_world *w)
{
    lty_engine_free(w->e);
    w->inner.destroy(w->inner_ud);
    lty_memstore_free(w->ms);
    if (w->cleanup)
        w->cleanup(w);
}

char *lty_test_fault_world_dump(lty_test_fault_world *w)
{
    char *d = lty_test_dump(&w->inner, w->inner_ud);
    ck_assert_msg(d != NULL, "dump failed: %s",
                  w->inner.errmsg ? w->inner.errmsg(w->inner_ud) : "?");
    return d;
}

char *lty_test_fault_world_values(lty_test_fault_world *w)
{
    char *d = lty_test_dump_values(&w->inner, w->inner_ud);
    ck_assert_msg(d != NULL, "dump failed: %s",
                  w->inner.errmsg ? w->inner.errmsg(w->inner_ud) : "?");
    return d;
}

/* ------------------------------------------------------------------ */
/* The sweep                                                           */
/* ------------------------------------------------------------------ */

static void sweep_open(const lty_test_fault_spec *s, lty_test_fault_world *w)
{
    if (s->open)
        s->open(w, s->ctx);
    else
        lty_test_fault_world_open(w, s->now, s->seed, s->seed_ud);
}

static void applied(const lty_test_fault_spec *s, lty_test_fault_world *w,
                    long k)
{
    if (s->on_applied)
        s->on_applied(w, s->ctx, k);
}

/* A fresh world with call k armed to fail with code, and the call run in
 * it: its result.  *before is the store as it was (free() it). */
static int run_failing(const lty_test_fault_spec *s, lty_test_fault_world *w,
                       long k, int code, char **before)
{
    sweep_open(s, w);
    *before = lty_test_fault_world_dump(w);
    lty_faulty_fail_at(w->faulty, k, code);
    int rc = s->call(w->e);
    ck_assert_msg(lty_faulty_fired(w->faulty), "%s: call %ld not reached",
                  s->name, k);
    return rc;
}

/* The store is exactly as it was, revisions included. */
static void check_unchanged(const lty_test_fault_spec *s,
                            lty_test_fault_world *w, long k,
                            const char *before, const char *what)
{
    char *after = lty_test_fault_world_dump(w);
    ck_assert_msg(strcmp(before, after) == 0,
                  "%s: %s at call %ld changed the store", s->name, what, k);
    free(after);
}

/* The call succeeded (rc) and left the keys and values of a clean run. */
static void check_applied(const lty_test_fault_spec *s,
                          lty_test_fault_world *w, long k, int rc,
                          const char *expected, const char *what)
{
    ck_assert_msg(rc == LTY_OK, "%s: %s at call %ld gave %s (%s)", s->name,
                  what, k, lty_strerror(rc), lty_engine_last_error(w->e));
    char *got = lty_test_fault_world_values(w);
    ck_assert_msg(strcmp(got, expected) == 0,
                  "%s: %s at call %ld: the result differs from a clean run",
                  s->name, what, k);
    free(got);
    applied(s, w, k);
}

/* Fail call k with LTY_ESTORAGE: the call fails with it and leaves the
 * store unchanged; a retry applies the call as a clean run does. */
static void storage_fault_at(const lty_test_fault_spec *s, long k,
                             const char *expected)
{
    lty_test_fault_world w;
    char *before;
    int rc = run_failing(s, &w, k, LTY_ESTORAGE, &before);
    ck_assert_msg(rc == LTY_ESTORAGE, "%s: fault at call %ld gave %s (%s)",
                  s->name, k, lty_strerror(rc), lty_engine_last_error(w.e));
    if (s->on_fault)
        s->on_fault(&w, s->ctx, k, rc);
    check_unchanged(s, &w, k, before, "fault");
    /* the retry applies the call exactly once */
    lty_faulty_reset(w.faulty);
    check_applied(s, &w, k, s->call(w.e), expected, "retry after a fault");
    free(before);
    lty_test_fault_world_close(&w);
}

/* A conflict at call k: retried by the engine and applied exactly once (or,
 * when the flags allow it, reported with the store unchanged). */
static void conflict_at(const lty_test_fault_spec *s, long k,
                        const char *expected)
{
    lty_test_fault_world w;
    char *before;
    int rc = run_failing(s, &w, k, LTY_ECONFLICT, &before);
    if (rc == LTY_ECONFLICT && (s->flags & LTY_TEST_FAULT_CONFLICT_MAY_FAIL))
        check_unchanged(s, &w, k, before, "a reported conflict");
    else
        check_applied(s, &w, k, rc, expected, "conflict");
    free(before);
    lty_test_fault_world_close(&w);
}

void lty_test_fault_sweep(const lty_test_fault_spec *s)
{
    ck_assert_ptr_nonnull(s->call);
    ck_assert_msg(s->flags & (LTY_TEST_FAULT_STORAGE | LTY_TEST_FAULT_CONFLICT),
                  "%s: nothing to inject", s->name);

    /* the clean run: how many storage calls, and the resulting store */
    lty_test_fault_world w;
    sweep_open(s, &w);
    int rc = s->call(w.e);
    ck_assert_msg(rc == LTY_OK, "%s: %s (%s)", s->name, lty_strerror(rc),
                  lty_engine_last_error(w.e));
    long n = lty_faulty_calls(w.faulty);
    char *expected = lty_test_fault_world_values(&w);
    applied(s, &w, 0);
    lty_test_fault_world_close(&w);
    ck_assert_msg(n > s->min_calls, "%s made only %ld storage calls", s->name,
                  n);

    for (long k = 1; k <= n; k++) {
        if (s->flags & LTY_TEST_FAULT_STORAGE)
            storage_fault_at(s, k, expected);
        if (s->flags & LTY_TEST_FAULT_CONFLICT)
            conflict_at(s, k, expected);
    }
    free(expected);
}

void lty_test_fault_error_names_storage(lty_test_fault_world *w, void *ctx,
                                        long k, int rc)
{
    (void)ctx;
    (void)rc;
    ck_assert_msg(strstr(lty_engine_last_error(w->e), "storage") != NULL,
                  "fault at call %ld: error not reported: '%s'", k,
                  lty_engine_last_error(w->e));
}
