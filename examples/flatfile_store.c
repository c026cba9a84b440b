/*
 * libloyalty example - the engine on a storage backend of your own.
 *
 * examples/flatfile_backend.c implements lty_storage_ops over a flat file:
 * a sorted table in memory, transactions buffered and written on commit
 * by writing a temporary file and renaming it over the old one, revisions
 * from a counter kept in the file.  It shows integrators how to back the
 * engine with their own database (the comments there map it to SQL).
 *
 * The story: a coffee shop runs the engine on the file for a day (a
 * points card, two customers, purchases, a refund, a refused duplicate),
 * closes; the next day a new engine opens the file, and everything is
 * still there: the purchases, the points, consistent aggregates
 * (lty_verify() finds no mismatch), and new writes get new revisions.
 * The file lives in a temporary directory ($TMPDIR or /tmp) removed at
 * the end.
 *
 * `make check` runs it: it exits non-zero unless the facts it prints hold.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <loyalty.h>

#include "flatfile_backend.h"

#define TRY(call)                                                          \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_ != LTY_OK) {                                               \
            fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__,    \
                    #call, lty_strerror(rc_), lty_engine_last_error(e));   \
            exit(EXIT_FAILURE);                                            \
        }                                                                  \
    } while (0)

/* Monday 2026-03-02, 10:00 in Seoul. */
#define MONDAY_10AM INT64_C(1772413200)

static int failures;

static void expect(int ok, const char *fact)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", fact);
        failures++;
    }
}

static int64_t shop_clock(void *userdata)
{
    return *(const int64_t *)userdata;
}

static lty_engine *open_engine(const char *path, int64_t *now)
{
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    TRY(flatfile_connect(path, &ops, &conn));
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = conn;
    o.clock = shop_clock;
    o.clock_userdata = now;
    o.utc_offset_minutes = 540;
    int rc = lty_engine_new(&e, &o);
    if (rc != LTY_OK) {
        flatfile_close(conn); /* still ours when lty_engine_new fails */
        TRY(rc);
    }
    return e;
}

/* Counts records and the highest revision, through the scan callback. */
static int tally(const char *k, size_t kl, const void *v, size_t len,
                 uint64_t rev, void *ctx)
{
    uint64_t *t = ctx;
    (void)k, (void)kl, (void)v, (void)len;
    t[0]++;
    if (rev > t[1])
        t[1] = rev;
    return LTY_OK;
}

static void buy(lty_engine *e, const char *id, const char *who, int64_t won)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = id;
    ev.customer_id = who;
    ev.amount = won;
    ev.item = "coffee beans";
    TRY(lty_record(e, &ev, NULL));
}

