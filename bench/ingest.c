/*
 * libloyalty benchmark - ingest: customers' memory footprint and event
 * throughput on the memory store, on one core.
 *
 *   bench/ingest [--customers N] [--events N] [--no-prefetch] [--programs]
 *   bench/ingest --store sqlite [--db FILE] [--batch N] [--durable N]
 *                [--checkpoint-pages N] ...
 *   bench/ingest --store postgres --conninfo STR [--batch N] [--durable N] ...
 *
 * --no-prefetch drops the storage prefetch hint, to measure what it buys.
 * --programs defines a visit ladder and a star card with tiers and rewards
 * first, so every event also updates the customer's program state (target
 * on the memory store: at least 500,000 events/s).
 *
 * With --store sqlite or postgres the events go in batches (default 1,000,
 * lty_record_batch(); SQLite with synchronous NORMAL; target 200,000
 * events/s), then --durable N more (default 2,000) go one event per
 * transaction with full durability (SQLite synchronous FULL), the rate a
 * front desk sees for a single visit.  The SQLite file defaults to a fresh
 * one in $TMPDIR, removed afterwards; PostgreSQL takes --conninfo or
 * $LTY_PG_CONNINFO.
 *
 * 1. Creates N customers (id, name, phone) and reports the resident memory
 *    they added, per customer (target: at most 256 bytes).
 * 2. Records the events as purchases, in time order, spread over the
 *    customers (distinct ids, realistic amounts and item codes), and
 *    reports events per second (target: at least 1,000,000).
 * 3. Reports the resident memory per customer after the events, and runs
 *    lty_verify() over the whole store (target: 0 mismatches).
 *
 * Resident memory is read from /proc/self/statm, so it is what the process
 * really holds, allocator overhead included.  The engine runs at UTC+9 with
 * a fixed clock.  Exits 0 when every step ran and verify found nothing
 * (whatever the speed: a slow machine is a MISS, not an error), 1 on any
 * failure, 2 on bad arguments.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <loyalty.h>
#ifdef LTY_BENCH_SQLITE
#include <loyalty/sqlite.h>
#endif
#ifdef LTY_BENCH_POSTGRES
#include <loyalty/postgres.h>
#endif

#define TARGET_BYTES_PER_CUSTOMER 256.0
#define TARGET_EVENTS_PER_SECOND 1000000.0
#define TARGET_BATCHED_PER_SECOND 200000.0
#define TARGET_PROGRAM_EVENTS_PER_SECOND 500000.0

/* 2026-01-01T00:00:00Z: the first event; the clock stands after the last. */
#define START_TIME INT64_C(1767225600)

static const char *const items[] = {
    "americano", "latte",    "scaling",   "whitening", "implant-check",
    "facial",    "botox",    "filler",    "laser",     "consultation",
    "haircut",   "perm",     "colour",    "massage",   "vitamin-drip",
    "acupuncture", "x-ray",  "cleaning",  "cake",      "sandwich"};
#define ITEM_COUNT (sizeof items / sizeof items[0])

