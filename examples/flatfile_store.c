/*
 * libloyalty example - backing the engine with your own storage: a flat
 * file.
 *
 * The engine keeps everything as records in one ordered key-value space
 * and reaches it through the callbacks of lty_storage_ops (storage.h,
 * docs/guide/storage.md).  To put libloyalty on your own database you
 * write those callbacks; this is the smallest honest one:
 *
 *   - at connect, the file is loaded into a table sorted by key (bytes,
 *     memcmp order, shorter first), each record with its revision;
 *   - a transaction is buffered: a write goes to the record's "pending"
 *     version, reads and scans see pending versions (their own writes),
 *     rollback drops them;
 *   - commit writes the whole table to a temporary file, fsyncs it and
 *     rename()s it over the old one: the file is always either the old or
 *     the new state, never half of each, even if the machine dies;
 *   - revisions come from a store-wide counter kept in the file, so a
 *     revision is never reused for a key, even across restarts;
 *   - put and del check the revision the engine read (LTY_ECONFLICT when
 *     it differs), scans deliver a prefix in key order after a resume key.
 *
 * With SQL the same shape is a table (key BLOB PRIMARY KEY, value BLOB,
 * rev INTEGER), a counter row for revisions, "UPDATE ... WHERE key=? AND
 * rev=?" for the check, and "SELECT ... WHERE key > ? AND key >= prefix
 * ORDER BY key" for scans.  A real backend writes only what changed and
 * lets several processes in (returning LTY_ECONFLICT when another won);
 * this one rewrites the file and is for one connection at a time.  The
 * conformance suite in tests/conformance proves a backend.
 *
 * The story: a small shop runs the engine on the file, closes, reopens,
 * and everything is still there; lty_verify() finds no mismatch.
 *
 * `make check` runs it: it exits non-zero unless the facts it prints hold.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, fsync, fileno */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <loyalty.h>

/* ------------------------------------------------------------------ */
/* The backend                                                          */
/* ------------------------------------------------------------------ */

typedef struct ff_version {     /* one state of a record */
    unsigned char *val;
    size_t len;
    uint64_t rev;               /* 0: the record does not exist */
} ff_version;

typedef struct ff_rec {
    char *key;
    size_t klen;
    ff_version committed, pending;
    int dirty;                  /* pending is this transaction's */
} ff_rec;

typedef struct ff_store {
    char path[4096];
    ff_rec *recs;               /* sorted by key */
    size_t n, cap;
    uint64_t last_rev;          /* the store-wide revision counter */
    int in_txn, txn_wrote;
    char err[160];              /* never quotes record contents */
} ff_store;

static int keycmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* Index of the first record not below the key; *found when it is it. */
static size_t ff_find(const ff_store *s, const char *k, size_t kl, int *found)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keycmp(s->recs[mid].key, s->recs[mid].klen, k, kl) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < s->n && keycmp(s->recs[lo].key, s->recs[lo].klen, k, kl) == 0;
    return lo;
}

static const ff_version *visible(const ff_rec *r)
{
    return r->dirty ? &r->pending : &r->committed;
}

/* Drop the records that do not exist in the committed state. */
static void ff_compact(ff_store *s)
{
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->recs[i].committed.rev)
            s->recs[w++] = s->recs[i];
        else
            free(s->recs[i].key);
    }
    s->n = w;
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* File: "LTYFLAT1", last revision, count, then per record its revision,
 * key length, value length, key and value (integers little-endian). */
