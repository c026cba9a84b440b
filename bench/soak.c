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
#include <loyalty/sqlite.h>

#define POOL 200         /* shared customers, p000..p199 */
#define CAMPAIGNS 16     /* camp-00..camp-15 */
#define CAMPAIGN_CAP 25  /* most messages per campaign */
#define MAX_THREADS 16
#define CLAIM_SECONDS 300 /* the messaging default */

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static uint64_t next_random(uint64_t *s)
{
    /* xorshift64*: each thread has its own state */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

/* A uniform double in [0, 1). */
static double uniform(uint64_t *s)
{
    return (double)(next_random(s) >> 11) / 9007199254740992.0;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "soak: out of memory\n");
        exit(2);
    }
    return p;
}

/* A growing list of ids with a flag each: attempted, and acknowledged. */
typedef struct idlist {
    char (*id)[LTY_ID_MAX + 1];
    unsigned char *acked;
    size_t n, cap;
} idlist;

static void idlist_add(idlist *l, const char *id, int acked)
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

static void idlist_free(idlist *l)
{
    free(l->id);
    free(l->acked);
    memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------------ */
/* The fault-injecting storage layer                                   */
/* ------------------------------------------------------------------ */

typedef struct faulty {
    lty_storage_ops inner;
    void *inner_ud;
    double rate;          /* share of transactions (and of calls made
                             outside a transaction) that fail */
    uint64_t rng;
    int armed;            /* 0: pass everything through */
    int in_tx;            /* a transaction is open on the connection */
    long tx_calls;        /* calls made in it, begin included */
    long tx_fault_at;     /* the call of it to fail; 0: none */
    unsigned long calls, storage_faults, conflict_faults;
} faulty;

static int pick_fault(faulty *f)
{
    if (next_random(&f->rng) & 1) {
        f->storage_faults++;
        return LTY_ESTORAGE;
    }
    f->conflict_faults++;
    return LTY_ECONFLICT;
}

/* LTY_OK, or the fault to report instead of making the call.  A doomed
 * transaction fails at a random one of its first 32 calls (at its commit
 * when it has fewer), so large and small operations fail alike; a call
 * outside any transaction fails with the same probability. */
static int fault(faulty *f)
{
    f->calls++;
    if (!f->armed)
        return LTY_OK;
    if (!f->in_tx)
        return uniform(&f->rng) < f->rate ? pick_fault(f) : LTY_OK;
    if (f->tx_fault_at && ++f->tx_calls == f->tx_fault_at) {
        f->tx_fault_at = 0;
        return pick_fault(f);
    }
    return LTY_OK;
}

static int f_begin(void *ud)
{
    faulty *f = ud;
    f->calls++;
    f->tx_calls = 1;
    f->tx_fault_at = 0;
    if (f->armed && uniform(&f->rng) < f->rate) {
        f->tx_fault_at = 1 + (long)(next_random(&f->rng) % 32);
        if (f->tx_fault_at == 1) {
            f->tx_fault_at = 0;
            return pick_fault(f);
        }
    }
    int rc = f->inner.begin(f->inner_ud);
    f->in_tx = rc == LTY_OK;
    return rc;
}

static int f_commit(void *ud)
{
    faulty *f = ud;
    if (f->tx_fault_at) {
        /* doomed, and not failed yet: fail here (the engine rolls back) */
        f->calls++;
        f->tx_fault_at = 0;
        return pick_fault(f);
    }
    int rc = fault(f);
    if (rc)
        return rc;
    rc = f->inner.commit(f->inner_ud);
    if (rc == LTY_OK)
        f->in_tx = 0;
    return rc;
}

/* Never failed: the engine must be able to undo. */
static int f_rollback(void *ud)
{
    faulty *f = ud;
    f->in_tx = 0;
    f->tx_fault_at = 0;
    return f->inner.rollback(f->inner_ud);
}

static int f_get(const char *key, size_t keylen, lty_buf *value, uint64_t *rev,
                 void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.get(key, keylen, value, rev, f->inner_ud);
}

static int f_put(const char *key, size_t keylen, const void *value, size_t len,
                 uint64_t expected_rev, uint64_t *new_rev, void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc
              : f->inner.put(key, keylen, value, len, expected_rev, new_rev,
                             f->inner_ud);
}

static int f_del(const char *key, size_t keylen, uint64_t expected_rev,
                 void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.del(key, keylen, expected_rev, f->inner_ud);
}

static int f_scan(const char *prefix, size_t prefixlen, const char *after,
                  size_t afterlen, lty_scan_fn each, void *each_ctx, void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc
              : f->inner.scan(prefix, prefixlen, after, afterlen, each,
                              each_ctx, f->inner_ud);
}

static const char *f_errmsg(void *ud)
{
    faulty *f = ud;
    return f->inner.errmsg ? f->inner.errmsg(f->inner_ud) : NULL;
}

static void f_prefetch(const char *key, size_t keylen, void *ud)
{
    faulty *f = ud;
    if (f->inner.prefetch)
        f->inner.prefetch(key, keylen, f->inner_ud);
}

/* The engine owns the layer: freeing it closes the connection.  The
 * counters are read before lty_engine_free(). */
static void f_destroy(void *ud)
{
    faulty *f = ud;
    if (f->inner.destroy)
        f->inner.destroy(f->inner_ud);
    free(f);
}

/* ------------------------------------------------------------------ */
/* Engines                                                             */
/* ------------------------------------------------------------------ */

typedef struct delivered {
    char (*id)[LTY_MESSAGE_ID_MAX + 1];
    size_t n, cap;
} delivered;

static int record_send(const lty_message *msg, void *ud)
{
    delivered *d = ud;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 256;
        void *p = realloc(d->id, cap * sizeof *d->id);
        if (!p)
            return LTY_ENOMEM;
        d->id = p;
        d->cap = cap;
    }
    snprintf(d->id[d->n++], sizeof d->id[0], "%s", msg->id);
    return LTY_OK;
}

