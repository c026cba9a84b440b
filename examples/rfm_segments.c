/*
 * libloyalty example - RFM segments: who are the best customers, who is
 * slipping away, and how much of the money the top fifth brings.
 *
 * RFM scores every customer 1..5 on three dimensions:
 *   R  recency    days since the last visit (5 = came most recently),
 *   F  frequency  how many days they came (5 = most often),
 *   M  monetary   what they spent, net of refunds (5 = spent most);
 * each score is a quintile: 5 is the top fifth of customers on that
 * dimension.  Segments name combinations (the default table, after the R
 * package rfm; first rule that matches wins):
 *   Champions           R5 F5 M5: came lately, often, spent most: thank
 *                       them, don't discount them;
 *   Loyal Customers,    steady good customers;
 *   Potential Loyalist
 *   New Customers,      came lately but few times: the second visit is
 *   Promising           the one to win;
 *   Can't Lose Them,    spent a lot and often, but not lately: the
 *   At Risk             win-back campaign's first targets;
 *   Need Attention,     cooling down;
 *   About To Sleep
 *   Lost                R1: gone longest; cheap reminders only.
 * The Pareto share is the part of the revenue brought by the top 20% of
 * customers by spend ("80/20"): the higher it is, the more the business
 * depends on a few.
 *
 * Part 1 scores a small clinic's patients over the store (stored scores,
 * read back per customer with lty_rfm_customer_get()).  Part 2 runs the
 * same analysis in batch over a real data set, the CDNOW purchases
 * (23,570 customers of an online music shop, 1997-1998), when it is
 * there: $LTY_SHARED_DATA/cdnow/CDNOW_master.txt, or else
 * $srcdir/../shared/data/cdnow/CDNOW_master.txt.  Without it that part is
 * skipped with a message and the example still passes.
 *
 * `make check` runs it: it exits non-zero unless the facts it prints hold.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <loyalty.h>

#define TRY(call)                                                          \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_ != LTY_OK) {                                               \
            fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__,    \
                    #call, lty_strerror(rc_), lty_engine_last_error(e));   \
            exit(EXIT_FAILURE);                                            \
        }                                                                  \
    } while (0)

#define DAY INT64_C(86400)
#define PATIENTS 60

/* Monday 2026-03-02, 00:00 in Seoul. */
#define MONDAY INT64_C(1772377200)

static int failures;

static void expect(int ok, const char *fact)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", fact);
        failures++;
    }
}

static int64_t clinic_clock(void *userdata)
{
    return *(const int64_t *)userdata;
}

/* xorshift64: the same patients on every run. */
static int roll(uint64_t *s, int n)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (int)(*s % (uint64_t)n);
}

/* `count` treatments of `won` each, `every` days apart, the last
 * `last_ago` days before Monday. */
static void patient(lty_engine *e, const char *chart, int count, int every,
                    int last_ago, int64_t won)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = chart;
    TRY(lty_customer_create(e, &f));
    for (int k = 0; k < count; k++) {
        char id[48];
        snprintf(id, sizeof id, "%s/%d", chart, k);
        lty_event ev = LTY_EVENT_INIT;
        ev.type = LTY_EVENT_PURCHASE;
        ev.id = id;
        ev.customer_id = chart;
        ev.time = MONDAY - (int64_t)(last_ago + k * every) * DAY + 36000;
        ev.amount = won;
        TRY(lty_record(e, &ev, NULL));
    }
}

/* The segment table with revenue shares; returns customers and revenue
 * summed over the segments, to check that they add up. */
static void print_segments(const lty_rfm_result *r, size_t *customers,
                           int64_t *revenue, const char *unit)
{
    *customers = 0;
    *revenue = 0;
    printf("  %-20s %9s %14s %6s   mean R F M\n", "segment", "customers",
           unit, "share");
    for (size_t i = 0; i < lty_rfm_result_segment_count(r); i++) {
        lty_rfm_segment_summary s;
        if (lty_rfm_result_segment(r, i, &s) != LTY_OK)
            continue;
        *customers += s.customers;
        *revenue += s.revenue;
        if (s.customers)
            printf("  %-20s %9zu %14lld %5.1f%%   %.1f %.1f %.1f\n", s.name,
                   s.customers, (long long)s.revenue, 100 * s.revenue_share,
                   s.mean_r, s.mean_f, s.mean_m);
    }
}

