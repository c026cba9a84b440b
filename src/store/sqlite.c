/*
 * libloyalty - the SQLite storage backend.
 *
 * SPDX-License-Identifier: MIT
 */
/*
 * Design, and why:
 *
 * - One SQLite connection per engine (per lty_sqlite_open()), or the host's
 *   own handle (lty_sqlite_wrap()), which is then never closed here.  Every
 *   statement is prepared once per connection and kept; each use binds,
 *   steps and resets it at once, so no statement is left holding a read
 *   snapshot between calls.
 *
 * - Records live in lty_records (key BLOB PRIMARY KEY, value BLOB NOT
 *   NULL, rev INTEGER NOT NULL) WITHOUT ROWID: the table is the primary-key
 *   B-tree, so a point read is one tree descent and a scan walks the tree in
 *   key order.  SQLite compares BLOBs with memcmp, shorter first on a common
 *   prefix: exactly the contract's key order.  Keys and values are always
 *   bound as BLOBs (an empty value as a zero-length BLOB, never NULL).
 *
 * - Revisions come from a store-wide counter, the 'revision' row of
 *   lty_meta.  A writing transaction holds the file's write lock from its
 *   BEGIN IMMEDIATE to its end, so the counter is read once, at the first
 *   write of the transaction, handed out from memory (last + 1 for every
 *   put) and written back once, just before COMMIT.  Revisions are thus
 *   non-zero, increase with every write and are never handed out twice by
 *   committed transactions; a rolled-back transaction's revisions may be
 *   handed out again, which is harmless because nothing that saw them
 *   survives the rollback.  A write outside a transaction runs in a
 *   transaction of its own.
 *
 * - Revision checks are in the SQL: LTY_REV_NONE is INSERT OR IGNORE, an
 *   expected revision UPDATE ... WHERE key = ? AND rev = ?, LTY_REV_ANY
 *   INSERT OR REPLACE; no row changed means LTY_ECONFLICT, which is not an
 *   SQL error and leaves the transaction usable.  A delete that changed
 *   nothing looks the key up to tell LTY_ECONFLICT from LTY_ENOTFOUND.
 *
 * - begin is BEGIN IMMEDIATE: the engine only opens transactions for calls
 *   that may write, and taking the write lock up front means two writers
 *   never both hold read snapshots and then deadlock on the upgrade.  WAL
 *   mode lets readers (calls outside transactions, which run in autocommit)
 *   go on while one writer works.  The busy timeout makes a writer wait for
 *   the lock; SQLITE_BUSY or SQLITE_LOCKED after it is LTY_ECONFLICT, which
 *   the engine retries from the start.
 *
 * - Some errors (I/O, full disk, out of memory) make SQLite roll the
 *   transaction back by itself.  Every call inside a transaction therefore
 *   checks that SQLite still has one open (sqlite3_get_autocommit) and
 *   fails with LTY_ESTORAGE rather than run the rest of the engine call in
 *   autocommit; rollback() then only ends the transaction's bookkeeping.
 *
 * - Scans bind the range [max(prefix, after + "\0"), successor(prefix)),
 *   which the primary key serves, and call the callback row by row while
 *   the statement steps (the callback must not call into this connection).
 *   Outside a transaction the one SELECT is its own read transaction, so a
 *   scan sees one consistent snapshot.
 *
 * - Error text is sqlite3_errmsg() with what was being done; SQLite's
 *   messages name tables and constraints, never the bound values.
 */
#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <loyalty/sqlite.h>

