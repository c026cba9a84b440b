/*
 * libloyalty tests - the storage backend conformance suite.
 *
 * Written once against lty_storage_ops and run on every backend.  Tests are
 * Check loop tests whose index selects the registered backend, so several
 * backends can share one runner.
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "alloc_int.h" /* struct lty_buf: a buffer to hand to get() */
#include "conformance.h"
#include "storedump.h"

#define MAX_BACKENDS 8

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


static lty_conformance_backend registry[MAX_BACKENDS];
static int nregistered;

/* Literal keys with embedded NULs: pointer and length. */
#define KS(lit) (lit), (sizeof(lit) - 1)

/* ------------------------------------------------------------------ */
/* Fixture                                                             */
/* ------------------------------------------------------------------ */

static void *t_malloc(size_t n, void *ud)
{
    (void)ud;
    return malloc(n);
}

static void *t_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    return realloc(p, n);
}

static void t_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

static const lty_allocator buf_alloc = {t_malloc, t_realloc, t_free, NULL};

static void buf_init(lty_buf *b)
{
    memset(b, 0, sizeof *b);
    b->alloc = &buf_alloc;
}

static void buf_release(lty_buf *b)
{
    free(b->data);
    buf_init(b);
}

typedef struct fx {
    const lty_conformance_backend *b;
    void *store;
    lty_storage_ops ops; /* the first connection */
    void *ud;
    lty_buf buf;
} fx;

static void fx_connect(fx *f, lty_storage_ops *ops, void **ud)
{
    int rc = f->b->connect(f->store, ops, ud, f->b->ctx);
    REQUIRE(rc == LTY_OK, "%s: connect failed (%d)", f->b->name, rc);
    REQ_PTR(ops->begin);
}

static void fx_open(fx *f, int i)
{
    memset(f, 0, sizeof *f);
    f->b = &registry[i];
    int rc = f->b->open_store(&f->store, f->b->ctx);
    REQUIRE(rc == LTY_OK, "%s: open_store failed (%d)", f->b->name, rc);
    fx_connect(f, &f->ops, &f->ud);
    buf_init(&f->buf);
}

static void conn_close(const lty_storage_ops *ops, void *ud)
{
    if (ops->destroy)
        ops->destroy(ud);
}

static void fx_close(fx *f)
{
    buf_release(&f->buf);
    conn_close(&f->ops, f->ud);
    f->b->close_store(f->store, f->b->ctx);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static uint64_t put_ok(fx *f, const void *k, size_t kl, const void *v,
                       size_t vl, uint64_t expected)
{
    uint64_t rev = 0;
    int rc = f->ops.put(k, kl, v, vl, expected, &rev, f->ud);
    REQUIRE(rc == LTY_OK, "put of a %zu-byte key gave %d", kl, rc);
    REQUIRE(rev != 0 && rev != LTY_REV_ANY, "put gave revision %llu",
            (unsigned long long)rev);
    return rev;
}

static uint64_t put_s(fx *f, const char *k, const char *v)
{
    return put_ok(f, k, strlen(k), v, strlen(v), LTY_REV_ANY);
}

/* Assert that key k holds exactly v (and revision rev unless 0). */
static void get_is(fx *f, const void *k, size_t kl, const void *v, size_t vl,
                   uint64_t rev)
{
    uint64_t got = 0;
    int rc = f->ops.get(k, kl, &f->buf, &got, f->ud);
    REQUIRE(rc == LTY_OK, "get of a %zu-byte key gave %d", kl, rc);
    REQ_UINT(f->buf.len, vl);
    if (vl)
        REQ_MEM(f->buf.data, v, vl);
    if (rev)
        REQ_UINT(got, rev);
}

static void get_missing(fx *f, const void *k, size_t kl)
{
    uint64_t rev = 12345;
    REQ_INT(f->ops.get(k, kl, &f->buf, &rev, f->ud), LTY_ENOTFOUND);
}

static char *dump(fx *f)
{
    char *d = lty_test_dump(&f->ops, f->ud);
    REQUIRE(d != NULL, "%s: dump failed", f->b->name);
    return d;
}

static void dump_eq(const char *a, const char *b, const char *what)
{
    REQUIRE(strcmp(a, b) == 0, "%s:\n--- expected\n%s--- got\n%s", what, a, b);
}

/* Records collected by a scan. */
typedef struct rec {
    unsigned char *k, *v;
    size_t kl, vl;
    uint64_t rev;
} rec;

typedef struct coll {
    rec *r;
    size_t n, cap;
    size_t stop_after; /* return LTY_SCAN_STOP after this many (0: never) */
    size_t fail_after; /* return fail_code after this many (0: never) */
    int fail_code;
} coll;

static unsigned char *dup_bytes(const void *p, size_t n)
{
    unsigned char *d = malloc(n ? n : 1);
    REQ_PTR(d);
    if (n)
        memcpy(d, p, n);
    return d;
}

static int collect(const char *key, size_t keylen, const void *value,
                   size_t len, uint64_t rev, void *ctx)
{
    coll *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->r = realloc(c->r, c->cap * sizeof *c->r);
        REQ_PTR(c->r);
    }
    rec *r = &c->r[c->n++];
    r->k = dup_bytes(key, keylen);
    r->kl = keylen;
    r->v = dup_bytes(value, len);
    r->vl = len;
    r->rev = rev;
    if (c->fail_after && c->n == c->fail_after)
        return c->fail_code;
    if (c->stop_after && c->n == c->stop_after)
        return LTY_SCAN_STOP;
    return LTY_OK;
}

static void coll_free(coll *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->r[i].k);
        free(c->r[i].v);
    }
    free(c->r);
    memset(c, 0, sizeof *c);
}

static int scan_into(fx *f, coll *c, const void *prefix, size_t pl,
                     const void *after, size_t al)
{
    return f->ops.scan(prefix, pl, after, al, collect, c, f->ud);
}

static int bytes_cmp(const void *a, size_t al, const void *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return (al > bl) - (al < bl);
}

static void rec_is(const rec *r, const void *k, size_t kl)
{
    REQUIRE(r->kl == kl && memcmp(r->k, k, kl) == 0,
            "scan gave a %zu-byte key where a %zu-byte key was expected",
            r->kl, kl);
}

/* A small deterministic generator, so failures reproduce. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ------------------------------------------------------------------ */
/* Keys, values, revisions                                             */
/* ------------------------------------------------------------------ */