static void clinic(void)
{
    lty_memstore *store;
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    int64_t now = MONDAY;
    TRY(lty_memstore_new(&store, NULL));
    TRY(lty_memstore_connect(store, &ops, &conn));
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = clinic_clock;
    opts.clock_userdata = &now;
    opts.utc_offset_minutes = 540;
    TRY(lty_engine_new(&e, &opts));

    /* Two patients whose place we know, and 58 ordinary ones: 1..20
     * visits, 7..60 days apart, the last 1..400 days ago. */
    patient(e, "chart-0001", 40, 7, 0, 250000);   /* weekly, came today */
    patient(e, "chart-0002", 12, 14, 330, 300000); /* big spender, gone */
    uint64_t rng = 0x5eed2026u;
    for (int i = 3; i <= PATIENTS; i++) {
        char chart[16];
        snprintf(chart, sizeof chart, "chart-%04d", i);
        patient(e, chart, 1 + roll(&rng, 20), 7 + roll(&rng, 54),
                1 + roll(&rng, 400), 20000 + 10000 * roll(&rng, 19));
    }

    /* Score everybody as of now; the scores are stored per patient. */
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    lty_rfm_result *r = NULL;
    TRY(lty_rfm_compute(e, &o, &r));
    size_t n = lty_rfm_result_count(r), in_segments;
    int64_t revenue, total = 0;
    printf("Part 1: the clinic's %zu patients (won)\n", n);
    print_segments(r, &in_segments, &revenue, "revenue");
    for (size_t i = 0; i < n; i++) {
        lty_rfm_row row;
        TRY(lty_rfm_result_row(r, i, &row));
        total += row.monetary;
    }
    double pareto = lty_rfm_result_pareto(r);
    printf("  the top 20%% of patients bring %.1f%% of the revenue\n",
           100 * pareto);
    expect(n == PATIENTS && in_segments == n && revenue == total,
           "every patient is in exactly one segment, and the revenue adds up");
    expect(pareto > 0.2 && pareto <= 1.0,
           "the top fifth by spend brings more than a fifth of the revenue");

    lty_rfm_scores best = LTY_RFM_SCORES_INIT, gone = LTY_RFM_SCORES_INIT;
    TRY(lty_rfm_customer_get(e, "chart-0001", &best));
    TRY(lty_rfm_customer_get(e, "chart-0002", &gone));
    printf("  chart-0001: R%d F%d M%d %s\n  chart-0002: R%d F%d M%d %s "
           "(%lld days away)\n", best.r, best.f, best.m, best.segment, gone.r,
           gone.f, gone.m, gone.segment, (long long)gone.recency_days);
    expect(best.score == 555 && strcmp(best.segment, "Champions") == 0,
           "the weekly patient who came today is a Champion (555)");
    expect(gone.r <= 2 && gone.m >= 4 &&
               (strcmp(gone.segment, "Can't Lose Them") == 0 ||
                strcmp(gone.segment, "At Risk") == 0),
           "the big spender who stopped coming is one to win back");
    lty_rfm_row row;
    expect(lty_rfm_result_find(r, "chart-0002", &row) == LTY_OK &&
               row.score == gone.score && row.monetary == 12 * 300000,
           "the stored scores match the result's row");
    lty_rfm_result_free(r);
    lty_engine_free(e);
    lty_memstore_free(store);
}

/* Find CDNOW_master.txt; NULL when the data set is not there. */
static const char *cdnow_path(char *buf, size_t len)
{
    const char *shared = getenv("LTY_SHARED_DATA");
    const char *srcdir = getenv("srcdir"); /* exported by `make check` */
    if (shared && shared[0])
        snprintf(buf, len, "%s/cdnow/CDNOW_master.txt", shared);
    else
        snprintf(buf, len, "%s/../shared/data/cdnow/CDNOW_master.txt",
                 srcdir && srcdir[0] ? srcdir : ".");
    return access(buf, R_OK) == 0 ? buf : NULL;
}

/* CDNOW_master.txt is whitespace-separated (" 00001 19970101  1   11.77",
 * after a header line); lty_rfm_from_csv() wants customer_id,date,amount
 * with ISO dates and minor units.  Converts, counting lines and cents, so
 * the result can be checked against the file itself.  Returns 0 or -1. */