enum {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_GET,
    S_INSERT,
    S_UPDATE,
    S_REPLACE,
    S_DELETE,
    S_DELETE_REV,
    S_EXISTS,
    S_REV_GET,
    S_REV_SET,
    S_SCAN_FROM,
    S_SCAN_RANGE,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT value, rev FROM lty_records WHERE key = ?1",
    "INSERT OR IGNORE INTO lty_records (key, value, rev) VALUES (?1, ?2, ?3)",
    "UPDATE lty_records SET value = ?2, rev = ?3 WHERE key = ?1 AND rev = ?4",
    "INSERT OR REPLACE INTO lty_records (key, value, rev) VALUES (?1, ?2, ?3)",
    "DELETE FROM lty_records WHERE key = ?1",
    "DELETE FROM lty_records WHERE key = ?1 AND rev = ?2",
    "SELECT 1 FROM lty_records WHERE key = ?1",
    "SELECT value FROM lty_meta WHERE name = 'revision'",
    "UPDATE lty_meta SET value = ?1 WHERE name = 'revision'",
    "SELECT key, value, rev FROM lty_records WHERE key >= ?1 ORDER BY key",
    "SELECT key, value, rev FROM lty_records WHERE key >= ?1 AND key < ?2 "
    "ORDER BY key"};

typedef struct sqconn {
    sqlite3 *db;
    int owned;       /* opened here: destroy closes it */
    int in_txn;      /* a transaction begun by begin() is open */
    int rev_loaded;  /* rev holds the counter of this transaction */
    int rev_dirty;   /* ... and must be written back before COMMIT */
    int64_t rev;     /* the last revision handed out */
    int busy_ms;     /* the busy timeout */
    struct timespec busy_since; /* when the current wait for a lock began */
    sqlite3_stmt *st[S_COUNT];
    char err[384];
    unsigned char lo[LTY_KEY_MAX + 1]; /* scan bounds */
    unsigned char hi[LTY_KEY_MAX];
} sqconn;

static _Thread_local char open_err[384];

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

