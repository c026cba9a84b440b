/*
 * libloyalty - the PostgreSQL storage backend.
 *
 * SPDX-License-Identifier: MIT
 */
/*
 * Design, and why:
 *
 * - One libpq connection per engine (per lty_postgres_open()).  Every
 *   statement is prepared once per connection (PQprepare) and run with
 *   binary parameters and binary results, so keys and values travel as raw
 *   bytes with no escaping and no text conversion.
 *
 * - Records live in "<schema>"."<prefix>records" (key bytea PRIMARY KEY,
 *   value bytea NOT NULL, rev bigint NOT NULL).  bytea compares with memcmp,
 *   shorter first on a common prefix: exactly the contract's key order, so
 *   no collation is involved.  Revisions come from a sequence: non-zero,
 *   store-wide, never reused (sequences are not rolled back).
 *
 * - Revision checks are in the SQL: expected LTY_REV_NONE is INSERT ... ON
 *   CONFLICT DO NOTHING, an expected revision is UPDATE ... WHERE key = $1
 *   AND rev = $3, LTY_REV_ANY an upsert.  Zero rows is LTY_ECONFLICT and,
 *   not being an SQL error, leaves the transaction usable.  A delete reports
 *   in the same statement whether the key existed, to tell ECONFLICT from
 *   ENOTFOUND.
 *
 * - Transactions are REPEATABLE READ: one snapshot for the whole engine
 *   call (so multi-page scans are consistent), and a write to a row some
 *   other transaction changed since the snapshot fails with SQLSTATE 40001.
 *   40001, 40P01 (deadlock) and 23505 (unique violation: two inserts of one
 *   key racing) become LTY_ECONFLICT, which the engine retries from the
 *   start.  Calls outside a transaction are single autocommit statements,
 *   except scans, which open a read-only REPEATABLE READ transaction of
 *   their own so that all their pages see one snapshot.
 *
 * - Scans are fetched in pages of PAGE_ROWS keys (ORDER BY key LIMIT), each
 *   page resuming strictly after the last key of the previous one, so a
 *   whole-store scan never holds more than a page in memory and an early
 *   stop costs one page at most.  The prefix becomes a key range
 *   [prefix, successor(prefix)), which the primary-key index serves.
 *
 * - A lost connection is LTY_ESTORAGE.  The connection is then marked
 *   broken; the next call that starts outside a transaction (begin, or a
 *   plain read or write) calls PQreset and prepares the statements again.
 *   begin and reads outside a transaction, which cannot have changed
 *   anything, also retry once by themselves when they find the connection
 *   dead.  A write outside a transaction is never retried: the server may
 *   have committed it before the connection died.
 *
 * - Error text comes from PostgreSQL's primary message and SQLSTATE only,
 *   never from its DETAIL (which can quote key values).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include <loyalty/postgres.h>

#define PAGE_ROWS 1000

#define OID_BYTEA 17
#define OID_INT8 20

/* Serialises table creation among libloyalty openers ("ltypg" in ASCII). */
#define CREATE_LOCK_KEY "465624729447"

enum {
    S_GET,
    S_INSERT,
    S_UPDATE,
    S_UPSERT,
    S_DELETE,
    S_SCAN_FROM,
    S_SCAN_RANGE,
    S_COUNT
};

static const char *const stmt_name[S_COUNT] = {
    "lty_get", "lty_insert", "lty_update", "lty_upsert",
    "lty_delete", "lty_scan_from", "lty_scan_range"};

typedef struct pgconn {
    PGconn *conn;
    int in_txn;      /* a transaction begun by begin() is open */
    int prepared;    /* the statements exist on this session */
    int broken;      /* the session died: reset before the next use */
    char records[128]; /* "schema"."prefixrecords" */
    char seq[128];     /* "schema"."prefixrev_seq" */
    char err[384];
    unsigned char lo[LTY_KEY_MAX + 1]; /* scan bounds */
    unsigned char hi[LTY_KEY_MAX];
} pgconn;

static _Thread_local char open_err[384];

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

