/*
 * libloyalty benchmark - RFM: batch scoring of a CSV file against pandas,
 * and RFM over the memory store, on one core.
 *
 *   bench/rfm [--transactions N] [--customers N] [--csv FILE] [--keep]
 *             [--store-customers N] [--python PATH] [--pandas-script PATH]
 *
 * 1. Writes a CSV (customer_id,date,amount) of N transactions (default
 *    10,000,000) over M customers (default 1,000,000) to $TMPDIR (or /tmp)
 *    with a seeded generator: customers drawn at random, dates over two
 *    years (2024-01-01..2025-12-31), amounts in minor units (1,000..200,000
 *    won scaled by a per-customer level), about 2% refunds (negative).
 *    --csv FILE uses an existing file instead (it is never removed); the
 *    generated file is removed at the end unless --keep is given.
 * 2. Runs lty_rfm_from_csv() with the default options in a forked child and
 *    reports its wall time and the child's peak resident memory (VmHWM of
 *    /proc/self/status after the call; VmHWM before the call and the
 *    kernel's ru_maxrss of the child are shown too).
 * 3. If a Python with pandas is found ($PYTHON, --python, python3 on the
 *    PATH, /usr/bin/python3), runs bench/rfm_pandas.py on the same file as a
 *    child process and compares: the library must be at least 6 times
 *    faster (pandas' own time, from before read_csv to the segments, which
 *    leaves out the interpreter's start and import) and use at most a
 *    quarter of its peak memory (whole process against whole process).  The
 *    two must agree on the customers scored, the sum of the RFM scores and
 *    every segment's size.  Without pandas the step says it skipped.
 * 4. Creates --store-customers customers (default 1,000,000) on the memory
 *    store with 1..3 purchases each (lty_record_batch()), then times
 *    lty_rfm_compute() over all history, first with no_save, then saving
 *    the scores per customer (target for each: at most 0.3 s).
 *
 * Exits 0 when every step ran and pandas (when run) agreed with the
 * library (whatever the speed: a slow machine is a MISS, not an error), 1
 * on any failure, 2 on bad arguments.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <loyalty.h>

#define TARGET_SPEEDUP 6.0
#define TARGET_MEMORY_RATIO 0.25
#define TARGET_STORE_SECONDS 0.3

/* 2024-01-01T00:00:00Z: the first day of the generated file. */
#define FIRST_DAY INT64_C(1704067200)
#define DAYS 731 /* 2024-01-01 .. 2025-12-31 */

#ifndef LTY_BENCH_DIR
#define LTY_BENCH_DIR "bench"
#endif

#define SEG_MAX (LTY_RFM_SEGMENTS_MAX + 1)

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* VmHWM of /proc/self/status in KiB, or -1. */
static long vm_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &v) == 1)
            break;
    fclose(f);
    return v;
}

/* A small deterministic generator (xorshift64*), so runs compare. */
static uint64_t rng_state = UINT64_C(0x2545F4914F6CDD1D);

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