static void set_err(sqconn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_err(sqconn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

static int map_code(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return LTY_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return LTY_ECONFLICT;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return LTY_ECORRUPT;
    case SQLITE_NOMEM:
        return LTY_ENOMEM;
    default:
        return LTY_ESTORAGE;
    }
}

/* Record SQLite's failure rc (of statement s, which is reset; may be NULL)
 * and return the code it maps to. */
static int fail(sqconn *c, int rc, sqlite3_stmt *s, const char *what)
{
    set_err(c, "sqlite: %s: %s", what, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    if (s)
        sqlite3_reset(s);
    int code = map_code(rc);
    return code == LTY_OK ? LTY_ESTORAGE : code;
}

/* Step a statement that returns no rows, and reset it. */
static int exec_stmt(sqconn *c, int i, const char *what)
{
    sqlite3_stmt *s = c->st[i];
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        return fail(c, rc, s, what);
    sqlite3_reset(s);
    return LTY_OK;
}

/* Inside a transaction: fail when SQLite has rolled it back by itself. */
static int txn_alive(sqconn *c)
{
    if (c->in_txn && sqlite3_get_autocommit(c->db)) {
        set_err(c, "sqlite: the transaction was rolled back by SQLite after an earlier error");
        return LTY_ESTORAGE;
    }
    return LTY_OK;
}

static int check_key(sqconn *c, const char *key, size_t keylen)
{
    if (!key || keylen == 0 || keylen > LTY_KEY_MAX) {
        set_err(c, "sqlite: invalid key length %zu", key ? keylen : (size_t)0);
        return LTY_EINVALID;
    }
    return LTY_OK;
}

/*
 * SQLite's own busy handler sleeps in steps of 1 to 100 ms, so with several
 * writers queueing for the lock most of the time goes to sleeping after the
 * lock is free again.  This one polls in short, growing steps (50 us up to
 * 2 ms) until the busy timeout has passed since the wait began.
 */
static int busy_wait(void *ud, int count)
{
    sqconn *c = ud;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0)
        c->busy_since = now;
    long long waited_us = (long long)(now.tv_sec - c->busy_since.tv_sec) * 1000000 +
                          (now.tv_nsec - c->busy_since.tv_nsec) / 1000;
    if (waited_us >= (long long)c->busy_ms * 1000)
        return 0; /* give up: SQLITE_BUSY */
    long step_us = count < 6 ? 50L << count : 2000;
    struct timespec d = {0, step_us * 1000};
    nanosleep(&d, NULL);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Transactions                                                        */
/* ------------------------------------------------------------------ */

static int sq_begin(void *ud)
{
    sqconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    if (c->in_txn || !sqlite3_get_autocommit(c->db)) {
        set_err(c, "sqlite: begin: a transaction is already open");
        return LTY_ESTATE;
    }
    int rc = exec_stmt(c, S_BEGIN, "begin");
    if (rc)
        return rc;
    c->in_txn = 1;
    c->rev_loaded = 0;
    c->rev_dirty = 0;
    return LTY_OK;
}

static int sq_commit(void *ud)
{
    sqconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    if (!c->in_txn) {
        set_err(c, "sqlite: commit: no transaction is open");
        return LTY_ESTATE;
    }
    int rc = txn_alive(c);
    if (rc)
        return rc;
    if (c->rev_dirty) {
        sqlite3_stmt *s = c->st[S_REV_SET];
        sqlite3_bind_int64(s, 1, c->rev);
        if ((rc = exec_stmt(c, S_REV_SET, "commit")))
            return rc;
        if (sqlite3_changes(c->db) != 1) {
            set_err(c, "sqlite: commit: the revision counter of lty_meta is missing");
            return LTY_ECORRUPT;
        }
        c->rev_dirty = 0;
    }
    if ((rc = exec_stmt(c, S_COMMIT, "commit")))
        return rc; /* still open: rollback() ends it */
    c->in_txn = 0;
    c->rev_loaded = 0;
    return LTY_OK;
}

static int sq_rollback(void *ud)
{
    sqconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    if (!c->in_txn) {
        set_err(c, "sqlite: rollback: no transaction is open");
        return LTY_ESTATE;
    }
    c->in_txn = 0;
    c->rev_loaded = 0;
    c->rev_dirty = 0;
    if (sqlite3_get_autocommit(c->db))
        return LTY_OK; /* SQLite already rolled it back */
    int rc = exec_stmt(c, S_ROLLBACK, "rollback");
    if (rc && !sqlite3_get_autocommit(c->db)) {
        /* try once more without the cached statement */
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        if (!sqlite3_get_autocommit(c->db))
            return rc;
    }
    return LTY_OK;
}

/* The next revision of this transaction. */
static int next_rev(sqconn *c, int64_t *out)
{
    if (!c->rev_loaded) {
        sqlite3_stmt *s = c->st[S_REV_GET];
        int rc = sqlite3_step(s);
        if (rc != SQLITE_ROW) {
            if (rc != SQLITE_DONE)
                return fail(c, rc, s, "reading the revision counter");
            sqlite3_reset(s);
            set_err(c, "sqlite: the revision counter of lty_meta is missing");
            return LTY_ECORRUPT;
        }
        int type = sqlite3_column_type(s, 0);
        int64_t v = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        if (type != SQLITE_INTEGER || v < 0) {
            set_err(c, "sqlite: the revision counter of lty_meta is malformed");
            return LTY_ECORRUPT;
        }
        c->rev = v;
        c->rev_loaded = 1;
    }
    if (c->rev == INT64_MAX) {
        set_err(c, "sqlite: the revision counter is exhausted");
        return LTY_ESTORAGE;
    }
    *out = ++c->rev;
    c->rev_dirty = 1;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

static int sq_get(const char *key, size_t keylen, lty_buf *value,
                  uint64_t *rev, void *ud)
{
    sqconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    int rc = check_key(c, key, keylen);
    if (rc || (rc = txn_alive(c)))
        return rc;
    sqlite3_stmt *s = c->st[S_GET];
    sqlite3_bind_blob(s, 1, key, (int)keylen, SQLITE_STATIC);
    int src = sqlite3_step(s);
    if (src == SQLITE_DONE) {
        sqlite3_reset(s);
        return LTY_ENOTFOUND;
    }
    if (src != SQLITE_ROW)
        return fail(c, src, s, "get");
    if (sqlite3_column_type(s, 0) != SQLITE_BLOB ||
        sqlite3_column_type(s, 1) != SQLITE_INTEGER ||
        sqlite3_column_int64(s, 1) <= 0) {
        sqlite3_reset(s);
        set_err(c, "sqlite: get: malformed record in lty_records");
        return LTY_ECORRUPT;
    }
    uint64_t r = (uint64_t)sqlite3_column_int64(s, 1);
    if (value) {
        const void *v = sqlite3_column_blob(s, 0);
        int n = sqlite3_column_bytes(s, 0);
        if (!v && n > 0) {
            sqlite3_reset(s);
            set_err(c, "sqlite: get: out of memory");
            return LTY_ENOMEM;
        }
        rc = lty_buf_set(value, v, (size_t)n);
        if (rc)
            set_err(c, "sqlite: get: cannot copy the value");
    }
    sqlite3_reset(s);
    if (rc == LTY_OK && rev)
        *rev = r;
    return rc;
}

/* put within an open transaction. */
static int put_in_txn(sqconn *c, const char *key, size_t keylen,
                      const void *value, size_t len, uint64_t expected_rev,
                      uint64_t *new_rev)
{
    int64_t r = 0;
    int rc = next_rev(c, &r);
    if (rc)
        return rc;
    int stmt = expected_rev == LTY_REV_NONE ? S_INSERT
             : expected_rev == LTY_REV_ANY ? S_REPLACE : S_UPDATE;
    sqlite3_stmt *s = c->st[stmt];
    sqlite3_bind_blob(s, 1, key, (int)keylen, SQLITE_STATIC);
    /* a NULL pointer would bind SQL NULL: an empty value needs a real one */
    sqlite3_bind_blob(s, 2, value ? value : "", (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, r);
    if (stmt == S_UPDATE)
        sqlite3_bind_int64(s, 4, (int64_t)expected_rev);
    if ((rc = exec_stmt(c, stmt, "put")))
        return rc;
    if (sqlite3_changes(c->db) == 0) {
        set_err(c, "sqlite: put: revision mismatch");
        return LTY_ECONFLICT;
    }
    if (new_rev)
        *new_rev = (uint64_t)r;
    return LTY_OK;
}

static int del_in_txn(sqconn *c, const char *key, size_t keylen,
                      uint64_t expected_rev)
{
    int stmt = expected_rev == LTY_REV_ANY ? S_DELETE : S_DELETE_REV;
    sqlite3_stmt *s = c->st[stmt];
    sqlite3_bind_blob(s, 1, key, (int)keylen, SQLITE_STATIC);
    if (stmt == S_DELETE_REV)
        sqlite3_bind_int64(s, 2, (int64_t)expected_rev);
    int rc = exec_stmt(c, stmt, "del");
    if (rc)
        return rc;
    if (sqlite3_changes(c->db) > 0)
        return LTY_OK;
    if (stmt == S_DELETE)
        return LTY_ENOTFOUND;
    s = c->st[S_EXISTS];
    sqlite3_bind_blob(s, 1, key, (int)keylen, SQLITE_STATIC);
    int src = sqlite3_step(s);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return fail(c, src, s, "del");
    sqlite3_reset(s);
    if (src == SQLITE_DONE)
        return LTY_ENOTFOUND;
    set_err(c, "sqlite: del: revision mismatch");
    return LTY_ECONFLICT;
}

/* Run a write outside a transaction in a transaction of its own. */
static int own_txn_end(sqconn *c, int rc)
{
    if (rc == LTY_OK || rc == LTY_ENOTFOUND) {
        int crc = sq_commit(c);
        if (crc == LTY_OK)
            return rc;
        rc = crc;
    }
    char keep[sizeof c->err];
    memcpy(keep, c->err, sizeof keep);
    sq_rollback(c);
    memcpy(c->err, keep, sizeof keep);
    return rc;
}

static int sq_put(const char *key, size_t keylen, const void *value,
                  size_t len, uint64_t expected_rev, uint64_t *new_rev, void *ud)
{
    sqconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    int rc = check_key(c, key, keylen);
    if (rc)
        return rc;
    if ((!value && len) || len > LTY_VALUE_MAX) {
        set_err(c, "sqlite: put: invalid value (%zu bytes)", len);
        return LTY_EINVALID;
    }
    if (expected_rev != LTY_REV_ANY && expected_rev > (uint64_t)INT64_MAX) {
        set_err(c, "sqlite: put: revision mismatch");
        return LTY_ECONFLICT; /* no stored revision is that large */
    }
    if (c->in_txn) {
        if ((rc = txn_alive(c)))
            return rc;
        return put_in_txn(c, key, keylen, value, len, expected_rev, new_rev);
    }
    if ((rc = sq_begin(c)))
        return rc;
    rc = put_in_txn(c, key, keylen, value, len, expected_rev, new_rev);
    return own_txn_end(c, rc);
}

static int sq_del(const char *key, size_t keylen, uint64_t expected_rev,
                  void *ud)
{
    sqconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    int rc = check_key(c, key, keylen);
    if (rc)
        return rc;
    /* a revision no row can have still tells ENOTFOUND from ECONFLICT */
    if (expected_rev != LTY_REV_ANY && expected_rev > (uint64_t)INT64_MAX)
        expected_rev = 0;
    if (c->in_txn) {
        if ((rc = txn_alive(c)))
            return rc;
        return del_in_txn(c, key, keylen, expected_rev);
    }
    if ((rc = sq_begin(c)))
        return rc;
    rc = del_in_txn(c, key, keylen, expected_rev);
    return own_txn_end(c, rc);
}

/* ------------------------------------------------------------------ */
/* Scans                                                               */
/* ------------------------------------------------------------------ */

static int bytes_cmp(const void *a, size_t an, const void *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int d = n ? memcmp(a, b, n) : 0;
    if (d)
        return d;
    return an < bn ? -1 : an > bn;
}

static int sq_scan(const char *prefix, size_t prefixlen, const char *after,
                   size_t afterlen, lty_scan_fn each, void *each_ctx, void *ud)
{
    sqconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    if (!each || (!prefix && prefixlen) || (!after && afterlen) ||
        afterlen > LTY_KEY_MAX) {
        set_err(c, "sqlite: scan: invalid argument");
        return LTY_EINVALID;
    }
    int rc = txn_alive(c);
    if (rc)
        return rc;
    if (prefixlen > LTY_KEY_MAX)
        return LTY_OK; /* no key is that long */

    /* lower bound: the greater of the prefix and after + "\0" */
    size_t lolen = prefixlen;
    if (afterlen && bytes_cmp(after, afterlen, prefix, prefixlen) >= 0) {
        memcpy(c->lo, after, afterlen);
        c->lo[afterlen] = 0;
        lolen = afterlen + 1;
    } else if (prefixlen) {
        memcpy(c->lo, prefix, prefixlen);
    }
    /* upper bound: the prefix's successor (none when it is all 0xff) */
    size_t hilen = prefixlen;
    if (prefixlen)
        memcpy(c->hi, prefix, prefixlen);
    while (hilen > 0 && c->hi[hilen - 1] == 0xff)
        hilen--;
    if (hilen > 0)
        c->hi[hilen - 1]++;
    if (hilen && bytes_cmp(c->lo, lolen, c->hi, hilen) >= 0)
        return LTY_OK;

    sqlite3_stmt *s = c->st[hilen ? S_SCAN_RANGE : S_SCAN_FROM];
    /* a zero-length BLOB, not NULL, for the empty lower bound */
    sqlite3_bind_blob(s, 1, c->lo, (int)lolen, SQLITE_STATIC);
    if (hilen)
        sqlite3_bind_blob(s, 2, c->hi, (int)hilen, SQLITE_STATIC);
    for (;;) {
        int src = sqlite3_step(s);
        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW)
            return fail(c, src, s, "scan");
        const void *k = sqlite3_column_blob(s, 0);
        int kl = sqlite3_column_bytes(s, 0);
        const void *v = sqlite3_column_blob(s, 1);
        int vl = sqlite3_column_bytes(s, 1);
        if (sqlite3_column_type(s, 0) != SQLITE_BLOB ||
            sqlite3_column_type(s, 1) != SQLITE_BLOB ||
            sqlite3_column_type(s, 2) != SQLITE_INTEGER ||
            sqlite3_column_int64(s, 2) <= 0 || !k || kl < 1 ||
            kl > LTY_KEY_MAX || (!v && vl > 0)) {
            sqlite3_reset(s);
            set_err(c, "sqlite: scan: malformed record in lty_records");
            return LTY_ECORRUPT;
        }
        rc = each(k, (size_t)kl, vl ? v : "", (size_t)vl,
                  (uint64_t)sqlite3_column_int64(s, 2), each_ctx);
        if (rc != LTY_OK) {
            sqlite3_reset(s);
            return rc < 0 ? rc : LTY_OK;
        }
    }
    sqlite3_reset(s);
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Lifetime                                                            */
/* ------------------------------------------------------------------ */

static const char *sq_errmsg(void *ud)
{
    sqconn *c = ud;
    return c && c->err[0] ? c->err : NULL;
}

static void sq_destroy(void *ud)
{
    sqconn *c = ud;
    if (!c)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(c->st[i]);
    if (c->db) {
        if (c->owned) {
            sqlite3_close_v2(c->db); /* rolls back an open transaction */
        } else {
            if (c->in_txn && !sqlite3_get_autocommit(c->db))
                sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            /* ours points at c: leave SQLite's own with the same timeout */
            sqlite3_busy_timeout(c->db, c->busy_ms);
        }
    }
    free(c);
}

/* Run SQL with no results (several statements allowed). */
static int exec_sql(sqconn *c, const char *sql, const char *what)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? LTY_OK : fail(c, rc, NULL, what);
}

/* Run a query whose first row's first column is wanted as an integer (or
 * as text into txt); *found says whether there was a row. */
static int query_one(sqconn *c, const char *sql, const char *what,
                     int64_t *num, char *txt, size_t txtsize, int *found)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK) {
        rc = fail(c, rc, NULL, what);
        sqlite3_finalize(s);
        return rc;
    }
    rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        rc = fail(c, rc, NULL, what);
        sqlite3_finalize(s);
        return rc;
    }
    if (*found) {
        if (num)
            *num = sqlite3_column_type(s, 0) == SQLITE_INTEGER
                       ? sqlite3_column_int64(s, 0) : -1;
        if (txt) {
            const unsigned char *t = sqlite3_column_text(s, 0);
            snprintf(txt, txtsize, "%s", t ? (const char *)t : "");
        }
    }
    sqlite3_finalize(s);
    return LTY_OK;
}

