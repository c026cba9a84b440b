/*
 * libloyalty benchmark - caller ID: how long lty_recognize_phone() takes
 * to turn a ringing number into the customer's card, with a million
 * customers, on one core.
 *
 *   bench/recognize [--customers N] [--lookups N]
 *   bench/recognize --store sqlite [--db FILE] [--customers N] [--lookups N]
 *
 * 1. Creates N customers (default 1,000,000) with a name and a distinct
 *    phone, a visit ladder and a star card, one visit each (recorded in
 *    batches), a note on every 10th, an appointment today for every
 *    100th, and a referral for every 100th (customer i + 1 referred by i).
 * 2. Looks up random known numbers, each written one of four ways
 *    ("010-1234-5678", "01012345678", "+82 10 1234 5678",
 *    "(010) 1234 5678"), and builds and frees the whole card (profile,
 *    programs, rewards, appointment, referrals): mean and 99th percentile
 *    in microseconds (target on the memory store: p99 at most 50 us).
 * 3. Looks up random numbers nobody has (LTY_ENOTFOUND, one index read):
 *    mean and p99 (same target).
 *
 * The SQLite store (built with the backend, synchronous NORMAL, a fresh
 * file in $TMPDIR removed afterwards unless --db is given) is measured the
 * same way, for information.  Each look-up is timed on its own with the
 * monotonic clock.  Exits 0 when every step ran and every look-up gave the
 * right answer (whatever the speed: a slow machine is a MISS, not an
 * error), 1 on any failure, 2 on bad arguments.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <loyalty.h>
#ifdef LTY_BENCH_SQLITE
#include <loyalty/sqlite.h>
#endif

#define TARGET_US 50.0
#define BATCH 1000

/* Monday 2026-03-02, 08:00 in Seoul: the clock of the run. */
#define NOW INT64_C(1772406000)
/* 00:00 that day in Seoul. */
#define TODAY INT64_C(1772377200)

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return NOW;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

static int parse_count(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 10000000)
        return -1;
    *out = v;
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: recognize [--customers N] [--lookups N]\n"
            "       recognize --store sqlite [--db FILE] [--customers N] "
            "[--lookups N]\n");
}

static int fail(lty_engine *e, const char *what, int rc)
{
    fprintf(stderr, "recognize: %s: %s (%s)\n", what, lty_strerror(rc),
            lty_engine_last_error(e));
    return 1;
}

static void customer_id(char *out, size_t n, long i)
{
    snprintf(out, n, "chart-%07ld", i);
}

/* Customer i's number: 010-<1000 + i / 10000>-<i % 10000>, written the
 * way `style` says.  An unknown number has a middle part from 5000. */
static void phone(char *out, size_t n, long i, int style, int unknown)
{
    int mid = (int)(1000 + i / 10000) + (unknown ? 4000 : 0);
    int end = (int)(i % 10000);
    switch (style & 3) {
    case 0:
        snprintf(out, n, "010-%04d-%04d", mid, end);
        break;
    case 1:
        snprintf(out, n, "010%04d%04d", mid, end);
        break;
    case 2:
        snprintf(out, n, "+82 10 %04d %04d", mid, end);
        break;
    default:
        snprintf(out, n, "(010) %04d %04d", mid, end);
        break;
    }
}

static int define_programs(lty_engine *e)
{
    static const lty_ladder_step steps[] = {
        {1, "Friend"}, {5, "Regular"}, {10, "Family"}, {20, "VIP family"}};
    static const lty_earn_rule rules[] = {{LTY_EARN_PER_VISIT, 0, 1, NULL}};
    static const lty_tier tiers[] = {
        {"Welcome", 0, 0, 0, NULL, (lty_reward_kind)0, 0, 0},
        {"Green", 5, 0, 0, NULL, (lty_reward_kind)0, 0, 0},
        {"Gold", 30, 0, 12, "Free drink", LTY_REWARD_SERVICE, 5000, 30}};
    lty_program_def ladder = LTY_PROGRAM_DEF_INIT, stars = LTY_PROGRAM_DEF_INIT;
    ladder.id = "visit-card";
    ladder.name = "Visit card";
    ladder.kind = LTY_PROGRAM_LADDER;
    ladder.steps = steps;
    ladder.step_count = sizeof steps / sizeof steps[0];
    stars.id = "stars";
    stars.name = "Star card";
    stars.kind = LTY_PROGRAM_STARS;
    stars.rules = rules;
    stars.rule_count = 1;
    stars.tiers = tiers;
    stars.tier_count = 3;
    int rc = lty_program_define(e, &ladder);
    if (rc == LTY_OK)
        rc = lty_program_define(e, &stars);
    return rc ? fail(e, "defining the programs", rc) : 0;
}