/* prefix followed by v in `digits` decimal digits, by hand (fast). */
static size_t format_id(char *out, const char *prefix, long v, int digits)
{
    size_t n = strlen(prefix);
    memcpy(out, prefix, n);
    for (int i = digits - 1; i >= 0; i--) {
        out[n + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    out[n + (size_t)digits] = '\0';
    return n + (size_t)digits;
}

static size_t format_int(char *out, int64_t v)
{
    char tmp[24];
    size_t n = 0, k = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0)
        out[k++] = '-';
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        out[k++] = tmp[--n];
    return k;
}

static int digits_for(long n)
{
    int d = 1;
    for (long v = n - 1; v >= 10; v /= 10)
        d++;
    return d < 7 ? 7 : d;
}

/* ---------------------------------------------------------------- */
/* Step 1: the CSV                                                   */
/* ---------------------------------------------------------------- */

static int write_csv(const char *path, long transactions, long customers)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "rfm: %s: %s\n", path, strerror(errno));
        return 1;
    }
    static char dates[DAYS][11];
    for (int d = 0; d < DAYS; d++) {
        time_t t = (time_t)(FIRST_DAY + (int64_t)d * 86400);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(dates[d], sizeof dates[d], "%Y-%m-%d", &tm);
    }
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        fprintf(stderr, "rfm: out of memory\n");
        return 1;
    }
    int digits = digits_for(customers);
    len = (size_t)sprintf(buf, "customer_id,date,amount\n");
    int failed = 0;
    for (long i = 0; i < transactions && !failed; i++) {
        uint64_t r = rng();
        long c = (long)(r % (uint64_t)customers);
        /* a customer's level 1..8 from its number: some spend more */
        int64_t level = 1 + (int64_t)(((uint64_t)c * UINT64_C(0x9E3779B97F4A7C15)) >> 61);
        int64_t amount = (10 + (int64_t)((r >> 24) % 191)) * 100 * level / 2;
        if ((r >> 40) % 50 == 0)
            amount = -amount / 2; /* a partial refund */
        int day = (int)((r >> 44) % DAYS);
        len += format_id(buf + len, "cust-", c, digits);
        buf[len++] = ',';
        memcpy(buf + len, dates[day], 10);
        len += 10;
        buf[len++] = ',';
        len += format_int(buf + len, amount);
        buf[len++] = '\n';
        if (cap - len < 256) {
            if (fwrite(buf, 1, len, f) != len)
                failed = 1;
            len = 0;
        }
    }
    if (!failed && len && fwrite(buf, 1, len, f) != len)
        failed = 1;
    free(buf);
    /* Written back before anything is timed: otherwise the first reader
     * (the library) pays for flushing 300 MB of dirty pages that the
     * second (pandas) then finds clean -- 3.5 s against 2.3 s here. */
    if (!failed && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        failed = 1;
    if (fclose(f) != 0)
        failed = 1;
    if (failed)
        fprintf(stderr, "rfm: writing %s failed\n", path);
    return failed;
}

/* ---------------------------------------------------------------- */
/* Step 2: lty_rfm_from_csv in a child                               */
/* ---------------------------------------------------------------- */

/* What a run reports, from the child (library) or the script (pandas). */
typedef struct summary {
    int rc;
    double seconds;
    long hwm_before_kb, hwm_after_kb;
    size_t customers;
    long long score_sum;
    int levels[3];
    double pareto;
    size_t segments;
    char seg_name[SEG_MAX][LTY_TITLE_MAX + 1];
    size_t seg_count[SEG_MAX];
    char err[256];
} summary;

static void csv_child(const char *path, summary *s)
{
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    lty_rfm_result *r = NULL;
    s->hwm_before_kb = vm_hwm_kb();
    double t0 = seconds_now();
    s->rc = lty_rfm_from_csv(&r, path, &o, s->err, sizeof s->err);
    s->seconds = seconds_now() - t0;
    s->hwm_after_kb = vm_hwm_kb();
    if (s->rc)
        return;
    s->customers = lty_rfm_result_count(r);
    for (size_t i = 0; i < s->customers; i++) {
        lty_rfm_row row;
        if ((s->rc = lty_rfm_result_row(r, i, &row))) {
            snprintf(s->err, sizeof s->err, "row %zu", i);
            break;
        }
        s->score_sum += row.score;
    }
    s->levels[0] = lty_rfm_result_levels(r, 'R');
    s->levels[1] = lty_rfm_result_levels(r, 'F');
    s->levels[2] = lty_rfm_result_levels(r, 'M');
    s->pareto = lty_rfm_result_pareto(r);
    s->segments = lty_rfm_result_segment_count(r);
    if (s->segments > SEG_MAX)
        s->segments = SEG_MAX;
    for (size_t i = 0; i < s->segments && !s->rc; i++) {
        lty_rfm_segment_summary ss;
        if ((s->rc = lty_rfm_result_segment(r, i, &ss))) {
            snprintf(s->err, sizeof s->err, "segment %zu", i);
            break;
        }
        snprintf(s->seg_name[i], sizeof s->seg_name[i], "%s", ss.name);
        s->seg_count[i] = ss.customers;
    }
    lty_rfm_result_free(r);
}