static int setup(sqconn *c, const lty_sqlite_options *o)
{
    int found = 0, rc;
    int64_t ntables = 0;
    if (c->owned)
        sqlite3_extended_result_codes(c->db, 1); /* codes are masked anyway */
    c->busy_ms = o->busy_timeout_ms;
    sqlite3_busy_handler(c->db, busy_wait, c);
    /* the first read of the file: a file that is not a database fails here */
    rc = query_one(c, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                   "AND name IN ('lty_meta', 'lty_records')", "open",
                   &ntables, NULL, 0, &found);
    if (rc)
        return rc;
    if (ntables < 2 && !o->create) {
        set_err(c, "sqlite: open: the tables lty_meta and lty_records do not "
                "exist and creating them was not asked for");
        return LTY_ENOTFOUND;
    }
    char mode[32] = "";
    rc = query_one(c, "PRAGMA journal_mode = WAL", "setting WAL mode", NULL,
                   mode, sizeof mode, &found);
    if (rc)
        return rc;
    if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0) {
        set_err(c, "sqlite: open: the database refused WAL mode (journal_mode is %s)",
                mode);
        return LTY_ESTORAGE;
    }
    rc = exec_sql(c, o->synchronous_full ? "PRAGMA synchronous = FULL"
                                         : "PRAGMA synchronous = NORMAL",
                  "setting synchronous");
    if (rc)
        return rc;
    /* 64 MiB of page cache per connection (SQLite's default is 2 MiB): the
     * customer records and ledger pages a busy engine touches stay hot */
    rc = exec_sql(c, "PRAGMA cache_size = -65536", "setting the cache size");
    if (rc)
        return rc;
    /* The checkpoint interval (see lty_sqlite_options.checkpoint_pages);
     * the log is truncated back to that size after a checkpoint so that a
     * burst of writes does not leave a huge file behind. */
    char pragma[96];
    snprintf(pragma, sizeof pragma,
             "PRAGMA wal_autocheckpoint = %d; PRAGMA journal_size_limit = %lld",
             o->checkpoint_pages, (long long)o->checkpoint_pages * 4096);
    rc = exec_sql(c, pragma, "setting the checkpoint interval");
    if (rc)
        return rc;
    if (ntables < 2) {
        /* idempotent, so openers racing to create do no harm */
        rc = exec_sql(c,
                      "BEGIN IMMEDIATE;"
                      "CREATE TABLE IF NOT EXISTS lty_meta (name TEXT PRIMARY KEY, "
                      "value INTEGER NOT NULL) WITHOUT ROWID;"
                      "CREATE TABLE IF NOT EXISTS lty_records (key BLOB PRIMARY KEY, "
                      "value BLOB NOT NULL, rev INTEGER NOT NULL) WITHOUT ROWID;"
                      "INSERT OR IGNORE INTO lty_meta VALUES ('schema_version', 1);"
                      "INSERT OR IGNORE INTO lty_meta VALUES ('revision', 0);"
                      "COMMIT",
                      "creating the tables");
        if (rc) {
            if (!sqlite3_get_autocommit(c->db))
                sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    int64_t v = -1;
    rc = query_one(c, "SELECT value FROM lty_meta WHERE name = 'schema_version'",
                   "reading the schema version", &v, NULL, 0, &found);
    if (rc)
        return rc;
    if (!found || v < 1) {
        set_err(c, "sqlite: open: lty_meta holds no valid schema version");
        return LTY_ECORRUPT;
    }
    if (v > LTY_SQLITE_SCHEMA_VERSION) {
        set_err(c, "sqlite: open: the tables have schema version %lld; this "
                "library reads up to %d", (long long)v, LTY_SQLITE_SCHEMA_VERSION);
        return LTY_EVERSION;
    }
    for (int i = 0; i < S_COUNT; i++) {
        rc = sqlite3_prepare_v2(c->db, stmt_sql[i], -1, &c->st[i], NULL);
        if (rc != SQLITE_OK)
            return fail(c, rc, NULL, "preparing statements");
    }
    return LTY_OK;
}

static void set_open_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_open_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(open_err, sizeof open_err, fmt, ap);
    va_end(ap);
}

