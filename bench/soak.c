/*
 * bench/soak.c - a soak: several engines (threads) send mixed traffic to one
 * SQLite store while their storage fails at random; afterwards the store
 * must hold exactly what the engines were told was done.
 *
 * Each thread has its own engine and connection, wrapped by a storage layer
 * that fails a small random fraction of transactions (each at a random one
 * of its calls: begin, get, put, del, scan or commit) and of the calls made
 * outside transactions, with LTY_ESTORAGE or LTY_ECONFLICT, before the
 * call reaches SQLite (so a reported failure never hides a commit).
 * The threads record purchases on a shared pool of customers, create
 * customers, book appointments, plan messages, dispatch the outbox and
 * launch campaigns, and keep count of every call that returned LTY_OK (the
 * "acknowledged" ones).  At the end, with no faults:
 *   - lty_verify() reports no mismatch;
 *   - each pool customer's purchases and net spend are the sums of the
 *     acknowledged purchases;
 *   - a created customer, a booking or a planned message exists exactly
 *     when its call was acknowledged;
 *   - each campaign holds as many messages as its acknowledged launches
 *     planned;
 *   - after a last dispatch past every claim, every message in the outbox
 *     is sent, and each was handed to a messenger at least once; no
 *     message the outbox does not hold was ever handed over.
 * Any difference is printed and the exit status is 1.
 *
 * Run by hand (it is built by make, not run by make check):
 *     bench/soak [--seconds N] [--threads N] [--fault-rate R] [--seed S]
 *                [--keep] [STORE]
 * Defaults: 600 seconds, 4 threads, 1 % of transactions failed, a
 * fresh store in a temporary directory, removed at the end unless --keep.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <loyalty.h>

#include "soak.h"

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "soak: out of memory\n");
        exit(2);
    }
    return p;
}


void idlist_add(idlist *l, const char *id, int acked)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        void *a = realloc(l->id, cap * sizeof *l->id);
        void *b = a ? realloc(l->acked, cap) : NULL;
        if (!a || !b) {
            fprintf(stderr, "soak: out of memory\n");
            exit(2);
        }
        l->id = a;
        l->acked = b;
        l->cap = cap;
    }
    snprintf(l->id[l->n], sizeof l->id[l->n], "%s", id);
    l->acked[l->n] = (unsigned char)(acked != 0);
    l->n++;
}

void idlist_free(idlist *l)
{
    free(l->id);
    free(l->acked);
    memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------------ */
/* The workers                                                         */
/* ------------------------------------------------------------------ */

static const char *const op_names[OPS] = {"record purchase", "create customer",
                                          "book appointment", "plan message",
                                          "dispatch", "launch campaign"};
/* Cumulative weights out of 1000. */
static const int op_weight[OPS] = {440, 450, 600, 800, 995, 1000};

void pool_id(char *buf, size_t n, int i)
{
    snprintf(buf, n, "p%03d", i);
}

static int do_op(worker *w, int op, unsigned long seq)
{
    char id[LTY_ID_MAX + 1], cid[LTY_ID_MAX + 1];
    int64_t now = (int64_t)time(NULL);
    int pick = (int)(next_random(&w->rng) % POOL);
    pool_id(cid, sizeof cid, pick);
    int rc;
    switch (op) {
    case OP_RECORD: {
        int64_t amount = 100 + (int64_t)(next_random(&w->rng) % 100000);
        snprintf(id, sizeof id, "t%d-e%lu", w->index, seq);
        lty_event ev = LTY_EVENT_INIT;
        ev.type = LTY_EVENT_PURCHASE;
        ev.id = id;
        ev.customer_id = cid;
        ev.time = now - 1;
        ev.amount = amount;
        ev.item = "soak";
        rc = lty_record(w->e, &ev, NULL);
        if (rc == LTY_OK) {
            w->purchases[pick]++;
            w->spend[pick] += amount;
        }
        return rc;
    }
    case OP_CREATE: {
        snprintf(id, sizeof id, "t%d-c%lu", w->index, seq);
        /* phones are unique: the thread's digit (1..9; the pool's is 5
         * and above is never reached with 4 threads) and 7 of seq */
        char phone[32];
        snprintf(phone, sizeof phone, "010-%d%03lu-%04lu", 1 + w->index % 4,
                 seq / 10000 % 1000, seq % 10000);
        lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
        f.id = id;
        f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE;
        f.name = "Soak";
        f.phone = phone;
        rc = lty_customer_create(w->e, &f);
        idlist_add(&w->created, id, rc == LTY_OK);
        return rc;
    }
    case OP_BOOK: {
        snprintf(id, sizeof id, "t%d-a%lu", w->index, seq);
        lty_appointment_spec s = LTY_APPOINTMENT_SPEC_INIT;
        s.id = id;
        s.customer_id = cid;
        s.start = now + 86400 * (1 + (int64_t)(next_random(&w->rng) % 30));
        s.duration = 30;
        s.item = "scaling";
        rc = lty_appointment_book(w->e, &s);
        idlist_add(&w->booked, id, rc == LTY_OK);
        return rc;
    }
    case OP_PLAN: {
        snprintf(id, sizeof id, "t%d-m%lu", w->index, seq);
        lty_plan_spec s = LTY_PLAN_SPEC_INIT;
        s.id = id;
        s.customer_id = cid;
        s.template_id = "note";
        s.purpose = LTY_PURPOSE_TRANSACTIONAL;
        s.channel = LTY_CHANNEL_SMS;
        s.due = now;
        rc = lty_outbox_plan(w->e, &s);
        idlist_add(&w->planned, id, rc == LTY_OK);
        return rc;
    }
    case OP_DISPATCH: {
        lty_dispatch_report r;
        rc = lty_outbox_dispatch(w->e, LTY_TIME_NOW, 20, &r);
        if (rc == LTY_OK)
            w->dispatched += r.sent;
        return rc;
    }
    default: {
        int c = (int)(next_random(&w->rng) % CAMPAIGNS);
        snprintf(id, sizeof id, "camp-%02d", c);
        lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
        rc = lty_campaign_launch(w->e, id, LTY_TIME_NOW, &r);
        if (rc == LTY_OK)
            w->launched[c] += r.planned;
        return rc;
    }
    }
}