/* Runs csv_child() in a fork; *maxrss_kb gets the child's ru_maxrss. */
static int run_csv(const char *path, summary *s, long *maxrss_kb)
{
    int fd[2];
    memset(s, 0, sizeof *s);
    if (pipe(fd) != 0) {
        perror("rfm: pipe");
        return 1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("rfm: fork");
        return 1;
    }
    if (pid == 0) {
        static summary cs;
        close(fd[0]);
        csv_child(path, &cs);
        const char *p = (const char *)&cs;
        size_t left = sizeof cs;
        while (left) {
            ssize_t w = write(fd[1], p, left);
            if (w <= 0)
                _exit(1);
            p += w;
            left -= (size_t)w;
        }
        _exit(0);
    }
    close(fd[1]);
    char *p = (char *)s;
    size_t got = 0;
    while (got < sizeof *s) {
        ssize_t n = read(fd[0], p + got, sizeof *s - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    *maxrss_kb = ru.ru_maxrss;
    if (got != sizeof *s || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "rfm: the lty_rfm_from_csv child failed\n");
        return 1;
    }
    if (s->rc) {
        fprintf(stderr, "rfm: lty_rfm_from_csv: %s (%s)\n", lty_strerror(s->rc),
                s->err);
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- */
/* Step 3: pandas                                                    */
/* ---------------------------------------------------------------- */

static int has_pandas(const char *python)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' -c 'import pandas' >/dev/null 2>&1", python);
    return system(cmd) == 0;
}

static const char *find_python(const char *given)
{
    static const char *const candidates[] = {"python3", "/usr/bin/python3"};
    if (given)
        return has_pandas(given) ? given : NULL;
    const char *env = getenv("PYTHON");
    if (env && *env && has_pandas(env))
        return env;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (has_pandas(candidates[i]))
            return candidates[i];
    return NULL;
}

static int quoted_ok(const char *s)
{
    return strchr(s, '\'') == NULL;
}

/* Runs the script; *wall gets the child's wall time, s its figures. */
static int run_pandas(const char *python, const char *script, const char *csv,
                      summary *s, double *wall)
{
    char cmd[4096];
    memset(s, 0, sizeof *s);
    if (!quoted_ok(python) || !quoted_ok(script) || !quoted_ok(csv)) {
        fprintf(stderr, "rfm: a path holds a quote\n");
        return 1;
    }
    size_t lp = strlen(python), ls = strlen(script), lc = strlen(csv);
    if (lp + ls + lc + 9 > sizeof cmd) {
        fprintf(stderr, "rfm: paths too long\n");
        return 1;
    }
    cmd[0] = '\'';
    memcpy(cmd + 1, python, lp);
    memcpy(cmd + 1 + lp, "' '", 3);
    memcpy(cmd + 4 + lp, script, ls);
    memcpy(cmd + 4 + lp + ls, "' '", 3);
    memcpy(cmd + 7 + lp + ls, csv, lc);
    memcpy(cmd + 7 + lp + ls + lc, "'", 2);
    fflush(NULL);
    double t0 = seconds_now();
    FILE *p = popen(cmd, "r");
    if (!p) {
        perror("rfm: popen");
        return 1;
    }
    char line[512];
    int have_time = 0, have_peak = 0;
    while (fgets(line, sizeof line, p)) {
        size_t count;
        long peak;
        double t;
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "time_s=%lf", &t) == 1) {
            s->seconds = t;
            have_time = 1;
        } else if (sscanf(line, "peak_kb=%ld", &peak) == 1) {
            s->hwm_after_kb = peak;
            have_peak = 1;
        } else if (sscanf(line, "customers=%zu", &s->customers) == 1) {
        } else if (sscanf(line, "score_sum=%lld", &s->score_sum) == 1) {
        } else if (strncmp(line, "segment\t", 8) == 0) {
            char *tab = strrchr(line, '\t');
            if (tab == line + 7 || s->segments >= SEG_MAX)
                continue;
            *tab = '\0';
            size_t nl = strlen(line + 8);
            if (nl > LTY_TITLE_MAX)
                nl = LTY_TITLE_MAX;
            count = (size_t)strtoull(tab + 1, NULL, 10);
            memcpy(s->seg_name[s->segments], line + 8, nl);
            s->seg_name[s->segments][nl] = '\0';
            s->seg_count[s->segments++] = count;
        }
    }
    int status = pclose(p);
    *wall = seconds_now() - t0;
    if (status != 0 || !have_time || !have_peak) {
        fprintf(stderr, "rfm: %s failed (status %d)\n", cmd, status);
        return 1;
    }
    return 0;
}

