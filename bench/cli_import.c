/*
 * libloyalty benchmark - the command line's CSV import into SQLite.
 *
 *   bench/cli_import [--rows N] [--customers N] [--durable] [--keep DIR]
 *
 * Writes a customers file (N customers, default 20,000) and an events file
 * (default 1,000,000 rows: purchases and visits in time order over two
 * years, spread over the customers) into a fresh directory under $TMPDIR,
 * imports both with cli_import_file() into a fresh SQLite store
 * (synchronous NORMAL, or FULL with --durable), and reports the time and
 * rows per second of each import.  Exits 0 when every row was accepted, 1
 * otherwise, 2 on bad arguments.
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
#include <loyalty/sqlite.h>

#include "../cli/import_csv.h"

#define START INT64_C(1704067200) /* 2024-01-01T00:00:00Z */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int64_t fixed_now = START + 2 * 366 * 86400;
static int64_t clock_fn(void *ud)
{
    (void)ud;
    return fixed_now;
}

static int report(const char *what, int rc, const struct cli_import_summary *s,
                  double secs)
{
    printf("%-10s %9zu rows  %7.2f s  %9.0f rows/s  accepted %zu, rejected %zu, batches %zu\n",
           what, s->rows, secs, secs > 0 ? (double)s->rows / secs : 0.0,
           s->accepted, s->rejected, s->batches);
    if (rc != LTY_OK || s->accepted != s->rows) {
        fprintf(stderr, "%s: %s %s\n", what, lty_strerror(rc), s->message);
        for (size_t i = 0; i < s->error_count && i < 5; i++)
            fprintf(stderr, "  line %lu: %s\n", s->errors[i].line, s->errors[i].reason);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long rows = 1000000, customers = 20000;
    int durable = 0;
    const char *keep = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            rows = atol(argv[++i]);
        else if (strcmp(argv[i], "--customers") == 0 && i + 1 < argc)
            customers = atol(argv[++i]);
        else if (strcmp(argv[i], "--durable") == 0)
            durable = 1;
        else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc)
            keep = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--rows N] [--customers N] [--durable] [--keep DIR]\n", argv[0]);
            return 2;
        }
    }
    if (rows < 1 || customers < 1)
        return 2;
    char dir[512];
    if (keep) {
        snprintf(dir, sizeof dir, "%s", keep);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/cli_import.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
    }
    char cpath[600], epath[600], db[600];
    snprintf(cpath, sizeof cpath, "%s/customers.csv", dir);
    snprintf(epath, sizeof epath, "%s/events.csv", dir);
    snprintf(db, sizeof db, "%s/bench.db", dir);

    double t0 = now_s();
    FILE *f = fopen(cpath, "w");
    if (!f)
        return 1;
    fputs("id,name,phone,preferred_channel\n", f);
    for (long i = 0; i < customers; i++)
        fprintf(f, "c%06ld,Customer %ld,010-%04ld-%04ld,sms\n", i, i,
                (i / 10000) % 10000, i % 10000);
    fclose(f);
    f = fopen(epath, "w");
    if (!f)
        return 1;
    fputs("id,customer_id,type,time,amount,item,branch\n", f);
    static const char *const items[] = {"scaling", "botox", "filler", "laser",
                                        "facial", "consultation"};
    int64_t span = 2 * 365 * 86400;
    for (long i = 0; i < rows; i++) {
        int64_t t = START + span * i / rows;
        long c = (long)(next() % (uint64_t)customers);
        int visit = next() % 5 == 0;
        fprintf(f, "e%07ld,c%06ld,%s,%" PRId64 ",%s,%s,gangnam\n", i, c,
                visit ? "visit" : "purchase", t,
                visit ? "" : (const char *[]){"30000", "55000", "120000", "250000"}[next() % 4],
                items[next() % 6]);
    }
    fclose(f);
    printf("files written in %.2f s (%s)\n", now_s() - t0, dir);

    lty_sqlite_options so = LTY_SQLITE_OPTIONS_INIT;
    so.synchronous_full = durable;
    lty_storage_ops ops;
    void *conn;
    if (lty_sqlite_open(db, &so, &ops, &conn) != LTY_OK) {
        fprintf(stderr, "sqlite: %s\n", lty_sqlite_open_error());
        return 1;
    }
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = conn;
    o.clock = clock_fn;
    o.utc_offset_minutes = 540;
    lty_engine *e;
    if (lty_engine_new(&e, &o) != LTY_OK)
        return 1;
    struct cli_import_summary *s = malloc(sizeof *s);
    int bad = 0;
    t0 = now_s();
    int rc = cli_import_file(e, "customers", cpath, isatty(2) ? stderr : NULL, s);
    bad |= report("customers", rc, s, now_s() - t0);
    t0 = now_s();
    rc = cli_import_file(e, "events", epath, isatty(2) ? stderr : NULL, s);
    bad |= report("events", rc, s, now_s() - t0);
    free(s);
    lty_engine_free(e);
    if (!keep) {
        const char *suffix[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            char p[620];
            snprintf(p, sizeof p, "%s%s", db, suffix[i]);
            unlink(p);
        }
        unlink(cpath);
        unlink(epath);
        rmdir(dir);
    }
    return bad;
}