static int64_t clock_now;

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return clock_now;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident set size in bytes, or 0 when /proc is not there. */
static long long rss_bytes(void)
{
    long long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%lld %lld", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

/* A small deterministic generator (xorshift64*), so runs compare. */
static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

/* prefix followed by v in `digits` decimal digits: the ids of the run,
 * formatted by hand so the benchmark measures the library, not printf. */
static void format_id(char *out, const char *prefix, long v, int digits)
{
    size_t n = strlen(prefix);
    memcpy(out, prefix, n);
    for (int i = digits - 1; i >= 0; i--) {
        out[n + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    out[n + (size_t)digits] = '\0';
}

static int parse_count(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 100000000)
        return -1;
    *out = v;
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: ingest [--customers N] [--events N] [--no-prefetch] [--programs]\n"
            "       ingest --store sqlite [--db FILE] [--batch N] [--durable N]\n"
            "                     [--checkpoint-pages N]\n"
            "       ingest --store postgres [--conninfo STR] [--batch N] [--durable N]\n");
}

static int fail(lty_engine *e, const char *what, int rc)
{
    fprintf(stderr, "ingest: %s: %s (%s)\n", what, lty_strerror(rc),
            lty_engine_last_error(e));
    return 1;
}

static int create_customers(lty_engine *e, long n)
{
    char id[32], name[32], phone[32];
    for (long i = 0; i < n; i++) {
        lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
        format_id(id, "cust-", i, 7);
        snprintf(name, sizeof name, "Customer %ld", i);
        snprintf(phone, sizeof phone, "010-%04ld-%04ld", 1000 + i / 10000,
                 i % 10000);
        f.id = id;
        f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE;
        f.name = name;
        f.phone = phone;
        int rc = lty_customer_create(e, &f);
        if (rc)
            return fail(e, "create customer", rc);
    }
    return 0;
}

/* One generated event: time-ordered over a year, to a random customer. */
typedef struct gen_event {
    char id[32];
    char cid[32];
    lty_event ev;
} gen_event;

static void generate(gen_event *g, long customers, long i, long events)
{
    int64_t span = 365 * INT64_C(86400);
    uint64_t r = rng();
    lty_event ev = LTY_EVENT_INIT;
    format_id(g->id, "ord-", i, 9);
    format_id(g->cid, "cust-", (long)(r % (uint64_t)customers), 7);
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = g->id;
    ev.customer_id = g->cid;
    ev.time = START_TIME + span * i / events;
    /* 1,000..200,000 won in steps of 100 */
    ev.amount = 1000 + (int64_t)((r >> 20) % 1991) * 100;
    ev.item = items[(r >> 40) % ITEM_COUNT];
    g->ev = ev;
}

/* Record events [first, first + n) of a run of `events`, `batch` per call
 * (1: lty_record() per event). */
static int record_events(lty_engine *e, long customers, long first, long n,
                         long events, long batch, double *elapsed)
{
    gen_event *g = malloc(sizeof *g * (size_t)batch);
    lty_event *evs = malloc(sizeof *evs * (size_t)batch);
    if (!g || !evs) {
        free(g);
        free(evs);
        fprintf(stderr, "ingest: out of memory\n");
        return 1;
    }
    double t0 = seconds_now();
    int failed = 0;
    for (long i = first; i < first + n && !failed;) {
        long k = 0;
        for (; k < batch && i < first + n; k++, i++) {
            generate(&g[k], customers, i, events);
            evs[k] = g[k].ev;
        }
        int rc = k == 1 ? lty_record(e, &evs[0], NULL)
                        : lty_record_batch(e, evs, (size_t)k, NULL, NULL);
        if (rc)
            failed = fail(e, "record events", rc);
    }
    *elapsed = seconds_now() - t0;
    free(g);
    free(evs);
    return failed;
}

static void row(const char *figure, const char *value, const char *target,
                int pass)
{
    printf("| %-34s | %16s | %14s | %-4s |\n", figure, value, target,
           pass ? "PASS" : "MISS");
}

/* --programs: a Tsukada-style ladder and a Starbucks-style star card run
 * while the events are recorded. */
static int define_programs(lty_engine *e)
{
    static const lty_ladder_step steps[] = {
        {1, "주임"}, {3, "계장"}, {6, "과장"}, {10, "차장"}, {15, "부장"},
        {20, "이사"}, {25, "상무"}, {30, "전무"}, {36, "회장"}};
    /* the original card: a star per visit (a drink every 12 in Gold), and
     * a bonus star per 50,000 won of a purchase (the bench's purchases
     * average about 100,000) */
    static const lty_earn_rule rules[] = {{LTY_EARN_PER_VISIT, 0, 1, NULL},
                                          {LTY_EARN_PER_AMOUNT, 50000, 1, NULL}};
    static const lty_tier tiers[] = {
        {"Welcome", 0, 0, 0, NULL, 0, 0, 0},
        {"Green", 5, 0, 0, NULL, 0, 0, 0},
        {"Gold", 30, 0, 12, "Free drink", LTY_REWARD_SERVICE, 5000, 30}};
    lty_program_def ladder = LTY_PROGRAM_DEF_INIT, stars = LTY_PROGRAM_DEF_INIT;
    ladder.id = "tsukada";
    ladder.name = "Tsukada card";
    ladder.kind = LTY_PROGRAM_LADDER;
    ladder.steps = steps;
    ladder.step_count = sizeof steps / sizeof steps[0];
    stars.id = "stars";
    stars.name = "Star card";
    stars.kind = LTY_PROGRAM_STARS;
    stars.rules = rules;
    stars.rule_count = 2;
    stars.tiers = tiers;
    stars.tier_count = 3;
    int rc = lty_program_define(e, &ladder);
    if (rc == LTY_OK)
        rc = lty_program_define(e, &stars);
    if (rc)
        return fail(e, "defining the programs", rc);
    return 0;
}

static int run_memory(long customers, long events, int prefetch, int programs)
{

    lty_memstore *store = NULL;
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    void *conn = NULL;
    lty_engine *e = NULL;
    clock_now = START_TIME + 366 * INT64_C(86400);
    if (lty_memstore_new(&store, NULL) ||
        lty_memstore_connect(store, &ops, &conn)) {
        fprintf(stderr, "ingest: cannot open a memory store\n");
        return 1;
    }
    if (!prefetch)
        ops.prefetch = NULL;
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = fixed_clock;
    opts.utc_offset_minutes = 540;
    int rc = lty_engine_new(&e, &opts);
    if (rc) {
        fprintf(stderr, "ingest: engine: %s\n", lty_strerror(rc));
        return 1;
    }

    if (programs && define_programs(e))
        return 1;
    long long rss0 = rss_bytes();
    if (create_customers(e, customers))
        return 1;
    long long rss1 = rss_bytes();
    double per_customer = (double)(rss1 - rss0) / (double)customers;

    double elapsed = 0;
    if (record_events(e, customers, 0, events, events, 1, &elapsed))
        return 1;
    long long rss2 = rss_bytes();
    double per_customer_after = (double)(rss2 - rss0) / (double)customers;
    double rate = (double)events / elapsed;

    size_t mismatches = 0;
    double v0 = seconds_now();
    rc = lty_verify(e, &mismatches, NULL, NULL);
    double verify_s = seconds_now() - v0;
    if (rc)
        return fail(e, "verify", rc);

    char buf[64];
    printf("ingest: %ld customers, %ld purchase events, memory store, "
           "UTC+9, one thread%s\n\n", customers, events,
           programs ? ", a ladder and a star program active" : "");
    printf("| %-34s | %16s | %14s | %-4s |\n", "figure", "measured", "target",
           "");
    printf("|%s|%s|%s|%s|\n", "------------------------------------",
           "------------------", "----------------", "------");
    snprintf(buf, sizeof buf, "%.1f B", per_customer);
    row("resident bytes per customer", buf, "<= 256 B",
        per_customer <= TARGET_BYTES_PER_CUSTOMER);
    snprintf(buf, sizeof buf, "%.0f/s", rate);
    if (programs)
        row("events recorded per second", buf, ">= 500000/s",
            rate >= TARGET_PROGRAM_EVENTS_PER_SECOND);
    else
        row("events recorded per second", buf, ">= 1000000/s",
            rate >= TARGET_EVENTS_PER_SECOND);
    snprintf(buf, sizeof buf, "%.1f B", per_customer_after);
    printf("| %-34s | %16s | %14s | %-4s |\n",
           "bytes per customer after events", buf, "(info)", "");
    snprintf(buf, sizeof buf, "%zu", mismatches);
    row("lty_verify mismatches", buf, "0", mismatches == 0);
    printf("\nrecorded %ld events in %.3f s; verify took %.3f s; "
           "store holds %zu records\n",
           events, elapsed, verify_s, lty_memstore_count(store));

    lty_engine_free(e);
    lty_memstore_free(store);
    return mismatches == 0 ? 0 : 1;
}

typedef enum store_kind { STORE_MEMORY, STORE_SQLITE, STORE_POSTGRES } store_kind;

static const char *const store_names[] = {"memory", "sqlite", "postgres"};

/* A connection to a disk store; durable asks for the strongest setting. */
/* SQLite's checkpoint interval in pages; 0 keeps the backend's default. */
static long checkpoint_pages;

/* Bytes this process has handed to write(2) and friends so far, from
 * /proc/self/io (wchar), or -1 where that is not available. */
static long long bytes_written(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    char line[128];
    long long v = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "wchar: %lld", &v) == 1)
            break;
    fclose(f);
    return v;
}