/* The same customers, score sum and segment sizes (by name). */
static int same_result(const summary *a, const summary *b, char *why, size_t n)
{
    if (a->customers != b->customers) {
        snprintf(why, n, "customers %zu vs %zu", a->customers, b->customers);
        return 0;
    }
    if (a->score_sum != b->score_sum) {
        snprintf(why, n, "score sum %lld vs %lld", a->score_sum, b->score_sum);
        return 0;
    }
    if (a->segments != b->segments) {
        snprintf(why, n, "%zu vs %zu segments", a->segments, b->segments);
        return 0;
    }
    for (size_t i = 0; i < a->segments; i++)
        if (strcmp(a->seg_name[i], b->seg_name[i]) != 0 ||
            a->seg_count[i] != b->seg_count[i]) {
            snprintf(why, n, "segment %zu: %s %zu vs %s %zu", i, a->seg_name[i],
                     a->seg_count[i], b->seg_name[i], b->seg_count[i]);
            return 0;
        }
    snprintf(why, n, "all %zu segments", a->segments);
    return 1;
}

/* ---------------------------------------------------------------- */
/* Step 4: the memory store                                          */
/* ---------------------------------------------------------------- */

static int64_t clock_now;

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return clock_now;
}

static int fail(lty_engine *e, const char *what, int rc)
{
    fprintf(stderr, "rfm: %s: %s (%s)\n", what, lty_strerror(rc),
            e ? lty_engine_last_error(e) : "");
    return 1;
}

typedef struct store_figures {
    double create_s, record_s, nosave_s, save_s;
    long events;
    size_t rows_nosave, rows_save;
    int got_scores;
} store_figures;

static int run_store(long customers, store_figures *sf)
{
    lty_memstore *store = NULL;
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    void *conn = NULL;
    lty_engine *e = NULL;
    memset(sf, 0, sizeof *sf);
    clock_now = FIRST_DAY + (int64_t)DAYS * 86400;
    if (lty_memstore_new(&store, NULL) ||
        lty_memstore_connect(store, &ops, &conn)) {
        fprintf(stderr, "rfm: cannot open a memory store\n");
        return 1;
    }
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = fixed_clock;
    opts.utc_offset_minutes = 540;
    int rc = lty_engine_new(&e, &opts);
    if (rc) {
        fprintf(stderr, "rfm: engine: %s\n", lty_strerror(rc));
        return 1;
    }
    int digits = digits_for(customers);
    char id[32];
    double t0 = seconds_now();
    for (long i = 0; i < customers; i++) {
        lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
        format_id(id, "cust-", i, digits);
        f.id = id;
        if ((rc = lty_customer_create(e, &f)))
            return fail(e, "create customer", rc);
    }
    sf->create_s = seconds_now() - t0;

    /* 1..3 purchases per customer, at most LTY_BATCH_MAX events a call */
    enum { BATCH = 9999 };
    typedef struct gen {
        char eid[32];
        char cid[32];
    } gen;
    gen *g = malloc(sizeof *g * BATCH);
    lty_event *ev = malloc(sizeof *ev * BATCH);
    if (!g || !ev) {
        free(g);
        free(ev);
        fprintf(stderr, "rfm: out of memory\n");
        return 1;
    }
    t0 = seconds_now();
    long c = 0;
    while (c < customers) {
        size_t k = 0;
        while (c < customers && k + 3 <= BATCH) {
            uint64_t r = rng();
            int purchases = 1 + (int)(r % 3);
            int64_t level = 1 + (int64_t)(((uint64_t)c * UINT64_C(0x9E3779B97F4A7C15)) >> 61);
            for (int p = 0; p < purchases; p++, k++) {
                uint64_t q = rng();
                lty_event x = LTY_EVENT_INIT;
                format_id(g[k].eid, "ord-", sf->events + (long)k, 10);
                format_id(g[k].cid, "cust-", c, digits);
                x.type = LTY_EVENT_PURCHASE;
                x.id = g[k].eid;
                x.customer_id = g[k].cid;
                x.time = FIRST_DAY + (int64_t)((q >> 8) % DAYS) * 86400 +
                         (int64_t)((q >> 20) % 36000) + 3600;
                x.amount = (10 + (int64_t)((q >> 40) % 191)) * 100 * level / 2;
                ev[k] = x;
            }
            c++;
        }
        if ((rc = lty_record_batch(e, ev, k, NULL, NULL))) {
            free(g);
            free(ev);
            return fail(e, "record purchases", rc);
        }
        sf->events += (long)k;
    }
    sf->record_s = seconds_now() - t0;
    free(g);
    free(ev);

    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    lty_rfm_result *r = NULL;
    o.no_save = 1;
    t0 = seconds_now();
    rc = lty_rfm_compute(e, &o, &r);
    sf->nosave_s = seconds_now() - t0;
    if (rc)
        return fail(e, "lty_rfm_compute (no_save)", rc);
    sf->rows_nosave = lty_rfm_result_count(r);
    lty_rfm_result_free(r);

    o.no_save = 0;
    t0 = seconds_now();
    rc = lty_rfm_compute(e, &o, &r);
    sf->save_s = seconds_now() - t0;
    if (rc)
        return fail(e, "lty_rfm_compute (saving)", rc);
    sf->rows_save = lty_rfm_result_count(r);

    /* the stored scores of the last customer match its row */
    lty_rfm_scores sc = LTY_RFM_SCORES_INIT;
    lty_rfm_row row;
    format_id(id, "cust-", customers - 1, digits);
    if ((rc = lty_rfm_customer_get(e, id, &sc)))
        return fail(e, "lty_rfm_customer_get", rc);
    if ((rc = lty_rfm_result_find(r, id, &row)))
        return fail(e, "lty_rfm_result_find", rc);
    sf->got_scores = sc.score == row.score && strcmp(sc.segment, row.segment) == 0;
    lty_rfm_result_free(r);
    lty_engine_free(e);
    lty_memstore_free(store);
    return 0;
}

