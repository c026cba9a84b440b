/*
 * loyalty CLI - the import driver: reads the file, maps the header to the
 * kind's columns, gathers rows into batches, hands each batch to the kind
 * (import_customers.c, import_events.c, import_appointments.c), draws the
 * progress bar and keeps the summary.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include "import_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define ARENA_BLOCK (1u << 20)

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[];
};

static char *arena_copy(struct import_arena *a, const char *s, size_t len)
{
    struct arena_block *b = a->head;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > ARENA_BLOCK ? len + 1 : ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

/* Keep one block for the next batch; free the rest. */
static void arena_reset(struct import_arena *a, int all)
{
    struct arena_block *b = a->head;
    if (!b)
        return;
    struct arena_block *rest = all ? b : b->next;
    if (!all) {
        b->next = NULL;
        b->used = 0;
    } else {
        a->head = NULL;
    }
    while (rest) {
        struct arena_block *n = rest->next;
        free(rest);
        rest = n;
    }
}

void import_reject(struct import_ctx *ctx, struct import_row *row,
                   const char *fmt, ...)
{
    if (row->bad)
        return;
    row->bad = 1;
    ctx->batch_bad++;
    ctx->sum->rejected++;
    if (ctx->sum->error_count == CLI_IMPORT_ERRORS_MAX) {
        ctx->sum->errors_omitted++;
        return;
    }
    struct cli_import_error *er = &ctx->sum->errors[ctx->sum->error_count++];
    er->line = row->line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(er->reason, sizeof er->reason, fmt, ap);
    va_end(ap);
}

int import_fail(struct import_ctx *ctx, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->sum->message, sizeof ctx->sum->message, fmt, ap);
    va_end(ap);
    return rc;
}

const char *import_engine_reason(lty_engine *e)
{
    const char *m = lty_engine_last_error(e);
    if (strncmp(m, "events[", 7) == 0) {
        const char *p = strstr(m, "]: ");
        if (p)
            return p + 3;
    }
    return m;
}

/* The rejected lines are listed in file order: the kinds may find bad rows
 * of a batch out of order, so sort the entries of the batch. */
static int cmp_error(const void *a, const void *b)
{
    const struct cli_import_error *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

/* ---------------------------------------------------------------- */
/* Progress bar                                                      */
/* ---------------------------------------------------------------- */

struct progress {
    FILE *out;
    uint64_t total;
    int last_permille;
    struct timespec start;
};

static double elapsed(const struct progress *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - p->start.tv_sec) +
           (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
}

static void progress_draw(struct progress *p, uint64_t done, size_t rows,
                          int final)
{
    if (!p->out)
        return;
    int permille = p->total ? (int)(done * 1000 / p->total) : 1000;
    if (permille > 1000)
        permille = 1000;
    if (!final && permille == p->last_permille)
        return;
    p->last_permille = permille;
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    int fill = permille * WIDTH / 1000;
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    double t = elapsed(p);
    fprintf(p->out, "\r[%s] %3d%%  %zu rows  %.0f rows/s", bar, permille / 10,
            rows, t > 0 ? (double)rows / t : 0.0);
    if (final)
        fputc('\n', p->out);
    fflush(p->out);
}

/* ---------------------------------------------------------------- */
/* The driver                                                        */
/* ---------------------------------------------------------------- */

static const struct import_kind *find_kind(const char *name)
{
    static const struct import_kind *const kinds[] = {
        &cli_import_customers, &cli_import_events, &cli_import_appointments};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (name && strcmp(kinds[i]->name, name) == 0)
            return kinds[i];
    return NULL;
}

static int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y || !x)
            return x - y;
    }
}

/* Map header fields to the kind's columns: map[field] = column or -1. */
static int read_header(struct import_ctx *ctx, const cli_csv_record *rec,
                       int *map)
{
    const struct import_kind *k = ctx->kind;
    int seen[IMPORT_COLS_MAX] = {0};
    if (rec->error)
        return import_fail(ctx, LTY_EPARSE, "line %lu: header: %s", rec->line,
                           rec->error);
    if (rec->bad_field >= 0)
        return import_fail(ctx, LTY_EPARSE,
                           "line %lu: header: field %ld is not valid UTF-8",
                           rec->line, rec->bad_field + 1);
    for (size_t i = 0; i < rec->nfields; i++) {
        /* Leading and trailing spaces in names are forgiven. */
        char *name = rec->fields[i];
        while (*name == ' ')
            name++;
        size_t len = strlen(name);
        while (len && name[len - 1] == ' ')
            name[--len] = '\0';
        map[i] = -1;
        for (size_t c = 0; c < k->ncolumns; c++) {
            if (ascii_casecmp(name, k->columns[c].name) == 0) {
                if (seen[c])
                    return import_fail(ctx, LTY_EPARSE,
                                       "line %lu: header: column %s given twice",
                                       rec->line, k->columns[c].name);
                seen[c] = 1;
                map[i] = (int)c;
            }
        }
        if (map[i] < 0)
            return import_fail(ctx, LTY_EPARSE,
                               "line %lu: header: field %zu (\"%.40s\") is not a "
                               "column of %s (see docs/guide/import.md)",
                               rec->line, i + 1, name, k->name);
    }
    for (size_t c = 0; c < k->ncolumns; c++)
        if (k->columns[c].required && !seen[c])
            return import_fail(ctx, LTY_EPARSE,
                               "line %lu: header: required column %s is missing",
                               rec->line, k->columns[c].name);
    return LTY_OK;
}