/* An engine on its own connection to path, through a faulty layer (armed
 * later), with a messenger that lists what it was handed. */
static int open_engine(const char *path, uint64_t seed, double rate,
                       delivered *d, lty_engine **out, faulty **fout)
{
    faulty *f = xcalloc(1, sizeof *f);
    lty_sqlite_options so = LTY_SQLITE_OPTIONS_INIT;
    so.synchronous_full = 0;
    int rc = lty_sqlite_open(path, &so, &f->inner, &f->inner_ud);
    if (rc) {
        const char *why = lty_sqlite_open_error();
        fprintf(stderr, "soak: open %s: %s (%s)\n", path, lty_strerror(rc),
                why ? why : "");
        free(f);
        return rc;
    }
    f->rate = rate;
    f->rng = seed ? seed : 1;
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    ops.begin = f_begin;
    ops.commit = f_commit;
    ops.rollback = f_rollback;
    ops.get = f_get;
    ops.put = f_put;
    ops.del = f_del;
    ops.scan = f_scan;
    ops.errmsg = f_errmsg;
    ops.destroy = f_destroy;
    ops.prefetch = f_prefetch;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = f;
    o.utc_offset_minutes = 540;
    rc = lty_engine_new(out, &o);
    if (rc) {
        fprintf(stderr, "soak: engine: %s\n", lty_strerror(rc));
        f_destroy(f);
        return rc;
    }
    lty_messenger_ops m = LTY_MESSENGER_OPS_INIT;
    m.send = record_send;
    rc = lty_messenger_register(*out, &m, d);
    if (rc) {
        fprintf(stderr, "soak: messenger: %s\n", lty_strerror(rc));
        lty_engine_free(*out);
        return rc;
    }
    *fout = f;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The workers                                                         */
/* ------------------------------------------------------------------ */

enum { OP_RECORD, OP_CREATE, OP_BOOK, OP_PLAN, OP_DISPATCH, OP_LAUNCH, OPS };
static const char *const op_names[OPS] = {"record purchase", "create customer",
                                          "book appointment", "plan message",
                                          "dispatch", "launch campaign"};
/* Cumulative weights out of 1000. */
static const int op_weight[OPS] = {440, 450, 600, 800, 995, 1000};

typedef struct worker {
    int index;
    const char *path;
    double seconds, rate;
    uint64_t rng;
    lty_engine *e;
    faulty *f;
    delivered sent_ids;
    /* what was acknowledged */
    int64_t purchases[POOL], spend[POOL];
    uint64_t launched[CAMPAIGNS];   /* messages planned by acked launches */
    uint64_t dispatched;            /* report.sent of acked dispatches */
    idlist created, booked, planned;
    unsigned long attempts[OPS], acked[OPS], enomem, other_errors;
    unsigned long by_code[OPS][2];  /* [0] storage, [1] conflict */
    int failed;                     /* an unexpected result */
} worker;

static void pool_id(char *buf, size_t n, int i)
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
/* Setup and the final check                                           */
/* ------------------------------------------------------------------ */

static int check(lty_engine *e, int rc, const char *what)
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

static int cmp_ids(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Counts problems found; prints each. */
static unsigned long verify_all(lty_engine *e, worker *ws, int nthreads,
                                delivered *drain)
{
    unsigned long bad = 0;
    size_t mismatches = 0;
    if (check(e, lty_verify(e, &mismatches, NULL, NULL), "verify"))
        return 1;
    printf("lty_verify mismatches:        %zu\n", mismatches);
    bad += mismatches;

    /* pool customers: purchases and spend */
    int64_t total_purchases = 0, total_spend = 0;
    for (int i = 0; i < POOL; i++) {
        int64_t want_n = 0, want_s = 0;
        for (int t = 0; t < nthreads; t++) {
            want_n += ws[t].purchases[i];
            want_s += ws[t].spend[i];
        }
        char id[16];
        pool_id(id, sizeof id, i);
        lty_customer *c = NULL;
        lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
        if (check(e, lty_customer_get(e, id, &c), "customer get") ||
            check(e, lty_customer_stats_get(c, &st), "customer stats")) {
            lty_customer_free(c);
            return bad + 1;
        }
        if (st.purchases != want_n || st.net_spend != want_s) {
            fprintf(stderr,
                    "soak: %s: %" PRId64 " purchases, %" PRId64
                    " spent; acknowledged %" PRId64 ", %" PRId64 "\n",
                    id, st.purchases, st.net_spend, want_n, want_s);
            bad++;
        }
        total_purchases += st.purchases;
        total_spend += st.net_spend;
        lty_customer_free(c);
    }
    printf("purchases (acked = stored):   %" PRId64 ", %" PRId64
           " won in all\n", total_purchases, total_spend);

    /* created customers, bookings, planned messages: exist iff acked */
    unsigned long created = 0, booked = 0, planned = 0;
    for (int t = 0; t < nthreads; t++) {
        worker *w = &ws[t];
        for (size_t i = 0; i < w->created.n; i++) {
            lty_customer *c = NULL;
            int rc = lty_customer_get(e, w->created.id[i], &c);
            lty_customer_free(c);
            if ((rc == LTY_OK) != w->created.acked[i] ||
                (rc != LTY_OK && rc != LTY_ENOTFOUND)) {
                fprintf(stderr, "soak: customer %s: %s, acknowledged %d\n",
                        w->created.id[i], lty_strerror(rc),
                        w->created.acked[i]);
                bad++;
            }
            created += rc == LTY_OK;
        }
        for (size_t i = 0; i < w->booked.n; i++) {
            lty_appointment a = LTY_APPOINTMENT_INIT;
            int rc = lty_appointment_get(e, w->booked.id[i], &a);
            if ((rc == LTY_OK) != w->booked.acked[i] ||
                (rc != LTY_OK && rc != LTY_ENOTFOUND)) {
                fprintf(stderr, "soak: appointment %s: %s, acknowledged %d\n",
                        w->booked.id[i], lty_strerror(rc),
                        w->booked.acked[i]);
                bad++;
            }
            booked += rc == LTY_OK;
        }
        for (size_t i = 0; i < w->planned.n; i++) {
            lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
            int rc = lty_outbox_get(e, w->planned.id[i], &m);
            if ((rc == LTY_OK) != w->planned.acked[i] ||
                (rc != LTY_OK && rc != LTY_ENOTFOUND)) {
                fprintf(stderr, "soak: message %s: %s, acknowledged %d\n",
                        w->planned.id[i], lty_strerror(rc),
                        w->planned.acked[i]);
                bad++;
            }
            planned += rc == LTY_OK;
        }
    }
    printf("customers created (acked):    %lu\n", created);
    printf("appointments booked (acked):  %lu\n", booked);
    printf("messages planned (acked):     %lu\n", planned);

    /* campaign messages: as many as the acked launches planned.  A
     * campaign message is "campaign/<campaign>/<customer>"; only pool and
     * created customers exist. */
    uint64_t campaign_msgs = 0;
    for (int c = 0; c < CAMPAIGNS; c++) {
        uint64_t want = 0, have = 0;
        for (int t = 0; t < nthreads; t++)
            want += ws[t].launched[c];
        char mid[LTY_MESSAGE_ID_MAX + 1];
        for (int i = 0; i < POOL; i++) {
            lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
            snprintf(mid, sizeof mid, "campaign/camp-%02d/p%03d", c, i);
            have += lty_outbox_get(e, mid, &m) == LTY_OK;
        }
        for (int t = 0; t < nthreads; t++)
            for (size_t i = 0; i < ws[t].created.n; i++) {
                if (!ws[t].created.acked[i])
                    continue;
                lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
                snprintf(mid, sizeof mid, "campaign/camp-%02d/%s", c,
                         ws[t].created.id[i]);
                have += lty_outbox_get(e, mid, &m) == LTY_OK;
            }
        if (have != want) {
            fprintf(stderr, "soak: camp-%02d: %" PRIu64
                    " messages, acknowledged launches planned %" PRIu64 "\n",
                    c, have, want);
            bad++;
        }
        campaign_msgs += have;
    }
    printf("campaign messages (acked):    %" PRIu64 "\n", campaign_msgs);

    /* the outbox holds those and nothing else */
    size_t total = 0;
    if (check(e, lty_outbox_list(e, NULL, NULL, 0, &total), "outbox list"))
        return bad + 1;
    if (total != planned + campaign_msgs) {
        fprintf(stderr, "soak: the outbox holds %zu messages, %" PRIu64
                " were acknowledged\n", total, planned + campaign_msgs);
        bad++;
    }

    /* drain: a dispatch past every claim sends what is left */
    uint64_t acked_sent = 0;
    for (int t = 0; t < nthreads; t++)
        acked_sent += ws[t].dispatched;
    int64_t later = (int64_t)time(NULL) + CLAIM_SECONDS + 60;
    uint64_t drained = 0;
    for (;;) {
        lty_dispatch_report r;
        if (check(e, lty_outbox_dispatch(e, later, 1000, &r), "drain"))
            return bad + 1;
        drained += r.sent;
        if (r.claimed == 0)
            break;
    }
    lty_outbox_filter flt;
    memset(&flt, 0, sizeof flt);
    flt.state = LTY_MSG_SENT;
    size_t sent = 0;
    if (check(e, lty_outbox_list(e, &flt, NULL, 0, &sent), "outbox list"))
        return bad + 1;
    printf("outbox: %zu messages, %zu sent (%" PRIu64
           " acknowledged by dispatch calls, %" PRIu64 " in the drain)\n",
           total, sent, acked_sent, drained);
    if (sent != total) {
        fprintf(stderr, "soak: %zu of %zu messages not sent after the drain\n",
                total - sent, total);
        bad++;
    }
    if (acked_sent + drained > sent) {
        fprintf(stderr, "soak: dispatch calls acknowledged more sends than "
                "the outbox records\n");
        bad++;
    }

    /* deliveries: every handed-over id is in the outbox, every sent
     * message was handed over; count repeats (a claim whose
     * acknowledgement failed is sent again: at least once, by design) */
    size_t nd = drain->n;
    for (int t = 0; t < nthreads; t++)
        nd += ws[t].sent_ids.n;
    char (*all)[LTY_MESSAGE_ID_MAX + 1] = xcalloc(nd, sizeof *all);
    size_t k = 0;
    for (int t = 0; t < nthreads; t++)
        for (size_t i = 0; i < ws[t].sent_ids.n; i++)
            memcpy(all[k++], ws[t].sent_ids.id[i], sizeof all[0]);
    for (size_t i = 0; i < drain->n; i++)
        memcpy(all[k++], drain->id[i], sizeof all[0]);
    qsort(all, nd, sizeof all[0], cmp_ids);
    size_t distinct = 0;
    for (size_t i = 0; i < nd; i++) {
        if (i > 0 && strcmp(all[i], all[i - 1]) == 0)
            continue;
        distinct++;
        lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
        int rc = lty_outbox_get(e, all[i], &m);
        if (rc != LTY_OK || m.state != LTY_MSG_SENT) {
            fprintf(stderr, "soak: message %s was handed over but is %s\n",
                    all[i], rc == LTY_OK ? "not marked sent" : lty_strerror(rc));
            bad++;
        }
    }
    free(all);
    printf("deliveries: %zu (%zu messages, %zu repeated after a failed "
           "acknowledgement)\n", nd, distinct, nd - distinct);
    if (distinct != sent) {
        fprintf(stderr, "soak: %zu messages marked sent, %zu handed over\n",
                sent, distinct);
        bad++;
    }
    return bad;
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