static void *work(void *arg)
{
    worker *w = arg;
    double end = seconds_now() + w->seconds;
    w->f->armed = 1;
    for (unsigned long seq = 1; seconds_now() < end; seq++) {
        int roll = (int)(next_random(&w->rng) % 1000), op = 0;
        while (roll >= op_weight[op])
            op++;
        w->attempts[op]++;
        int rc = do_op(w, op, seq);
        if (rc == LTY_OK)
            w->acked[op]++;
        else if (rc == LTY_ESTORAGE)
            w->by_code[op][0]++;
        else if (rc == LTY_ECONFLICT)
            w->by_code[op][1]++;
        else {
            /* nothing else is expected: say what and stop this thread */
            fprintf(stderr, "soak: thread %d: %s: %s (%s)\n", w->index,
                    op_names[op], lty_strerror(rc),
                    lty_engine_last_error(w->e));
            w->other_errors++;
            w->failed = 1;
            break;
        }
    }
    w->f->armed = 0;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */
/* ------------------------------------------------------------------ */

int check(lty_engine *e, int rc, const char *what)
{
    if (rc != LTY_OK)
        fprintf(stderr, "soak: %s: %s (%s)\n", what, lty_strerror(rc),
                lty_engine_last_error(e));
    return rc;
}

static int setup(lty_engine *e)
{
    lty_reminder_policy p = LTY_REMINDER_POLICY_INIT; /* no reminders */
    if (check(e, lty_appointment_reminders_set(e, &p), "reminder policy") ||
        check(e, lty_template_set(e, "note", LTY_CHANNEL_SMS, "",
                                  "{name}, a note from the clinic"),
              "template"))
        return 1;
    for (int i = 0; i < POOL; i++) {
        char id[16], phone[32];
        pool_id(id, sizeof id, i);
        snprintf(phone, sizeof phone, "010-5%03d-%04d", i, 7000 + i);
        lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
        f.id = id;
        f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE;
        f.name = "Pool";
        f.phone = phone;
        if (check(e, lty_customer_create(e, &f), "pool customer"))
            return 1;
    }
    for (int c = 0; c < CAMPAIGNS; c++) {
        char id[16];
        snprintf(id, sizeof id, "camp-%02d", c);
        lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
        d.id = id;
        d.name = "Soak campaign";
        d.template_id = "note";
        d.channel = LTY_CHANNEL_SMS;
        d.purpose = LTY_PURPOSE_TRANSACTIONAL;
        d.max_messages = CAMPAIGN_CAP;
        d.control_share = 0.2;
        if (check(e, lty_campaign_define(e, &d), "campaign"))
            return 1;
    }
    return 0;
}

static int parse_number(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: soak [--seconds N] [--threads N] [--fault-rate R] "
                    "[--seed S] [--keep] [STORE]\n");
}

