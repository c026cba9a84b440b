/*
 * libloyalty tests - the "no lost updates" test shared by every disk
 * backend (see concurrency.h).
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "concurrency.h"
#include "testutil.h"

#define THREADS 4
#define PROCS 4
#define WORKERS (THREADS + PROCS)
#define EVENTS 10000
#define CUSTOMERS 100
#define SECONDS LTY_TEST_CONCURRENCY_SECONDS

/* The star program every worker's events earn in: a star per 10 of a
 * purchase's amount, so each customer's balance must equal the sum over
 * what was recorded for them (the program state is one more record that
 * concurrent engines update). */
#define STAR_UNIT 10

static void define_stars(lty_engine *e)
{
    static const lty_earn_rule rules[] = {{LTY_EARN_PER_AMOUNT, STAR_UNIT, 1, NULL}};
    static const lty_tier tiers[] = {{"Member", 0, 0, 0, NULL, 0, 0, 0}};
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = "stars";
    d.name = "Stars";
    d.kind = LTY_PROGRAM_STARS;
    d.rules = rules;
    d.rule_count = 1;
    d.tiers = tiers;
    d.tier_count = 1;
    ck_assert_int_eq(lty_program_define(e, &d), LTY_OK);
}

/* Shared with the forked workers through an anonymous shared mapping. */
typedef struct shared {
    long done[WORKERS];
    int64_t count[WORKERS][CUSTOMERS];
    int64_t spend[WORKERS][CUSTOMERS];
    int64_t stars[WORKERS][CUSTOMERS];
    int failed[WORKERS];
    char msg[WORKERS][256];
} shared;

typedef struct worker {
    shared *sh;
    lty_test_open_fn open;
    lty_test_open_error_fn open_error;
    void *ctx;
    int w;
    time_t deadline;
} worker;

static void *work(void *p)
{
    worker *a = p;
    shared *sh = a->sh;
    lty_engine *e = NULL;
    int rc = a->open(a->ctx, &e);
    if (rc) {
        const char *why = a->open_error ? a->open_error() : NULL;
        sh->failed[a->w] = rc;
        snprintf(sh->msg[a->w], sizeof sh->msg[0], "open: %s",
                 why ? why : lty_strerror(rc));
        return NULL;
    }
    uint64_t s = 0x9e3779b97f4a7c15u * (uint64_t)(a->w + 1);
    char id[32], cid[16];
    for (long i = 0; i < EVENTS; i++) {
        if (i % 64 == 0 && time(NULL) >= a->deadline)
            break;
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        int cust = (int)(s % CUSTOMERS);
        snprintf(id, sizeof id, "w%d-%ld", a->w, i);
        snprintf(cid, sizeof cid, "c%03d", cust);
        lty_event ev = LTY_EVENT_INIT;
        ev.type = LTY_EVENT_PURCHASE;
        ev.id = id;
        ev.customer_id = cid;
        ev.amount = 100 + i % 50;
        rc = lty_record(e, &ev, NULL);
        if (rc) {
            sh->failed[a->w] = rc;
            snprintf(sh->msg[a->w], sizeof sh->msg[0], "record %s: %s", id,
                     lty_engine_last_error(e));
            break;
        }
        sh->count[a->w][cust]++;
        sh->spend[a->w][cust] += ev.amount;
        sh->stars[a->w][cust] += ev.amount / STAR_UNIT;
        sh->done[a->w] = i + 1;
    }
    lty_engine_free(e);
    return NULL;
}

/* Every customer's aggregates equal the sum of what the workers recorded. */
static void check_sums(lty_engine *e, const shared *sh)
{
    char cid[16];
    for (int c = 0; c < CUSTOMERS; c++) {
        int64_t count = 0, spend = 0;
        for (int w = 0; w < WORKERS; w++) {
            count += sh->count[w][c];
            spend += sh->spend[w][c];
        }
        snprintf(cid, sizeof cid, "c%03d", c);
        lty_customer *cu;
        ck_assert_int_eq(lty_customer_get(e, cid, &cu), LTY_OK);
        lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
        ck_assert_int_eq(lty_customer_stats_get(cu, &st), LTY_OK);
        ck_assert_msg(st.purchases == count, "%s: %lld purchases, %lld recorded",
                      cid, (long long)st.purchases, (long long)count);
        ck_assert_msg(st.net_spend == spend, "%s: net spend %lld, %lld recorded",
                      cid, (long long)st.net_spend, (long long)spend);
        lty_customer_free(cu);
        int64_t stars = 0;
        for (int w = 0; w < WORKERS; w++)
            stars += sh->stars[w][c];
        lty_program_status ps = LTY_PROGRAM_STATUS_INIT;
        ck_assert_int_eq(lty_program_status_get(e, cid, "stars", &ps), LTY_OK);
        ck_assert_msg(ps.balance == stars && ps.earned_lifetime == stars,
                      "%s: %lld stars (%lld earned), %lld recorded", cid,
                      (long long)ps.balance, (long long)ps.earned_lifetime,
                      (long long)stars);
    }
}

void lty_test_lose_no_update(const char *label, lty_test_open_fn open,
                             lty_test_open_error_fn open_error, void *ctx)
{
    lty_engine *e;
    char cid[16], name[32];
    ck_assert_int_eq(open(ctx, &e), LTY_OK);
    for (int c = 0; c < CUSTOMERS; c++) {
        snprintf(cid, sizeof cid, "c%03d", c);
        snprintf(name, sizeof name, "Customer %d", c);
        lty_test_customer(e, cid, name, NULL);
    }
    define_stars(e);
    /* no connection is carried across the forks */
    lty_engine_free(e);

    shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ck_assert_msg(sh != MAP_FAILED, "mmap");
    memset(sh, 0, sizeof *sh);
    worker args[WORKERS];
    time_t deadline = time(NULL) + SECONDS;
    for (int w = 0; w < WORKERS; w++)
        args[w] = (worker){sh, open, open_error, ctx, w, deadline};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* processes first: forking a threaded process is best avoided */
    pid_t pids[PROCS];
    fflush(NULL);
    for (int i = 0; i < PROCS; i++) {
        pids[i] = fork();
        ck_assert_msg(pids[i] >= 0, "fork");
        if (pids[i] == 0) {
            work(&args[THREADS + i]); /* connects after the fork */
            _exit(0);
        }
    }
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, work, &args[i]), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < PROCS; i++) {
        int st = 0;
        waitpid(pids[i], &st, 0);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                      "worker process %d died (status %d)", i, st);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    long total = 0, least = EVENTS;
    for (int w = 0; w < WORKERS; w++) {
        ck_assert_msg(sh->failed[w] == 0, "worker %d failed: %s (%s)", w,
                      lty_strerror(sh->failed[w]), sh->msg[w]);
        total += sh->done[w];
        if (sh->done[w] < least)
            least = sh->done[w];
    }
    printf("%s concurrency: %d threads + %d processes recorded %ld events in "
           "%.1f s (%.0f events/s)%s\n", label, THREADS, PROCS, total, secs,
           (double)total / secs,
           least < EVENTS ? "; stopped at the time limit, fewer than 10,000 "
                            "per worker" : "; 10,000 per worker");
    fflush(stdout);
    ck_assert_msg(least > 0, "a worker recorded nothing");

    ck_assert_int_eq(open(ctx, &e), LTY_OK);
    check_sums(e, sh);
    size_t mismatches = 1;
    ck_assert_int_eq(lty_verify(e, &mismatches, NULL, NULL), LTY_OK);
    ck_assert_uint_eq(mismatches, 0);
    lty_engine_free(e);
    munmap(sh, sizeof *sh);
}
