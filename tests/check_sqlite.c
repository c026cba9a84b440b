/*
 * libloyalty tests - the SQLite backend: the conformance suite, then what is
 * particular to SQLite (options, schema version, foreign files, wrapped
 * handles), fault injection over SQLite, engines in 4 threads and 4
 * processes on one file, and SIGKILL crash safety.
 *
 * Every file lives in a mkdtemp() directory removed at the end.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, mkdtemp */

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include <loyalty.h>
#include <loyalty/sqlite.h>

#include "alloc_int.h" /* struct lty_buf */
#include "concurrency.h"
#include "conformance.h"
#include "faultcalls.h"
#include "faultworld.h"
#include "testutil.h"

#define KS(lit) (lit), (sizeof(lit) - 1)

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

static char tmpdir[256];

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

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

/* A fresh file name in the temporary directory (Check forks per test, so
 * the pid keeps names apart). */
static void fresh_path(char *out, size_t n, const char *stem)
{
    static unsigned counter;
    snprintf(out, n, "%s/%s-%ld-%u.db", tmpdir, stem, (long)getpid(), counter++);
}

static void remove_db(const char *path)
{
    char p[512];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-journal", path);
    unlink(p);
}

static int open_path(const char *path, int full, lty_storage_ops *ops, void **ud)
{
    lty_sqlite_options o = LTY_SQLITE_OPTIONS_INIT;
    o.synchronous_full = full;
    return lty_sqlite_open(path, &o, ops, ud);
}

/* Run SQL on a plain SQLite handle of its own; asserts success. */
static void raw_sql(const char *path, const char *q)
{
    sqlite3 *db = NULL;
    REQUIRE(sqlite3_open(path, &db) == SQLITE_OK, "open %s", path);
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    int rc = sqlite3_exec(db, q, NULL, NULL, &msg);
    REQUIRE(rc == SQLITE_OK, "%s: %s", q, msg ? msg : "?");
    sqlite3_free(msg);
    sqlite3_close(db);
}

static void integrity_ok(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    REQUIRE(sqlite3_open(path, &db) == SQLITE_OK, "open %s", path);
    REQUIRE(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK,
            "prepare: %s", sqlite3_errmsg(db));
    REQUIRE(sqlite3_step(s) == SQLITE_ROW, "integrity_check: %s", sqlite3_errmsg(db));
    const char *r = (const char *)sqlite3_column_text(s, 0);
    REQUIRE(r && strcmp(r, "ok") == 0, "integrity_check: %s", r ? r : "(null)");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return LTY_TEST_NOW;
}