int main(void)
{
    char dir[4096], path[4200];
    const char *tmp = getenv("TMPDIR");
    int64_t now = MONDAY_10AM;
    snprintf(dir, sizeof dir, "%s/lty-flat-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("flatfile_store: mkdtemp");
        return EXIT_FAILURE;
    }
    snprintf(path, sizeof path, "%s/shop.lty", dir);
    printf("libloyalty %s: the engine on a flat file (%s)\n\n",
           lty_version(NULL, NULL, NULL), path);

    /* Day 1: a stamp card, two customers, purchases, a refund. */
    lty_engine *e = open_engine(path, &now);
    static const lty_earn_rule earn[] = {{LTY_EARN_PER_AMOUNT, 1000, 1, NULL}};
    static const lty_tier tiers[] = {{"Member", 0, 100, 0, NULL,
                                      (lty_reward_kind)0, 0, 0}};
    lty_program_def def = LTY_PROGRAM_DEF_INIT;
    def.id = "beans";
    def.name = "Bean points";
    def.kind = LTY_PROGRAM_STARS;
    def.rules = earn;
    def.rule_count = 1;
    def.tiers = tiers;
    def.tier_count = 1;
    TRY(lty_program_define(e, &def));
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.set = LTY_FIELD_NAME;
    f.id = "c-1";
    f.name = "Yoon Seojin";
    TRY(lty_customer_create(e, &f));
    f.id = "c-2";
    f.name = "Kang Doyun";
    TRY(lty_customer_create(e, &f));
    buy(e, "sale-1", "c-1", 18000);
    buy(e, "sale-2", "c-1", 24000);
    buy(e, "sale-3", "c-2", 9000);
    lty_event refund = LTY_EVENT_INIT;
    refund.type = LTY_EVENT_REFUND;
    refund.id = "sale-2/refund";
    refund.customer_id = "c-1";
    refund.amount = 4000;
    refund.refund_of = "sale-2";
    TRY(lty_record(e, &refund, NULL));
    /* A failing call leaves nothing behind: the transaction rolls back. */
    int rc = lty_customer_create(e, &f);
    expect(rc == LTY_EEXISTS, "creating c-2 again is refused");
    lty_storage_ops ops;
    void *conn;
    uint64_t before[2] = {0, 0}, after[2] = {0, 0};
    TRY(flatfile_connect(path, &ops, &conn)); /* a look at the file as committed */
    rc = ops.scan("", 0, NULL, 0, tally, before, conn);
    flatfile_close(conn);
    expect(rc == LTY_OK, "the committed file scans in key order");
    lty_engine_free(e); /* closes the file's connection */
    printf("Day 1 written: %llu records, revisions up to %llu\n",
           (unsigned long long)before[0], (unsigned long long)before[1]);

    /* Day 2: a new process opens the file. */
    now += 86400;
    e = open_engine(path, &now);
    lty_customer *c = NULL;
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    TRY(lty_customer_get(e, "c-1", &c));
    TRY(lty_customer_stats_get(c, &st));
    printf("Reopened: %s has %lld purchases, %lld won net\n",
           lty_customer_name(c), (long long)st.purchases,
           (long long)st.net_spend);
    expect(st.purchases == 2 && st.net_spend == 38000 && st.refunds == 1,
           "c-1's purchases and refund survived the restart");
    lty_customer_free(c);
    lty_program_status ps = LTY_PROGRAM_STATUS_INIT;
    TRY(lty_program_status_get(e, "c-1", "beans", &ps));
    expect(ps.balance == 38, "c-1's 38 bean points survived");
    size_t mismatches = 99;
    TRY(lty_verify(e, &mismatches, NULL, NULL));
    expect(mismatches == 0, "lty_verify finds every aggregate consistent");

    buy(e, "sale-4", "c-2", 12000); /* and the engine goes on writing */
    lty_engine_free(e);
    e = NULL;
    TRY(flatfile_connect(path, &ops, &conn));
    rc = ops.scan("", 0, NULL, 0, tally, after, conn);
    flatfile_close(conn);
    expect(rc == LTY_OK, "the file scans again after day 2");
    printf("Day 2 written: %llu records, revisions up to %llu\n",
           (unsigned long long)after[0], (unsigned long long)after[1]);
    expect(after[0] > before[0] && after[1] > before[1],
           "new writes after the restart get new, higher revisions");

    /* A file cut short (a copy interrupted, a full disk) is refused at
     * connect, never half-loaded. */
    static unsigned char bytes[1 << 16];
    char cut[4300];
    FILE *in = fopen(path, "rb");
    size_t len = in ? fread(bytes, 1, sizeof bytes, in) : 0;
    snprintf(cut, sizeof cut, "%s/cut.lty", dir);
    FILE *out = fopen(cut, "wb");
    if (in)
        fclose(in);
    if (out) {
        fwrite(bytes, 1, len > 3 ? len - 3 : 0, out);
        fclose(out);
    }
    printf("\nA copy of the file cut 3 bytes short: ");
    fflush(stdout);
    rc = flatfile_connect(cut, &ops, &conn);
    expect(len > 3 && rc == LTY_ECORRUPT, "a truncated file is LTY_ECORRUPT");
    if (rc == LTY_OK)
        flatfile_close(conn);
    remove(cut);

    remove(path);
    expect(rmdir(dir) == 0, "nothing but the file was left in the directory");
    if (failures) {
        fprintf(stderr, "flatfile_store: %d fact(s) did not hold\n", failures);
        return EXIT_FAILURE;
    }
    printf("\nOK: the store survived a restart, verified clean\n");
    return EXIT_SUCCESS;
}