const char *lty_sqlite_open_error(void)
{
    return open_err;
}

/* Validate the common arguments; fills *o. */
static int check_args(const void *first, const lty_sqlite_options *opts,
                      lty_storage_ops *ops, void **userdata,
                      lty_sqlite_options *o)
{
    open_err[0] = '\0';
    if (userdata)
        *userdata = NULL;
    if (!first || !ops || !userdata) {
        set_open_err("sqlite: open: NULL argument");
        return LTY_EINVALID;
    }
    lty_sqlite_options d = LTY_SQLITE_OPTIONS_INIT;
    if (opts) {
        if (opts->version != LTY_SQLITE_OPTIONS_VERSION) {
            set_open_err("sqlite: open: options version %u is not supported",
                         opts->version);
            return LTY_EVERSION;
        }
        d = *opts;
    }
    if (d.synchronous_full != 0 && d.synchronous_full != 1) {
        set_open_err("sqlite: open: synchronous_full must be 0 or 1");
        return LTY_EINVALID;
    }
    if (d.busy_timeout_ms < 0) {
        set_open_err("sqlite: open: busy_timeout_ms must not be negative");
        return LTY_EINVALID;
    }
    if (d.checkpoint_pages < 0) {
        set_open_err("sqlite: open: checkpoint_pages must not be negative");
        return LTY_EINVALID;
    }
    if (d.checkpoint_pages == 0)
        d.checkpoint_pages = LTY_SQLITE_DEFAULT_CHECKPOINT_PAGES;
    *o = d;
    return LTY_OK;
}