/* ---------------------------------------------------------------- */

static void row(const char *figure, const char *value, const char *target,
                int pass)
{
    printf("| %-36s | %16s | %14s | %-4s |\n", figure, value, target,
           pass < 0 ? "" : pass ? "PASS" : "MISS");
}

static int parse_count(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 1000000000)
        return -1;
    *out = v;
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: rfm [--transactions N] [--customers N] [--csv FILE] [--keep]\n"
            "           [--store-customers N] [--python PATH] [--pandas-script PATH]\n");
}

int main(int argc, char **argv)
{
    long transactions = 10000000, customers = 1000000, store_customers = 1000000;
    const char *csv = NULL, *python_arg = NULL;
    const char *script = LTY_BENCH_DIR "/rfm_pandas.py";
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long *dst = strcmp(argv[i], "--transactions") == 0      ? &transactions
                    : strcmp(argv[i], "--customers") == 0       ? &customers
                    : strcmp(argv[i], "--store-customers") == 0 ? &store_customers
                                                                : NULL;
        if (strcmp(argv[i], "--keep") == 0) {
            keep = 1;
            continue;
        }
        if (v && strcmp(argv[i], "--csv") == 0) {
            csv = v;
            i++;
            continue;
        }
        if (v && strcmp(argv[i], "--python") == 0) {
            python_arg = v;
            i++;
            continue;
        }
        if (v && strcmp(argv[i], "--pandas-script") == 0) {
            script = v;
            i++;
            continue;
        }
        if (!dst || !v || parse_count(v, dst)) {
            usage();
            return 2;
        }
        i++;
    }

    /* 1. the file */
    char path[4096];
    int generated = 0;
    double gen_s = 0;
    if (csv) {
        snprintf(path, sizeof path, "%s", csv);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/rfm-bench-%ld.csv",
                 tmp && *tmp ? tmp : "/tmp", (long)getpid());
        double t0 = seconds_now();
        if (write_csv(path, transactions, customers)) {
            remove(path);
            return 1;
        }
        gen_s = seconds_now() - t0;
        generated = 1;
    }
    long long file_bytes = -1;
    FILE *f = fopen(path, "rb");
    if (f) {
        if (fseek(f, 0, SEEK_END) == 0)
            file_bytes = (long long)ftell(f);
        fclose(f);
    }

    /* 2. the library on the file */
    summary lib;
    long child_maxrss = 0;
    int failed = run_csv(path, &lib, &child_maxrss);

    /* 3. pandas on the file */
    summary pd;
    double pd_wall = 0;
    const char *python = failed ? NULL : find_python(python_arg);
    int pd_ran = 0, agree = 0;
    char why[256] = "";
    if (python) {
        if (run_pandas(python, script, path, &pd, &pd_wall))
            failed = 1;
        else {
            pd_ran = 1;
            agree = same_result(&lib, &pd, why, sizeof why);
            if (!agree)
                failed = 1;
        }
    }
    if (generated && !keep)
        remove(path);

    /* 4. the store */
    store_figures sf;
    int store_failed = run_store(store_customers, &sf);
    failed |= store_failed;

    char buf[64];
    printf("rfm: ");
    if (generated)
        printf("generated %ld transactions over %ld customers", transactions,
               customers);
    else
        printf("file %s", path);
    printf(" (%.1f MB%s); memory store with %ld customers; one thread\n\n",
           (double)file_bytes / 1e6,
           generated ? (keep ? ", kept" : ", removed afterwards") : "",
           store_customers);
    printf("| %-36s | %16s | %14s | %-4s |\n", "figure", "measured", "target", "");
    printf("|%s|%s|%s|%s|\n", "--------------------------------------",
           "------------------", "----------------", "------");
    if (!failed || lib.customers) {
        snprintf(buf, sizeof buf, "%.3f s", lib.seconds);
        row("lty_rfm_from_csv wall time", buf, "(info)", -1);
        snprintf(buf, sizeof buf, "%.1f MB", (double)lib.hwm_after_kb / 1024.0);
        row("lty_rfm_from_csv process peak RSS", buf, "(info)", -1);
    }
    if (pd_ran) {
        snprintf(buf, sizeof buf, "%.3f s", pd.seconds);
        row("pandas time (read_csv..segments)", buf, "(info)", -1);
        snprintf(buf, sizeof buf, "%.1f MB", (double)pd.hwm_after_kb / 1024.0);
        row("pandas process peak RSS", buf, "(info)", -1);
        double speed = pd.seconds / lib.seconds;
        double mem = (double)lib.hwm_after_kb / (double)pd.hwm_after_kb;
        snprintf(buf, sizeof buf, "%.1fx", speed);
        row("speed-up over pandas", buf, ">= 6x", speed >= TARGET_SPEEDUP);
        snprintf(buf, sizeof buf, "%.3f (1/%.1f)", mem, 1.0 / mem);
        row("peak memory / pandas' peak", buf, "<= 0.25", mem <= TARGET_MEMORY_RATIO);
        row("same scores and segments as pandas", agree ? "yes" : "NO", "yes", agree);
    }
    if (!store_failed) {
        snprintf(buf, sizeof buf, "%.3f s", sf.nosave_s);
        row("store lty_rfm_compute, no_save", buf, "<= 0.3 s",
            sf.nosave_s <= TARGET_STORE_SECONDS);
        snprintf(buf, sizeof buf, "%.3f s", sf.save_s);
        row("store lty_rfm_compute, saving scores", buf, "<= 0.3 s",
            sf.save_s <= TARGET_STORE_SECONDS);
        row("stored scores match the result", sf.got_scores ? "yes" : "NO",
            "yes", sf.got_scores);
        if (!sf.got_scores)
            failed = 1;
    }
    printf("\n");
    if (generated)
        printf("file written in %.3f s\n", gen_s);
    if (lib.customers)
        printf("library: %zu customers scored; levels R %d F %d M %d; Pareto "
               "(top 20%%) %.3f; VmHWM %ld kB before the call, %ld kB after; "
               "child ru_maxrss %ld kB\n",
               lib.customers, lib.levels[0], lib.levels[1], lib.levels[2],
               lib.pareto, lib.hwm_before_kb, lib.hwm_after_kb, child_maxrss);
    if (pd_ran) {
        printf("pandas: %s %s; child wall time %.3f s (interpreter start and "
               "imports included); speed-up on that %.1fx\n",
               python, script, pd_wall, pd_wall / lib.seconds);
        printf("agreement: %s\n", why);
        printf("segments:");
        for (size_t i = 0; i < lib.segments; i++)
            printf("%s %s %zu", i ? "," : "", lib.seg_name[i], lib.seg_count[i]);
        printf("\n");
    } else if (!python && !failed) {
        printf("pandas: skipped (no Python with pandas found; Debian: apt-get "
               "install python3-pandas, or set PYTHON)\n");
    }
    if (!store_failed)
        printf("store: %ld customers created in %.3f s, %ld purchases recorded "
               "in %.3f s; %zu rows (no_save), %zu rows (saving)\n",
               store_customers, sf.create_s, sf.events, sf.record_s,
               sf.rows_nosave, sf.rows_save);
    return failed ? 1 : 0;
}