static int ff_write(ff_store *s)
{
    char tmp[4200];
    unsigned char h[24];
    size_t live = 0;
    snprintf(tmp, sizeof tmp, "%s.tmp", s->path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        goto fail;
    for (size_t i = 0; i < s->n; i++)
        live += visible(&s->recs[i])->rev != 0;
    memcpy(h, "LTYFLAT1", 8);
    put64(h + 8, s->last_rev);
    put64(h + 16, live);
    int ok = fwrite(h, 1, 24, f) == 24;
    for (size_t i = 0; ok && i < s->n; i++) {
        const ff_version *v = visible(&s->recs[i]);
        if (!v->rev)
            continue;
        put64(h, v->rev);
        put64(h + 8, s->recs[i].klen);
        put64(h + 16, v->len);
        ok = fwrite(h, 1, 24, f) == 24 &&
             fwrite(s->recs[i].key, 1, s->recs[i].klen, f) == s->recs[i].klen &&
             fwrite(v->val, 1, v->len, f) == v->len;
    }
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (fclose(f) != 0 || !ok || rename(tmp, s->path) != 0) {
        remove(tmp);
        goto fail;
    }
    return LTY_OK; /* (a production backend also fsyncs the directory) */
fail:
    snprintf(s->err, sizeof s->err, "flat file: cannot write the new state");
    return LTY_ESTORAGE;
}

static int ff_begin(void *u)
{
    ff_store *s = u;
    if (s->in_txn)
        return LTY_ESTORAGE; /* the engine never nests */
    s->in_txn = 1;
    s->txn_wrote = 0;
    return LTY_OK;
}

/* End the transaction: keep (commit) or drop the pending versions. */
static void ff_settle(ff_store *s, int keep)
{
    for (size_t i = 0; i < s->n; i++) {
        ff_rec *r = &s->recs[i];
        if (!r->dirty)
            continue;
        ff_version *gone = keep ? &r->committed : &r->pending;
        free(gone->val);
        if (keep)
            r->committed = r->pending;
        r->dirty = 0;
    }
    ff_compact(s);
    s->in_txn = 0;
}

static int ff_commit(void *u)
{
    ff_store *s = u;
    int rc = s->txn_wrote ? ff_write(s) : LTY_OK;
    if (rc == LTY_OK)
        ff_settle(s, 1); /* else the engine calls rollback */
    return rc;
}

static int ff_rollback(void *u)
{
    ff_settle(u, 0);
    return LTY_OK;
}

static int ff_get(const char *k, size_t kl, lty_buf *value, uint64_t *rev,
                  void *u)
{
    int found;
    ff_store *s = u;
    size_t i = ff_find(s, k, kl, &found);
    if (!found || !visible(&s->recs[i])->rev)
        return LTY_ENOTFOUND;
    *rev = visible(&s->recs[i])->rev;
    return lty_buf_set(value, visible(&s->recs[i])->val,
                       visible(&s->recs[i])->len);
}

/* Room for one more record. */
static int ff_grow(ff_store *s)
{
    if (s->n < s->cap)
        return LTY_OK;
    size_t cap = s->cap ? 2 * s->cap : 64;
    ff_rec *g = realloc(s->recs, cap * sizeof *g);
    if (!g)
        return LTY_ENOMEM;
    s->recs = g;
    s->cap = cap;
    return LTY_OK;
}

/* Set the pending version of a key (del: it no longer exists).  The
 * engine writes only inside transactions. */
static int ff_change(ff_store *s, const char *k, size_t kl, const void *val,
                     size_t len, uint64_t expected, int del, uint64_t *new_rev)
{
    int found;
    size_t i = ff_find(s, k, kl, &found);
    uint64_t cur = found ? visible(&s->recs[i])->rev : 0;
    if (!s->in_txn)
        return LTY_ESTORAGE;
    if (del && !cur)
        return LTY_ENOTFOUND;
    if (expected != LTY_REV_ANY && expected != cur)
        return LTY_ECONFLICT;
    unsigned char *copy = len ? malloc(len) : NULL;
    char *key = found ? NULL : malloc(kl);
    if ((len && !copy) || (!found && (!key || ff_grow(s) != LTY_OK))) {
        free(copy);
        free(key);
        return LTY_ENOMEM;
    }
    if (!found) { /* a new key: a slot that does not exist committed */
        memmove(&s->recs[i + 1], &s->recs[i], (s->n++ - i) * sizeof *s->recs);
        memcpy(key, k, kl);
        s->recs[i] = (ff_rec){key, kl, {NULL, 0, 0}, {NULL, 0, 0}, 0};
    }
    ff_rec *r = &s->recs[i];
    if (r->dirty)
        free(r->pending.val);
    if (len)
        memcpy(copy, val, len);
    r->pending = (ff_version){copy, len, del ? 0 : ++s->last_rev};
    r->dirty = 1;
    s->txn_wrote = 1;
    if (new_rev)
        *new_rev = r->pending.rev;
    return LTY_OK;
}

static int ff_put(const char *k, size_t kl, const void *v, size_t len,
                  uint64_t expected, uint64_t *new_rev, void *u)
{
    return ff_change(u, k, kl, v, len, expected, 0, new_rev);
}

static int ff_del(const char *k, size_t kl, uint64_t expected, void *u)
{
    return ff_change(u, k, kl, NULL, 0, expected, 1, NULL);
}

static int ff_scan(const char *prefix, size_t pl, const char *after, size_t al,
                   lty_scan_fn each, void *ctx, void *u)
{
    ff_store *s = u;
    int found;
    size_t i = ff_find(s, prefix, pl, &found);
    if (al && keycmp(after, al, prefix, pl) >= 0) {
        i = ff_find(s, after, al, &found);
        i += found; /* strictly after */
    }
    for (; i < s->n; i++) {
        const ff_rec *r = &s->recs[i];
        if (r->klen < pl || memcmp(r->key, prefix, pl) != 0)
            break; /* past the prefix: sorted, so done */
        if (!visible(r)->rev)
            continue;
        int rc = each(r->key, r->klen, visible(r)->val, visible(r)->len,
                      visible(r)->rev, ctx);
        if (rc)
            return rc < 0 ? rc : LTY_OK;
    }
    return LTY_OK;
}

static const char *ff_errmsg(void *u)
{
    ff_store *s = u;
    return s->err[0] ? s->err : NULL;
}

static void ff_destroy(void *u)
{
    ff_store *s = u;
    if (s->in_txn)
        ff_settle(s, 0);
    for (size_t i = 0; i < s->n; i++) {
        free(s->recs[i].key);
        free(s->recs[i].committed.val);
    }
    free(s->recs);
    free(s);
}

/* Read the file into the table; a missing file is an empty store.  The
 * file is untrusted: every length and the key order are checked. */
static int ff_load(ff_store *s)
{
    unsigned char h[24] = {0};
    FILE *f = fopen(s->path, "rb");
    if (!f)
        return LTY_OK;
    int rc = fread(h, 1, 24, f) == 24 && memcmp(h, "LTYFLAT1", 8) == 0
                 ? LTY_OK : LTY_ECORRUPT;
    s->last_rev = get64(h + 8);
    for (uint64_t i = 0, n = get64(h + 16); rc == LTY_OK && i < n; i++) {
        ff_rec r = {NULL, 0, {NULL, 0, 0}, {NULL, 0, 0}, 0};
        rc = fread(h, 1, 24, f) == 24 ? LTY_OK : LTY_ECORRUPT;
        r.committed.rev = get64(h);
        r.klen = (size_t)get64(h + 8);
        r.committed.len = (size_t)get64(h + 16);
        if (rc || !r.committed.rev || r.committed.rev > s->last_rev ||
            !r.klen || r.klen > LTY_KEY_MAX || r.committed.len > LTY_VALUE_MAX)
            rc = LTY_ECORRUPT;
        else if (!(r.key = malloc(r.klen)) ||
                 !(r.committed.val = malloc(r.committed.len + 1)) ||
                 ff_grow(s) != LTY_OK)
            rc = LTY_ENOMEM;
        else if (fread(r.key, 1, r.klen, f) != r.klen ||
                 fread(r.committed.val, 1, r.committed.len, f) !=
                     r.committed.len ||
                 (s->n && keycmp(s->recs[s->n - 1].key, s->recs[s->n - 1].klen,
                                 r.key, r.klen) >= 0))
            rc = LTY_ECORRUPT;
        if (rc) {
            free(r.key);
            free(r.committed.val);
            snprintf(s->err, sizeof s->err, "flat file: record %llu: %s",
                     (unsigned long long)i, lty_strerror(rc));
        } else {
            s->recs[s->n++] = r;
        }
    }
    if (rc == LTY_OK && fgetc(f) != EOF)
        rc = LTY_ECORRUPT; /* bytes after the last record */
    fclose(f);
    return rc;
}

/* Connect: the ops table for lty_engine_options and the connection. */
static int ff_connect(const char *path, lty_storage_ops *ops, void **conn)
{
    static const lty_storage_ops table = {
        LTY_STORAGE_OPS_VERSION, ff_begin, ff_commit, ff_rollback, ff_get,
        ff_put, ff_del, ff_scan, ff_errmsg, ff_destroy, NULL};
    ff_store *s = calloc(1, sizeof *s);
    if (!s)
        return LTY_ENOMEM;
    snprintf(s->path, sizeof s->path, "%s", path);
    int rc = ff_load(s);
    if (rc != LTY_OK) {
        fprintf(stderr, "%s\n", s->err);
        ff_destroy(s);
        return rc;
    }
    *ops = table;
    *conn = s;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The shop, on the file                                                */
/* ------------------------------------------------------------------ */

#define TRY(call)                                                          \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_ != LTY_OK) {                                               \
            fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__,    \
                    #call, lty_strerror(rc_), lty_engine_last_error(e));   \
            exit(EXIT_FAILURE);                                            \
        }                                                                  \
    } while (0)