int main(int argc, char **argv)
{
    double seconds = 600, threads = 4, rate = 0.01, seed = 1;
    int keep = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double *target = NULL, lo = 0, hi = 0;
        if (strcmp(a, "--seconds") == 0)
            target = &seconds, lo = 1, hi = 86400;
        else if (strcmp(a, "--threads") == 0)
            target = &threads, lo = 1, hi = MAX_THREADS;
        else if (strcmp(a, "--fault-rate") == 0)
            target = &rate, lo = 0, hi = 0.5;
        else if (strcmp(a, "--seed") == 0)
            target = &seed, lo = 1, hi = 1e15;
        else if (strcmp(a, "--keep") == 0) {
            keep = 1;
            continue;
        } else if (a[0] == '-' || path) {
            usage();
            return 2;
        } else {
            path = a;
            continue;
        }
        if (i + 1 >= argc || parse_number(argv[++i], lo, hi, target)) {
            fprintf(stderr, "soak: %s needs a number from %g to %g\n", a, lo, hi);
            return 2;
        }
    }
    char dir[] = "/tmp/lty-soak-XXXXXX", file[64];
    if (!path) {
        const char *tmp = getenv("TMPDIR");
        char tmpl[512];
        snprintf(tmpl, sizeof tmpl, "%s/lty-soak-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        if (strlen(tmpl) >= sizeof dir || !mkdtemp(tmpl)) {
            if (!mkdtemp(dir)) {
                perror("soak: mkdtemp");
                return 2;
            }
        } else {
            memcpy(dir, tmpl, strlen(tmpl) + 1);
        }
        snprintf(file, sizeof file, "%s/soak.db", dir);
        path = file;
    }
    int nthreads = (int)threads;
    printf("soak: %d engines on %s for %.0f s, %.2f %% of transactions "
           "failed\n", nthreads, path, seconds, rate * 100);

    delivered drain = {0};
    lty_engine *main_e = NULL;
    faulty *main_f = NULL;
    if (open_engine(path, 1, 0, &drain, &main_e, &main_f) || setup(main_e))
        return 2;

    worker *ws = xcalloc((size_t)nthreads, sizeof *ws);
    pthread_t tid[MAX_THREADS];
    for (int t = 0; t < nthreads; t++) {
        worker *w = &ws[t];
        w->index = t;
        w->path = path;
        w->seconds = seconds;
        w->rate = rate;
        w->rng = (uint64_t)seed * 1000003u + (uint64_t)t * 7919u + 1;
        if (open_engine(path, w->rng ^ 0x9e3779b97f4a7c15u, rate,
                        &w->sent_ids, &w->e, &w->f))
            return 2;
    }
    double t0 = seconds_now();
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&tid[t], NULL, work, &ws[t])) {
            fprintf(stderr, "soak: cannot start a thread\n");
            return 2;
        }
    for (int t = 0; t < nthreads; t++)
        pthread_join(tid[t], NULL);
    double elapsed = seconds_now() - t0;

    unsigned long attempts = 0, acked = 0, calls = 0, sf = 0, cf = 0;
    int failed = 0;
    printf("\n%-18s %10s %10s %10s %10s\n", "operation", "calls", "acked",
           "ESTORAGE", "ECONFLICT");
    for (int op = 0; op < OPS; op++) {
        unsigned long a = 0, k = 0, s = 0, c = 0;
        for (int t = 0; t < nthreads; t++) {
            a += ws[t].attempts[op];
            k += ws[t].acked[op];
            s += ws[t].by_code[op][0];
            c += ws[t].by_code[op][1];
        }
        printf("%-18s %10lu %10lu %10lu %10lu\n", op_names[op], a, k, s, c);
        attempts += a;
        acked += k;
    }
    for (int t = 0; t < nthreads; t++) {
        calls += ws[t].f->calls;
        sf += ws[t].f->storage_faults;
        cf += ws[t].f->conflict_faults;
        failed |= ws[t].failed;
    }
    printf("%-18s %10lu %10lu\n", "all", attempts, acked);
    printf("\n%.1f s, %.0f calls/s; %lu storage calls, %lu failed with "
           "ESTORAGE and %lu with ECONFLICT by the injector\n\n",
           elapsed, attempts / elapsed, calls, sf, cf);

    unsigned long bad = verify_all(main_e, ws, nthreads, &drain);

    for (int t = 0; t < nthreads; t++) {
        lty_engine_free(ws[t].e);
        free(ws[t].sent_ids.id);
        idlist_free(&ws[t].created);
        idlist_free(&ws[t].booked);
        idlist_free(&ws[t].planned);
    }
    free(ws);
    lty_engine_free(main_e);
    free(drain.id);
    if (path == file && !keep) {
        char side[96];
        const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            snprintf(side, sizeof side, "%s%s", file, suffixes[i]);
            unlink(side);
        }
        rmdir(dir);
    }
    if (bad || failed) {
        printf("\nsoak: FAILED (%lu differences%s)\n", bad,
               failed ? ", and an unexpected error" : "");
        return 1;
    }
    printf("\nsoak: every total equals what was acknowledged\n");
    return 0;
}
