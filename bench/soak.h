/*
 * bench/soak.h - what the parts of the soak (bench/soak.c) share: the
 * random numbers, the lists of acknowledged ids, the fault-injecting
 * storage layer, the engines and the workers' counts.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_BENCH_SOAK_H
#define LTY_BENCH_SOAK_H

#include <stddef.h>
#include <stdint.h>

#include <loyalty.h>

#define POOL 200         /* shared customers, p000..p199 */
#define CAMPAIGNS 16     /* camp-00..camp-15 */
#define CAMPAIGN_CAP 25  /* most messages per campaign */
#define MAX_THREADS 16
#define CLAIM_SECONDS 300 /* the messaging default */

/* xorshift64*: each thread has its own state. */
uint64_t next_random(uint64_t *s);
/* A uniform double in [0, 1). */
double uniform(uint64_t *s);
/* calloc() or exit(2). */
void *xcalloc(size_t n, size_t size);

/* A growing list of ids with a flag each: attempted, and acknowledged. */
typedef struct idlist {
    char (*id)[LTY_ID_MAX + 1];
    unsigned char *acked;
    size_t n, cap;
} idlist;

void idlist_add(idlist *l, const char *id, int acked);
void idlist_free(idlist *l);

/* The fault-injecting storage layer over one SQLite connection
 * (soak_faulty.c).  The engine owns it; the counters stay readable until
 * lty_engine_free(). */
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

/* The ids a messenger was handed, in order. */
typedef struct delivered {
    char (*id)[LTY_MESSAGE_ID_MAX + 1];
    size_t n, cap;
} delivered;

/* An engine on its own connection to path, through a faulty layer (not
 * armed yet), with a messenger that lists what it is handed in d.  Prints
 * what went wrong and returns its code on failure. */
int open_engine(const char *path, uint64_t seed, double rate, delivered *d,
                lty_engine **out, faulty **fout);

enum { OP_RECORD, OP_CREATE, OP_BOOK, OP_PLAN, OP_DISPATCH, OP_LAUNCH, OPS };

/* One thread: its engine and what it was told was done. */
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
    unsigned long attempts[OPS], acked[OPS], other_errors;
    unsigned long by_code[OPS][2];  /* [0] storage, [1] conflict */
    int failed;                     /* an unexpected result */
} worker;

/* "p000".."p199". */
void pool_id(char *buf, size_t n, int i);

/* rc, after printing what failed when it is not LTY_OK. */
int check(lty_engine *e, int rc, const char *what);

/* The final check (soak_verify.c), faults off: prints the totals and each
 * difference from what the workers were told; returns the number of
 * differences.  drain lists the deliveries of e's own messenger. */
unsigned long verify_all(lty_engine *e, worker *ws, int nthreads,
                         delivered *drain);

#endif /* LTY_BENCH_SOAK_H */