static int open_store(store_kind kind, const char *where, int durable,
                      lty_storage_ops *ops, void **conn)
{
    (void)where;
    (void)durable;
    (void)ops;
    (void)conn;
#ifdef LTY_BENCH_SQLITE
    if (kind == STORE_SQLITE) {
        lty_sqlite_options o = LTY_SQLITE_OPTIONS_INIT;
        o.synchronous_full = durable;
        o.checkpoint_pages = (int)checkpoint_pages;
        return lty_sqlite_open(where, &o, ops, conn);
    }
#endif
#ifdef LTY_BENCH_POSTGRES
    if (kind == STORE_POSTGRES) {
        lty_postgres_options o = LTY_POSTGRES_OPTIONS_INIT;
        return lty_postgres_open(where, &o, ops, conn);
    }
#endif
    fprintf(stderr, "ingest: the %s backend was not built\n", store_names[kind]);
    return LTY_EINVALID;
}

static int open_engine(store_kind kind, const char *where, int durable,
                       lty_engine **e)
{
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    void *conn = NULL;
    int rc = open_store(kind, where, durable, &ops, &conn);
    if (rc) {
        fprintf(stderr, "ingest: cannot open the %s store: %s\n",
                store_names[kind], lty_strerror(rc));
        return 1;
    }
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = fixed_clock;
    opts.utc_offset_minutes = 540;
    if ((rc = lty_engine_new(e, &opts))) {
        fprintf(stderr, "ingest: engine: %s\n", lty_strerror(rc));
        if (ops.destroy)
            ops.destroy(conn);
        return 1;
    }
    return 0;
}