static int flush_batch(struct import_ctx *ctx, struct import_row *rows,
                       size_t n, size_t first_error)
{
    struct cli_import_summary *s = ctx->sum;
    if (n == 0)
        return LTY_OK;
    s->batches++;
    /* The kind checks the rows not already rejected and writes the batch
     * only when none is bad. */
    int rc = ctx->kind->write_batch(ctx, rows, n);
    if (ctx->batch_bad) {
        s->batches_rejected++;
        s->held_back += n - ctx->batch_bad;
    }
    qsort(s->errors + first_error, s->error_count - first_error,
          sizeof s->errors[0], cmp_error);
    ctx->batch_bad = 0;
    return rc;
}

int cli_import_file_batch(lty_engine *e, const char *kind, const char *path,
                          FILE *progress, size_t batch_rows,
                          struct cli_import_summary *out)
{
    if (!out)
        return LTY_EINVALID;
    memset(out, 0, sizeof *out);
    struct import_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.e = e;
    ctx.sum = out;
    ctx.kind = find_kind(kind);
    if (!e || !path)
        return import_fail(&ctx, LTY_EINVALID, "no store or no file");
    if (!ctx.kind)
        return import_fail(&ctx, LTY_EINVALID,
                           "kind: not customers, events or appointments");
    if (batch_rows == 0 || batch_rows > CLI_IMPORT_BATCH_ROWS)
        return import_fail(&ctx, LTY_EINVALID, "batch size: outside 1..%d",
                           CLI_IMPORT_BATCH_ROWS);
    out->batch_rows = batch_rows;

    FILE *f = fopen(path, "rb");
    if (!f)
        return import_fail(&ctx, LTY_ESTORAGE, "%s: %s", path, strerror(errno));
    struct progress pr = {progress, 0, -1, {0, 0}};
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 0)
        pr.total = (uint64_t)st.st_size;
    clock_gettime(CLOCK_MONOTONIC, &pr.start);

    cli_csv *csv = NULL;
    struct import_row *rows = calloc(batch_rows, sizeof *rows);
    struct import_arena arena = {NULL};
    int map[256];
    size_t header_fields = 0;
    int rc = LTY_OK;
    if (cli_csv_open(&csv, f) < 0 || !rows) {
        rc = import_fail(&ctx, LTY_ENOMEM, "out of memory");
        goto done;
    }
    cli_csv_record rec;
    int r = cli_csv_next(csv, &rec);
    if (r <= 0) {
        rc = r < 0 ? import_fail(&ctx, LTY_ESTORAGE, "%s: %s", path,
                                 cli_csv_fatal(csv))
                   : import_fail(&ctx, LTY_EPARSE, "%s: empty file (a header row is required)",
                                 path);
        goto done;
    }
    if (rec.nfields > sizeof map / sizeof map[0]) {
        rc = import_fail(&ctx, LTY_EPARSE, "line %lu: header: too many fields",
                         rec.line);
        goto done;
    }
    if ((rc = read_header(&ctx, &rec, map)) != LTY_OK)
        goto done;
    header_fields = rec.nfields;

    size_t n = 0, first_error = 0;
    for (;;) {
        r = cli_csv_next(csv, &rec);
        if (r < 0) {
            rc = import_fail(&ctx, LTY_ESTORAGE, "%s: %s", path, cli_csv_fatal(csv));
            goto done;
        }
        if (r == 0)
            break;
        struct import_row *row = &rows[n++];
        memset(row, 0, sizeof *row);
        row->line = rec.line;
        out->rows++;
        if (rec.error) {
            import_reject(&ctx, row, "%s", rec.error);
        } else if (rec.nfields != header_fields) {
            import_reject(&ctx, row, "%zu fields, the header has %zu",
                          rec.nfields, header_fields);
        } else if (rec.bad_field >= 0) {
            import_reject(&ctx, row, "%s: not valid UTF-8",
                          ctx.kind->columns[map[rec.bad_field]].name);
        } else {
            for (size_t i = 0; i < rec.nfields; i++) {
                if (rec.lens[i] == 0)
                    continue;
                char *p = arena_copy(&arena, rec.fields[i], rec.lens[i]);
                if (!p) {
                    rc = import_fail(&ctx, LTY_ENOMEM, "out of memory");
                    goto done;
                }
                row->f[map[i]] = p;
            }
            for (size_t c = 0; c < ctx.kind->ncolumns; c++)
                if (ctx.kind->columns[c].required && !row->f[c]) {
                    import_reject(&ctx, row, "%s: required, empty",
                                  ctx.kind->columns[c].name);
                    break;
                }
        }
        if (n == batch_rows) {
            rc = flush_batch(&ctx, rows, n, first_error);
            n = 0;
            first_error = out->error_count;
            arena_reset(&arena, 0);
            if (rc != LTY_OK)
                goto done;
            progress_draw(&pr, cli_csv_offset(csv), out->rows, 0);
        }
    }
    rc = flush_batch(&ctx, rows, n, first_error);
    if (rc == LTY_OK && out->rejected)
        rc = LTY_EINVALID;
    progress_draw(&pr, cli_csv_offset(csv), out->rows, 1);
    pr.out = NULL;
done:
    if (pr.out)
        progress_draw(&pr, csv ? cli_csv_offset(csv) : 0, out->rows, 1);
    arena_reset(&arena, 1);
    free(rows);
    free(ctx.scratch);
    cli_csv_close(csv);
    fclose(f);
    return rc;
}

int cli_import_file(lty_engine *e, const char *kind, const char *path,
                    FILE *progress, struct cli_import_summary *out)
{
    return cli_import_file_batch(e, kind, path, progress,
                                 CLI_IMPORT_BATCH_ROWS, out);
}