START_TEST(get_of_a_missing_key_is_notfound)
{
    fx f;
    fx_open(&f, _i);
    get_missing(&f, KS("nope"));
    REQ_INT(f.ops.begin(f.ud), LTY_OK);
    get_missing(&f, KS("nope"));
    REQ_INT(f.ops.rollback(f.ud), LTY_OK);
    put_s(&f, "yes", "1");
    get_missing(&f, KS("ye"));
    get_missing(&f, KS("yes\0"));
    get_missing(&f, KS("Yes"));
    fx_close(&f);
}
END_TEST

START_TEST(put_and_get_round_trip_any_bytes)
{
    fx f;
    fx_open(&f, _i);
    char maxkey[LTY_KEY_MAX];
    for (size_t i = 0; i < sizeof maxkey; i++)
        maxkey[i] = (char)(i * 7 + 3);
    static const char nul_value[] = "a\0b\0\0c\xff";
    uint64_t r1 = put_ok(&f, KS("k\0ey"), KS(nul_value), LTY_REV_NONE);
    uint64_t r2 = put_ok(&f, KS("k"), "", 0, LTY_REV_NONE);
    uint64_t r3 = put_ok(&f, maxkey, sizeof maxkey, KS("max"), LTY_REV_NONE);
    uint64_t r4 = put_ok(&f, KS("\0"), KS("just a NUL key"), LTY_REV_NONE);
    uint64_t r5 = put_ok(&f, KS("\xff\xff"), KS("\x80"), LTY_REV_NONE);
    uint64_t r6;
    REQ_INT(f.ops.put(KS("no rev wanted"), KS("x"), LTY_REV_NONE, NULL, f.ud),
            LTY_OK);
    get_is(&f, KS("k\0ey"), KS(nul_value), r1);
    get_is(&f, KS("k"), "", 0, r2);
    get_is(&f, maxkey, sizeof maxkey, KS("max"), r3);
    get_is(&f, KS("\0"), KS("just a NUL key"), r4);
    get_is(&f, KS("\xff\xff"), KS("\x80"), r5);
    get_is(&f, KS("no rev wanted"), KS("x"), 0);
    /* keys differing only after a NUL, or only in length, are distinct */
    get_missing(&f, KS("k\0e"));
    get_missing(&f, maxkey, sizeof maxkey - 1);
    r6 = put_ok(&f, KS("k\0eY"), KS("other"), LTY_REV_NONE);
    get_is(&f, KS("k\0ey"), KS(nul_value), r1);
    get_is(&f, KS("k\0eY"), KS("other"), r6);
    fx_close(&f);
}
END_TEST

/* One key rewritten through sizes that cross every likely storage
 * boundary, growing and shrinking, up to LTY_VALUE_MAX. */
START_TEST(values_of_every_size_round_trip)
{
    static const size_t sizes[] = {
        0, 1, 7, 8, 9, 15, 16, 17, 31, 100, 255, 256, 1000, 4095, 4096, 4097,
        40, 70000, 3, LTY_VALUE_MAX, 12, 0, 5000, 65536, 1};
    fx f;
    fx_open(&f, _i);
    unsigned char *v = malloc(LTY_VALUE_MAX);
    REQ_PTR(v);
    uint64_t rev = LTY_REV_NONE, s = 42;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (size_t j = 0; j < sizes[i]; j++)
            v[j] = (unsigned char)(j * 31 + i);
        v[0] = (unsigned char)rnd(&s);
        uint64_t nr = put_ok(&f, KS("growing"), v, sizes[i], rev);
        ck_assert_uint_ne(nr, rev);
        rev = nr;
        get_is(&f, KS("growing"), v, sizes[i], rev);
        /* and a fresh key of that size */
        char k[32];
        int kl = snprintf(k, sizeof k, "fresh%zu", i);
        put_ok(&f, k, (size_t)kl, v, sizes[i], LTY_REV_NONE);
        get_is(&f, k, (size_t)kl, v, sizes[i], 0);
    }
    free(v);
    fx_close(&f);
}
END_TEST

START_TEST(revisions_change_on_every_write_and_are_never_reused)
{
    fx f;
    fx_open(&f, _i);
    uint64_t seen[64];
    size_t n = 0;
    uint64_t rev = put_ok(&f, KS("r"), KS("1"), LTY_REV_NONE);
    seen[n++] = rev;
    for (int i = 0; i < 10; i++) {
        uint64_t exp = (i % 2) ? LTY_REV_ANY : rev;
        rev = put_ok(&f, KS("r"), KS("same bytes"), exp);
        seen[n++] = rev;
    }
    for (int round = 0; round < 5; round++) {
        REQ_INT(f.ops.del(KS("r"), rev, f.ud), LTY_OK);
        rev = put_ok(&f, KS("r"), KS("1"), LTY_REV_NONE);
        seen[n++] = rev;
        rev = put_ok(&f, KS("r"), KS("1"), rev);
        seen[n++] = rev;
    }
    /* a write inside a transaction, and after a rolled back one */
    REQ_INT(f.ops.begin(f.ud), LTY_OK);
    rev = put_ok(&f, KS("r"), KS("2"), rev);
    seen[n++] = rev;
    REQ_INT(f.ops.commit(f.ud), LTY_OK);
    get_is(&f, KS("r"), KS("2"), rev);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            REQUIRE(seen[i] != seen[j], "revision %llu used twice for one key",
                    (unsigned long long)seen[i]);
    fx_close(&f);
}
END_TEST

START_TEST(put_expecting_none_on_an_existing_key_conflicts)
{
    fx f;
    fx_open(&f, _i);
    uint64_t r1 = put_ok(&f, KS("k"), KS("first"), LTY_REV_NONE);
    char *before = dump(&f);
    uint64_t nr = 777;
    REQ_INT(f.ops.put(KS("k"), KS("second"), LTY_REV_NONE, &nr, f.ud),
            LTY_ECONFLICT);
    get_is(&f, KS("k"), KS("first"), r1);
    char *after = dump(&f);
    dump_eq(before, after, "a conflicting put changed the store");
    /* also inside a transaction */
    REQ_INT(f.ops.begin(f.ud), LTY_OK);
    REQ_INT(f.ops.put(KS("k"), KS("third"), LTY_REV_NONE, NULL, f.ud),
            LTY_ECONFLICT);
    get_is(&f, KS("k"), KS("first"), r1);
    REQ_INT(f.ops.commit(f.ud), LTY_OK);
    free(after);
    after = dump(&f);
    dump_eq(before, after, "a conflicting put in a transaction changed the store");
    free(before);
    free(after);
    fx_close(&f);
}
END_TEST

