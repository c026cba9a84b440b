/*
 * libloyalty example - a storage backend over a flat file (the backend;
 * examples/flatfile_store.c runs the engine on it).
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
 *     it differs), scans deliver a prefix in key order after a resume key;
 *   - a write outside a transaction is a transaction of its own.
 *
 * With SQL the same shape is a table (key BLOB PRIMARY KEY, value BLOB,
 * rev INTEGER), a counter row for revisions, "UPDATE ... WHERE key=? AND
 * rev=?" for the check, and "SELECT ... WHERE key > ? AND key >= prefix
 * ORDER BY key" for scans.  A real backend writes only what changed and
 * lets several connections in, returning LTY_ECONFLICT when another won.
 * This one rewrites the file at each commit and is for ONE connection per
 * file at a time: a second connection works on its own copy and never
 * sees the first's commits.  Against the conformance suite of
 * tests/conformance it passes everything but the two tests of several
 * connections (visibility to another connection, concurrent writers).
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* fsync, fileno */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flatfile_backend.h"

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

/* Set the pending version of a key (del: it no longer exists). */
static int ff_change(ff_store *s, const char *k, size_t kl, const void *val,
                     size_t len, uint64_t expected, int del, uint64_t *new_rev)
{
    int found;
    size_t i = ff_find(s, k, kl, &found);
    uint64_t cur = found ? visible(&s->recs[i])->rev : 0;
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

/* A write outside a transaction is a transaction of its own. */
static int ff_write_one(ff_store *s, const char *k, size_t kl, const void *v,
                        size_t len, uint64_t exp, int del, uint64_t *new_rev)
{
    if (s->in_txn)
        return ff_change(s, k, kl, v, len, exp, del, new_rev);
    ff_begin(s);
    int rc = ff_change(s, k, kl, v, len, exp, del, new_rev);
    if (rc == LTY_OK)
        rc = ff_commit(s);
    if (rc != LTY_OK)
        ff_rollback(s);
    return rc;
}

static int ff_put(const char *k, size_t kl, const void *v, size_t len,
                  uint64_t expected, uint64_t *new_rev, void *u)
{
    return ff_write_one(u, k, kl, v, len, expected, 0, new_rev);
}

static int ff_del(const char *k, size_t kl, uint64_t expected, void *u)
{
    return ff_write_one(u, k, kl, NULL, 0, expected, 1, NULL);
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

void flatfile_close(void *u)
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

int flatfile_connect(const char *path, lty_storage_ops *ops, void **conn)
{
    static const lty_storage_ops table = {
        LTY_STORAGE_OPS_VERSION, ff_begin, ff_commit, ff_rollback, ff_get,
        ff_put, ff_del, ff_scan, ff_errmsg, flatfile_close, NULL};
    ff_store *s = calloc(1, sizeof *s);
    if (!s)
        return LTY_ENOMEM;
    snprintf(s->path, sizeof s->path, "%s", path);
    int rc = ff_load(s);
    if (rc != LTY_OK) {
        fprintf(stderr, "%s\n", s->err);
        flatfile_close(s);
        return rc;
    }
    *ops = table;
    *conn = s;
    return LTY_OK;
}
