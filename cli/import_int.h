/*
 * loyalty CLI - internals shared by the import driver and its per-kind
 * files (not installed).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_IMPORT_INT_H
#define LOYALTY_CLI_IMPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <loyalty.h>

#include "csv_reader.h"
#include "import_csv.h"

#define IMPORT_COLS_MAX 12

/* A column a kind knows. */
struct import_column {
    const char *name;
    int required;
};

/* Strings of one batch, in blocks that never move. */
struct import_arena {
    struct arena_block *head;
};

/* One data row of a batch, in a kind-neutral shape: the fields by the
 * kind's column order (NULL when the column is absent or the field empty),
 * and whether the row is bad. */
struct import_row {
    unsigned long line;
    const char *f[IMPORT_COLS_MAX];
    int bad;
};

struct import_ctx;

/* What a kind does with a batch. */
struct import_kind {
    const char *name;
    const struct import_column *columns;
    size_t ncolumns;
    /* Check the rows of a batch not already rejected, marking every bad
     * one (import_reject()), and write the batch when none is bad.  Returns LTY_OK when the batch was
     * handled (written, or rejected with its bad rows marked), or a code
     * that stops the import (the summary's message set). */
    int (*write_batch)(struct import_ctx *ctx, struct import_row *rows,
                       size_t n);
};

struct import_ctx {
    lty_engine *e;
    struct cli_import_summary *sum;
    const struct import_kind *kind;
    /* Offset cache of local_to_utc(). */
    int64_t tz_day;
    int64_t tz_off;
    int tz_valid;
    /* Rows of the current batch marked bad. */
    size_t batch_bad;
    /* The scratch engine's clock reading. */
    int64_t scratch_now;
    /* Scratch for the kinds. */
    void *scratch;
    size_t scratch_cap;
};

extern const struct import_kind cli_import_customers;
extern const struct import_kind cli_import_events;
extern const struct import_kind cli_import_appointments;

/* Mark a row bad with a reason (printf-style); counted once per row. */
void import_reject(struct import_ctx *ctx, struct import_row *row,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Set the summary's message (printf-style) and return @p rc. */
int import_fail(struct import_ctx *ctx, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A fresh engine over a new memory store, with @p e's clock reading, to
 * check a batch on before the real store is touched. */
int import_scratch_new(struct import_ctx *ctx, lty_engine **out);

/* The engine's last error without a leading "events[i]: ". */
const char *import_engine_reason(lty_engine *e);

/* Value parsers: 0 on success, or -1 with @p why set to a short text
 * (no input echoed). */
int import_parse_time(struct import_ctx *ctx, const char *s, int64_t *out,
                      const char **why);
int import_parse_int(const char *s, int64_t min, int64_t max, int64_t *out,
                     const char **why);
int import_parse_date(const char *s, lty_date *out, const char **why);
int import_parse_channel(const char *s, lty_channel *out, const char **why);

#endif