START_TEST(put_with_a_stale_revision_conflicts)
{
    fx f;
    fx_open(&f, _i);
    uint64_t r1 = put_ok(&f, KS("k"), KS("one"), LTY_REV_NONE);
    uint64_t r2 = put_ok(&f, KS("k"), KS("two"), r1);
    char *before = dump(&f);
    REQ_INT(f.ops.put(KS("k"), KS("three"), r1, NULL, f.ud), LTY_ECONFLICT);
    REQ_INT(f.ops.put(KS("k"), KS("three"), r2 + 1000, NULL, f.ud),
            LTY_ECONFLICT);
    /* a revision for a key that does not exist */
    REQ_INT(f.ops.put(KS("absent"), KS("x"), r2, NULL, f.ud), LTY_ECONFLICT);
    get_missing(&f, KS("absent"));
    get_is(&f, KS("k"), KS("two"), r2);
    char *after = dump(&f);
    dump_eq(before, after, "a stale put changed the store");
    uint64_t r3 = put_ok(&f, KS("k"), KS("three"), r2);
    get_is(&f, KS("k"), KS("three"), r3);
    free(before);
    free(after);
    fx_close(&f);
}
END_TEST

START_TEST(rev_any_writes_whatever_is_there)
{
    fx f;
    fx_open(&f, _i);
    uint64_t r1 = put_ok(&f, KS("k"), KS("made"), LTY_REV_ANY);
    get_is(&f, KS("k"), KS("made"), r1);
    uint64_t r2 = put_ok(&f, KS("k"), KS("over"), LTY_REV_ANY);
    ck_assert_uint_ne(r1, r2);
    get_is(&f, KS("k"), KS("over"), r2);
    REQ_INT(f.ops.del(KS("k"), LTY_REV_ANY, f.ud), LTY_OK);
    get_missing(&f, KS("k"));
    fx_close(&f);
}
END_TEST

START_TEST(del_checks_existence_and_revision)
{
    fx f;
    fx_open(&f, _i);
    REQ_INT(f.ops.del(KS("never"), LTY_REV_ANY, f.ud), LTY_ENOTFOUND);
    REQ_INT(f.ops.del(KS("never"), 5, f.ud), LTY_ENOTFOUND);
    uint64_t r1 = put_ok(&f, KS("k"), KS("v"), LTY_REV_NONE);
    put_s(&f, "other", "o");
    char *before = dump(&f);
    REQ_INT(f.ops.del(KS("k"), r1 + 1, f.ud), LTY_ECONFLICT);
    REQ_INT(f.ops.del(KS("k"), LTY_REV_NONE, f.ud), LTY_ECONFLICT);
    char *after = dump(&f);
    dump_eq(before, after, "a conflicting del changed the store");
    REQ_INT(f.ops.del(KS("k"), r1, f.ud), LTY_OK);
    get_missing(&f, KS("k"));
    REQ_INT(f.ops.del(KS("k"), r1, f.ud), LTY_ENOTFOUND);
    REQ_INT(f.ops.del(KS("k"), LTY_REV_ANY, f.ud), LTY_ENOTFOUND);
    get_is(&f, KS("other"), KS("o"), 0);
    free(before);
    free(after);
    fx_close(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Scans                                                               */
/* ------------------------------------------------------------------ */

typedef struct lit {
    const char *k;
    size_t n;
} lit;

#define L(s) {(s), sizeof(s) - 1}

static const lit order_keys[] = {
    L("\0"), L("\0\0"), L("\x01"), L("0"), L("A"), L("B"), L("a"), L("a\0"),
    L("a\0\0"), L("a\x01"), L("a\x7f"), L("a\x80"), L("a\xff"), L("ab"),
    L("ab\0"), L("abc"), L("b"), L("\x7f"), L("\x7f\xff"), L("\x80"),
    L("\x80\0"), L("\xc3\xa9"), L("\xfe"), L("\xff"), L("\xff\0"), L("\xff\xff")};
#define NORDER (sizeof order_keys / sizeof order_keys[0])

static int lit_cmp(const void *a, const void *b)
{
    const lit *x = a, *y = b;
    return bytes_cmp(x->k, x->n, y->k, y->n);
}

/* Write the keys in a scrambled order, each with its own value. */
static void put_scrambled(fx *f, const lit *keys, size_t n, uint64_t seed)
{
    size_t *perm = malloc(n * sizeof *perm);
    REQ_PTR(perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = rnd(&seed) % i, t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        const lit *k = &keys[perm[i]];
        put_ok(f, k->k, k->n, k->k, k->n, LTY_REV_ANY); /* value = key */
    }
    free(perm);
}

static size_t order_index(const coll *c, const char *k, size_t n)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->r[i].kl == n && memcmp(c->r[i].k, k, n) == 0)
            return i;
    ck_abort_msg("key missing from the scan");
    return 0;
}

static void check_full_order(fx *f, const lit *sorted, size_t n)
{
    coll c = {0};
    REQ_INT(scan_into(f, &c, NULL, 0, NULL, 0), LTY_OK);
    REQ_UINT(c.n, n);
    for (size_t i = 0; i < n; i++) {
        rec_is(&c.r[i], sorted[i].k, sorted[i].n);
        REQ_UINT(c.r[i].vl, sorted[i].n);
        REQ_MEM(c.r[i].v, sorted[i].k, sorted[i].n);
        uint64_t rev = 0;
        REQ_INT(f->ops.get(sorted[i].k, sorted[i].n, &f->buf, &rev, f->ud),
                LTY_OK);
        REQ_UINT(c.r[i].rev, rev);
    }
    /* spelled out: shorter first on a common prefix, bytes unsigned */
    ck_assert_uint_lt(order_index(&c, KS("a")), order_index(&c, KS("a\0")));
    ck_assert_uint_lt(order_index(&c, KS("a\0")), order_index(&c, KS("ab")));
    ck_assert_uint_lt(order_index(&c, KS("a\x7f")), order_index(&c, KS("a\x80")));
    ck_assert_uint_lt(order_index(&c, KS("\x7f\xff")), order_index(&c, KS("\x80")));
    ck_assert_uint_lt(order_index(&c, KS("b")), order_index(&c, KS("\xff")));
    coll_free(&c);
}

