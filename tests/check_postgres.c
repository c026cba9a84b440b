/*
 * libloyalty tests - the PostgreSQL backend against a throw-away server:
 * the conformance suite, then what is particular to PostgreSQL (options,
 * schema creation and version, table prefixes, lost connections) and
 * engines in 4 threads and 4 processes recording on the same customers.
 *
 * Skipped (exit 77) when no server can be started, except under CI=true,
 * where that is a failure.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include <loyalty.h>
#include <loyalty/postgres.h>

#include "alloc_int.h" /* struct lty_buf */
#include "concurrency.h"
#include "conformance.h"
#include "pgcluster.h"
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

static lty_pgcluster cluster;
static const char *conninfo;

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

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Run SQL on a separate plain connection; asserts success. */
static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql(const char *fmt, ...)
{
    char q[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    PGconn *pc = PQconnectdb(conninfo);
    REQUIRE(PQstatus(pc) == CONNECTION_OK, "connect: %s", PQerrorMessage(pc));
    PQsetNoticeProcessor(pc, quiet, NULL);
    PGresult *r = PQexec(pc, q);
    ExecStatusType st = PQresultStatus(r);
    REQUIRE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", q,
            PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(pc);
}

static void unique_schema(char *out, size_t n, const char *stem)
{
    static unsigned counter;
    snprintf(out, n, "%s_%ld_%u", stem, (long)getpid(), counter++);
}

static int open_in(const char *schema, const char *prefix, lty_storage_ops *ops,
                   void **ud)
{
    lty_postgres_options o = LTY_POSTGRES_OPTIONS_INIT;
    o.schema = schema;
    o.table_prefix = prefix;
    return lty_postgres_open(conninfo, &o, ops, ud);
}

/* ------------------------------------------------------------------ */
/* The backend for the conformance suite: a fresh schema per store     */
/* ------------------------------------------------------------------ */

typedef struct pgstore {
    char schema[64];
} pgstore;

static int pg_open_store(void **store, void *ctx)
{
    (void)ctx;
    pgstore *s = calloc(1, sizeof *s);
    if (!s)
        return LTY_ENOMEM;
    unique_schema(s->schema, sizeof s->schema, "conf");
    lty_storage_ops ops;
    void *ud;
    int rc = open_in(s->schema, NULL, &ops, &ud); /* creates the tables */
    if (rc) {
        fprintf(stderr, "open: %s\n", lty_postgres_open_error());
        free(s);
        return rc;
    }
    ops.destroy(ud);
    *store = s;
    return LTY_OK;
}

static int pg_connect(void *store, lty_storage_ops *ops, void **conn, void *ctx)
{
    (void)ctx;
    return open_in(((pgstore *)store)->schema, NULL, ops, conn);
}

static void pg_close_store(void *store, void *ctx)
{
    (void)ctx;
    pgstore *s = store;
    sql("DROP SCHEMA \"%s\" CASCADE", s->schema);
    free(s);
}

/* ------------------------------------------------------------------ */
/* Options, schema, prefixes                                           */
/* ------------------------------------------------------------------ */

START_TEST(options_and_names_are_validated)
{
    lty_storage_ops ops;
    void *ud = &ops;
    lty_postgres_options o = LTY_POSTGRES_OPTIONS_INIT;
    REQ_INT(lty_postgres_open(NULL, NULL, &ops, &ud), LTY_EINVALID);
    ck_assert_ptr_null(ud);
    REQ_INT(lty_postgres_open(conninfo, NULL, NULL, &ud), LTY_EINVALID);
    REQ_INT(lty_postgres_open(conninfo, NULL, &ops, NULL), LTY_EINVALID);
    static const char *const bad[] = {
        "", "Loyalty", "1abc", "a-b", "a b", "pg_mine", "a\"b", "schema;drop",
        "abcdefghijabcdefghijabcdefghijabcdefghijk" /* 41 */};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.schema = bad[i];
        REQ_INT(lty_postgres_open(conninfo, &o, &ops, &ud), LTY_EINVALID);
        REQUIRE(strstr(lty_postgres_open_error(), "schema"), "%s",
                lty_postgres_open_error());
    }
    o.schema = NULL;
    o.table_prefix = "Bad";
    REQ_INT(lty_postgres_open(conninfo, &o, &ops, &ud), LTY_EINVALID);
    o.table_prefix = NULL;
    o.version = 99;
    REQ_INT(lty_postgres_open(conninfo, &o, &ops, &ud), LTY_EVERSION);
    /* a server that is not there */
    REQ_INT(lty_postgres_open("host=/nonexistent-lty dbname=x connect_timeout=2",
                              NULL, &ops, &ud), LTY_ESTORAGE);
    REQUIRE(strstr(lty_postgres_open_error(), "connect"), "%s",
            lty_postgres_open_error());
    ck_assert_ptr_null(ud);
    /* 40 bytes and the defaults are fine */
    o = (lty_postgres_options)LTY_POSTGRES_OPTIONS_INIT;
    o.schema = "abcdefghijabcdefghijabcdefghijabcdefghij";
    REQ_INT(lty_postgres_open(conninfo, &o, &ops, &ud), LTY_OK);
    REQ_INT(lty_postgres_open_error()[0], 0);
    ops.destroy(ud);
    REQ_INT(lty_postgres_open(conninfo, NULL, &ops, &ud), LTY_OK); /* "loyalty" */
    ops.destroy(ud);
    sql("DROP SCHEMA abcdefghijabcdefghijabcdefghijabcdefghij CASCADE");
    sql("DROP SCHEMA loyalty CASCADE");
}
END_TEST