/* Monday 2026-03-02, 10:00 in Seoul. */
#define MONDAY_10AM INT64_C(1772413200)

static int failures;

static void expect(int ok, const char *fact)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", fact);
        failures++;
    }
}

static int64_t shop_clock(void *userdata)
{
    return *(const int64_t *)userdata;
}

static lty_engine *open_engine(const char *path, int64_t *now)
{
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    TRY(ff_connect(path, &ops, &conn));
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = conn;
    o.clock = shop_clock;
    o.clock_userdata = now;
    o.utc_offset_minutes = 540;
    int rc = lty_engine_new(&e, &o);
    if (rc != LTY_OK) {
        ff_destroy(conn); /* still ours when lty_engine_new fails */
        TRY(rc);
    }
    return e;
}

/* Counts records and the highest revision, through the scan callback. */
static int tally(const char *k, size_t kl, const void *v, size_t len,
                 uint64_t rev, void *ctx)
{
    uint64_t *t = ctx;
    (void)k, (void)kl, (void)v, (void)len;
    t[0]++;
    if (rev > t[1])
        t[1] = rev;
    return LTY_OK;
}

static void buy(lty_engine *e, const char *id, const char *who, int64_t won)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = id;
    ev.customer_id = who;
    ev.amount = won;
    ev.item = "coffee beans";
    TRY(lty_record(e, &ev, NULL));
}