START_TEST(scan_returns_keys_in_byte_order)
{
    fx f;
    fx_open(&f, _i);
    lit sorted[NORDER];
    memcpy(sorted, order_keys, sizeof sorted);
    qsort(sorted, NORDER, sizeof sorted[0], lit_cmp);
    put_scrambled(&f, order_keys, NORDER, 7);
    check_full_order(&f, sorted, NORDER);
    /* again after rewriting some, and inside a transaction */
    put_scrambled(&f, order_keys, NORDER / 2, 99);
    check_full_order(&f, sorted, NORDER);
    REQ_INT(f.ops.begin(f.ud), LTY_OK);
    check_full_order(&f, sorted, NORDER);
    REQ_INT(f.ops.commit(f.ud), LTY_OK);
    fx_close(&f);
}
END_TEST

static void expect_scan(fx *f, lit prefix, lit after, const lit *want, size_t n)
{
    coll c = {0};
    REQ_INT(scan_into(f, &c, prefix.k, prefix.n, after.k, after.n), LTY_OK);
    REQUIRE(c.n == n, "scan gave %zu records, expected %zu", c.n, n);
    for (size_t i = 0; i < n; i++)
        rec_is(&c.r[i], want[i].k, want[i].n);
    coll_free(&c);
}

#define NONE {NULL, 0}

/* EXPECT(f, prefix, after, wanted keys...), each a lit */
#define EXPECT(f, P, A, ...)                                               \
    do {                                                                   \
        static const lit want_[] = {__VA_ARGS__};                          \
        expect_scan(f, (lit)P, (lit)A, want_, sizeof want_ / sizeof want_[0]); \
    } while (0)

#define EXPECT_NONE(f, P, A) expect_scan(f, (lit)P, (lit)A, NULL, 0)

static const lit prefix_keys[] = {
    L("o\xff"), L("p"), L("p\0"), L("p\0x"), L("pa"), L("pb"), L("pb\0x"),
    L("pbb"), L("p\xff"), L("p\xff\xff"), L("q"), L("\xff")};

START_TEST(scan_filters_by_prefix)
{
    fx f;
    fx_open(&f, _i);
    put_scrambled(&f, prefix_keys, sizeof prefix_keys / sizeof prefix_keys[0], 3);
    EXPECT(&f, L("p"), NONE, L("p"), L("p\0"), L("p\0x"), L("pa"), L("pb"),
           L("pb\0x"), L("pbb"), L("p\xff"), L("p\xff\xff"));
    EXPECT(&f, L("pb"), NONE, L("pb"), L("pb\0x"), L("pbb"));
    EXPECT(&f, L("p\0"), NONE, L("p\0"), L("p\0x"));
    EXPECT(&f, L("p\xff"), NONE, L("p\xff"), L("p\xff\xff"));
    EXPECT(&f, L("\xff"), NONE, L("\xff"));
    EXPECT(&f, L("o"), NONE, L("o\xff"));
    EXPECT_NONE(&f, L("z"), NONE);
    EXPECT_NONE(&f, L("pbbb"), NONE);
    EXPECT_NONE(&f, L("\0"), NONE);
    /* prefixlen 0 with a pointer means everything */
    coll c = {0};
    REQ_INT(scan_into(&f, &c, "p", 0, NULL, 0), LTY_OK);
    REQ_UINT(c.n, sizeof prefix_keys / sizeof prefix_keys[0]);
    coll_free(&c);
    fx_close(&f);
}
END_TEST

START_TEST(scan_resumes_strictly_after)
{
    fx f;
    fx_open(&f, _i);
    put_scrambled(&f, prefix_keys, sizeof prefix_keys / sizeof prefix_keys[0], 5);
    /* after an existing key excludes it */
    EXPECT(&f, L("p"), L("pb"), L("pb\0x"), L("pbb"), L("p\xff"), L("p\xff\xff"));
    /* after a key that is not there */
    EXPECT(&f, L("p"), L("pa\0"), L("pb"), L("pb\0x"), L("pbb"), L("p\xff"),
           L("p\xff\xff"));
    /* after sorting before the prefix starts at the prefix */
    EXPECT(&f, L("pb"), L("a"), L("pb"), L("pb\0x"), L("pbb"));
    /* after equal to the prefix skips the prefix itself */
    EXPECT(&f, L("pb"), L("pb"), L("pb\0x"), L("pbb"));
    /* after past the end of the prefix range */
    EXPECT_NONE(&f, L("p"), L("q"));
    EXPECT_NONE(&f, L("p"), L("p\xff\xff"));
    /* no prefix */
    EXPECT(&f, NONE, L("p\xff\xff"), L("q"), L("\xff"));
    EXPECT(&f, NONE, L("\0"), L("o\xff"), L("p"), L("p\0"), L("p\0x"), L("pa"),
           L("pb"), L("pb\0x"), L("pbb"), L("p\xff"), L("p\xff\xff"), L("q"),
           L("\xff"));
    /* afterlen 0 with a pointer means from the start */
#define PB_LEN0 {"pb", 0}
    EXPECT(&f, L("pb"), PB_LEN0, L("pb"), L("pb\0x"), L("pbb"));
    fx_close(&f);
}
END_TEST

/* Page through 300 keys, 7 at a time, resuming after the last one seen. */
START_TEST(scan_pages_with_stop_and_after)
{
    fx f;
    fx_open(&f, _i);
    char key[16];
    for (int i = 299; i >= 0; i--) {
        int n = snprintf(key, sizeof key, "pg%c%05d", 0, i * 3);
        put_ok(&f, key, (size_t)n, key, (size_t)n, LTY_REV_NONE);
    }
    put_s(&f, "ph", "outside");
    put_s(&f, "pf", "outside");
    unsigned char last[16];
    size_t lastlen = 0, total = 0;
    for (int page = 0;; page++) {
        coll c = {0};
        c.stop_after = 7;
        REQ_INT(scan_into(&f, &c, KS("pg"), last, lastlen), LTY_OK);
        for (size_t i = 0; i < c.n; i++) {
            snprintf(key, sizeof key, "pg%c%05zu", 0, (total + i) * 3);
            rec_is(&c.r[i], key, 8);
        }
        total += c.n;
        if (c.n == 0) {
            coll_free(&c);
            break;
        }
        ck_assert_uint_le(c.n, 7);
        memcpy(last, c.r[c.n - 1].k, c.r[c.n - 1].kl);
        lastlen = c.r[c.n - 1].kl;
        coll_free(&c);
        ck_assert_int_lt(page, 100);
    }
    REQ_UINT(total, 300);
    fx_close(&f);
}
END_TEST

