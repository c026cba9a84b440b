/*
 * libloyalty tests - the memory store: the conformance suite, plus what is
 * particular to it (record count, lifetime, allocator hooks, argument
 * checks, serialised transactions, its ordered index under churn).
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "alloc_int.h" /* struct lty_buf */
#include "conformance.h"
#include "faulty.h"
#include "storedump.h"

#define KS(lit) (lit), (sizeof(lit) - 1)

/* Check's ck_assert_* log every passing assertion to a file, which makes
 * loops of thousands of checks slow; these only act on failure. */
#define REQUIRE(expr, ...)                                                  \
    do {                                                                    \
        if (!(expr))                                                        \
            ck_abort_msg(__VA_ARGS__);                                      \
    } while (0)
#define REQ_INT(a, b)                                                       \
    do {                                                                    \
        long long a_ = (long long)(a), b_ = (long long)(b);                 \
        REQUIRE(a_ == b_, "%s == %s: %lld != %lld", #a, #b, a_, b_);       \
    } while (0)
#define REQ_UINT(a, b)                                                      \
    do {                                                                    \
        unsigned long long a_ = (unsigned long long)(a),                    \
                           b_ = (unsigned long long)(b);                    \
        REQUIRE(a_ == b_, "%s == %s: %llu != %llu", #a, #b, a_, b_);       \
    } while (0)
#define REQ_PTR(p) REQUIRE((p) != NULL, "%s is NULL", #p)
#define REQ_MEM(a, b, n) REQUIRE(memcmp((a), (b), (n)) == 0, "%s and %s differ", #a, #b)
#define REQ_STR(a, b)                                                       \
    do {                                                                    \
        const char *a_ = (a), *b_ = (b);                                    \
        REQUIRE(strcmp(a_, b_) == 0, "%s == %s:\n%s\n!=\n%s", #a, #b, a_, b_); \
    } while (0)


/* ------------------------------------------------------------------ */
/* The backend for the conformance suite                               */
/* ------------------------------------------------------------------ */

static int ms_open(void **store, void *ctx)
{
    (void)ctx;
    return lty_memstore_new((lty_memstore **)store, NULL);
}

static int ms_connect(void *store, lty_storage_ops *ops, void **conn, void *ctx)
{
    (void)ctx;
    return lty_memstore_connect(store, ops, conn);
}

static void ms_close(void *store, void *ctx)
{
    (void)ctx;
    lty_memstore_free(store);
}

/* ------------------------------------------------------------------ */
/* A counting allocator that can fail on request                       */
/* ------------------------------------------------------------------ */

typedef struct falloc {
    long calls;    /* malloc/realloc calls since armed */
    long fail_at;  /* fail this call (0: none) */
    int fail_all;
    long live;     /* blocks allocated and not freed */
    long total;    /* blocks ever allocated */
} falloc;

static int should_fail(falloc *a)
{
    a->calls++;
    return a->fail_all || a->calls == a->fail_at;
}

static void *f_malloc(size_t n, void *ud)
{
    falloc *a = ud;
    if (should_fail(a))
        return NULL;
    void *p = malloc(n);
    if (p) {
        a->live++;
        a->total++;
    }
    return p;
}

static void *f_realloc(void *p, size_t n, void *ud)
{
    falloc *a = ud;
    if (should_fail(a))
        return NULL;
    void *q = realloc(p, n);
    if (q && !p) {
        a->live++;
        a->total++;
    }
    return q;
}

static void f_free(void *p, void *ud)
{
    falloc *a = ud;
    if (p)
        a->live--;
    free(p);
}

static void arm(falloc *a, long n)
{
    a->calls = 0;
    a->fail_at = n;
    a->fail_all = 0;
}

/* A store on a counting allocator, with one connection. */
typedef struct world {
    falloc fa;
    lty_allocator alloc;
    lty_memstore *ms;
    lty_storage_ops ops;
    void *ud;
    lty_buf buf;
} world;

static void *b_malloc(size_t n, void *ud)
{
    (void)ud;
    return malloc(n);
}

static void *b_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    return realloc(p, n);
}

static void b_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

static const lty_allocator buf_alloc = {b_malloc, b_realloc, b_free, NULL};

static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    w->alloc = (lty_allocator){f_malloc, f_realloc, f_free, &w->fa};
    REQ_INT(lty_memstore_new(&w->ms, &w->alloc), LTY_OK);
    REQ_INT(lty_memstore_connect(w->ms, &w->ops, &w->ud), LTY_OK);
    w->buf.alloc = &buf_alloc;
}

static void world_close(world *w)
{
    free(w->buf.data);
    w->ops.destroy(w->ud);
    lty_memstore_free(w->ms);
    REQUIRE(w->fa.live == 0, "%ld blocks leaked", w->fa.live);
}

static uint64_t wput(world *w, const char *k, size_t kl, const void *v, size_t vl)
{
    uint64_t rev = 0;
    REQ_INT(w->ops.put(k, kl, v, vl, LTY_REV_ANY, &rev, w->ud), LTY_OK);
    return rev;
}

static char *wdump(world *w)
{
    arm(&w->fa, 0);
    char *d = lty_test_dump(&w->ops, w->ud);
    REQ_PTR(d);
    return d;
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ------------------------------------------------------------------ */
/* Count, lifetime, allocator                                          */
/* ------------------------------------------------------------------ */

START_TEST(count_reports_committed_records)
{
    world w;
    REQ_UINT(lty_memstore_count(NULL), 0);
    world_open(&w);
    REQ_UINT(lty_memstore_count(w.ms), 0);
    wput(&w, KS("a"), KS("1"));
    wput(&w, KS("b"), KS("2"));
    wput(&w, KS("b"), KS("3"));
    REQ_UINT(lty_memstore_count(w.ms), 2);
    REQ_INT(w.ops.begin(w.ud), LTY_OK);
    wput(&w, KS("c"), KS("4"));
    REQ_INT(w.ops.del(KS("a"), LTY_REV_ANY, w.ud), LTY_OK);
    wput(&w, KS("d"), KS("5"));
    REQ_UINT(lty_memstore_count(w.ms), 2); /* not committed yet */
    REQ_INT(w.ops.rollback(w.ud), LTY_OK);
    REQ_UINT(lty_memstore_count(w.ms), 2);
    REQ_INT(w.ops.begin(w.ud), LTY_OK);
    wput(&w, KS("c"), KS("4"));
    wput(&w, KS("d"), KS("5"));
    REQ_INT(w.ops.commit(w.ud), LTY_OK);
    REQ_UINT(lty_memstore_count(w.ms), 4);
    REQ_INT(w.ops.del(KS("a"), LTY_REV_ANY, w.ud), LTY_OK);
    REQ_UINT(lty_memstore_count(w.ms), 3);
    world_close(&w);
}
END_TEST

START_TEST(freeing_the_store_before_its_connections_is_safe)
{
    world w;
    world_open(&w);
    lty_storage_ops ops2;
    void *ud2;
    REQ_INT(lty_memstore_connect(w.ms, &ops2, &ud2), LTY_OK);
    wput(&w, KS("k"), KS("v"));
    lty_memstore_free(w.ms); /* the connections keep it alive */
    ck_assert_int_gt(w.fa.live, 0);
    REQ_INT(ops2.get(KS("k"), &w.buf, NULL, ud2), LTY_OK);
    REQ_INT(ops2.begin(ud2), LTY_OK);
    REQ_INT(ops2.put(KS("k2"), KS("v2"), LTY_REV_NONE, NULL, ud2), LTY_OK);
    REQ_INT(ops2.commit(ud2), LTY_OK);
    ops2.destroy(ud2);
    REQ_INT(w.ops.get(KS("k2"), &w.buf, NULL, w.ud), LTY_OK);
    ck_assert_int_gt(w.fa.live, 0);
    free(w.buf.data);
    w.ops.destroy(w.ud); /* the last one frees the store */
    REQ_INT(w.fa.live, 0);
    lty_memstore_free(NULL);
}
END_TEST

/* A workload touching every kind of allocation: entries, big values,
 * growth of every table, undo logs, sort buffers, compaction. */
static void workload(world *w, int rounds)
{
    static unsigned char big[20000];
    uint64_t s = 77;
    char key[40];
    for (int r = 0; r < rounds; r++) {
        REQ_INT(w->ops.begin(w->ud), LTY_OK);
        for (int i = 0; i < 300; i++) {
            int kl = snprintf(key, sizeof key, "key%06d", (int)(rnd(&s) % 5000));
            size_t vl = rnd(&s) % 10 == 0 ? rnd(&s) % sizeof big : rnd(&s) % 50;
            if (rnd(&s) % 4 == 0)
                w->ops.del(key, (size_t)kl, LTY_REV_ANY, w->ud);
            else
                wput(w, key, (size_t)kl, big, vl);
        }
        char *d = lty_test_dump(&w->ops, w->ud);
        REQ_PTR(d);
        free(d);
        if (r % 3 == 2)
            REQ_INT(w->ops.rollback(w->ud), LTY_OK);
        else
            REQ_INT(w->ops.commit(w->ud), LTY_OK);
    }
}

START_TEST(allocator_hooks_see_every_allocation_and_balance)
{
    world w;
    world_open(&w);
    long at_start = w.fa.total;
    ck_assert_int_gt(at_start, 0);
    workload(&w, 40);
    ck_assert_int_gt(w.fa.total, at_start + 10);
    ck_assert_int_gt(w.fa.live, 0);
    world_close(&w); /* asserts live == 0 */
}
END_TEST

START_TEST(store_creation_fails_cleanly_without_memory)
{
    falloc fa = {0};
    lty_allocator a = {f_malloc, f_realloc, f_free, &fa};
    lty_memstore *ms = (lty_memstore *)&fa;
    int ok = 0;
    for (long n = 1; n < 20 && !ok; n++) {
        arm(&fa, n);
        int rc = lty_memstore_new(&ms, &a);
        if (rc == LTY_OK) {
            ok = 1;
            break;
        }
        REQ_INT(rc, LTY_ENOMEM);
        ck_assert_ptr_null(ms);
        REQ_INT(fa.live, 0);
    }
    ck_assert(ok);
    lty_storage_ops ops;
    void *ud;
    arm(&fa, 1);
    REQ_INT(lty_memstore_connect(ms, &ops, &ud), LTY_ENOMEM);
    arm(&fa, 0);
    lty_memstore_free(ms);
    REQ_INT(fa.live, 0);
}
END_TEST

/*
 * Fail the n-th allocation of an operation, for every n the operation
 * makes: it must return LTY_ENOMEM with the store unchanged (or succeed
 * when only optional housekeeping lost its memory), and leak nothing.
 */
typedef void (*setup_fn)(world *w, int size);
typedef int (*op_fn)(world *w);

static void sweep(setup_fn setup, op_fn op, int size, int in_txn)
{
    world w;
    world_open(&w);
    setup(&w, size);
    if (in_txn)
        REQ_INT(w.ops.begin(w.ud), LTY_OK);
    arm(&w.fa, 0);
    REQ_INT(op(&w), LTY_OK);
    long total = w.fa.calls;
    char *expected = wdump(&w);
    if (in_txn)
        REQ_INT(w.ops.commit(w.ud), LTY_OK);
    world_close(&w);

    for (long n = 1; n <= total; n++) {
        world_open(&w);
        setup(&w, size);
        char *outside = wdump(&w);
        if (in_txn)
            REQ_INT(w.ops.begin(w.ud), LTY_OK);
        char *before = wdump(&w);
        size_t count = lty_memstore_count(w.ms);
        arm(&w.fa, n);
        int rc = op(&w);
        char *after = wdump(&w);
        if (rc == LTY_OK) {
            REQ_STR(after, expected);
        } else {
            REQUIRE(rc == LTY_ENOMEM, "size %d, failing allocation %ld: %d",
                    size, n, rc);
            REQUIRE(strcmp(before, after) == 0,
                    "size %d, failing allocation %ld changed the store", size, n);
            REQ_UINT(lty_memstore_count(w.ms), count);
            REQ_PTR(w.ops.errmsg(w.ud));
        }
        if (in_txn) {
            REQ_INT(w.ops.rollback(w.ud), LTY_OK);
            char *back = wdump(&w);
            REQ_STR(back, outside);
            free(back);
        }
        free(outside);
        free(before);
        free(after);
        world_close(&w);
    }
    free(expected);
}

static void fill(world *w, int size)
{
    char key[32], val[64];
    for (int i = 0; i < size; i++) {
        int kl = snprintf(key, sizeof key, "fill%05d", (i * 7919) % 100000);
        int vl = snprintf(val, sizeof val, "value of %d, padded to some length", i);
        wput(w, key, (size_t)kl, val, (size_t)vl);
    }
}

static int op_put_new(world *w)
{
    return w->ops.put(KS("the new key"), KS("its value"), LTY_REV_NONE, NULL, w->ud);
}

static int op_put_big(world *w)
{
    static unsigned char big[10000];
    return w->ops.put(KS("big"), big, sizeof big, LTY_REV_NONE, NULL, w->ud);
}

/* An inline value outgrows its room and moves to a block of its own. */
static int op_grow_value(world *w)
{
    static unsigned char v[300];
    return w->ops.put(KS("fill00000"), v, sizeof v, LTY_REV_ANY, NULL, w->ud);
}

/* A value already in a block outgrows it. */
static void fill_big(world *w, int size)
{
    static unsigned char v[300];
    fill(w, size);
    wput(w, KS("fill00000"), v, sizeof v);
}

static int op_grow_block(world *w)
{
    static unsigned char v[1000];
    return w->ops.put(KS("fill00000"), v, sizeof v, LTY_REV_ANY, NULL, w->ud);
}

static int op_update(world *w)
{
    return w->ops.put(KS("fill00007"), KS("short"), LTY_REV_ANY, NULL, w->ud);
}

static int op_del(world *w)
{
    return w->ops.del(KS("fill07919"), LTY_REV_ANY, w->ud);
}

/* Scans may allocate to sort, but must manage without. */
static int op_scan(world *w)
{
    char *d = lty_test_dump(&w->ops, w->ud);
    free(d);
    return d ? LTY_OK : LTY_ENOMEM;
}

START_TEST(every_failed_allocation_leaves_the_store_unchanged)
{
    /* sizes around every growth point: hash table, delta, arena slabs */
    for (int size = 0; size <= 140; size++) {
        sweep(fill, op_put_new, size, 0);
        sweep(fill, op_put_new, size, 1);
    }
    static const int sizes[] = {200, 203, 204, 205, 409, 410, 411, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        sweep(fill, op_put_new, sizes[i], 1);
    for (int size = 1; size <= 40; size += 13) {
        sweep(fill, op_put_big, size, 0);
        sweep(fill, op_put_big, size, 1);
        sweep(fill, op_grow_value, size, 0);
        sweep(fill, op_grow_value, size, 1);
        sweep(fill_big, op_grow_block, size, 0);
        sweep(fill_big, op_grow_block, size, 1);
        sweep(fill, op_update, size * 3, 1);
    }
    sweep(fill, op_del, 2000, 0);
    sweep(fill, op_del, 2000, 1);
    sweep(fill, op_scan, 3000, 0);
    sweep(fill, op_scan, 3000, 1);
}
END_TEST

/* The undo log grows inside a long transaction: fail each growth. */
static void long_txn_setup(world *w, int size)
{
    fill(w, 50);
    REQ_INT(w->ops.begin(w->ud), LTY_OK);
    char key[32];
    for (int i = 0; i < size; i++) {
        int kl = snprintf(key, sizeof key, "fill%05d", (i * 7919) % 100000);
        wput(w, key, (size_t)kl, KS("rewritten in the transaction"));
    }
}

static int op_rewrite(world *w)
{
    return w->ops.put(KS("fill00000"), KS("once more, with a longer value than before"),
                      LTY_REV_ANY, NULL, w->ud);
}

START_TEST(undo_log_growth_failures_leave_the_transaction_intact)
{
    /* the transaction is opened by the setup, so sweep opens none */
    for (int size = 0; size <= 40; size++) {
        sweep(long_txn_setup, op_rewrite, size, 0);
        sweep(long_txn_setup, op_del, size, 0);
    }
}
END_TEST

START_TEST(commit_rollback_and_scans_need_no_memory)
{
    world w;
    world_open(&w);
    char key[48];
    uint64_t s = 5;
    for (int i = 0; i < 9000; i++) {
        int kl = snprintf(key, sizeof key, "k%llu", (unsigned long long)(rnd(&s) % 1000000));
        wput(&w, key, (size_t)kl, key, (size_t)kl);
    }
    char *expected = wdump(&w); /* sorted with memory */
    for (int i = 0; i < 3000; i++) { /* an unsorted tail again */
        int kl = snprintf(key, sizeof key, "k%llu", (unsigned long long)(rnd(&s) % 1000000));
        wput(&w, key, (size_t)kl, key, (size_t)kl);
    }
    char *expected2 = wdump(&w);
    REQ_INT(w.ops.begin(w.ud), LTY_OK);
    for (int i = 0; i < 2000; i++) {
        int kl = snprintf(key, sizeof key, "z%d", (int)(rnd(&s) % 100000));
        wput(&w, key, (size_t)kl, KS("in the transaction"));
    }
    w.fa.fail_all = 1;
    REQ_INT(w.ops.rollback(w.ud), LTY_OK);
    char *d = lty_test_dump(&w.ops, w.ud); /* sorts in place */
    REQ_PTR(d);
    REQ_STR(d, expected2);
    free(d);
    w.fa.fail_all = 0;
    REQ_INT(w.ops.begin(w.ud), LTY_OK);
    wput(&w, KS("last"), KS("one"));
    w.fa.fail_all = 1;
    REQ_INT(w.ops.commit(w.ud), LTY_OK);
    REQ_INT(w.ops.get(KS("last"), &w.buf, NULL, w.ud), LTY_OK);
    w.fa.fail_all = 0;
    free(expected);
    free(expected2);
    world_close(&w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Arguments and sequence                                              */
/* ------------------------------------------------------------------ */

static int reenter(const char *key, size_t keylen, const void *value, size_t len,
                   uint64_t rev, void *ctx)
{
    world *w = ctx;
    (void)value, (void)len, (void)rev;
    REQ_INT(w->ops.get(key, keylen, &w->buf, NULL, w->ud), LTY_ESTATE);
    REQ_INT(w->ops.put(KS("x"), KS("y"), LTY_REV_ANY, NULL, w->ud), LTY_ESTATE);
    return LTY_SCAN_STOP;
}

static int count_cb(const char *key, size_t keylen, const void *value, size_t len,
                    uint64_t rev, void *ctx)
{
    (void)key, (void)keylen, (void)value, (void)len, (void)rev;
    (*(int *)ctx)++;
    return LTY_OK;
}

START_TEST(bad_arguments_are_rejected)
{
    world w;
    world_open(&w);
    char longkey[LTY_KEY_MAX + 1];
    memset(longkey, 'k', sizeof longkey);
    REQ_INT(lty_memstore_new(NULL, NULL), LTY_EINVALID);
    lty_memstore *ms = (lty_memstore *)&w;
    lty_allocator half = {f_malloc, NULL, f_free, &w.fa};
    REQ_INT(lty_memstore_new(&ms, &half), LTY_EINVALID);
    ck_assert_ptr_null(ms);
    lty_storage_ops ops;
    void *ud;
    REQ_INT(lty_memstore_connect(NULL, &ops, &ud), LTY_EINVALID);
    REQ_INT(lty_memstore_connect(w.ms, NULL, &ud), LTY_EINVALID);
    REQ_INT(lty_memstore_connect(w.ms, &ops, NULL), LTY_EINVALID);

    REQ_INT(w.ops.put(NULL, 3, KS("v"), LTY_REV_ANY, NULL, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.put("k", 0, KS("v"), LTY_REV_ANY, NULL, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.put(longkey, sizeof longkey, KS("v"), LTY_REV_ANY, NULL, w.ud),
            LTY_EINVALID);
    REQ_INT(w.ops.put(KS("k"), NULL, 1, LTY_REV_ANY, NULL, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.put(KS("k"), "v", (size_t)LTY_VALUE_MAX + 1, LTY_REV_ANY,
                      NULL, w.ud),
            LTY_EINVALID);
    REQ_INT(w.ops.put(KS("k"), NULL, 0, LTY_REV_ANY, NULL, w.ud), LTY_OK);
    REQ_INT(w.ops.get(NULL, 1, &w.buf, NULL, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.get("k", 0, &w.buf, NULL, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.get(KS("k"), NULL, NULL, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.get(longkey, sizeof longkey, &w.buf, NULL, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.del(NULL, 1, LTY_REV_ANY, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.del("k", 0, LTY_REV_ANY, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.del(longkey, sizeof longkey, LTY_REV_ANY, w.ud), LTY_EINVALID);
    int n = 0;
    REQ_INT(w.ops.scan(NULL, 0, NULL, 0, NULL, NULL, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.scan(NULL, 2, NULL, 0, count_cb, &n, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.scan(NULL, 0, NULL, 2, count_cb, &n, w.ud), LTY_EINVALID);
    REQ_INT(w.ops.scan(longkey, sizeof longkey, NULL, 0, count_cb, &n, w.ud),
            LTY_EINVALID);
    REQ_INT(n, 0);
    REQ_PTR(w.ops.errmsg(w.ud));
    ck_assert_ptr_null(w.ops.errmsg(NULL));

    /* a key of exactly LTY_KEY_MAX is fine */
    REQ_INT(w.ops.put(longkey, LTY_KEY_MAX, KS("v"), LTY_REV_ANY, NULL, w.ud),
            LTY_OK);
    REQ_INT(w.ops.scan(longkey, LTY_KEY_MAX, longkey, LTY_KEY_MAX - 1,
                       count_cb, &n, w.ud),
            LTY_OK);
    REQ_INT(n, 1);
    world_close(&w);
}
END_TEST

START_TEST(transaction_calls_out_of_sequence_are_rejected)
{
    world w;
    world_open(&w);
    REQ_INT(w.ops.commit(w.ud), LTY_ESTATE);
    REQ_INT(w.ops.rollback(w.ud), LTY_ESTATE);
    REQ_INT(w.ops.begin(w.ud), LTY_OK);
    REQ_INT(w.ops.begin(w.ud), LTY_ESTATE);
    const char *msg = w.ops.errmsg(w.ud);
    REQ_PTR(msg);
    REQ_PTR(strstr(msg, "sequence"));
    wput(&w, KS("k"), KS("v"));
    REQ_INT(w.ops.commit(w.ud), LTY_OK);
    REQ_INT(w.ops.commit(w.ud), LTY_ESTATE);
    REQ_INT(w.ops.begin(w.ud), LTY_OK);
    REQ_INT(w.ops.rollback(w.ud), LTY_OK);
    REQ_INT(w.ops.rollback(w.ud), LTY_ESTATE);
    REQ_INT(w.ops.begin(NULL), LTY_EINVALID);
    REQ_INT(w.ops.commit(NULL), LTY_EINVALID);
    REQ_INT(w.ops.rollback(NULL), LTY_EINVALID);
    /* a scan callback calling back into its connection is refused */
    REQ_INT(w.ops.scan(NULL, 0, NULL, 0, reenter, &w, w.ud), LTY_OK);
    REQ_INT(w.ops.begin(w.ud), LTY_OK);
    REQ_INT(w.ops.scan(NULL, 0, NULL, 0, reenter, &w, w.ud), LTY_OK);
    REQ_INT(w.ops.commit(w.ud), LTY_OK);
    world_close(&w);
}
END_TEST

START_TEST(errmsg_names_the_failure_not_the_data)
{
    world w;
    world_open(&w);
    ck_assert_ptr_null(w.ops.errmsg(w.ud));
    wput(&w, KS("secret-phone-010"), KS("Kim Minji"));
    REQ_INT(w.ops.put(KS("secret-phone-010"), KS("x"), LTY_REV_NONE, NULL, w.ud),
            LTY_ECONFLICT);
    const char *msg = w.ops.errmsg(w.ud);
    REQ_PTR(msg);
    REQ_PTR(strstr(msg, "revision"));
    ck_assert_ptr_null(strstr(msg, "secret"));
    ck_assert_ptr_null(strstr(msg, "Kim"));
    world_close(&w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Serialised transactions                                             */
/* ------------------------------------------------------------------ */

typedef struct waiter {
    lty_storage_ops ops;
    void *ud;
    lty_buf buf;
    int rc;
    char seen[16];
} waiter;

static void *wait_and_read(void *p)
{
    waiter *wt = p;
    wt->rc = wt->ops.begin(wt->ud); /* blocks until the other commits */
    if (wt->rc == LTY_OK)
        wt->rc = wt->ops.get(KS("x"), &wt->buf, NULL, wt->ud);
    if (wt->rc == LTY_OK)
        memcpy(wt->seen, wt->buf.data, wt->buf.len < 15 ? wt->buf.len : 15);
    wt->ops.commit(wt->ud);
    return NULL;
}

START_TEST(a_transaction_waits_for_the_one_in_progress)
{
    lty_memstore *ms;
    lty_storage_ops ops;
    void *ud;
    waiter wt;
    memset(&wt, 0, sizeof wt);
    wt.buf.alloc = &buf_alloc;
    REQ_INT(lty_memstore_new(&ms, NULL), LTY_OK);
    REQ_INT(lty_memstore_connect(ms, &ops, &ud), LTY_OK);
    REQ_INT(lty_memstore_connect(ms, &wt.ops, &wt.ud), LTY_OK);
    REQ_INT(ops.begin(ud), LTY_OK);
    REQ_INT(ops.put(KS("x"), KS("first"), LTY_REV_ANY, NULL, ud), LTY_OK);
    pthread_t t;
    REQ_INT(pthread_create(&t, NULL, wait_and_read, &wt), 0);
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    REQ_INT(ops.put(KS("x"), KS("second"), LTY_REV_ANY, NULL, ud), LTY_OK);
    REQ_INT(ops.commit(ud), LTY_OK);
    pthread_join(t, NULL);
    REQ_INT(wt.rc, LTY_OK);
    REQ_STR(wt.seen, "second");
    free(wt.buf.data);
    wt.ops.destroy(wt.ud);
    ops.destroy(ud);
    lty_memstore_free(ms);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The ordered index under churn                                       */
/* ------------------------------------------------------------------ */

/*
 * Keys shaped like the library's: "C\0cust-<8 digits>\0L<8 bytes><id>",
 * so thousands share their first 8 and 16 bytes.  The model keeps each
 * customer's records sorted; customers sort by number.
 */
#define CUSTOMERS 1500

typedef struct mkey {
    unsigned char k[40];
    size_t kl;
    uint64_t rev;
} mkey;

typedef struct cust {
    mkey *r;
    size_t n, cap;
} cust;

typedef struct churn {
    world w;
    cust c[CUSTOMERS];
    size_t total;
    uint64_t seed;
} churn;

static size_t cust_prefix(unsigned char *k, int c)
{
    return (size_t)snprintf((char *)k, 40, "C%ccust-%08d%c", 0, c, 0);
}

static int mkey_cmp(const mkey *a, const unsigned char *k, size_t kl)
{
    int c = memcmp(a->k, k, a->kl < kl ? a->kl : kl);
    return c ? c : (a->kl > kl) - (a->kl < kl);
}

static size_t cust_find(const cust *c, const unsigned char *k, size_t kl, int *found)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (mkey_cmp(&c->r[mid], k, kl) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < c->n && mkey_cmp(&c->r[lo], k, kl) == 0;
    return lo;
}

static void churn_insert(churn *ch, int customer, int track)
{
    unsigned char k[40];
    size_t kl = cust_prefix(k, customer);
    k[kl++] = 'L';
    uint64_t t = rnd(&ch->seed);
    for (int i = 0; i < 8; i++)
        k[kl++] = (unsigned char)(t >> (56 - 8 * i));
    kl += (size_t)snprintf((char *)k + kl, 8, "e%u", (unsigned)(rnd(&ch->seed) % 1000));
    uint64_t rev = wput(&ch->w, (const char *)k, kl, k, kl);
    if (!track)
        return;
    cust *c = &ch->c[customer];
    int found;
    size_t at = cust_find(c, k, kl, &found);
    if (!found) {
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 8;
            c->r = realloc(c->r, c->cap * sizeof *c->r);
            REQ_PTR(c->r);
        }
        memmove(c->r + at + 1, c->r + at, (c->n - at) * sizeof *c->r);
        c->n++;
        ch->total++;
    }
    memcpy(c->r[at].k, k, kl);
    c->r[at].kl = kl;
    c->r[at].rev = rev;
}

static void churn_delete(churn *ch, int customer, int track)
{
    cust *c = &ch->c[customer];
    if (c->n == 0)
        return;
    size_t at = rnd(&ch->seed) % c->n;
    int rc = ch->w.ops.del((const char *)c->r[at].k, c->r[at].kl, c->r[at].rev,
                           ch->w.ud);
    if (!track) { /* the model does not follow: it may be gone already */
        REQUIRE(rc == LTY_OK || rc == LTY_ENOTFOUND, "del gave %d", rc);
        return;
    }
    REQ_INT(rc, LTY_OK);
    memmove(c->r + at, c->r + at + 1, (c->n - at - 1) * sizeof *c->r);
    c->n--;
    ch->total--;
}

typedef struct cursor {
    const churn *ch;
    int customer; /* walking the model: customer and index */
    size_t i;
    size_t seen;
    int bad;
} cursor;

static int check_next(const char *key, size_t keylen, const void *value, size_t len,
                      uint64_t rev, void *ctx)
{
    cursor *cu = ctx;
    while (cu->customer < CUSTOMERS && cu->i >= cu->ch->c[cu->customer].n) {
        cu->customer++;
        cu->i = 0;
    }
    if (cu->customer >= CUSTOMERS) {
        cu->bad = 1;
        return LTY_EUSER;
    }
    const mkey *m = &cu->ch->c[cu->customer].r[cu->i++];
    if (mkey_cmp(m, (const unsigned char *)key, keylen) != 0 || m->rev != rev ||
        len != keylen || memcmp(value, key, len) != 0) {
        cu->bad = 1;
        return LTY_EUSER;
    }
    cu->seen++;
    return LTY_OK;
}

static void churn_verify_all(churn *ch)
{
    cursor cu = {ch, 0, 0, 0, 0};
    REQ_INT(ch->w.ops.scan(NULL, 0, NULL, 0, check_next, &cu, ch->w.ud), LTY_OK);
    REQUIRE(!cu.bad, "scan differs from the model at record %zu", cu.seen);
    REQ_UINT(cu.seen, ch->total);
}

static void churn_verify_customer(churn *ch, int customer)
{
    unsigned char p[40];
    size_t pl = cust_prefix(p, customer);
    cursor cu = {ch, customer, 0, 0, 0};
    /* start after the first record sometimes, to exercise resume */
    const cust *c = &ch->c[customer];
    const unsigned char *after = NULL;
    size_t al = 0;
    if (c->n > 1 && rnd(&ch->seed) % 2) {
        after = c->r[0].k;
        al = c->r[0].kl;
        cu.i = 1;
    }
    REQ_INT(ch->w.ops.scan((const char *)p, pl, (const char *)after, al,
                           check_next, &cu, ch->w.ud),
            LTY_OK);
    REQUIRE(!cu.bad, "scan differs from the model at record %zu", cu.seen);
    REQ_UINT(cu.seen, c->n - (after ? 1 : 0));
}

static void churn_free(churn *ch)
{
    for (int i = 0; i < CUSTOMERS; i++)
        free(ch->c[i].r);
}

START_TEST(ordered_index_survives_bulk_churn)
{
    static churn ch;
    memset(&ch, 0, sizeof ch);
    ch.seed = 0x853c49e6748fea9bu;
    world_open(&ch.w);
    /* bulk load, checking now and then: big unsorted tails, big merges */
    for (int i = 1; i <= 30000; i++) {
        churn_insert(&ch, (int)(rnd(&ch.seed) % CUSTOMERS), 1);
        if (i % 7500 == 0)
            churn_verify_all(&ch);
    }
    /* delete most: compaction */
    for (int i = 0; i < 22000; i++)
        churn_delete(&ch, (int)(rnd(&ch.seed) % CUSTOMERS), 1);
    churn_verify_all(&ch);
    /* a big transaction that scans (merging inside it), then rolls back */
    char *before = wdump(&ch.w);
    REQ_INT(ch.w.ops.begin(ch.w.ud), LTY_OK);
    for (int i = 0; i < 12000; i++) {
        churn_insert(&ch, (int)(rnd(&ch.seed) % CUSTOMERS), 0);
        if (i % 3000 == 0) {
            char *d = wdump(&ch.w);
            free(d);
        }
        if (i % 4 == 0)
            churn_delete(&ch, (int)(rnd(&ch.seed) % CUSTOMERS), 0);
    }
    char *inside = wdump(&ch.w);
    free(inside);
    REQ_INT(ch.w.ops.rollback(ch.w.ud), LTY_OK);
    char *after = wdump(&ch.w);
    REQ_STR(before, after);
    free(before);
    free(after);
    churn_verify_all(&ch);
    /* the same committed */
    REQ_INT(ch.w.ops.begin(ch.w.ud), LTY_OK);
    for (int i = 0; i < 12000; i++) {
        churn_insert(&ch, (int)(rnd(&ch.seed) % CUSTOMERS), 1);
        if (i % 3000 == 0)
            churn_verify_all(&ch);
        if (i % 4 == 0)
            churn_delete(&ch, (int)(rnd(&ch.seed) % CUSTOMERS), 1);
    }
    REQ_INT(ch.w.ops.commit(ch.w.ud), LTY_OK);
    churn_verify_all(&ch);
    /* inserts and scans alternating, in and out of transactions */
    for (int i = 0; i < 4000; i++) {
        int customer = (int)(rnd(&ch.seed) % CUSTOMERS);
        int txn = i % 3 == 0;
        if (txn)
            REQ_INT(ch.w.ops.begin(ch.w.ud), LTY_OK);
        churn_insert(&ch, customer, 1);
        if (i % 5 == 0)
            churn_delete(&ch, customer, 1);
        churn_verify_customer(&ch, customer);
        if (txn)
            REQ_INT(ch.w.ops.commit(ch.w.ud), LTY_OK);
    }
    churn_verify_all(&ch);
    REQ_UINT(lty_memstore_count(ch.w.ms), ch.total);
    churn_free(&ch);
    world_close(&ch.w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The test helpers: fault injection and dumps                         */
/* ------------------------------------------------------------------ */

typedef struct wrapped {
    world w;            /* the store, and a plain connection for looking */
    lty_faulty *f;
    lty_storage_ops ops; /* the wrapper's */
    void *ud;
} wrapped;

static void wrapped_open(wrapped *x)
{
    lty_storage_ops inner;
    void *inner_ud;
    world_open(&x->w);
    REQ_INT(lty_memstore_connect(x->w.ms, &inner, &inner_ud), LTY_OK);
    REQ_INT(lty_faulty_new(&x->f, &inner, inner_ud), LTY_OK);
    lty_faulty_ops(x->f, &x->ops, &x->ud);
    REQUIRE(x->ud == x->f, "userdata is not the wrapper");
}

static void wrapped_close(wrapped *x)
{
    x->ops.destroy(x->ud); /* and the inner connection with it */
    world_close(&x->w);    /* asserts that nothing leaked */
}

START_TEST(faulty_counts_calls_and_fails_the_kth)
{
    wrapped x;
    wrapped_open(&x);
    lty_buf *b = &x.w.buf;
    int n = 0;
    REQ_INT(lty_faulty_calls(x.f), 0);
    REQ_INT(x.ops.begin(x.ud), LTY_OK);
    REQ_INT(x.ops.put(KS("k"), KS("v"), LTY_REV_NONE, NULL, x.ud), LTY_OK);
    REQ_INT(x.ops.get(KS("k"), b, NULL, x.ud), LTY_OK);
    REQ_INT(x.ops.scan(NULL, 0, NULL, 0, count_cb, &n, x.ud), LTY_OK);
    REQ_INT(x.ops.del(KS("k"), LTY_REV_ANY, x.ud), LTY_OK);
    REQ_INT(x.ops.rollback(x.ud), LTY_OK); /* not counted */
    REQ_INT(lty_faulty_calls(x.f), 5);
    REQ_INT(x.ops.begin(x.ud), LTY_OK);
    REQ_INT(x.ops.commit(x.ud), LTY_OK);
    REQ_INT(lty_faulty_calls(x.f), 7);
    ck_assert(!lty_faulty_fired(x.f));

    /* the 2nd call from now: a put that must not reach the store */
    lty_faulty_fail_at(x.f, 2, LTY_ESTORAGE);
    REQ_INT(lty_faulty_calls(x.f), 0);
    REQ_INT(x.ops.get(KS("k"), b, NULL, x.ud), LTY_ENOTFOUND);
    ck_assert(!lty_faulty_fired(x.f));
    /* an inner failure: errmsg is the store's */
    REQ_PTR(strstr(x.ops.errmsg(x.ud), "memory store"));
    REQ_INT(x.ops.put(KS("k"), KS("v"), LTY_REV_NONE, NULL, x.ud), LTY_ESTORAGE);
    ck_assert(lty_faulty_fired(x.f));
    REQ_STR(x.ops.errmsg(x.ud), "injected fault");
    REQ_INT(x.w.ops.get(KS("k"), b, NULL, x.w.ud), LTY_ENOTFOUND);
    /* once only */
    REQ_INT(x.ops.put(KS("k"), KS("v"), LTY_REV_NONE, NULL, x.ud), LTY_OK);
    REQ_INT(lty_faulty_calls(x.f), 3);
    REQ_INT(x.ops.put(KS("k"), KS("v"), LTY_REV_NONE, NULL, x.ud), LTY_ECONFLICT);
    REQ_PTR(strstr(x.ops.errmsg(x.ud), "revision"));

    /* each counted op can be the one that fails, with any code */
    lty_faulty_fail_at(x.f, 1, LTY_ECONFLICT);
    REQ_INT(x.ops.begin(x.ud), LTY_ECONFLICT);
    lty_faulty_fail_at(x.f, 1, LTY_ETEMPORARY);
    REQ_INT(x.ops.del(KS("k"), LTY_REV_ANY, x.ud), LTY_ETEMPORARY);
    REQ_INT(x.w.ops.get(KS("k"), b, NULL, x.w.ud), LTY_OK);
    n = 0;
    lty_faulty_fail_at(x.f, 1, LTY_ESTORAGE);
    REQ_INT(x.ops.scan(NULL, 0, NULL, 0, count_cb, &n, x.ud), LTY_ESTORAGE);
    REQ_INT(n, 0);
    lty_faulty_fail_at(x.f, 1, 0); /* 0 means LTY_ESTORAGE */
    REQ_INT(x.ops.get(KS("k"), b, NULL, x.ud), LTY_ESTORAGE);

    /* disarmed: k = 0, reset, or k beyond the calls made */
    lty_faulty_fail_at(x.f, 0, LTY_ESTORAGE);
    REQ_INT(x.ops.get(KS("k"), b, NULL, x.ud), LTY_OK);
    lty_faulty_fail_at(x.f, 3, LTY_ESTORAGE);
    lty_faulty_reset(x.f);
    for (int i = 0; i < 5; i++)
        REQ_INT(x.ops.get(KS("k"), b, NULL, x.ud), LTY_OK);
    ck_assert(!lty_faulty_fired(x.f));
    REQ_INT(lty_faulty_calls(x.f), 5);
    wrapped_close(&x);
}
END_TEST

START_TEST(faulty_failed_commit_commits_nothing)
{
    wrapped x;
    wrapped_open(&x);
    wput(&x.w, KS("k"), KS("before"));
    char *before = wdump(&x.w);
    REQ_INT(x.ops.begin(x.ud), LTY_OK);
    REQ_INT(x.ops.put(KS("k"), KS("after"), LTY_REV_ANY, NULL, x.ud), LTY_OK);
    REQ_INT(x.ops.put(KS("k2"), KS("new"), LTY_REV_ANY, NULL, x.ud), LTY_OK);
    lty_faulty_fail_at(x.f, 1, LTY_ECONFLICT);
    REQ_INT(x.ops.commit(x.ud), LTY_ECONFLICT);
    REQ_INT(x.ops.rollback(x.ud), LTY_OK); /* what the engine does next */
    char *after = wdump(&x.w);
    REQ_STR(after, before);
    /* a failed begin opens nothing: rollback reaches the store without one */
    lty_faulty_fail_at(x.f, 1, LTY_ESTORAGE);
    REQ_INT(x.ops.begin(x.ud), LTY_ESTORAGE);
    REQ_INT(x.ops.rollback(x.ud), LTY_ESTATE);
    REQ_INT(x.ops.begin(x.ud), LTY_OK);
    REQ_INT(x.ops.commit(x.ud), LTY_OK);
    free(before);
    free(after);
    wrapped_close(&x);
}
END_TEST

START_TEST(faulty_rejects_bad_arguments_and_frees_its_inner)
{
    world w;
    world_open(&w);
    lty_storage_ops inner, bad;
    void *inner_ud;
    lty_faulty *f = (lty_faulty *)&w;
    REQ_INT(lty_memstore_connect(w.ms, &inner, &inner_ud), LTY_OK);
    REQ_INT(lty_faulty_new(NULL, &inner, inner_ud), LTY_EINVALID);
    REQ_INT(lty_faulty_new(&f, NULL, inner_ud), LTY_EINVALID);
    ck_assert_ptr_null(f);
    bad = inner;
    bad.version = 0;
    REQ_INT(lty_faulty_new(&f, &bad, inner_ud), LTY_EINVALID);
    bad = inner;
    bad.version = LTY_STORAGE_OPS_VERSION + 1;
    REQ_INT(lty_faulty_new(&f, &bad, inner_ud), LTY_EINVALID);
    bad = inner;
    bad.scan = NULL;
    REQ_INT(lty_faulty_new(&f, &bad, inner_ud), LTY_EINVALID);
    long live = w.fa.live;
    REQ_INT(lty_faulty_new(&f, &inner, inner_ud), LTY_OK);
    lty_faulty_free(f); /* destroys the inner connection */
    ck_assert_int_lt(w.fa.live, live);
    lty_faulty_free(NULL);
    world_close(&w);
}
END_TEST

START_TEST(dump_is_canonical_text)
{
    world w;
    world_open(&w);
    char *d = wdump(&w);
    REQ_STR(d, "");
    free(d);
    uint64_t r1 = wput(&w, KS("b"), KS("xy"));
    uint64_t r2 = wput(&w, KS("a\0\xff"), "", 0);
    uint64_t r3 = wput(&w, KS("\x80"), KS("\0"));
    char want[128];
    snprintf(want, sizeof want, "6100ff - %llu\n62 7879 %llu\n80 00 %llu\n",
             (unsigned long long)r2, (unsigned long long)r1, (unsigned long long)r3);
    d = wdump(&w);
    REQ_STR(d, want);
    free(d);
    world_close(&w);
}
END_TEST

START_TEST(dump_contains_searches_keys_and_values)
{
    wrapped x;
    wrapped_open(&x);
    wput(&x.w, KS("C\0c1\0P"), KS("name=Kim Minji;phone=01012345678"));
    wput(&x.w, KS("I\0phone\0+821012345678"), KS("c1"));
    REQ_INT(lty_test_dump_contains(&x.w.ops, x.w.ud, KS("Kim")), 1);
    REQ_INT(lty_test_dump_contains(&x.w.ops, x.w.ud, KS("+8210")), 1);
    REQ_INT(lty_test_dump_contains(&x.w.ops, x.w.ud, KS("\0c1\0")), 1);
    REQ_INT(lty_test_dump_contains(&x.w.ops, x.w.ud, KS("5678")), 1);
    REQ_INT(lty_test_dump_contains(&x.w.ops, x.w.ud, KS("Lee")), 0);
    REQ_INT(lty_test_dump_contains(&x.w.ops, x.w.ud, KS("Minji;phone=010123456789")), 0);
    REQ_INT(lty_test_dump_contains(&x.w.ops, x.w.ud, "", 0), LTY_EINVALID);
    /* a failing scan is reported, never taken for "not found" */
    lty_faulty_fail_at(x.f, 1, LTY_ESTORAGE);
    REQ_INT(lty_test_dump_contains(&x.ops, x.ud, KS("Kim")), LTY_ESTORAGE);
    lty_faulty_fail_at(x.f, 1, LTY_ESTORAGE);
    ck_assert_ptr_null(lty_test_dump(&x.ops, x.ud));
    wrapped_close(&x);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Runner                                                              */
/* ------------------------------------------------------------------ */

static Suite *memstore_suite(void)
{
    Suite *s = suite_create("memstore");
    TCase *tc = tcase_create("memstore");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, count_reports_committed_records);
    tcase_add_test(tc, freeing_the_store_before_its_connections_is_safe);
    tcase_add_test(tc, allocator_hooks_see_every_allocation_and_balance);
    tcase_add_test(tc, store_creation_fails_cleanly_without_memory);
    tcase_add_test(tc, every_failed_allocation_leaves_the_store_unchanged);
    tcase_add_test(tc, undo_log_growth_failures_leave_the_transaction_intact);
    tcase_add_test(tc, commit_rollback_and_scans_need_no_memory);
    tcase_add_test(tc, bad_arguments_are_rejected);
    tcase_add_test(tc, transaction_calls_out_of_sequence_are_rejected);
    tcase_add_test(tc, errmsg_names_the_failure_not_the_data);
    tcase_add_test(tc, a_transaction_waits_for_the_one_in_progress);
    tcase_add_test(tc, ordered_index_survives_bulk_churn);
    suite_add_tcase(s, tc);
    tc = tcase_create("helpers");
    tcase_add_test(tc, faulty_counts_calls_and_fails_the_kth);
    tcase_add_test(tc, faulty_failed_commit_commits_nothing);
    tcase_add_test(tc, faulty_rejects_bad_arguments_and_frees_its_inner);
    tcase_add_test(tc, dump_is_canonical_text);
    tcase_add_test(tc, dump_contains_searches_keys_and_values);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    static const lty_conformance_backend memory = {
        "memory", ms_open, ms_connect, ms_close, NULL};
    SRunner *sr = srunner_create(lty_conformance_suite(&memory));
    srunner_add_suite(sr, memstore_suite());
    srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY=verbose lists every test */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