static int run_disk(store_kind kind, const char *where, long customers,
                    long events, long batch, long durable)
{
    lty_engine *e = NULL;
    double batched_s = 0, durable_s = 0, c0;
    clock_now = START_TIME + 366 * INT64_C(86400);
    if (open_engine(kind, where, 0, &e))
        return 1;
    c0 = seconds_now();
    if (create_customers(e, customers))
        return 1;
    double customers_s = seconds_now() - c0;
    long long w0 = bytes_written();
    if (record_events(e, customers, 0, events, events + durable, batch,
                      &batched_s))
        return 1;
    long long w1 = bytes_written();
    lty_engine_free(e);
    /* The durable single-event rate, on a fresh connection. */
    if (open_engine(kind, where, 1, &e))
        return 1;
    if (durable && record_events(e, customers, events, durable,
                                 events + durable, 1, &durable_s))
        return 1;
    size_t mismatches = 0;
    double v0 = seconds_now();
    int rc = lty_verify(e, &mismatches, NULL, NULL);
    double verify_s = seconds_now() - v0;
    if (rc)
        return fail(e, "verify", rc);
    lty_engine_free(e);

    char buf[64];
    double batched_rate = (double)events / batched_s;
    printf("ingest: %ld customers, %ld purchase events in batches of %ld, "
           "then %ld one by one, %s store, UTC+9, one thread\n\n",
           customers, events, batch, durable, store_names[kind]);
    printf("| %-34s | %16s | %14s | %-4s |\n", "figure", "measured", "target",
           "");
    printf("|%s|%s|%s|%s|\n", "------------------------------------",
           "------------------", "----------------", "------");
    snprintf(buf, sizeof buf, "%.0f/s", batched_rate);
    row("events/s in batches", buf, ">= 200000/s",
        batched_rate >= TARGET_BATCHED_PER_SECOND);
    if (durable) {
        snprintf(buf, sizeof buf, "%.0f/s", (double)durable / durable_s);
        printf("| %-34s | %16s | %14s | %-4s |\n",
               "durable single events/s", buf, "(info)", "");
    }
    if (w0 >= 0 && w1 >= w0) {
        /* what the store writes per event: the log, checkpoints, journals */
        snprintf(buf, sizeof buf, "%.0f B", (double)(w1 - w0) / (double)events);
        printf("| %-34s | %16s | %14s | %-4s |\n",
               "bytes written per batched event", buf, "(info)", "");
    }
    snprintf(buf, sizeof buf, "%.0f/s", (double)customers / customers_s);
    printf("| %-34s | %16s | %14s | %-4s |\n", "customers created/s", buf,
           "(info)", "");
    snprintf(buf, sizeof buf, "%zu", mismatches);
    row("lty_verify mismatches", buf, "0", mismatches == 0);
    printf("\nbatched %ld events in %.3f s; %ld durable events in %.3f s; "
           "verify took %.3f s\n", events, batched_s, durable, durable_s,
           verify_s);
    return mismatches == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    long customers = 0, events = 1000000, batch = 0, durable = 2000;
    int prefetch = 1, programs = 0;
    store_kind kind = STORE_MEMORY;
    const char *where = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-prefetch") == 0) {
            prefetch = 0;
            continue;
        }
        if (strcmp(a, "--programs") == 0) {
            programs = 1;
            continue;
        }
        if (!v)
            return usage(), 2;
        i++;
        if (strcmp(a, "--customers") == 0) {
            if (parse_count(v, &customers))
                return usage(), 2;
        } else if (strcmp(a, "--events") == 0) {
            if (parse_count(v, &events))
                return usage(), 2;
        } else if (strcmp(a, "--batch") == 0) {
            if (parse_count(v, &batch) || batch > LTY_BATCH_MAX)
                return usage(), 2;
        } else if (strcmp(a, "--durable") == 0) {
            char *end;
            durable = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || durable < 0 || durable > 1000000)
                return usage(), 2;
        } else if (strcmp(a, "--store") == 0) {
            if (strcmp(v, "memory") == 0)
                kind = STORE_MEMORY;
            else if (strcmp(v, "sqlite") == 0)
                kind = STORE_SQLITE;
            else if (strcmp(v, "postgres") == 0)
                kind = STORE_POSTGRES;
            else
                return usage(), 2;
        } else if (strcmp(a, "--checkpoint-pages") == 0) {
            if (parse_count(v, &checkpoint_pages) || checkpoint_pages > INT32_MAX)
                return usage(), 2;
        } else if (strcmp(a, "--db") == 0 || strcmp(a, "--conninfo") == 0) {
            where = v;
        } else {
            return usage(), 2;
        }
    }
    if (kind == STORE_MEMORY)
        return run_memory(customers ? customers : 100000, events, prefetch,
                          programs);
    if (!batch)
        batch = 1000;
    if (!customers)
        customers = 10000;
    if (kind == STORE_POSTGRES) {
        if (!where)
            where = getenv("LTY_PG_CONNINFO");
        if (!where) {
            fprintf(stderr, "ingest: give --conninfo or set LTY_PG_CONNINFO\n");
            return 2;
        }
        return run_disk(kind, where, customers, events, batch, durable);
    }
    char path[512];
    if (!where) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/lty-ingest-%ld.db", dir ? dir : "/tmp",
                 (long)getpid());
        where = path;
    }
    int rc = run_disk(kind, where, customers, events, batch, durable);
    if (where == path) {
        char side[600];
        remove(path);
        snprintf(side, sizeof side, "%s-wal", path);
        remove(side);
        snprintf(side, sizeof side, "%s-shm", path);
        remove(side);
    }
    return rc;
}