START_TEST(create_off_needs_existing_tables)
{
    char schema[64];
    unique_schema(schema, sizeof schema, "nocreate");
    lty_storage_ops ops;
    void *ud;
    lty_postgres_options o = LTY_POSTGRES_OPTIONS_INIT;
    o.schema = schema;
    o.create = 0;
    REQ_INT(lty_postgres_open(conninfo, &o, &ops, &ud), LTY_ENOTFOUND);
    REQUIRE(strstr(lty_postgres_open_error(), "do not exist"), "%s",
            lty_postgres_open_error());
    o.create = 1;
    REQ_INT(lty_postgres_open(conninfo, &o, &ops, &ud), LTY_OK);
    REQ_INT(ops.put(KS("k"), KS("v"), LTY_REV_NONE, NULL, ud), LTY_OK);
    ops.destroy(ud);
    o.create = 0;
    REQ_INT(lty_postgres_open(conninfo, &o, &ops, &ud), LTY_OK);
    lty_buf b = {NULL, 0, 0, &buf_alloc};
    uint64_t rev = 0;
    REQ_INT(ops.get(KS("k"), &b, &rev, ud), LTY_OK);
    ck_assert(rev != 0);
    free(b.data);
    ops.destroy(ud);
    sql("DROP SCHEMA \"%s\" CASCADE", schema);
}
END_TEST

START_TEST(newer_schema_version_is_refused)
{
    char schema[64];
    unique_schema(schema, sizeof schema, "ver");
    lty_storage_ops ops;
    void *ud;
    REQ_INT(open_in(schema, "app_", &ops, &ud), LTY_OK);
    ops.destroy(ud);
    sql("UPDATE \"%s\".app_meta SET value = %d WHERE name = 'schema_version'",
        schema, LTY_POSTGRES_SCHEMA_VERSION + 1);
    REQ_INT(open_in(schema, "app_", &ops, &ud), LTY_EVERSION);
    REQUIRE(strstr(lty_postgres_open_error(), "schema version"), "%s",
            lty_postgres_open_error());
    sql("UPDATE \"%s\".app_meta SET value = 0 WHERE name = 'schema_version'", schema);
    REQ_INT(open_in(schema, "app_", &ops, &ud), LTY_ECORRUPT);
    sql("UPDATE \"%s\".app_meta SET value = 1 WHERE name = 'schema_version'", schema);
    REQ_INT(open_in(schema, "app_", &ops, &ud), LTY_OK);
    ops.destroy(ud);
    sql("DROP SCHEMA \"%s\" CASCADE", schema);
}
END_TEST

START_TEST(table_prefixes_keep_stores_apart)
{
    char schema[64];
    unique_schema(schema, sizeof schema, "pfx");
    lty_storage_ops o1, o2;
    void *u1, *u2;
    REQ_INT(open_in(schema, "", &o1, &u1), LTY_OK);
    REQ_INT(open_in(schema, "other_", &o2, &u2), LTY_OK);
    REQ_INT(o1.put(KS("k"), KS("one"), LTY_REV_NONE, NULL, u1), LTY_OK);
    REQ_INT(o2.put(KS("k"), KS("two"), LTY_REV_NONE, NULL, u2), LTY_OK);
    lty_buf b = {NULL, 0, 0, &buf_alloc};
    uint64_t rev = 0;
    REQ_INT(o1.get(KS("k"), &b, &rev, u1), LTY_OK);
    REQUIRE(b.len == 3 && !memcmp(b.data, "one", 3), "prefix '' sees another store");
    REQ_INT(o2.get(KS("k"), &b, &rev, u2), LTY_OK);
    REQUIRE(b.len == 3 && !memcmp(b.data, "two", 3), "prefix other_ sees another store");
    REQ_INT(o1.del(KS("k"), LTY_REV_ANY, u1), LTY_OK);
    REQ_INT(o2.get(KS("k"), &b, &rev, u2), LTY_OK);
    free(b.data);
    o1.destroy(u1);
    o2.destroy(u2);
    sql("DROP SCHEMA \"%s\" CASCADE", schema);
}
END_TEST