int main(void)
{
    char dir[4096], path[4200];
    const char *tmp = getenv("TMPDIR");
    int64_t now = MONDAY_10AM;
    snprintf(dir, sizeof dir, "%s/lty-flat-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("flatfile_store: mkdtemp");
        return EXIT_FAILURE;
    }
    snprintf(path, sizeof path, "%s/shop.lty", dir);
    printf("libloyalty %s: the engine on a flat file (%s)\n\n",
           lty_version(NULL, NULL, NULL), path);

    /* Day 1: a stamp card, two customers, purchases, a refund. */
    lty_engine *e = open_engine(path, &now);
    static const lty_earn_rule earn[] = {{LTY_EARN_PER_AMOUNT, 1000, 1, NULL}};
    static const lty_tier tiers[] = {{"Member", 0, 100, 0, NULL,
                                      (lty_reward_kind)0, 0, 0}};
    lty_program_def def = LTY_PROGRAM_DEF_INIT;
    def.id = "beans";
    def.name = "Bean points";
    def.kind = LTY_PROGRAM_STARS;
    def.rules = earn;
    def.rule_count = 1;
    def.tiers = tiers;
    def.tier_count = 1;
    TRY(lty_program_define(e, &def));
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.set = LTY_FIELD_NAME;
    f.id = "c-1";
    f.name = "Yoon Seojin";
    TRY(lty_customer_create(e, &f));
    f.id = "c-2";
    f.name = "Kang Doyun";
    TRY(lty_customer_create(e, &f));
    buy(e, "sale-1", "c-1", 18000);
    buy(e, "sale-2", "c-1", 24000);
    buy(e, "sale-3", "c-2", 9000);
    lty_event refund = LTY_EVENT_INIT;
    refund.type = LTY_EVENT_REFUND;
    refund.id = "sale-2/refund";
    refund.customer_id = "c-1";
    refund.amount = 4000;
    refund.refund_of = "sale-2";
    TRY(lty_record(e, &refund, NULL));
    /* A failing call leaves nothing behind: the transaction rolls back. */
    int rc = lty_customer_create(e, &f);
    expect(rc == LTY_EEXISTS, "creating c-2 again is refused");
    lty_storage_ops ops;
    void *conn;
    uint64_t before[2] = {0, 0}, after[2] = {0, 0};
    TRY(ff_connect(path, &ops, &conn)); /* a look at the file as committed */
    rc = ops.scan("", 0, NULL, 0, tally, before, conn);
    ff_destroy(conn);
    expect(rc == LTY_OK, "the committed file scans in key order");
    lty_engine_free(e); /* closes the file's connection */
    printf("Day 1 written: %llu records, revisions up to %llu\n",
           (unsigned long long)before[0], (unsigned long long)before[1]);

    /* Day 2: a new process opens the file. */
    now += 86400;
    e = open_engine(path, &now);
    lty_customer *c = NULL;
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    TRY(lty_customer_get(e, "c-1", &c));
    TRY(lty_customer_stats_get(c, &st));
    printf("Reopened: %s has %lld purchases, %lld won net\n",
           lty_customer_name(c), (long long)st.purchases,
           (long long)st.net_spend);
    expect(st.purchases == 2 && st.net_spend == 38000 && st.refunds == 1,
           "c-1's purchases and refund survived the restart");
    lty_customer_free(c);
    lty_program_status ps = LTY_PROGRAM_STATUS_INIT;
    TRY(lty_program_status_get(e, "c-1", "beans", &ps));
    expect(ps.balance == 38, "c-1's 38 bean points survived");
    size_t mismatches = 99;
    TRY(lty_verify(e, &mismatches, NULL, NULL));
    expect(mismatches == 0, "lty_verify finds every aggregate consistent");

    buy(e, "sale-4", "c-2", 12000); /* and the engine goes on writing */
    lty_engine_free(e);
    e = NULL;
    TRY(ff_connect(path, &ops, &conn));
    rc = ops.scan("", 0, NULL, 0, tally, after, conn);
    ff_destroy(conn);
    expect(rc == LTY_OK, "the file scans again after day 2");
    printf("Day 2 written: %llu records, revisions up to %llu\n",
           (unsigned long long)after[0], (unsigned long long)after[1]);
    expect(after[0] > before[0] && after[1] > before[1],
           "new writes after the restart get new, higher revisions");

    remove(path);
    expect(rmdir(dir) == 0, "nothing but the file was left in the directory");
    if (failures) {
        fprintf(stderr, "flatfile_store: %d fact(s) did not hold\n", failures);
        return EXIT_FAILURE;
    }
    printf("\nOK: the store survived a restart, verified clean\n");
    return EXIT_SUCCESS;
}