/* Everything of step 1. */
static int seed(lty_engine *e, long customers)
{
    char id[32], name[32], tel[32], evid[32], nid[32];
    if (define_programs(e))
        return 1;
    for (long i = 0; i < customers; i++) {
        lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
        customer_id(id, sizeof id, i);
        snprintf(name, sizeof name, "Customer %ld", i);
        phone(tel, sizeof tel, i, 0, 0);
        f.id = id;
        f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE;
        f.name = name;
        f.phone = tel;
        int rc = lty_customer_create(e, &f);
        if (rc)
            return fail(e, "create customer", rc);
        if (i % 10 == 0 &&
            (rc = lty_customer_set_note(e, id, "allergy", "penicillin")))
            return fail(e, "note", rc);
    }
    /* referrals before the visits: the referred must be new */
    for (long i = 0; i + 1 < customers; i += 100) {
        customer_id(id, sizeof id, i);
        customer_id(nid, sizeof nid, i + 1);
        int rc = lty_referral_register(e, id, nid);
        if (rc)
            return fail(e, "referral", rc);
    }
    /* one visit each, 1..365 days ago, in batches */
    static lty_event evs[BATCH];
    static char ids[BATCH][32], cids[BATCH][32];
    for (long i = 0; i < customers;) {
        size_t k = 0;
        for (; k < BATCH && i < customers; k++, i++) {
            lty_event ev = LTY_EVENT_INIT;
            snprintf(ids[k], sizeof ids[k], "v-%ld", i);
            customer_id(cids[k], sizeof cids[k], i);
            ev.type = LTY_EVENT_VISIT;
            ev.id = ids[k];
            ev.customer_id = cids[k];
            ev.time = TODAY - (int64_t)(1 + i % 365) * 86400;
            ev.item = "check-up";
            evs[k] = ev;
        }
        int rc = lty_record_batch(e, evs, k, NULL, NULL);
        if (rc)
            return fail(e, "record visits", rc);
    }
    /* appointments today for every 100th */
    for (long i = 0; i < customers; i += 100) {
        lty_appointment_spec s = LTY_APPOINTMENT_SPEC_INIT;
        customer_id(id, sizeof id, i);
        snprintf(evid, sizeof evid, "R-%ld", i);
        s.id = evid;
        s.customer_id = id;
        s.start = TODAY + 9 * 3600 + (int64_t)(i / 100 % 40) * 900;
        s.duration = 30;
        s.item = "scaling";
        int rc = lty_appointment_book(e, &s);
        if (rc)
            return fail(e, "book", rc);
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct figures {
    double mean_us, p99_us, max_us;
} figures;

static figures summarise(double *us, long n)
{
    figures f = {0, 0, 0};
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += us[i];
    qsort(us, (size_t)n, sizeof *us, cmp_double);
    f.mean_us = sum / (double)n;
    long at = (long)((double)n * 0.99);
    f.p99_us = us[at < n ? at : n - 1];
    f.max_us = us[n - 1];
    return f;
}

/* Step 2 (known) or 3 (unknown): n look-ups, each timed. */
static int measure(lty_engine *e, long customers, long n, int unknown,
                   figures *out)
{
    double *us = malloc(sizeof *us * (size_t)n);
    char tel[32], want[32];
    if (!us) {
        fprintf(stderr, "recognize: out of memory\n");
        return 1;
    }
    for (long k = 0; k < n; k++) {
        uint64_t r = rng();
        long i = (long)(r % (uint64_t)customers);
        phone(tel, sizeof tel, i, (int)(r >> 40), unknown);
        lty_card *c = NULL;
        double t0 = seconds_now();
        int rc = lty_recognize_phone(e, tel, &c);
        lty_card_free(c);
        us[k] = (seconds_now() - t0) * 1e6;
        if (unknown) {
            if (rc != LTY_ENOTFOUND) {
                free(us);
                return fail(e, "unknown number", rc ? rc : LTY_EEXISTS);
            }
            continue;
        }
        if (rc) {
            free(us);
            return fail(e, "known number", rc);
        }
        (void)want;
    }
    *out = summarise(us, n);
    free(us);
    return 0;
}

/* One known look-up checked field by field, outside the timing. */
static int check_one(lty_engine *e)
{
    lty_card *c = NULL;
    int rc = lty_recognize_phone(e, "(010) 1000 0001", &c);
    if (rc)
        return fail(e, "check look-up", rc);
    int ok = strcmp(lty_card_customer_id(c), "chart-0000001") == 0 &&
             lty_card_visits(c) == 1 && lty_card_title(c) &&
             strcmp(lty_card_title(c), "Friend") == 0 &&
             lty_card_referrer_id(c) &&
             strcmp(lty_card_referrer_id(c), "chart-0000000") == 0 &&
             lty_card_came_together(c) == 0;
    lty_card_free(c);
    if ((rc = lty_recognize_phone(e, "010-1000-0000", &c)))
        return fail(e, "check look-up", rc);
    lty_appointment a = LTY_APPOINTMENT_INIT;
    ok = ok && lty_card_referral_count(c) == 1 &&
         lty_card_appointment(c, &a) == LTY_OK && strcmp(a.id, "R-0") == 0 &&
         strcmp(lty_customer_note(lty_card_customer(c), "allergy"),
                "penicillin") == 0;
    lty_card_free(c);
    if (!ok) {
        fprintf(stderr, "recognize: a card does not hold what was seeded\n");
        return 1;
    }
    return 0;
}

static void row(const char *figure, double v, int judged)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.2f us", v);
    printf("| %-32s | %12s | %10s | %-4s |\n", figure, buf,
           judged ? "<= 50 us" : "(info)",
           judged ? (v <= TARGET_US ? "PASS" : "MISS") : "");
}

static int run(const char *store_name, lty_engine *e, long customers,
               long lookups, int judged)
{
    double t0 = seconds_now();
    if (seed(e, customers))
        return 1;
    double seed_s = seconds_now() - t0;
    if (check_one(e))
        return 1;
    figures warm, known, unknown;
    /* warm-up: the first scans sort the memory store's recent inserts */
    if (measure(e, customers, lookups / 10 + 1, 0, &warm) ||
        measure(e, customers, lookups, 0, &known) ||
        measure(e, customers, lookups, 1, &unknown))
        return 1;
    printf("recognize: %ld customers (%ld with an appointment today, "
           "%ld referrals), %s store, UTC+9, one thread\n\n",
           customers, (customers - 1) / 100 + 1, (customers - 2) / 100 + 1,
           store_name);
    printf("| %-32s | %12s | %10s | %-4s |\n", "figure", "measured", "target",
           "");
    printf("|%s|%s|%s|%s|\n", "----------------------------------",
           "--------------", "------------", "------");
    row("known number: mean", known.mean_us, 0);
    row("known number: p99", known.p99_us, judged);
    row("known number: max", known.max_us, 0);
    row("unknown number: mean", unknown.mean_us, 0);
    row("unknown number: p99", unknown.p99_us, judged);
    row("unknown number: max", unknown.max_us, 0);
    printf("\nseeded in %.1f s; %ld look-ups of each kind (after %ld to "
           "warm up), each a whole card built and freed\n",
           seed_s, lookups, lookups / 10 + 1);
    return 0;
}

static int open_engine(lty_storage_ops *ops, void *conn, lty_engine **e)
{
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = ops;
    opts.storage_userdata = conn;
    opts.clock = fixed_clock;
    opts.utc_offset_minutes = 540;
    int rc = lty_engine_new(e, &opts);
    if (rc) {
        fprintf(stderr, "recognize: engine: %s\n", lty_strerror(rc));
        if (ops->destroy)
            ops->destroy(conn);
        return 1;
    }
    return 0;
}

static int run_memory(long customers, long lookups)
{
    lty_memstore *store = NULL;
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    void *conn = NULL;
    lty_engine *e = NULL;
    if (lty_memstore_new(&store, NULL) ||
        lty_memstore_connect(store, &ops, &conn)) {
        fprintf(stderr, "recognize: cannot open a memory store\n");
        return 1;
    }
    if (open_engine(&ops, conn, &e))
        return 1;
    int rc = run("memory", e, customers, lookups, 1);
    lty_engine_free(e);
    lty_memstore_free(store);
    return rc;
}

static int run_sqlite(const char *where, long customers, long lookups)
{
#ifdef LTY_BENCH_SQLITE
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    void *conn = NULL;
    lty_engine *e = NULL;
    lty_sqlite_options o = LTY_SQLITE_OPTIONS_INIT;
    o.synchronous_full = 0;
    int rc = lty_sqlite_open(where, &o, &ops, &conn);
    if (rc) {
        fprintf(stderr, "recognize: cannot open the sqlite store: %s\n",
                lty_strerror(rc));
        return 1;
    }
    if (open_engine(&ops, conn, &e))
        return 1;
    rc = run("sqlite", e, customers, lookups, 0);
    lty_engine_free(e);
    return rc;
#else
    (void)where;
    (void)customers;
    (void)lookups;
    fprintf(stderr, "recognize: the sqlite backend was not built\n");
    return 1;
#endif
}

int main(int argc, char **argv)
{
    long customers = 1000000, lookups = 100000;
    int sqlite = 0;
    const char *where = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage(), 2;
        i++;
        if (strcmp(a, "--customers") == 0) {
            if (parse_count(v, &customers) || customers < 2)
                return usage(), 2;
        } else if (strcmp(a, "--lookups") == 0) {
            if (parse_count(v, &lookups))
                return usage(), 2;
        } else if (strcmp(a, "--store") == 0) {
            if (strcmp(v, "memory") == 0)
                sqlite = 0;
            else if (strcmp(v, "sqlite") == 0)
                sqlite = 1;
            else
                return usage(), 2;
        } else if (strcmp(a, "--db") == 0) {
            where = v;
        } else {
            return usage(), 2;
        }
    }
    if (!sqlite)
        return run_memory(customers, lookups);
    char path[512];
    if (!where) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/lty-recognize-%ld.db",
                 dir ? dir : "/tmp", (long)getpid());
        where = path;
    }
    int rc = run_sqlite(where, customers, lookups);
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