/* Openers racing to create the same tables all succeed. */
static void *race_open(void *p)
{
    lty_storage_ops ops;
    void *ud;
    int rc = open_in((const char *)p, NULL, &ops, &ud);
    if (rc == LTY_OK)
        ops.destroy(ud);
    return (void *)(intptr_t)rc;
}

START_TEST(concurrent_first_opens_create_once)
{
    char schema[64];
    unique_schema(schema, sizeof schema, "race");
    pthread_t t[6];
    for (int i = 0; i < 6; i++)
        REQ_INT(pthread_create(&t[i], NULL, race_open, schema), 0);
    for (int i = 0; i < 6; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        REQ_INT((intptr_t)rc, LTY_OK);
    }
    sql("DROP SCHEMA \"%s\" CASCADE", schema);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Lost connections                                                    */
/* ------------------------------------------------------------------ */

static void kill_sessions(const char *appname)
{
    /* the timeout makes it wait until the session is gone */
    sql("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
        "WHERE application_name = '%s'", appname);
}

static int count_rec(const char *k, size_t kl, const void *v, size_t vl,
                     uint64_t rev, void *ctx)
{
    (void)k;
    (void)kl;
    (void)v;
    (void)vl;
    (void)rev;
    (*(int *)ctx)++;
    return LTY_OK;
}

START_TEST(lost_connection_is_estorage_then_reconnects)
{
    char schema[64], ci[600];
    unique_schema(schema, sizeof schema, "lost");
    snprintf(ci, sizeof ci, "%s application_name=lty_lost_%ld", conninfo,
             (long)getpid());
    const char *app = strstr(ci, "lty_lost_");
    lty_postgres_options o = LTY_POSTGRES_OPTIONS_INIT;
    o.schema = schema;
    lty_storage_ops ops;
    void *ud;
    lty_buf b = {NULL, 0, 0, &buf_alloc};
    uint64_t rev = 0;
    REQ_INT(lty_postgres_open(ci, &o, &ops, &ud), LTY_OK);
    REQ_INT(ops.put(KS("k"), KS("v"), LTY_REV_NONE, NULL, ud), LTY_OK);

    /* during a transaction: the transaction is lost, ESTORAGE */
    REQ_INT(ops.begin(ud), LTY_OK);
    REQ_INT(ops.put(KS("k2"), KS("v2"), LTY_REV_NONE, NULL, ud), LTY_OK);
    kill_sessions(app);
    REQ_INT(ops.put(KS("k3"), KS("v3"), LTY_REV_NONE, NULL, ud), LTY_ESTORAGE);
    REQUIRE(strstr(ops.errmsg(ud), "connection"), "%s", ops.errmsg(ud));
    REQ_INT(ops.get(KS("k"), &b, &rev, ud), LTY_ESTORAGE); /* still in it */
    REQ_INT(ops.commit(ud), LTY_ESTORAGE);
    REQ_INT(ops.rollback(ud), LTY_OK);
    /* the next begin reconnects */
    REQ_INT(ops.begin(ud), LTY_OK);
    REQ_INT(ops.get(KS("k"), &b, &rev, ud), LTY_OK);
    REQ_INT(ops.get(KS("k2"), &b, &rev, ud), LTY_ENOTFOUND);
    REQ_INT(ops.put(KS("k2"), KS("v2"), LTY_REV_NONE, NULL, ud), LTY_OK);
    REQ_INT(ops.commit(ud), LTY_OK);

    /* idle: a write outside a transaction fails once, then works */
    kill_sessions(app);
    REQ_INT(ops.put(KS("k4"), KS("v4"), LTY_REV_NONE, NULL, ud), LTY_ESTORAGE);
    REQ_INT(ops.put(KS("k4"), KS("v4"), LTY_REV_NONE, NULL, ud), LTY_OK);
    /* idle: begin and reads reconnect by themselves */
    kill_sessions(app);
    REQ_INT(ops.begin(ud), LTY_OK);
    REQ_INT(ops.get(KS("k4"), &b, &rev, ud), LTY_OK);
    REQ_INT(ops.commit(ud), LTY_OK);
    kill_sessions(app);
    REQ_INT(ops.get(KS("k2"), &b, &rev, ud), LTY_OK);
    kill_sessions(app);
    int n = 0;
    REQ_INT(ops.scan(NULL, 0, NULL, 0, count_rec, &n, ud), LTY_OK);
    REQ_INT(n, 3); /* k, k2, k4; a scan outside a transaction reconnects too */
    free(b.data);
    ops.destroy(ud);

    /* and through an engine: one call fails, the next one works */
    REQ_INT(lty_postgres_open(ci, &o, &ops, &ud), LTY_OK);
    lty_engine_options eo = LTY_ENGINE_OPTIONS_INIT;
    eo.storage = &ops;
    eo.storage_userdata = ud;
    lty_engine *e;
    REQ_INT(lty_engine_new(&e, &eo), LTY_OK);
    lty_test_customer(e, "c1", "Kim", NULL);
    lty_test_event(e, "ev1", "c1", LTY_TIME_NOW, 1000, NULL);
    kill_sessions(app);
    lty_test_event(e, "ev2", "c1", LTY_TIME_NOW, 1000, NULL); /* begin reconnects */
    size_t mism = 1;
    REQ_INT(lty_verify(e, &mism, NULL, NULL), LTY_OK);
    REQ_INT(mism, 0);
    lty_engine_free(e);
    sql("DROP SCHEMA \"%s\" CASCADE", schema);
}
END_TEST

START_TEST(errmsg_never_quotes_records)
{
    char schema[64];
    unique_schema(schema, sizeof schema, "msg");
    lty_storage_ops ops;
    void *ud;
    REQ_INT(open_in(schema, NULL, &ops, &ud), LTY_OK);
    REQ_INT(ops.put(KS("C\0secret-key"), KS("secret-value"), LTY_REV_NONE, NULL, ud),
            LTY_OK);
    REQ_INT(ops.put(KS("C\0secret-key"), KS("secret-value"), LTY_REV_NONE, NULL, ud),
            LTY_ECONFLICT);
    REQUIRE(!strstr(ops.errmsg(ud), "secret"), "%s", ops.errmsg(ud));
    REQ_INT(ops.put(KS("C\0secret-key"), KS("secret-value"), 12345, NULL, ud),
            LTY_ECONFLICT);
    REQUIRE(!strstr(ops.errmsg(ud), "secret"), "%s", ops.errmsg(ud));
    ops.destroy(ud);
    sql("DROP SCHEMA \"%s\" CASCADE", schema);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Engines in 4 threads and 4 processes on the same 100 customers      */
/* ------------------------------------------------------------------ */

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return LTY_TEST_NOW;
}

static int conc_engine(const char *schema, lty_engine **e)
{
    lty_storage_ops ops;
    void *ud;
    int rc = open_in(schema, NULL, &ops, &ud);
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

static int open_conc(void *ctx, lty_engine **e)
{
    return conc_engine(ctx, e);
}

START_TEST(threads_and_processes_lose_no_update)
{
    char schema[64];
    unique_schema(schema, sizeof schema, "conc");
    lty_test_lose_no_update("postgres", open_conc, lty_postgres_open_error,
                            schema);
    sql("DROP SCHEMA \"%s\" CASCADE", schema);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Runner                                                              */
/* ------------------------------------------------------------------ */

static Suite *postgres_suite(void)
{
    Suite *s = suite_create("postgres");
    TCase *tc = tcase_create("postgres");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, options_and_names_are_validated);
    tcase_add_test(tc, create_off_needs_existing_tables);
    tcase_add_test(tc, newer_schema_version_is_refused);
    tcase_add_test(tc, table_prefixes_keep_stores_apart);
    tcase_add_test(tc, concurrent_first_opens_create_once);
    tcase_add_test(tc, lost_connection_is_estorage_then_reconnects);
    tcase_add_test(tc, errmsg_never_quotes_records);
    suite_add_tcase(s, tc);
    tc = tcase_create("engines");
    tcase_set_timeout(tc, LTY_TEST_CONCURRENCY_SECONDS + 120);
    tcase_add_test(tc, threads_and_processes_lose_no_update);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    char why[512];
    const char *ci = getenv("CI");
    int in_ci = ci && strcmp(ci, "true") == 0;
    if (lty_pg_start(&cluster, why, sizeof why) != 0) {
        if (in_ci) {
            fprintf(stderr, "FAIL: the PostgreSQL tests need a server, and CI=true: "
                    "could not start one because %s\n", why);
            return EXIT_FAILURE;
        }
        printf("SKIP: PostgreSQL backend tests skipped because no throw-away "
               "server could be started: %s\n", why);
        return 77;
    }
    conninfo = cluster.conninfo;
    static const lty_conformance_backend pg = {
        "postgres", pg_open_store, pg_connect, pg_close_store, NULL};
    SRunner *sr = srunner_create(lty_conformance_suite(&pg));
    srunner_add_suite(sr, postgres_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    lty_pg_stop(&cluster);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