START_TEST(scan_stops_early_on_request)
{
    fx f;
    fx_open(&f, _i);
    put_scrambled(&f, order_keys, NORDER, 11);
    coll c = {0};
    c.stop_after = 3;
    REQ_INT(scan_into(&f, &c, NULL, 0, NULL, 0), LTY_OK);
    REQ_UINT(c.n, 3);
    coll_free(&c);
    c.stop_after = 1;
    REQ_INT(scan_into(&f, &c, KS("a"), NULL, 0), LTY_OK);
    REQ_UINT(c.n, 1);
    rec_is(&c.r[0], KS("a"));
    coll_free(&c);
    fx_close(&f);
}
END_TEST

START_TEST(scan_passes_the_callbacks_error_back)
{
    fx f;
    fx_open(&f, _i);
    put_scrambled(&f, order_keys, NORDER, 13);
    char *before = dump(&f);
    coll c = {0};
    c.fail_after = 2;
    c.fail_code = LTY_EUSER;
    REQ_INT(scan_into(&f, &c, NULL, 0, NULL, 0), LTY_EUSER);
    REQ_UINT(c.n, 2);
    coll_free(&c);
    c.fail_after = 5;
    c.fail_code = -1000; /* codes the library does not know pass too */
    REQ_INT(scan_into(&f, &c, NULL, 0, NULL, 0), -1000);
    REQ_UINT(c.n, 5);
    coll_free(&c);
    /* and inside a transaction, which stays usable */
    REQ_INT(f.ops.begin(f.ud), LTY_OK);
    c.fail_after = 1;
    c.fail_code = LTY_ENOMEM;
    REQ_INT(scan_into(&f, &c, NULL, 0, NULL, 0), LTY_ENOMEM);
    coll_free(&c);
    put_s(&f, "after the failed scan", "1");
    REQ_INT(f.ops.rollback(f.ud), LTY_OK);
    char *after = dump(&f);
    dump_eq(before, after, "failed scans changed the store");
    free(before);
    free(after);
    fx_close(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Transactions                                                        */
/* ------------------------------------------------------------------ */

START_TEST(transactions_read_their_own_writes)
{
    fx f;
    fx_open(&f, _i);
    uint64_t r2 = put_s(&f, "t2", "old");
    put_s(&f, "t3", "doomed");
    put_s(&f, "t4", "stays");
    REQ_INT(f.ops.begin(f.ud), LTY_OK);
    uint64_t n1 = put_ok(&f, KS("t1"), KS("new"), LTY_REV_NONE);
    uint64_t n2 = put_ok(&f, KS("t2"), KS("changed"), r2);
    REQ_INT(f.ops.del(KS("t3"), LTY_REV_ANY, f.ud), LTY_OK);
    uint64_t n5 = put_ok(&f, KS("t5"), KS("short-lived"), LTY_REV_NONE);
    REQ_INT(f.ops.del(KS("t5"), n5, f.ud), LTY_OK);
    get_is(&f, KS("t1"), KS("new"), n1);
    get_is(&f, KS("t2"), KS("changed"), n2);
    get_missing(&f, KS("t3"));
    get_missing(&f, KS("t5"));
    coll c = {0};
    REQ_INT(scan_into(&f, &c, KS("t"), NULL, 0), LTY_OK);
    REQ_UINT(c.n, 3);
    rec_is(&c.r[0], KS("t1"));
    REQ_UINT(c.r[0].rev, n1);
    rec_is(&c.r[1], KS("t2"));
    REQ_UINT(c.r[1].vl, 7);
    REQ_MEM(c.r[1].v, "changed", 7);
    REQ_UINT(c.r[1].rev, n2);
    rec_is(&c.r[2], KS("t4"));
    coll_free(&c);
    /* conditional writes see the transaction's own revisions */
    REQ_INT(f.ops.put(KS("t2"), KS("x"), r2, NULL, f.ud), LTY_ECONFLICT);
    uint64_t n2b = put_ok(&f, KS("t2"), KS("again"), n2);
    REQ_INT(f.ops.put(KS("t3"), KS("back"), LTY_REV_NONE, NULL, f.ud),
            LTY_OK);
    REQ_INT(f.ops.commit(f.ud), LTY_OK);
    get_is(&f, KS("t1"), KS("new"), n1);
    get_is(&f, KS("t2"), KS("again"), n2b);
    get_is(&f, KS("t3"), KS("back"), 0);
    get_missing(&f, KS("t5"));
    fx_close(&f);
}
END_TEST

/* Everything a transaction can do, then rollback: the dump (keys, values
 * and revisions) must be byte-for-byte what it was. */
static void mixed_writes(fx *f, uint64_t seed)
{
    static unsigned char big[9000];
    memset(big, 'B', sizeof big);
    char key[32];
    for (int i = 0; i < 60; i++) {
        int kl = snprintf(key, sizeof key, "m%03d", (int)(rnd(&seed) % 80));
        uint64_t rev = 0;
        int rc = f->ops.get(key, (size_t)kl, &f->buf, &rev, f->ud);
        size_t vl = (size_t)(rnd(&seed) % 3 == 0 ? rnd(&seed) % sizeof big : rnd(&seed) % 40);
        switch (rnd(&seed) % 4) {
        case 0:
        case 1:
            put_ok(f, key, (size_t)kl, big, vl, rc == LTY_OK ? rev : LTY_REV_NONE);
            break;
        case 2:
            if (rc == LTY_OK)
                REQ_INT(f->ops.del(key, (size_t)kl, rev, f->ud), LTY_OK);
            break;
        default: {
            coll c = {0};
            REQ_INT(scan_into(f, &c, KS("m"), key, (size_t)kl), LTY_OK);
            coll_free(&c);
        }
        }
    }
}

START_TEST(rollback_restores_contents_and_revisions_exactly)
{
    fx f;
    fx_open(&f, _i);
    for (int i = 0; i < 80; i += 2) {
        char key[32], val[64];
        int kl = snprintf(key, sizeof key, "m%03d", i);
        int vl = snprintf(val, sizeof val, "value %d", i * i);
        put_ok(&f, key, (size_t)kl, val, (size_t)vl, LTY_REV_NONE);
    }
    for (uint64_t round = 1; round <= 20; round++) {
        char *before = dump(&f);
        REQ_INT(f.ops.begin(f.ud), LTY_OK);
        mixed_writes(&f, round * 7919);
        char *inside = dump(&f);
        REQ_INT(f.ops.rollback(f.ud), LTY_OK);
        char *after = dump(&f);
        dump_eq(before, after, "rollback did not restore the store");
        free(inside);
        free(after);
        /* and the same writes committed do stick */
        if (round % 4 == 0) {
            REQ_INT(f.ops.begin(f.ud), LTY_OK);
            mixed_writes(&f, round * 7919);
            char *in2 = dump(&f);
            REQ_INT(f.ops.commit(f.ud), LTY_OK);
            char *out2 = dump(&f);
            dump_eq(in2, out2, "commit changed what the transaction saw");
            free(in2);
            free(out2);
        }
        free(before);
    }
    fx_close(&f);
}
END_TEST

START_TEST(commit_makes_writes_visible_to_other_connections)
{
    fx f;
    fx_open(&f, _i);
    lty_storage_ops ops2;
    void *ud2;
    fx_connect(&f, &ops2, &ud2);
    uint64_t r0 = put_s(&f, "gone", "soon");
    REQ_INT(f.ops.begin(f.ud), LTY_OK);
    uint64_t r1 = put_ok(&f, KS("shared"), KS("hello"), LTY_REV_NONE);
    REQ_INT(f.ops.del(KS("gone"), r0, f.ud), LTY_OK);
    REQ_INT(f.ops.commit(f.ud), LTY_OK);
    uint64_t rev = 0;
    REQ_INT(ops2.get(KS("shared"), &f.buf, &rev, ud2), LTY_OK);
    REQ_UINT(rev, r1);
    REQ_UINT(f.buf.len, 5);
    REQ_INT(ops2.get(KS("gone"), &f.buf, &rev, ud2), LTY_ENOTFOUND);
    char *d1 = dump(&f), *d2 = lty_test_dump(&ops2, ud2);
    REQ_PTR(d2);
    dump_eq(d1, d2, "connections disagree after commit");
    /* the second connection writes with the revision it read */
    REQ_INT(ops2.begin(ud2), LTY_OK);
    uint64_t r2 = 0;
    REQ_INT(ops2.put(KS("shared"), KS("world"), r1, &r2, ud2), LTY_OK);
    REQ_INT(ops2.commit(ud2), LTY_OK);
    get_is(&f, KS("shared"), KS("world"), r2);
    REQ_INT(f.ops.put(KS("shared"), KS("late"), r1, NULL, f.ud),
            LTY_ECONFLICT);
    free(d1);
    free(d2);
    conn_close(&ops2, ud2);
    fx_close(&f);
}
END_TEST

START_TEST(rolled_back_writes_are_never_seen_by_others)
{
    fx f;
    fx_open(&f, _i);
    lty_storage_ops ops2;
    void *ud2;
    fx_connect(&f, &ops2, &ud2);
    put_s(&f, "k", "committed");
    char *before = lty_test_dump(&ops2, ud2);
    REQ_INT(f.ops.begin(f.ud), LTY_OK);
    put_s(&f, "k", "uncommitted");
    put_s(&f, "k2", "uncommitted");
    REQ_INT(f.ops.rollback(f.ud), LTY_OK);
    char *after = lty_test_dump(&ops2, ud2);
    dump_eq(before, after, "another connection saw rolled back writes");
    free(before);
    free(after);
    conn_close(&ops2, ud2);
    fx_close(&f);
}
END_TEST

START_TEST(destroy_discards_an_open_transaction_and_releases)
{
    fx f;
    fx_open(&f, _i);
    put_s(&f, "k", "committed");
    char *before = dump(&f);
    lty_storage_ops ops2;
    void *ud2;
    fx_connect(&f, &ops2, &ud2);
    REQ_INT(ops2.begin(ud2), LTY_OK);
    REQ_INT(ops2.put(KS("k"), KS("abandoned"), LTY_REV_ANY, NULL, ud2),
            LTY_OK);
    REQ_INT(ops2.put(KS("new"), KS("abandoned"), LTY_REV_ANY, NULL, ud2),
            LTY_OK);
    conn_close(&ops2, ud2);
    /* the first connection can write again at once, and sees nothing */
    REQ_INT(f.ops.begin(f.ud), LTY_OK);
    char *after = dump(&f);
    dump_eq(before, after, "a destroyed connection's transaction was kept");
    put_s(&f, "k", "next");
    REQ_INT(f.ops.commit(f.ud), LTY_OK);
    /* connections come and go */
    for (int i = 0; i < 50; i++) {
        fx_connect(&f, &ops2, &ud2);
        get_is(&f, KS("k"), KS("next"), 0);
        conn_close(&ops2, ud2);
    }
    free(before);
    free(after);
    fx_close(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Concurrent writers                                                  */
/* ------------------------------------------------------------------ */

#define WORKERS 4
#define INCREMENTS 500

typedef struct worker {
    lty_storage_ops ops;
    void *ud;
    lty_buf buf;
    long conflicts;
    int failed; /* the code that stopped it, or 0 */
} worker;

static int read_counter(worker *w, uint64_t *n, uint64_t *rev)
{
    int rc = w->ops.get(KS("counter"), &w->buf, rev, w->ud);
    if (rc == LTY_ENOTFOUND) {
        *n = 0;
        *rev = LTY_REV_NONE;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if (w->buf.len != 8)
        return LTY_ECORRUPT;
    *n = 0;
    for (int i = 7; i >= 0; i--)
        *n = (*n << 8) | w->buf.data[i];
    return LTY_OK;
}

/* One read-modify-write; reading outside the transaction leaves a window
 * for other writers, so the conditional put is what saves the update. */
static int increment(worker *w, int read_outside)
{
    uint64_t n = 0, rev = 0;
    unsigned char b[8];
    int rc = read_outside ? read_counter(w, &n, &rev) : LTY_OK;
    if (rc)
        return rc;
    if ((rc = w->ops.begin(w->ud)))
        return rc;
    if (!read_outside && (rc = read_counter(w, &n, &rev)))
        goto fail;
    n++;
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(n >> (8 * i));
    if ((rc = w->ops.put(KS("counter"), b, 8, rev, NULL, w->ud)))
        goto fail;
    if ((rc = w->ops.commit(w->ud)))
        goto fail;
    return LTY_OK;
fail:
    w->ops.rollback(w->ud);
    return rc;
}

static void *work(void *p)
{
    worker *w = p;
    for (int i = 0; i < INCREMENTS && !w->failed; i++) {
        for (;;) {
            int rc = increment(w, i % 2);
            if (rc == LTY_OK)
                break;
            if (rc != LTY_ECONFLICT || ++w->conflicts > 1000000) {
                w->failed = rc ? rc : LTY_ESTATE;
                break;
            }
        }
    }
    return NULL;
}

START_TEST(concurrent_writers_lose_no_update)
{
    fx f;
    fx_open(&f, _i);
    worker w[WORKERS];
    pthread_t t[WORKERS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < WORKERS; i++) {
        fx_connect(&f, &w[i].ops, &w[i].ud);
        buf_init(&w[i].buf);
    }
    for (int i = 0; i < WORKERS; i++)
        REQ_INT(pthread_create(&t[i], NULL, work, &w[i]), 0);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < WORKERS; i++) {
        REQUIRE(w[i].failed == 0, "worker %d stopped with %d", i, w[i].failed);
        buf_release(&w[i].buf);
        conn_close(&w[i].ops, w[i].ud);
    }
    unsigned char want[8];
    for (int i = 0; i < 8; i++)
        want[i] = (unsigned char)((uint64_t)(WORKERS * INCREMENTS) >> (8 * i));
    get_is(&f, KS("counter"), want, 8, 0);
    fx_close(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Randomised comparison against a model                               */
/* ------------------------------------------------------------------ */

typedef struct mrec {
    unsigned char k[40], v[48];
    size_t kl, vl;
    uint64_t rev;
    int live;
} mrec;

typedef struct model {
    mrec *r; /* the key pool, sorted by key */
    size_t n;
    uint64_t seed;
} model;

static int mrec_cmp(const void *a, const void *b)
{
    const mrec *x = a, *y = b;
    return bytes_cmp(x->k, x->kl, y->k, y->kl);
}

/* Keys over a few awkward bytes (NUL, 0x7f/0x80, 0xff), many sharing
 * prefixes with each other; sorted and without duplicates. */
static void model_init(model *m, size_t want, uint64_t seed)
{
    static const unsigned char alphabet[] = {0x00, 0x01, 'a', 'b', 'c',
                                             0x7f, 0x80, 0xfe, 0xff};
    m->seed = seed;
    m->r = calloc(want, sizeof *m->r);
    REQ_PTR(m->r);
    for (size_t i = 0; i < want; i++) {
        mrec *r = &m->r[i];
        r->kl = rnd(&m->seed) % 4 ? 1 + rnd(&m->seed) % 6 : 7 + rnd(&m->seed) % 33;
        for (size_t j = 0; j < r->kl; j++)
            r->k[j] = alphabet[rnd(&m->seed) % sizeof alphabet];
    }
    qsort(m->r, want, sizeof *m->r, mrec_cmp);
    m->n = 0;
    for (size_t i = 0; i < want; i++)
        if (m->n == 0 || mrec_cmp(&m->r[m->n - 1], &m->r[i]) != 0)
            m->r[m->n++] = m->r[i];
}

static int model_matches(const mrec *r, const void *p, size_t pl, const void *a,
                         size_t al)
{
    if (!r->live || r->kl < pl || (pl && memcmp(r->k, p, pl) != 0))
        return 0;
    return al == 0 || bytes_cmp(r->k, r->kl, a, al) > 0;
}

static void check_scan_vs_model(fx *f, const model *m, const void *p, size_t pl,
                                const void *a, size_t al, size_t stop, uint64_t step)
{
    coll c = {0};
    c.stop_after = stop;
    REQ_INT(scan_into(f, &c, p, pl, a, al), LTY_OK);
    size_t j = 0;
    for (size_t i = 0; i < m->n && (stop == 0 || j < stop); i++) {
        const mrec *r = &m->r[i];
        if (!model_matches(r, p, pl, a, al))
            continue;
        REQUIRE(j < c.n, "step %llu: scan ended early", (unsigned long long)step);
        const rec *g = &c.r[j++];
        REQUIRE(g->kl == r->kl && memcmp(g->k, r->k, r->kl) == 0 &&
                    g->vl == r->vl && memcmp(g->v, r->v, r->vl) == 0 &&
                    g->rev == r->rev,
                "step %llu: scan record %zu differs from the model",
                (unsigned long long)step, j - 1);
    }
    REQUIRE(j == c.n, "step %llu: scan gave %zu records, model %zu",
            (unsigned long long)step, c.n, j);
    coll_free(&c);
}

/* An expected revision for r: right, any, none, or stale. */
static uint64_t pick_rev(model *m, const mrec *r)
{
    switch (rnd(&m->seed) % 5) {
    case 0: return LTY_REV_ANY;
    case 1: return LTY_REV_NONE;
    case 2: return m->r[rnd(&m->seed) % m->n].rev; /* someone else's */
    default: return r->live ? r->rev : LTY_REV_NONE;
    }
}

static int rev_ok(const mrec *r, uint64_t exp)
{
    if (exp == LTY_REV_ANY)
        return 1;
    return r->live ? exp == r->rev : exp == LTY_REV_NONE;
}

static void model_put(fx *f, model *m, mrec *r, uint64_t step)
{
    unsigned char v[48];
    size_t vl = rnd(&m->seed) % sizeof v;
    for (size_t i = 0; i < vl; i++)
        v[i] = (unsigned char)rnd(&m->seed);
    uint64_t exp = pick_rev(m, r), nr = 0;
    int rc = f->ops.put((const char *)r->k, r->kl, v, vl, exp, &nr, f->ud);
    int want = rev_ok(r, exp) ? LTY_OK : LTY_ECONFLICT;
    REQUIRE(rc == want, "step %llu: put gave %d, model says %d",
            (unsigned long long)step, rc, want);
    if (rc)
        return;
    REQUIRE(nr != 0 && nr != LTY_REV_ANY && (!r->live || nr != r->rev),
            "step %llu: put gave a bad new revision", (unsigned long long)step);
    memcpy(r->v, v, vl);
    r->vl = vl;
    r->rev = nr;
    r->live = 1;
}

static void model_del(fx *f, model *m, mrec *r, uint64_t step)
{
    uint64_t exp = pick_rev(m, r);
    int rc = f->ops.del((const char *)r->k, r->kl, exp, f->ud);
    int want = !r->live ? LTY_ENOTFOUND
               : (exp == LTY_REV_ANY || exp == r->rev) ? LTY_OK : LTY_ECONFLICT;
    REQUIRE(rc == want, "step %llu: del gave %d, model says %d",
            (unsigned long long)step, rc, want);
    if (rc == LTY_OK)
        r->live = 0;
}

static void model_get(fx *f, const mrec *r, uint64_t step)
{
    uint64_t rev = 0;
    int rc = f->ops.get((const char *)r->k, r->kl, &f->buf, &rev, f->ud);
    REQUIRE(rc == (r->live ? LTY_OK : LTY_ENOTFOUND),
            "step %llu: get gave %d", (unsigned long long)step, rc);
    if (rc == LTY_OK)
        REQUIRE(f->buf.len == r->vl && memcmp(f->buf.data, r->v, r->vl) == 0 &&
                    rev == r->rev,
                "step %llu: get differs from the model", (unsigned long long)step);
}

static void model_scan(fx *f, model *m, uint64_t step)
{
    const mrec *pk = &m->r[rnd(&m->seed) % m->n], *ak = &m->r[rnd(&m->seed) % m->n];
    size_t pl = rnd(&m->seed) % 4, al = rnd(&m->seed) % 2 ? ak->kl : 0;
    /* mostly short pages, as an engine reads; sometimes to the end */
    size_t stop = rnd(&m->seed) % 5 ? 1 + rnd(&m->seed) % 20 : 0;
    if (pl > pk->kl)
        pl = pk->kl;
    if (al && rnd(&m->seed) % 2)
        al = 1 + rnd(&m->seed) % al; /* a key that may not exist */
    check_scan_vs_model(f, m, pk->k, pl, ak->k, al, stop, step);
}

static void model_step(fx *f, model *m, uint64_t step)
{
    mrec *r = &m->r[rnd(&m->seed) % m->n];
    unsigned op = (unsigned)(rnd(&m->seed) % 20);
    if (op < 8)
        model_put(f, m, r, step);
    else if (op < 11)
        model_del(f, m, r, step);
    else if (op < 17)
        model_get(f, r, step);
    else
        model_scan(f, m, step);
}

static void run_model(int backend, size_t keys, uint64_t steps, uint64_t seed)
{
    fx f;
    model m;
    fx_open(&f, backend);
    model_init(&m, keys, seed);
    mrec *saved = malloc(m.n * sizeof *saved);
    REQ_PTR(saved);
    for (uint64_t step = 0, txn = 0; step < steps; txn++) {
        int in_txn = rnd(&m.seed) % 4 != 0;
        if (in_txn) {
            REQ_INT(f.ops.begin(f.ud), LTY_OK);
            memcpy(saved, m.r, m.n * sizeof *saved);
        }
        for (unsigned n = 1 + (unsigned)(rnd(&m.seed) % 24); n > 0; n--)
            model_step(&f, &m, step++);
        if (in_txn && rnd(&m.seed) % 5 == 0) {
            REQ_INT(f.ops.rollback(f.ud), LTY_OK);
            memcpy(m.r, saved, m.n * sizeof *saved);
        } else if (in_txn) {
            REQ_INT(f.ops.commit(f.ud), LTY_OK);
        }
        if (txn % 16 == 0)
            check_scan_vs_model(&f, &m, NULL, 0, NULL, 0, 0, step);
    }
    check_scan_vs_model(&f, &m, NULL, 0, NULL, 0, 0, steps);
    free(saved);
    free(m.r);
    fx_close(&f);
}

START_TEST(random_operations_match_a_model_few_keys)
{
    run_model(_i, 48, 6000, 0x9e3779b97f4a7c15u);
}
END_TEST

START_TEST(random_operations_match_a_model_many_keys)
{
    run_model(_i, 5000, 40000, 0xd1b54a32d192ed03u);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The suite                                                           */
/* ------------------------------------------------------------------ */

static TCase *group(Suite *s, const char *name, double timeout)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, timeout);
    suite_add_tcase(s, tc);
    return tc;
}

#define ADD(tc, t) tcase_add_loop_test(tc, t, i, i + 1)

Suite *lty_conformance_suite(const lty_conformance_backend *b)
{
    static char names[MAX_BACKENDS][64];
    if (!b || nregistered == MAX_BACKENDS)
        return NULL;
    int i = nregistered++;
    registry[i] = *b;
    snprintf(names[i], sizeof names[i], "conformance %s", b->name ? b->name : "?");
    Suite *s = suite_create(names[i]);

    TCase *tc = group(s, "records", 120);
    ADD(tc, get_of_a_missing_key_is_notfound);
    ADD(tc, put_and_get_round_trip_any_bytes);
    ADD(tc, values_of_every_size_round_trip);
    ADD(tc, revisions_change_on_every_write_and_are_never_reused);
    ADD(tc, put_expecting_none_on_an_existing_key_conflicts);
    ADD(tc, put_with_a_stale_revision_conflicts);
    ADD(tc, rev_any_writes_whatever_is_there);
    ADD(tc, del_checks_existence_and_revision);

    tc = group(s, "scan", 60);
    ADD(tc, scan_returns_keys_in_byte_order);
    ADD(tc, scan_filters_by_prefix);
    ADD(tc, scan_resumes_strictly_after);
    ADD(tc, scan_pages_with_stop_and_after);
    ADD(tc, scan_stops_early_on_request);
    ADD(tc, scan_passes_the_callbacks_error_back);

    tc = group(s, "transactions", 120);
    ADD(tc, transactions_read_their_own_writes);
    ADD(tc, rollback_restores_contents_and_revisions_exactly);
    ADD(tc, commit_makes_writes_visible_to_other_connections);
    ADD(tc, rolled_back_writes_are_never_seen_by_others);
    ADD(tc, destroy_discards_an_open_transaction_and_releases);

    tc = group(s, "concurrency", 300);
    ADD(tc, concurrent_writers_lose_no_update);

    tc = group(s, "model", 600);
    ADD(tc, random_operations_match_a_model_few_keys);
    ADD(tc, random_operations_match_a_model_many_keys);
    return s;
}