static void vformat(char *dst, size_t size, const char *fmt, va_list ap)
{
    vsnprintf(dst, size, fmt, ap);
    /* libpq's messages end in newlines; keep the text on one line */
    for (char *p = dst; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    size_t n = strlen(dst);
    while (n > 0 && dst[n - 1] == ' ')
        dst[--n] = '\0';
}

static void set_err(pgconn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

static void set_open_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(open_err, sizeof open_err, fmt, ap);
    va_end(ap);
}

static int conn_dead(pgconn *c)
{
    return !c->conn || PQstatus(c->conn) != CONNECTION_OK;
}

/*
 * Map a failed result (res may be NULL when libpq could not even send) to a
 * code, recording the message.  Frees res.
 */
static int fail(pgconn *c, PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int rc = LTY_ESTORAGE;
    if (!msg || !*msg)
        msg = c->conn ? PQerrorMessage(c->conn) : "no connection";
    if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
                  !strcmp(state, "23505")))
        rc = LTY_ECONFLICT;
    if (conn_dead(c)) {
        c->broken = 1;
        rc = LTY_ESTORAGE;
        set_err(c, "postgres: %s: connection lost: %s", what, msg);
    } else if (state) {
        set_err(c, "postgres: %s: %s (SQLSTATE %s)", what, msg, state);
    } else {
        set_err(c, "postgres: %s: %s", what, msg);
    }
    PQclear(res);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

static int prepare_all(pgconn *c)
{
    static const Oid t_get[] = {OID_BYTEA};
    static const Oid t_put[] = {OID_BYTEA, OID_BYTEA, OID_INT8};
    static const Oid t_del[] = {OID_BYTEA, OID_INT8};
    static const Oid t_range[] = {OID_BYTEA, OID_BYTEA};
    char sql[S_COUNT][640];
    const char *r = c->records, *s = c->seq;
    snprintf(sql[S_GET], sizeof sql[0],
             "SELECT value, rev FROM %s WHERE key = $1", r);
    snprintf(sql[S_INSERT], sizeof sql[0],
             "INSERT INTO %s (key, value, rev) VALUES ($1, $2, nextval('%s')) "
             "ON CONFLICT (key) DO NOTHING RETURNING rev", r, s);
    snprintf(sql[S_UPDATE], sizeof sql[0],
             "UPDATE %s SET value = $2, rev = nextval('%s') "
             "WHERE key = $1 AND rev = $3 RETURNING rev", r, s);
    snprintf(sql[S_UPSERT], sizeof sql[0],
             "INSERT INTO %s (key, value, rev) VALUES ($1, $2, nextval('%s')) "
             "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, "
             "rev = EXCLUDED.rev RETURNING rev", r, s);
    snprintf(sql[S_DELETE], sizeof sql[0],
             "WITH d AS (DELETE FROM %s WHERE key = $1 AND "
             "($2::bigint IS NULL OR rev = $2) RETURNING 1) "
             "SELECT (SELECT count(*) FROM d), "
             "EXISTS (SELECT 1 FROM %s WHERE key = $1)", r, r);
    snprintf(sql[S_SCAN_FROM], sizeof sql[0],
             "SELECT key, value, rev FROM %s WHERE key >= $1 "
             "ORDER BY key LIMIT %d", r, PAGE_ROWS);
    snprintf(sql[S_SCAN_RANGE], sizeof sql[0],
             "SELECT key, value, rev FROM %s WHERE key >= $1 AND key < $2 "
             "ORDER BY key LIMIT %d", r, PAGE_ROWS);
    static const Oid *const types[S_COUNT] = {t_get, t_put, t_put, t_put,
                                              t_del, t_get, t_range};
    static const int nparams[S_COUNT] = {1, 2, 3, 2, 2, 1, 2};
    for (int i = 0; i < S_COUNT; i++) {
        PGresult *res = PQprepare(c->conn, stmt_name[i], sql[i], nparams[i],
                                  types[i]);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            return fail(c, res, "prepare");
        PQclear(res);
    }
    c->prepared = 1;
    return LTY_OK;
}

/* Make the session usable: reconnect when it died, prepare when new.  Only
 * called outside a transaction. */
static int ensure(pgconn *c)
{
    if (c->broken || conn_dead(c)) {
        PQreset(c->conn);
        c->prepared = 0;
        if (PQstatus(c->conn) != CONNECTION_OK) {
            c->broken = 1;
            set_err(c, "postgres: reconnect: %s", PQerrorMessage(c->conn));
            return LTY_ESTORAGE;
        }
        c->broken = 0;
    }
    return c->prepared ? LTY_OK : prepare_all(c);
}

static PGresult *run(pgconn *c, int stmt, int n, const char *const *values,
                     const int *lengths)
{
    static const int binary[3] = {1, 1, 1};
    return PQexecPrepared(c->conn, stmt_name[stmt], n, values, lengths, binary, 1);
}

