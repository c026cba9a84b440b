/*
 * libloyalty fuzz harness - transaction files (CSV) read by
 * lty_rfm_from_csv() and lty_clv_summary_from_csv().
 *
 * Input: one option byte, then the file's contents.  The option byte picks
 * the reader (bit 0: RFM or the lifetime-value summary) and its options
 * (RFM: bins 0/2/3/5/9 and a window; summary: day or week periods, UTC or
 * UTC+9, end 0 or a fixed time).  The contents are written to a temporary
 * file (the readers take a path), which is read back; the harness checks:
 *
 *   - no crash, no sanitizer report, no leak;
 *   - only documented return codes;
 *   - a parse error's detail begins with the path and a line number;
 *   - a result is consistent: RFM scores within 1..bins with the score
 *     100 R + 10 F + M and a segment; summary rows with 0 <= recency <= T,
 *     a whole frequency >= 0, monetary >= 0 and 0 when frequency is 0.
 *
 * Build with libFuzzer: tests/fuzz/run.sh (make fuzz).  Without it,
 * tests/fuzz/replay.c runs the same function over the seed corpus
 * (make check: tests/fuzz/replay_csv.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <unistd.h>

#include "fuzz_util.h"

#define H "fuzz_csv"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One temporary file per process, rewritten for each input. */
static char tmp_path[256];
static int tmp_fd = -1;

static void remove_tmp(void)
{
    if (tmp_fd >= 0) {
        close(tmp_fd);
        unlink(tmp_path);
    }
}

static void write_input(const uint8_t *data, size_t size)
{
    if (tmp_fd < 0) {
        /* a file system in memory when there is one: rewriting a file on
         * disk for every input costs a hundred times the parse */
        const char *dir = getenv("TMPDIR");
        if (!dir || !*dir)
            dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(tmp_path, sizeof tmp_path, "%s/lty-fuzz-csv.XXXXXX", dir);
        tmp_fd = mkstemp(tmp_path);
        if (tmp_fd < 0) {
            perror(tmp_path);
            abort();
        }
        atexit(remove_tmp);
    }
    if (ftruncate(tmp_fd, 0) != 0 || lseek(tmp_fd, 0, SEEK_SET) != 0) {
        perror(tmp_path);
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t k = write(tmp_fd, data + done, size - done);
        if (k <= 0) {
            perror(tmp_path);
            abort();
        }
        done += (size_t)k;
    }
}

/* A parse error names the file and the line: "path:line: ...". */
static void check_parse_message(int rc, const char *err)
{
    if (rc != LTY_EPARSE)
        return;
    size_t n = strlen(tmp_path);
    if (strncmp(err, tmp_path, n) != 0 || err[n] != ':' ||
        err[n + 1] < '0' || err[n + 1] > '9')
        fuzz_fail(H, "a parse error does not begin with path:line", rc, err);
}

static void run_rfm(unsigned opt)
{
    static const int bins[] = {0, 2, 3, 5, 9};
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.bins = bins[(opt >> 1) % 5];
    o.window_days = (opt & 0x10) ? 365 : 0;
    int nbins = o.bins ? o.bins : 5;
    lty_rfm_result *r = NULL;
    char err[256] = "";
    int rc = lty_rfm_from_csv(&r, tmp_path, &o, err, sizeof err);
    fuzz_expect_rc(H, "lty_rfm_from_csv", rc, err, 5, LTY_OK, LTY_EPARSE,
                   LTY_EINVALID, LTY_ERANGE, LTY_ENOMEM);
    check_parse_message(rc, err);
    if (rc != LTY_OK) {
        if (r)
            fuzz_fail(H, "a failed lty_rfm_from_csv left a result", rc, err);
        return;
    }
    size_t n = lty_rfm_result_count(r);
    for (size_t i = 0; i < n; i++) {
        lty_rfm_row row;
        if (lty_rfm_result_row(r, i, &row) != LTY_OK)
            fuzz_fail(H, "lty_rfm_result_row", 0, NULL);
        if (row.r < 1 || row.r > nbins || row.f < 1 || row.f > nbins ||
            row.m < 1 || row.m > nbins ||
            row.score != 100 * row.r + 10 * row.f + row.m ||
            !row.segment || !row.customer_id || row.recency_days < 0)
            fuzz_fail(H, "an RFM row out of range", 0, NULL);
        lty_rfm_row again;
        if (lty_rfm_result_find(r, row.customer_id, &again) != LTY_OK ||
            again.score != row.score)
            fuzz_fail(H, "lty_rfm_result_find disagrees with the row", 0,
                      NULL);
    }
    size_t segs = lty_rfm_result_segment_count(r);
    size_t total = 0;
    for (size_t i = 0; i < segs; i++) {
        lty_rfm_segment_summary s;
        if (lty_rfm_result_segment(r, i, &s) != LTY_OK)
            fuzz_fail(H, "lty_rfm_result_segment", 0, NULL);
        total += s.customers;
    }
    if (total != n)
        fuzz_fail(H, "segments do not add up to the customers", 0, NULL);
    double conc[10];
    (void)lty_rfm_result_pareto(r);
    (void)lty_rfm_result_concentration(r, conc);
    lty_rfm_result_free(r);
}

static void run_clv(unsigned opt)
{
    lty_clv_summary_options o = LTY_CLV_SUMMARY_OPTIONS_INIT;
    o.period = (opt & 2) ? LTY_CLV_PERIOD_WEEK : LTY_CLV_PERIOD_DAY;
    o.utc_offset_minutes = (opt & 4) ? 540 : 0;
    o.end = (opt & 8) ? FUZZ_NOW : 0;
    lty_clv_summary *s = NULL;
    char err[256] = "";
    int rc = lty_clv_summary_from_csv(&s, tmp_path, &o, err, sizeof err);
    fuzz_expect_rc(H, "lty_clv_summary_from_csv", rc, err, 4, LTY_OK,
                   LTY_EPARSE, LTY_EINVALID, LTY_ENOMEM);
    check_parse_message(rc, err);
    if (rc != LTY_OK) {
        if (s)
            fuzz_fail(H, "a failed summary left a result", rc, err);
        return;
    }
    size_t n = 0;
    const lty_clv_row *rows = lty_clv_summary_rows(s, &n);
    for (size_t i = 0; i < n; i++) {
        const lty_clv_row *x = &rows[i];
        if (!x->customer_id || !(x->frequency >= 0) ||
            x->frequency != floor(x->frequency) || !(x->recency >= 0) ||
            !(x->recency <= x->T) || !(x->monetary >= 0) ||
            (x->frequency == 0 && x->monetary != 0))
            fuzz_fail(H, "a summary row out of range", 0, NULL);
        if (i > 0 && strcmp(rows[i - 1].customer_id, x->customer_id) >= 0)
            fuzz_fail(H, "summary rows not in customer-id order", 0, NULL);
    }
    lty_clv_summary_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned opt = data[0];
    write_input(data + 1, size - 1);
    if (opt & 1)
        run_clv(opt);
    else
        run_rfm(opt);
    return 0;
}