static int cdnow_to_csv(const char *in, const char *out, size_t *rows,
                        int64_t *cents)
{
    FILE *fi = fopen(in, "r"), *fo = fopen(out, "w");
    char line[256];
    int ok = fi && fo && fgets(line, sizeof line, fi) != NULL; /* header */
    *rows = 0;
    *cents = 0;
    if (ok)
        fputs("customer_id,date,amount\n", fo);
    while (ok && fgets(line, sizeof line, fi)) {
        char id[16], date[16], cents2[3];
        int cds;
        long dollars;
        if (sscanf(line, "%15s %15s %d %ld.%2[0-9]", id, date, &cds, &dollars,
                   cents2) != 5 || strlen(date) != 8 || strlen(cents2) != 2) {
            fprintf(stderr, "%s:%zu: not a CDNOW purchase line\n", in,
                    *rows + 2);
            ok = 0;
            break;
        }
        int64_t amount = (int64_t)dollars * 100 + atoi(cents2);
        fprintf(fo, "%s,%.4s-%.2s-%.2s,%lld\n", id, date, date + 4, date + 6,
                (long long)amount);
        *cents += amount;
        ++*rows;
    }
    if (fi)
        fclose(fi);
    if (fo && fclose(fo) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

static void cdnow(void)
{
    char master[4096], dir[4096], csv[4200], err[256];
    if (!cdnow_path(master, sizeof master)) {
        printf("\nPart 2 skipped: the CDNOW data set is not there (%s); set "
               "LTY_SHARED_DATA to the directory holding cdnow/\n", master);
        return;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/lty-rfm-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(EXIT_FAILURE);
    }
    snprintf(csv, sizeof csv, "%s/cdnow.csv", dir);
    size_t rows = 0;
    int64_t cents = 0;
    int ok = cdnow_to_csv(master, csv, &rows, &cents) == 0;
    expect(ok, "CDNOW_master.txt converts to the CSV lty_rfm_from_csv reads");
    lty_rfm_result *r = NULL;
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT; /* as of the last purchase */
    int rc = ok ? lty_rfm_from_csv(&r, csv, &o, err, sizeof err) : LTY_EPARSE;
    remove(csv);
    rmdir(dir);
    if (rc != LTY_OK) {
        fprintf(stderr, "lty_rfm_from_csv: %s (%s)\n", lty_strerror(rc),
                ok ? err : "conversion failed");
        failures++;
        return;
    }
    size_t n = lty_rfm_result_count(r), in_segments;
    int64_t revenue;
    time_t as_of = (time_t)lty_rfm_result_as_of(r);
    struct tm tm;
    char day[16] = "?";
    if (gmtime_r(&as_of, &tm))
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
    printf("\nPart 2: CDNOW, %zu purchases of %zu customers, as of %s "
           "(the last purchase; amounts in US cents)\n", rows, n, day);
    print_segments(r, &in_segments, &revenue, "revenue");
    double pareto = lty_rfm_result_pareto(r);
    printf("  the top 20%% of customers bring %.1f%% of the revenue\n",
           100 * pareto);
    /* Over half of CDNOW's customers bought once: equal values share one
     * score, so F uses fewer than 5 levels, and a one-time buyer's F says
     * "the middle of the crowd", not "the fifth from the bottom". */
    printf("  scores in use: R %d, F %d, M %d of 5\n",
           lty_rfm_result_levels(r, 'R'), lty_rfm_result_levels(r, 'F'),
           lty_rfm_result_levels(r, 'M'));
    expect(rows == 69659 && n == 23570,
           "all 69,659 purchases of the 23,570 customers are read");
    expect(in_segments == n && revenue == cents,
           "the segments hold every customer and every cent of the file");
    /* Most of CDNOW's customers bought once and never came back: the few
     * who kept buying carry the shop. */
    expect(pareto > 0.5, "CDNOW's top fifth brings more than half the revenue");
    lty_rfm_result_free(r);
}

int main(void)
{
    printf("libloyalty %s: RFM segments\n\n", lty_version(NULL, NULL, NULL));
    clinic();
    cdnow();
    if (failures) {
        fprintf(stderr, "rfm_segments: %d fact(s) did not hold\n", failures);
        return EXIT_FAILURE;
    }
    printf("\nOK: every customer scored and segmented; the revenue adds up\n");
    return EXIT_SUCCESS;
}