static void put_be64(unsigned char *b, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        b[i] = (unsigned char)v;
        v >>= 8;
    }
}

static uint64_t get_be64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | (unsigned char)p[i];
    return v;
}

/* A bigint column of a binary result. */
static int field_rev(pgconn *c, const PGresult *res, int row, int col,
                     uint64_t *out)
{
    if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != 8) {
        set_err(c, "postgres: malformed revision in a result");
        return LTY_ECORRUPT;
    }
    *out = get_be64(PQgetvalue(res, row, col));
    return LTY_OK;
}

static int simple(pgconn *c, const char *sql, const char *what)
{
    PGresult *res = PQexec(c->conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return fail(c, res, what);
    PQclear(res);
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Transactions                                                        */
/* ------------------------------------------------------------------ */

static int pg_begin(void *ud)
{
    pgconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    if (c->in_txn) {
        set_err(c, "postgres: begin: a transaction is already open");
        return LTY_ESTATE;
    }
    int rc = LTY_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = ensure(c);
        if (rc == LTY_OK)
            rc = simple(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", "begin");
        if (rc == LTY_OK) {
            c->in_txn = 1;
            return LTY_OK;
        }
        if (!c->broken)
            break; /* only a dead connection is worth a second try */
    }
    return rc;
}

static int pg_commit(void *ud)
{
    pgconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    if (!c->in_txn) {
        set_err(c, "postgres: commit: no transaction is open");
        return LTY_ESTATE;
    }
    if (c->broken) {
        set_err(c, "postgres: commit: the connection was lost during the transaction");
        return LTY_ESTORAGE;
    }
    PGresult *res = PQexec(c->conn, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return fail(c, res, "commit"); /* rollback() ends it */
    /* COMMIT of a transaction aborted by an earlier error rolls back */
    int rolled_back = strcmp(PQcmdStatus(res), "ROLLBACK") == 0;
    PQclear(res);
    c->in_txn = 0;
    if (rolled_back) {
        set_err(c, "postgres: commit: the transaction had failed and was rolled back");
        return LTY_ESTORAGE;
    }
    return LTY_OK;
}

static int pg_rollback(void *ud)
{
    pgconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    if (!c->in_txn) {
        set_err(c, "postgres: rollback: no transaction is open");
        return LTY_ESTATE;
    }
    c->in_txn = 0;
    if (c->broken || conn_dead(c)) {
        c->broken = 1; /* the server discarded it with the session */
        return LTY_OK;
    }
    PGresult *res = PQexec(c->conn, "ROLLBACK");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        /* whatever happened, the transaction is gone: a dead session
         * discards it, and a live one that cannot roll back is reset */
        fail(c, res, "rollback");
        c->broken = 1;
    } else {
        PQclear(res);
    }
    return LTY_OK;
}

/* A call that may run outside a transaction: make the session usable. */
static int prepare_call(pgconn *c)
{
    if (c->in_txn) {
        if (c->broken) {
            set_err(c, "postgres: the connection was lost during the transaction");
            return LTY_ESTORAGE;
        }
        return LTY_OK;
    }
    return ensure(c);
}

static int check_key(pgconn *c, const char *key, size_t keylen)
{
    if (!key || keylen == 0 || keylen > LTY_KEY_MAX) {
        set_err(c, "postgres: invalid key length %zu", key ? keylen : (size_t)0);
        return LTY_EINVALID;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

static int pg_get(const char *key, size_t keylen, lty_buf *value,
                  uint64_t *rev, void *ud)
{
    pgconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    int rc = check_key(c, key, keylen);
    if (rc)
        return rc;
    for (int attempt = 0; attempt < 2; attempt++) {
        int outside = !c->in_txn;
        if ((rc = prepare_call(c)))
            return rc;
        const char *vals[1] = {key};
        int lens[1] = {(int)keylen};
        PGresult *res = run(c, S_GET, 1, vals, lens);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            rc = fail(c, res, "get");
            if (outside && c->broken && attempt == 0)
                continue; /* a read changes nothing: try once more */
            return rc;
        }
        if (PQntuples(res) == 0) {
            PQclear(res);
            return LTY_ENOTFOUND;
        }
        uint64_t r = 0;
        rc = field_rev(c, res, 0, 1, &r);
        if (rc == LTY_OK && PQgetisnull(res, 0, 0)) {
            set_err(c, "postgres: NULL value in a result");
            rc = LTY_ECORRUPT;
        }
        if (rc == LTY_OK && value) {
            rc = lty_buf_set(value, PQgetvalue(res, 0, 0),
                             (size_t)PQgetlength(res, 0, 0));
            if (rc)
                set_err(c, "postgres: get: cannot copy the value");
        }
        PQclear(res);
        if (rc == LTY_OK && rev)
            *rev = r;
        return rc;
    }
    return rc;
}

static int pg_put(const char *key, size_t keylen, const void *value,
                  size_t len, uint64_t expected_rev, uint64_t *new_rev, void *ud)
{
    pgconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    int rc = check_key(c, key, keylen);
    if (rc)
        return rc;
    if ((!value && len) || len > LTY_VALUE_MAX) {
        set_err(c, "postgres: put: invalid value (%zu bytes)", len);
        return LTY_EINVALID;
    }
    if (expected_rev != LTY_REV_NONE && expected_rev != LTY_REV_ANY &&
        expected_rev > (uint64_t)INT64_MAX) {
        set_err(c, "postgres: put: revision mismatch");
        return LTY_ECONFLICT; /* no stored revision is that large */
    }
    if ((rc = prepare_call(c)))
        return rc;
    unsigned char rb[8];
    put_be64(rb, expected_rev);
    /* NULL would be SQL NULL: an empty value needs a non-NULL pointer */
    const char *vals[3] = {key, value ? (const char *)value : "", (const char *)rb};
    int lens[3] = {(int)keylen, (int)len, 8};
    int stmt = expected_rev == LTY_REV_NONE ? S_INSERT
             : expected_rev == LTY_REV_ANY ? S_UPSERT : S_UPDATE;
    PGresult *res = run(c, stmt, stmt == S_UPDATE ? 3 : 2, vals, lens);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return fail(c, res, "put");
    if (PQntuples(res) == 0) {
        PQclear(res);
        set_err(c, "postgres: put: revision mismatch");
        return LTY_ECONFLICT;
    }
    uint64_t r = 0;
    rc = field_rev(c, res, 0, 0, &r);
    PQclear(res);
    if (rc == LTY_OK && new_rev)
        *new_rev = r;
    return rc;
}

static int pg_del(const char *key, size_t keylen, uint64_t expected_rev,
                  void *ud)
{
    pgconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    int rc = check_key(c, key, keylen);
    if (rc)
        return rc;
    if ((rc = prepare_call(c)))
        return rc;
    unsigned char rb[8];
    /* a revision no row can have still tells ENOTFOUND from ECONFLICT */
    put_be64(rb, expected_rev > (uint64_t)INT64_MAX ? 0 : expected_rev);
    const char *vals[2] = {key, expected_rev == LTY_REV_ANY ? NULL : (const char *)rb};
    int lens[2] = {(int)keylen, 8};
    PGresult *res = run(c, S_DELETE, 2, vals, lens);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return fail(c, res, "del");
    if (PQntuples(res) != 1 || PQgetlength(res, 0, 0) != 8 ||
        PQgetlength(res, 0, 1) != 1) {
        PQclear(res);
        set_err(c, "postgres: del: unexpected result shape");
        return LTY_ESTORAGE;
    }
    uint64_t deleted = get_be64(PQgetvalue(res, 0, 0));
    int existed = PQgetvalue(res, 0, 1)[0] != 0;
    PQclear(res);
    if (deleted)
        return LTY_OK;
    if (existed) {
        set_err(c, "postgres: del: revision mismatch");
        return LTY_ECONFLICT;
    }
    return LTY_ENOTFOUND;
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

/* Fetch and deliver pages from lo (inclusive) to hi (exclusive, hilen 0:
 * none).  c->lo holds the lower bound. */
static int scan_pages(pgconn *c, size_t lolen, size_t hilen, lty_scan_fn each,
                      void *ctx, int *first_failed)
{
    for (;;) {
        const char *vals[2] = {(const char *)c->lo, (const char *)c->hi};
        int lens[2] = {(int)lolen, (int)hilen};
        PGresult *res = run(c, hilen ? S_SCAN_RANGE : S_SCAN_FROM,
                            hilen ? 2 : 1, vals, lens);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            return fail(c, res, "scan");
        *first_failed = 0;
        int n = PQntuples(res);
        for (int i = 0; i < n; i++) {
            uint64_t rev = 0;
            int klen = PQgetlength(res, i, 0);
            int rc = field_rev(c, res, i, 2, &rev);
            if (rc == LTY_OK && (klen < 1 || klen > LTY_KEY_MAX ||
                                 PQgetisnull(res, i, 1))) {
                set_err(c, "postgres: scan: malformed record in a result");
                rc = LTY_ECORRUPT;
            }
            if (rc == LTY_OK)
                rc = each(PQgetvalue(res, i, 0), (size_t)klen,
                          PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1),
                          rev, ctx);
            if (rc != LTY_OK) {
                PQclear(res);
                return rc < 0 ? rc : LTY_OK;
            }
            if (i == n - 1) { /* resume strictly after the last key */
                memcpy(c->lo, PQgetvalue(res, i, 0), (size_t)klen);
                c->lo[klen] = 0;
                lolen = (size_t)klen + 1;
            }
        }
        PQclear(res);
        if (n < PAGE_ROWS)
            return LTY_OK;
    }
}

static int pg_scan(const char *prefix, size_t prefixlen, const char *after,
                   size_t afterlen, lty_scan_fn each, void *each_ctx, void *ud)
{
    pgconn *c = ud;
    if (!c)
        return LTY_EINVALID;
    if (!each || (!prefix && prefixlen) || (!after && afterlen) ||
        afterlen > LTY_KEY_MAX) {
        set_err(c, "postgres: scan: invalid argument");
        return LTY_EINVALID;
    }
    if (prefixlen > LTY_KEY_MAX)
        return LTY_OK; /* no key is that long */

    int rc = LTY_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
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

        int own = !c->in_txn, first_failed = 1;
        if ((rc = prepare_call(c)))
            return rc;
        if (own) {
            rc = simple(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                        "scan");
            if (rc) {
                if (c->broken && attempt == 0)
                    continue;
                return rc;
            }
        }
        rc = scan_pages(c, lolen, hilen, each, each_ctx, &first_failed);
        if (!own)
            return rc;
        if (c->broken || conn_dead(c)) {
            c->broken = 1;
            /* the session died before anything was delivered: retry */
            if (first_failed && attempt == 0)
                continue;
            return rc;
        }
        PGresult *res = PQexec(c->conn, rc == LTY_OK ? "COMMIT" : "ROLLBACK");
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            int rc2 = fail(c, res, "scan");
            return rc ? rc : rc2;
        }
        PQclear(res);
        return rc;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Lifetime                                                            */
/* ------------------------------------------------------------------ */

static const char *pg_errmsg(void *ud)
{
    pgconn *c = ud;
    return c && c->err[0] ? c->err : NULL;
}

static void pg_destroy(void *ud)
{
    pgconn *c = ud;
    if (!c)
        return;
    PQfinish(c->conn); /* an open transaction dies with the session */
    free(c);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int valid_ident(const char *s, int may_be_empty)
{
    size_t n = strlen(s);
    if (n > LTY_POSTGRES_IDENT_MAX || (n == 0 && !may_be_empty))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        int ok = ch == '_' || (ch >= 'a' && ch <= 'z') ||
                 (i > 0 && ch >= '0' && ch <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

/* Create what is missing (under an advisory lock, so concurrent openers do
 * not race on the catalogs), then read the schema version. */
static int setup_schema(pgconn *c, const char *schema, const char *prefix,
                        int create)
{
    char sql[1600], meta[128];
    snprintf(meta, sizeof meta, "\"%s\".\"%smeta\"", schema, prefix);
    snprintf(sql, sizeof sql, "SELECT to_regclass('%s') IS NOT NULL AND "
             "to_regclass('%s') IS NOT NULL AND to_regclass('%s') IS NOT NULL",
             meta, c->records, c->seq);
    PGresult *res = PQexec(c->conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        return fail(c, res, "open");
    int exists = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!exists) {
        if (!create) {
            set_err(c, "postgres: open: the tables %s... do not exist and "
                    "creating them was not asked for", meta);
            return LTY_ENOTFOUND;
        }
        snprintf(sql, sizeof sql,
                 "BEGIN;"
                 "SELECT pg_advisory_xact_lock(" CREATE_LOCK_KEY ");"
                 "CREATE SCHEMA IF NOT EXISTS \"%s\";"
                 "CREATE TABLE IF NOT EXISTS %s (key bytea PRIMARY KEY, "
                 "value bytea NOT NULL, rev bigint NOT NULL) "
                 "WITH (fillfactor = 90);"
                 "CREATE SEQUENCE IF NOT EXISTS %s AS bigint MINVALUE 1 NO CYCLE;"
                 "CREATE TABLE IF NOT EXISTS %s (name text PRIMARY KEY, "
                 "value bigint NOT NULL);"
                 "INSERT INTO %s VALUES ('schema_version', %d) "
                 "ON CONFLICT (name) DO NOTHING;"
                 "COMMIT",
                 schema, c->records, c->seq, meta, meta,
                 LTY_POSTGRES_SCHEMA_VERSION);
        res = PQexec(c->conn, sql);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            int rc = fail(c, res, "creating the tables");
            PQclear(PQexec(c->conn, "ROLLBACK"));
            return rc;
        }
        PQclear(res);
    }
    snprintf(sql, sizeof sql,
             "SELECT value FROM %s WHERE name = 'schema_version'", meta);
    res = PQexec(c->conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return fail(c, res, "reading the schema version");
    long long v = 0;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    if (v < 1) {
        set_err(c, "postgres: open: %s holds no valid schema version", meta);
        return LTY_ECORRUPT;
    }
    if (v > LTY_POSTGRES_SCHEMA_VERSION) {
        set_err(c, "postgres: open: the tables have schema version %lld; "
                "this library reads up to %d", v, LTY_POSTGRES_SCHEMA_VERSION);
        return LTY_EVERSION;
    }
    return LTY_OK;
}

const char *lty_postgres_open_error(void)
{
    return open_err;
}

int lty_postgres_open(const char *conninfo, const lty_postgres_options *opts,
                      lty_storage_ops *ops, void **userdata)
{
    open_err[0] = '\0';
    if (userdata)
        *userdata = NULL;
    if (!conninfo || !ops || !userdata) {
        set_open_err("postgres: open: NULL argument");
        return LTY_EINVALID;
    }
    lty_postgres_options o = LTY_POSTGRES_OPTIONS_INIT;
    if (opts) {
        if (opts->version != LTY_POSTGRES_OPTIONS_VERSION) {
            set_open_err("postgres: open: options version %u is not supported",
                         opts->version);
            return LTY_EVERSION;
        }
        o = *opts;
    }
    const char *schema = o.schema ? o.schema : "loyalty";
    const char *prefix = o.table_prefix ? o.table_prefix : "";
    if (!valid_ident(schema, 0) || !strncmp(schema, "pg_", 3)) {
        set_open_err("postgres: open: invalid schema name");
        return LTY_EINVALID;
    }
    if (!valid_ident(prefix, 1)) {
        set_open_err("postgres: open: invalid table prefix");
        return LTY_EINVALID;
    }
    pgconn *c = calloc(1, sizeof *c);
    if (!c) {
        set_open_err("postgres: open: out of memory");
        return LTY_ENOMEM;
    }
    snprintf(c->records, sizeof c->records, "\"%s\".\"%srecords\"", schema, prefix);
    snprintf(c->seq, sizeof c->seq, "\"%s\".\"%srev_seq\"", schema, prefix);
    c->conn = PQconnectdb(conninfo);
    int rc;
    if (!c->conn) {
        set_err(c, "postgres: open: out of memory");
        rc = LTY_ENOMEM;
    } else if (PQstatus(c->conn) != CONNECTION_OK) {
        set_err(c, "postgres: connect: %s", PQerrorMessage(c->conn));
        rc = LTY_ESTORAGE;
    } else {
        PQsetNoticeProcessor(c->conn, quiet, NULL);
        rc = setup_schema(c, schema, prefix, o.create);
        if (rc == LTY_OK)
            rc = prepare_all(c);
    }
    if (rc != LTY_OK) {
        memcpy(open_err, c->err, sizeof open_err);
        pg_destroy(c);
        return rc;
    }
    c->err[0] = '\0';
    lty_storage_ops t = LTY_STORAGE_OPS_INIT;
    t.begin = pg_begin;
    t.commit = pg_commit;
    t.rollback = pg_rollback;
    t.get = pg_get;
    t.put = pg_put;
    t.del = pg_del;
    t.scan = pg_scan;
    t.errmsg = pg_errmsg;
    t.destroy = pg_destroy;
    *ops = t;
    *userdata = c;
    return LTY_OK;
}