/* Set up c (db already set) and hand it out, or free it. */
static int finish(sqconn *c, const lty_sqlite_options *o, lty_storage_ops *ops,
                  void **userdata)
{
    int rc = setup(c, o);
    if (rc != LTY_OK) {
        memcpy(open_err, c->err, sizeof open_err);
        sq_destroy(c);
        return rc;
    }
    c->err[0] = '\0';
    lty_storage_ops t = LTY_STORAGE_OPS_INIT;
    t.begin = sq_begin;
    t.commit = sq_commit;
    t.rollback = sq_rollback;
    t.get = sq_get;
    t.put = sq_put;
    t.del = sq_del;
    t.scan = sq_scan;
    t.errmsg = sq_errmsg;
    t.destroy = sq_destroy;
    *ops = t;
    *userdata = c;
    return LTY_OK;
}

int lty_sqlite_open(const char *path, const lty_sqlite_options *opts,
                    lty_storage_ops *ops, void **userdata)
{
    lty_sqlite_options o;
    int rc = check_args(path, opts, ops, userdata, &o);
    if (rc)
        return rc;
    int special = path[0] == '\0' || strcmp(path, ":memory:") == 0;
    if (!o.create && !special && access(path, F_OK) != 0) {
        set_open_err("sqlite: open: the database file does not exist and "
                     "creating it was not asked for");
        return LTY_ENOTFOUND;
    }
    sqconn *c = calloc(1, sizeof *c);
    if (!c) {
        set_open_err("sqlite: open: out of memory");
        return LTY_ENOMEM;
    }
    c->owned = 1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                (o.create ? SQLITE_OPEN_CREATE : 0);
    int src = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (src != SQLITE_OK) {
        rc = c->db ? fail(c, src, NULL, "open") : LTY_ENOMEM;
        if (!c->db)
            set_err(c, "sqlite: open: out of memory");
        else if (rc == LTY_ECONFLICT)
            rc = LTY_ESTORAGE;
        memcpy(open_err, c->err, sizeof open_err);
        sq_destroy(c);
        return rc;
    }
    return finish(c, &o, ops, userdata);
}

int lty_sqlite_wrap(struct sqlite3 *db, const lty_sqlite_options *opts,
                    lty_storage_ops *ops, void **userdata)
{
    lty_sqlite_options o;
    int rc = check_args(db, opts, ops, userdata, &o);
    if (rc)
        return rc;
    if (!sqlite3_get_autocommit(db)) {
        set_open_err("sqlite: wrap: the handle has a transaction open");
        return LTY_ESTATE;
    }
    sqconn *c = calloc(1, sizeof *c);
    if (!c) {
        set_open_err("sqlite: wrap: out of memory");
        return LTY_ENOMEM;
    }
    c->db = db;
    c->owned = 0;
    return finish(c, &o, ops, userdata);
}