/* An engine on its own connection to path. */
static int engine_on(const char *path, int full, lty_engine **e)
{
    lty_storage_ops ops;
    void *ud;
    int rc = open_path(path, full, &ops, &ud);
    if (rc)
        return rc;
    lty_engine_options eo = LTY_ENGINE_OPTIONS_INIT;
    eo.storage = &ops;
    eo.storage_userdata = ud;
    eo.clock = fixed_clock;
    eo.utc_offset_minutes = 540;
    eo.retry_limit = 1000;
    rc = lty_engine_new(e, &eo);
    if (rc)
        ops.destroy(ud);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The backend for the conformance suite: a fresh file per store       */
/* ------------------------------------------------------------------ */

static int sq_open_store(void **store, void *ctx)
{
    (void)ctx;
    char *path = malloc(512);
    if (!path)
        return LTY_ENOMEM;
    fresh_path(path, 512, "conf");
    lty_storage_ops ops;
    void *ud;
    int rc = open_path(path, 0, &ops, &ud); /* creates the file */
    if (rc) {
        fprintf(stderr, "open: %s\n", lty_sqlite_open_error());
        free(path);
        return rc;
    }
    ops.destroy(ud);
    *store = path;
    return LTY_OK;
}

static int sq_connect(void *store, lty_storage_ops *ops, void **conn, void *ctx)
{
    (void)ctx;
    /* NORMAL: the suite's thousands of small commits need no fsync each */
    return open_path(store, 0, ops, conn);
}

static void sq_close_store(void *store, void *ctx)
{
    (void)ctx;
    remove_db(store);
    free(store);
}

/* ------------------------------------------------------------------ */
/* Options, schema, files, handles                                     */
/* ------------------------------------------------------------------ */

START_TEST(arguments_and_options_are_validated)
{
    char path[512];
    fresh_path(path, sizeof path, "args");
    lty_storage_ops ops;
    void *ud = &ops;
    lty_sqlite_options o = LTY_SQLITE_OPTIONS_INIT;
    REQ_INT(lty_sqlite_open(NULL, NULL, &ops, &ud), LTY_EINVALID);
    ck_assert_ptr_null(ud);
    REQ_INT(lty_sqlite_open(path, NULL, NULL, &ud), LTY_EINVALID);
    REQ_INT(lty_sqlite_open(path, NULL, &ops, NULL), LTY_EINVALID);
    REQ_INT(lty_sqlite_wrap(NULL, NULL, &ops, &ud), LTY_EINVALID);
    REQUIRE(strstr(lty_sqlite_open_error(), "NULL"), "%s", lty_sqlite_open_error());
    o.version = 99;
    REQ_INT(lty_sqlite_open(path, &o, &ops, &ud), LTY_EVERSION);
    REQUIRE(strstr(lty_sqlite_open_error(), "version"), "%s", lty_sqlite_open_error());
    o = (lty_sqlite_options)LTY_SQLITE_OPTIONS_INIT;
    o.synchronous_full = 2;
    REQ_INT(lty_sqlite_open(path, &o, &ops, &ud), LTY_EINVALID);
    o.synchronous_full = 1;
    o.busy_timeout_ms = -1;
    REQ_INT(lty_sqlite_open(path, &o, &ops, &ud), LTY_EINVALID);
    REQUIRE(strstr(lty_sqlite_open_error(), "busy_timeout_ms"), "%s",
            lty_sqlite_open_error());
    o.busy_timeout_ms = 10;
    o.checkpoint_pages = -1;
    REQ_INT(lty_sqlite_open(path, &o, &ops, &ud), LTY_EINVALID);
    REQUIRE(strstr(lty_sqlite_open_error(), "checkpoint_pages"), "%s",
            lty_sqlite_open_error());
    REQ_INT(access(path, F_OK), -1); /* nothing was created */
    /* create = 0: the file must exist, with the tables */
    o = (lty_sqlite_options)LTY_SQLITE_OPTIONS_INIT;
    o.create = 0;
    REQ_INT(lty_sqlite_open(path, &o, &ops, &ud), LTY_ENOTFOUND);
    raw_sql(path, "CREATE TABLE host_table (x)");
    REQ_INT(lty_sqlite_open(path, &o, &ops, &ud), LTY_ENOTFOUND);
    REQUIRE(strstr(lty_sqlite_open_error(), "do not exist"), "%s",
            lty_sqlite_open_error());
    o.create = 1;
    REQ_INT(lty_sqlite_open(path, &o, &ops, &ud), LTY_OK);
    REQ_INT(lty_sqlite_open_error()[0], 0);
    REQ_INT(ops.put(KS("k"), KS("v"), LTY_REV_NONE, NULL, ud), LTY_OK);
    ops.destroy(ud);
    o.create = 0;
    REQ_INT(lty_sqlite_open(path, &o, &ops, &ud), LTY_OK);
    lty_buf b = {NULL, 0, 0, &buf_alloc};
    uint64_t rev = 0;
    REQ_INT(ops.get(KS("k"), &b, &rev, ud), LTY_OK);
    REQUIRE(rev != 0 && b.len == 1, "the record did not persist");
    free(b.data);
    ops.destroy(ud);
    /* the file is in WAL mode */
    sqlite3 *db;
    REQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s;
    REQ_INT(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    REQ_INT(sqlite3_step(s), SQLITE_ROW);
    REQUIRE(!strcmp((const char *)sqlite3_column_text(s, 0), "wal"), "not WAL");
    sqlite3_finalize(s);
    sqlite3_close(db);
    remove_db(path);
}
END_TEST

START_TEST(newer_schema_version_is_refused)
{
    char path[512];
    fresh_path(path, sizeof path, "ver");
    lty_storage_ops ops;
    void *ud;
    REQ_INT(open_path(path, 1, &ops, &ud), LTY_OK);
    ops.destroy(ud);
    raw_sql(path, "UPDATE lty_meta SET value = 2 WHERE name = 'schema_version'");
    REQ_INT(open_path(path, 1, &ops, &ud), LTY_EVERSION);
    ck_assert_ptr_null(ud);
    REQUIRE(strstr(lty_sqlite_open_error(), "schema version 2"), "%s",
            lty_sqlite_open_error());
    raw_sql(path, "UPDATE lty_meta SET value = 0 WHERE name = 'schema_version'");
    REQ_INT(open_path(path, 1, &ops, &ud), LTY_ECORRUPT);
    raw_sql(path, "DELETE FROM lty_meta WHERE name = 'schema_version'");
    REQ_INT(open_path(path, 1, &ops, &ud), LTY_ECORRUPT);
    raw_sql(path, "INSERT INTO lty_meta VALUES ('schema_version', 1)");
    REQ_INT(open_path(path, 1, &ops, &ud), LTY_OK);
    ops.destroy(ud);
    remove_db(path);
}
END_TEST

START_TEST(a_file_that_is_not_a_database_is_refused)
{
    char path[512];
    fresh_path(path, sizeof path, "junk");
    FILE *f = fopen(path, "w");
    REQUIRE(f, "fopen");
    for (int i = 0; i < 400; i++)
        fputs("this is a text file, not a database\n", f);
    fclose(f);
    lty_storage_ops ops;
    void *ud;
    int rc = open_path(path, 1, &ops, &ud);
    REQUIRE(rc == LTY_ECORRUPT || rc == LTY_ESTORAGE, "gave %s", lty_strerror(rc));
    REQUIRE(strstr(lty_sqlite_open_error(), "not a database"), "%s",
            lty_sqlite_open_error());
    ck_assert_ptr_null(ud);
    remove_db(path);
    /* a directory cannot be opened */
    rc = open_path(tmpdir, 1, &ops, &ud);
    REQUIRE(rc == LTY_ESTORAGE, "gave %s", lty_strerror(rc));
    REQUIRE(lty_sqlite_open_error()[0] != 0, "no message");
}
END_TEST

/* The integer a one-value PRAGMA reports on the host's handle. */
static int pragma_value(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    REQ_INT(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    REQ_INT(sqlite3_step(s), SQLITE_ROW);
    int v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

START_TEST(the_checkpoint_interval_is_set_on_the_connection)
{
    char path[512];
    fresh_path(path, sizeof path, "ckpt");
    sqlite3 *db;
    lty_storage_ops ops;
    void *ud;
    REQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    /* the default */
    REQ_INT(lty_sqlite_wrap(db, NULL, &ops, &ud), LTY_OK);
    REQ_INT(pragma_value(db, "PRAGMA wal_autocheckpoint"),
            LTY_SQLITE_DEFAULT_CHECKPOINT_PAGES);
    REQ_INT(pragma_value(db, "PRAGMA journal_size_limit"),
            LTY_SQLITE_DEFAULT_CHECKPOINT_PAGES * 4096);
    ops.destroy(ud);
    /* a chosen interval */
    lty_sqlite_options o = LTY_SQLITE_OPTIONS_INIT;
    o.checkpoint_pages = 123;
    REQ_INT(lty_sqlite_wrap(db, &o, &ops, &ud), LTY_OK);
    REQ_INT(pragma_value(db, "PRAGMA wal_autocheckpoint"), 123);
    REQ_INT(pragma_value(db, "PRAGMA journal_size_limit"), 123 * 4096);
    ops.destroy(ud);
    REQ_INT(sqlite3_close(db), SQLITE_OK);
    remove_db(path);
}
END_TEST

START_TEST(a_wrapped_handle_stays_the_hosts)
{
    char path[512];
    fresh_path(path, sizeof path, "wrap");
    sqlite3 *db;
    REQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    REQ_INT(sqlite3_exec(db, "CREATE TABLE host (x); INSERT INTO host VALUES (7)",
                         NULL, NULL, NULL), SQLITE_OK);
    lty_storage_ops ops;
    void *ud;
    /* not inside the host's own transaction */
    REQ_INT(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    REQ_INT(lty_sqlite_wrap(db, NULL, &ops, &ud), LTY_ESTATE);
    REQ_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    REQ_INT(lty_sqlite_wrap(db, NULL, &ops, &ud), LTY_OK);
    lty_engine_options eo = LTY_ENGINE_OPTIONS_INIT;
    eo.storage = &ops;
    eo.storage_userdata = ud;
    eo.clock = fixed_clock;
    lty_engine *e;
    REQ_INT(lty_engine_new(&e, &eo), LTY_OK);
    lty_test_customer(e, "c1", "Kim", "010-1234-5678");
    lty_test_event(e, "p1", "c1", LTY_TEST_NOW, 1000, NULL);
    /* destroy leaves an open transaction rolled back, the handle open */
    REQ_INT(ops.begin(ud), LTY_OK);
    REQ_INT(ops.put(KS("abandoned"), KS("x"), LTY_REV_NONE, NULL, ud), LTY_OK);
    lty_engine_free(e);
    REQ_INT(sqlite3_get_autocommit(db), 1);
    sqlite3_stmt *s;
    REQ_INT(sqlite3_prepare_v2(db, "SELECT (SELECT x FROM host), "
                               "(SELECT count(*) FROM lty_records WHERE key = "
                               "CAST('abandoned' AS BLOB))", -1, &s, NULL), SQLITE_OK);
    REQ_INT(sqlite3_step(s), SQLITE_ROW);
    REQ_INT(sqlite3_column_int(s, 0), 7);
    REQ_INT(sqlite3_column_int(s, 1), 0);
    sqlite3_finalize(s);
    REQ_INT(sqlite3_close(db), SQLITE_OK); /* nothing of ours left on it */
    /* the data is there for a plain open */
    REQ_INT(engine_on(path, 1, &e), LTY_OK);
    lty_customer *cu;
    REQ_INT(lty_customer_get(e, "c1", &cu), LTY_OK);
    lty_customer_free(cu);
    lty_engine_free(e);
    remove_db(path);
}
END_TEST

START_TEST(errmsg_never_quotes_records)
{
    char path[512];
    fresh_path(path, sizeof path, "msg");
    lty_storage_ops ops;
    void *ud;
    REQ_INT(open_path(path, 0, &ops, &ud), LTY_OK);
    REQ_INT(ops.put(KS("C\0secret-key"), KS("secret-value"), LTY_REV_NONE, NULL, ud),
            LTY_OK);
    REQ_INT(ops.put(KS("C\0secret-key"), KS("secret-value"), LTY_REV_NONE, NULL, ud),
            LTY_ECONFLICT);
    REQUIRE(!strstr(ops.errmsg(ud), "secret"), "%s", ops.errmsg(ud));
    REQUIRE(strstr(ops.errmsg(ud), "sqlite"), "%s", ops.errmsg(ud));
    REQ_INT(ops.put(KS("C\0secret-key"), KS("secret-value"), 12345, NULL, ud),
            LTY_ECONFLICT);
    REQUIRE(!strstr(ops.errmsg(ud), "secret"), "%s", ops.errmsg(ud));
    ops.destroy(ud);
    remove_db(path);
}
END_TEST

/* A writer holding the lock past the busy timeout is a conflict; a malformed
 * row is corruption, not a crash. */
START_TEST(busy_is_conflict_and_bad_rows_are_corrupt)
{
    char path[512];
    fresh_path(path, sizeof path, "busy");
    lty_storage_ops o1, o2;
    void *u1, *u2;
    lty_sqlite_options so = LTY_SQLITE_OPTIONS_INIT;
    so.busy_timeout_ms = 100;
    REQ_INT(lty_sqlite_open(path, &so, &o1, &u1), LTY_OK);
    REQ_INT(lty_sqlite_open(path, &so, &o2, &u2), LTY_OK);
    REQ_INT(o1.put(KS("k"), KS("v"), LTY_REV_NONE, NULL, u1), LTY_OK);
    REQ_INT(o1.begin(u1), LTY_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    REQ_INT(o2.begin(u2), LTY_ECONFLICT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    REQUIRE(ms >= 90 && ms < 2000, "waited %.0f ms for a 100 ms timeout", ms);
    REQUIRE(strstr(o2.errmsg(u2), "locked"), "%s", o2.errmsg(u2));
    REQ_INT(o2.put(KS("k2"), KS("v"), LTY_REV_NONE, NULL, u2), LTY_ECONFLICT);
    /* readers are not blocked by the writer (WAL) */
    lty_buf b = {NULL, 0, 0, &buf_alloc};
    uint64_t rev;
    REQ_INT(o2.get(KS("k"), &b, &rev, u2), LTY_OK);
    REQ_INT(o1.rollback(u1), LTY_OK);
    REQ_INT(o2.begin(u2), LTY_OK);
    REQ_INT(o2.commit(u2), LTY_OK);
    REQ_INT(o1.rollback(u1), LTY_ESTATE);
    REQ_INT(o1.commit(u1), LTY_ESTATE);
    /* malformed rows */
    raw_sql(path, "INSERT INTO lty_records VALUES (CAST('bad' AS BLOB), 'text', 5)");
    raw_sql(path, "INSERT INTO lty_records VALUES (CAST('bad2' AS BLOB), x'00', 0)");
    REQ_INT(o2.get(KS("bad"), &b, &rev, u2), LTY_ECORRUPT);
    REQ_INT(o2.get(KS("bad2"), &b, &rev, u2), LTY_ECORRUPT);
    REQUIRE(strstr(o2.errmsg(u2), "malformed"), "%s", o2.errmsg(u2));
    free(b.data);
    o1.destroy(u1);
    o2.destroy(u2);
    remove_db(path);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Fault injection over SQLite                                         */
/* ------------------------------------------------------------------ */

static void fworld_cleanup(lty_test_fault_world *w)
{
    remove_db(w->user);
    free(w->user);
}

static void fworld_seed(lty_test_fault_world *w, void *path)
{
    w->user = path;
    w->cleanup = fworld_cleanup;
    lty_test_fault_seed(w->e);
}

/* A fresh file seeded by lty_test_fault_seed(), and an engine over the
 * fault-injecting wrapper; a second connection for dumps. */
static void fworld_open(lty_test_fault_world *w, void *ctx)
{
    (void)ctx;
    char *path = malloc(512);
    REQUIRE(path != NULL, "malloc");
    fresh_path(path, 512, "faults");
    lty_storage_ops inner, look;
    void *inner_ud, *look_ud;
    REQ_INT(open_path(path, 0, &inner, &inner_ud), LTY_OK);
    REQ_INT(open_path(path, 0, &look, &look_ud), LTY_OK);
    lty_test_fault_world_open_on(w, LTY_TEST_NOW, &inner, inner_ud, &look,
                                 look_ud, fworld_seed, path);
}

START_TEST(every_storage_failure_leaves_the_file_unchanged)
{
    const lty_test_fault_call *c = &lty_test_fault_calls[_i];
    lty_test_fault_spec spec = {
        .name = c->name, .call = c->call,
        .flags = LTY_TEST_FAULT_STORAGE | LTY_TEST_FAULT_CONFLICT,
        .min_calls = 2, .open = fworld_open};
    lty_test_fault_sweep(&spec);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Engines in 4 threads and 4 processes on the same 100 customers      */
/* ------------------------------------------------------------------ */

static int open_conc(void *ctx, lty_engine **e)
{
    return engine_on(ctx, 0, e);
}

START_TEST(threads_and_processes_lose_no_update)
{
    char path[512];
    fresh_path(path, sizeof path, "conc");
    lty_test_lose_no_update("sqlite (synchronous NORMAL)", open_conc,
                            lty_sqlite_open_error, path);
    integrity_ok(path);
    remove_db(path);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Crash safety: SIGKILL at random moments                             */
/* ------------------------------------------------------------------ */

#define CRASH_ROUNDS 50
#define CRASH_CUSTOMERS 10
#define CRASH_MAX_EVENTS 100000

static void crash_event(lty_event *ev, char *id, size_t idlen, char *cid,
                        size_t cidlen, int round, int i)
{
    snprintf(id, idlen, "r%d-%d", round, i);
    snprintf(cid, cidlen, "c%d", i % CRASH_CUSTOMERS);
    *ev = (lty_event)LTY_EVENT_INIT;
    ev->type = LTY_EVENT_PURCHASE;
    ev->id = id;
    ev->customer_id = cid;
    ev->time = LTY_TEST_NOW - 86400 + i % 1000;
    ev->amount = 100 + i % 7;
}

/* The child: record until killed, acknowledging each event on fd. */
static void crash_child(const char *path, int round, int fd)
{
    lty_engine *e;
    if (engine_on(path, 1, &e) != LTY_OK)
        _exit(2);
    char id[32], cid[16];
    for (int i = 0; i < CRASH_MAX_EVENTS; i++) {
        lty_event ev;
        crash_event(&ev, id, sizeof id, cid, sizeof cid, round, i);
        if (lty_record(e, &ev, NULL) != LTY_OK)
            _exit(3);
        if (write(fd, &i, sizeof i) != (ssize_t)sizeof i)
            _exit(4);
    }
    _exit(0);
}

static int64_t total_purchases(lty_engine *e)
{
    int64_t total = 0;
    char cid[16];
    for (int c = 0; c < CRASH_CUSTOMERS; c++) {
        snprintf(cid, sizeof cid, "c%d", c);
        lty_customer *cu;
        REQ_INT(lty_customer_get(e, cid, &cu), LTY_OK);
        lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
        REQ_INT(lty_customer_stats_get(cu, &st), LTY_OK);
        total += st.purchases;
        lty_customer_free(cu);
    }
    return total;
}

START_TEST(sigkill_loses_no_acknowledged_event)
{
    char path[512];
    fresh_path(path, sizeof path, "crash");
    lty_engine *e;
    REQ_INT(engine_on(path, 1, &e), LTY_OK);
    char cid[16], id[32];
    for (int c = 0; c < CRASH_CUSTOMERS; c++) {
        snprintf(cid, sizeof cid, "c%d", c);
        lty_test_customer(e, cid, "Crash Test", NULL);
    }
    lty_engine_free(e);
    uint64_t seed = 0x2545f4914f6cdd1du ^ (uint64_t)getpid();
    int64_t stored = 0; /* events in the file after the previous round */
    long acked_total = 0, unacked_kept = 0;
    for (int round = 0; round < CRASH_ROUNDS; round++) {
        int fds[2];
        REQ_INT(pipe(fds), 0);
        fflush(NULL);
        pid_t pid = fork();
        REQUIRE(pid >= 0, "fork");
        if (pid == 0) {
            close(fds[0]);
            crash_child(path, round, fds[1]);
        }
        close(fds[1]);
        int i = -1, acked = 0;
        /* wait for the first acknowledgement, then kill at a random moment */
        ssize_t r = read(fds[0], &i, sizeof i);
        REQUIRE(r == (ssize_t)sizeof i, "round %d: the child acknowledged nothing", round);
        acked = 1;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        struct timespec d = {0, (long)(seed % 40000) * 1000}; /* 0-40 ms */
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        int st = 0;
        waitpid(pid, &st, 0);
        REQUIRE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                "round %d: the child ended before the kill (status %d)", round, st);
        while ((r = read(fds[0], &i, sizeof i)) == (ssize_t)sizeof i) {
            REQUIRE(i == acked, "round %d: acknowledgements out of order", round);
            acked++;
        }
        close(fds[0]);
        acked_total += acked;

        integrity_ok(path);
        REQ_INT(engine_on(path, 1, &e), LTY_OK);
        /* the events are those acknowledged, plus at most the one whose
         * commit was done when the kill came before its acknowledgement */
        int64_t now_stored = total_purchases(e);
        REQUIRE(now_stored == stored + acked || now_stored == stored + acked + 1,
                "round %d: %lld events stored before, %d acknowledged, %lld now",
                round, (long long)stored, acked, (long long)now_stored);
        unacked_kept += now_stored - stored - acked;
        stored = now_stored;
        /* every acknowledged event is there, exactly once */
        for (int k = 0; k < acked; k++) {
            lty_event ev;
            crash_event(&ev, id, sizeof id, cid, sizeof cid, round, k);
            lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
            REQ_INT(lty_record(e, &ev, &out), LTY_OK);
            REQUIRE(out.duplicate, "round %d: acknowledged event %s is missing",
                    round, id);
        }
        REQ_INT(total_purchases(e), stored);
        size_t mism = 1;
        REQ_INT(lty_verify(e, &mism, NULL, NULL), LTY_OK);
        REQ_INT(mism, 0);
        lty_engine_free(e);
    }
    printf("sqlite crash safety: %d SIGKILLs, %ld acknowledged events all kept, "
           "%ld committed-but-unacknowledged kept, integrity_check ok\n",
           CRASH_ROUNDS, acked_total, unacked_kept);
    fflush(stdout);
    remove_db(path);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Runner                                                              */
/* ------------------------------------------------------------------ */

static Suite *sqlite_suite(void)
{
    Suite *s = suite_create("sqlite");
    TCase *tc = tcase_create("sqlite");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, arguments_and_options_are_validated);
    tcase_add_test(tc, newer_schema_version_is_refused);
    tcase_add_test(tc, a_file_that_is_not_a_database_is_refused);
    tcase_add_test(tc, a_wrapped_handle_stays_the_hosts);
    tcase_add_test(tc, the_checkpoint_interval_is_set_on_the_connection);
    tcase_add_test(tc, errmsg_never_quotes_records);
    tcase_add_test(tc, busy_is_conflict_and_bad_rows_are_corrupt);
    suite_add_tcase(s, tc);
    tc = tcase_create("faults");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_file_unchanged, 0,
                        lty_test_fault_ncalls);
    suite_add_tcase(s, tc);
    tc = tcase_create("engines");
    tcase_set_timeout(tc, LTY_TEST_CONCURRENCY_SECONDS + 120);
    tcase_add_test(tc, threads_and_processes_lose_no_update);
    tcase_add_test(tc, sigkill_loses_no_acknowledged_event);
    suite_add_tcase(s, tc);
    return s;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *ent;
    char p[1024];
    while ((ent = readdir(d))) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, ent->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/lty-sqlite-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
        return EXIT_FAILURE;
    }
    static const lty_conformance_backend sq = {
        "sqlite", sq_open_store, sq_connect, sq_close_store, NULL};
    SRunner *sr = srunner_create(lty_conformance_suite(&sq));
    srunner_add_suite(sr, sqlite_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    remove_tree(tmpdir);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
