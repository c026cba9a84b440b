/*
 * loyalty - writing results as aligned tables, JSON or CSV.  Every cell
 * is kept twice: the text people read (local times, money with
 * separators) and the value programs read (ISO times with their offset,
 * money as an integer of minor units, numbers as JSON numbers).
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "values.h"

#define DOC_SECTIONS_MAX 12
#define COLS_MAX 48

typedef enum { RAW_STRING, RAW_LITERAL, RAW_NULL } raw_kind;

/* A cell's two texts live in its table's arena (one growing buffer, so a
 * million-row listing costs its bytes, not two allocations per cell). */
typedef struct cell {
    size_t human;    /* offset of the text for the table */
    size_t machine;  /* offset of the value for JSON (quoted when RAW_STRING) and CSV */
    raw_kind kind;
} cell;

struct cli_table {
    cli_doc *doc;
    const char *name, *title;
    int record;
    const char *key[COLS_MAX], *heading[COLS_MAX];
    int right[COLS_MAX];
    int hidden[COLS_MAX];    /* JSON and CSV only */
    size_t ncols;
    cell *cells;
    size_t ncells, cap;
    char *arena;
    size_t used, size;
};

#define HUMAN(t, c) ((t)->arena + (c)->human)
#define MACHINE(t, c) ((t)->arena + (c)->machine)

struct cli_doc {
    cli_ctx *ctx;
    cli_table *t[DOC_SECTIONS_MAX];
    size_t n;
    int oom;
};

cli_doc *cli_doc_new(cli_ctx *ctx)
{
    cli_doc *d = calloc(1, sizeof *d);
    if (d)
        d->ctx = ctx;
    return d;
}

static cli_table *add_section(cli_doc *d, const char *name, const char *title,
                              int record)
{
    /* a section that cannot be made still accepts cells (into a static
     * sink), and the document reports the failure when it is finished */
    static cli_table sink;
    cli_table *t = d->n < DOC_SECTIONS_MAX ? calloc(1, sizeof *t) : NULL;
    if (!t) {
        d->oom = 1;
        memset(&sink, 0, sizeof sink);
        sink.doc = d;
        return &sink;
    }
    t->doc = d;
    t->name = name;
    t->title = title;
    t->record = record;
    d->t[d->n++] = t;
    return t;
}

cli_table *cli_doc_table(cli_doc *d, const char *name, const char *title)
{
    return add_section(d, name, title, 0);
}

cli_table *cli_doc_record(cli_doc *d, const char *name, const char *title)
{
    return add_section(d, name, title, 1);
}

void cli_col(cli_table *t, const char *key, const char *heading, int flags)
{
    if (t->ncols == COLS_MAX) {
        t->doc->oom = 1;
        return;
    }
    t->key[t->ncols] = key;
    t->heading[t->ncols] = heading;
    t->right[t->ncols] = (flags & CLI_RIGHT) != 0;
    t->hidden[t->ncols] = (flags & CLI_MACHINE) != 0;
    t->ncols++;
}

static void put(cli_table *t, const char *human, const char *machine,
                raw_kind kind)
{
    if (!t->ncols || t->doc->oom)
        return;
    if (t->ncells == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        cell *c = realloc(t->cells, cap * sizeof *c);
        if (!c) {
            t->doc->oom = 1;
            return;
        }
        t->cells = c;
        t->cap = cap;
    }
    size_t hl = strlen(human) + 1, ml = strlen(machine) + 1;
    if (t->size - t->used < hl + ml) {
        size_t size = t->size ? t->size : 4096;
        while (size - t->used < hl + ml)
            size *= 2;
        char *a = realloc(t->arena, size);
        if (!a) {
            t->doc->oom = 1;
            return;
        }
        t->arena = a;
        t->size = size;
    }
    cell *c = &t->cells[t->ncells];
    c->human = t->used;
    memcpy(t->arena + t->used, human, hl);
    t->used += hl;
    c->machine = t->used;
    memcpy(t->arena + t->used, machine, ml);
    t->used += ml;
    c->kind = kind;
    t->ncells++;
}

void cli_cell_text(cli_table *t, const char *s)
{
    if (!s)
        put(t, "-", "", RAW_NULL);
    else
        put(t, s, s, RAW_STRING);
}

void cli_cell_int(cli_table *t, int64_t v)
{
    char h[48], m[32];
    cli_fmt_count(v, h, sizeof h);
    snprintf(m, sizeof m, "%" PRId64, v);
    put(t, h, m, RAW_LITERAL);
}

void cli_cell_money(cli_table *t, int64_t minor)
{
    char h[64], m[32];
    cli_fmt_money(t->doc->ctx, minor, h, sizeof h);
    snprintf(m, sizeof m, "%" PRId64, minor);
    put(t, h, m, RAW_LITERAL);
}

void cli_cell_double(cli_table *t, double v, int decimals)
{
    char h[64], m[64];
    if (!isfinite(v)) {
        put(t, "-", "", RAW_NULL);
        return;
    }
    snprintf(h, sizeof h, "%.*f", decimals, v);
    snprintf(m, sizeof m, "%.10g", v);
    put(t, h, m, RAW_LITERAL);
}

void cli_cell_bool(cli_table *t, int v)
{
    put(t, v ? "yes" : "no", v ? "true" : "false", RAW_LITERAL);
}

void cli_cell_time(cli_table *t, int64_t when)
{
    char h[32], m[40];
    if (when <= 0 || when == LTY_TIME_NONE) {
        put(t, "-", "", RAW_NULL);
        return;
    }
    cli_fmt_time(t->doc->ctx, when, h, sizeof h);
    cli_fmt_time_iso(t->doc->ctx, when, m, sizeof m);
    put(t, h, m, RAW_STRING);
}

void cli_cell_date(cli_table *t, const lty_date *d)
{
    char b[24];
    if (!d || !d->month) {
        put(t, "-", "", RAW_NULL);
        return;
    }
    cli_fmt_date(d, b, sizeof b);
    put(t, b, b, RAW_STRING);
}

#define FIELD(fn, type, ...)                                                  \
    void cli_field_##fn(cli_table *t, const char *key, const char *heading,  \
                        type v)                                               \
    {                                                                         \
        cli_col(t, key, heading, 0);                                          \
        cli_cell_##fn(t, v __VA_ARGS__);                                      \
    }
FIELD(text, const char *)
FIELD(int, int64_t)
FIELD(money, int64_t)
FIELD(bool, int)
FIELD(time, int64_t)
FIELD(date, const lty_date *)
#undef FIELD

void cli_field_double(cli_table *t, const char *key, const char *heading,
                      double v, int decimals)
{
    cli_col(t, key, heading, 0);
    cli_cell_double(t, v, decimals);
}

/* ---------------------------------------------------------------- */
/* Writing                                                           */
/* ---------------------------------------------------------------- */

/* People's text on one line: line breaks and tabs of notes become spaces. */
static void human_text(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s, f);
}

static void pad(FILE *f, size_t n)
{
    while (n--)
        fputc(' ', f);
}

static size_t width_of(const char *s)
{
    return cli_display_width(s, strlen(s));
}

static void write_record_human(FILE *f, const cli_table *t)
{
    size_t kw = 0;
    for (size_t c = 0; c < t->ncols; c++)
        if (!t->hidden[c] && width_of(t->heading[c]) > kw)
            kw = width_of(t->heading[c]);
    for (size_t c = 0; c < t->ncols && c < t->ncells; c++) {
        if (t->hidden[c])
            continue;
        fputs(t->heading[c], f);
        pad(f, kw - width_of(t->heading[c]) + 2);
        human_text(f, HUMAN(t, &t->cells[c]));
        fputc('\n', f);
    }
}

static void write_table_human(FILE *f, const cli_table *t)
{
    size_t rows = t->ncells / t->ncols;
    size_t w[COLS_MAX];
    for (size_t c = 0; c < t->ncols; c++)
        w[c] = width_of(t->heading[c]);
    for (size_t i = 0; i < rows * t->ncols; i++) {
        size_t x = width_of(HUMAN(t, &t->cells[i]));
        if (x > w[i % t->ncols])
            w[i % t->ncols] = x;
    }
    size_t lastcol = 0;
    for (size_t c = 0; c < t->ncols; c++)
        if (!t->hidden[c])
            lastcol = c;
    for (size_t r = 0; r <= rows + 1; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (t->hidden[c])
                continue;
            const char *s = r == 0 ? t->heading[c]
                          : r == 1 ? NULL
                                   : HUMAN(t, &t->cells[(r - 2) * t->ncols + c]);
            int last = c == lastcol;
            if (!s) { /* the rule under the headings */
                for (size_t k = 0; k < w[c]; k++)
                    fputc('-', f);
            } else {
                size_t x = width_of(s);
                if (t->right[c])
                    pad(f, w[c] - x);
                human_text(f, s);
                if (!t->right[c] && !last)
                    pad(f, w[c] - x);
            }
            if (!last)
                fputs("  ", f);
        }
        fputc('\n', f);
    }
    if (!rows)
        fputs("(none)\n", f);
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p == '\r')
            fputs("\\r", f);
        else if (*p < 0x20 || *p == 0x7F)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_value(FILE *f, const cli_table *t, const cell *c)
{
    if (c->kind == RAW_NULL)
        fputs("null", f);
    else if (c->kind == RAW_STRING)
        cli_json_string(f, MACHINE(t, c));
    else
        fputs(MACHINE(t, c), f);
}

static void json_row(FILE *f, const cli_table *t, size_t row, const char *indent)
{
    fputc('{', f);
    for (size_t c = 0; c < t->ncols; c++) {
        fprintf(f, "%s\n%s  ", c ? "," : "", indent);
        cli_json_string(f, t->key[c]);
        fputs(": ", f);
        json_value(f, t, &t->cells[row * t->ncols + c]);
    }
    fprintf(f, "\n%s}", indent);
}

static void write_json(FILE *f, const cli_doc *d)
{
    fputs("{", f);
    for (size_t s = 0; s < d->n; s++) {
        const cli_table *t = d->t[s];
        size_t rows = t->ncols ? t->ncells / t->ncols : 0;
        fprintf(f, "%s\n  ", s ? "," : "");
        cli_json_string(f, t->name);
        fputs(": ", f);
        if (t->record) {
            if (rows)
                json_row(f, t, 0, "  ");
            else
                fputs("null", f);
            continue;
        }
        fputc('[', f);
        for (size_t r = 0; r < rows; r++) {
            fputs(r ? ",\n    " : "\n    ", f);
            json_row(f, t, r, "    ");
        }
        fputs(rows ? "\n  ]" : "]", f);
    }
    fputs("\n}\n", f);
}

static void csv_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (const char *p = s; *p && !quote; p++)
        if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
            quote = 1;
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static void write_csv(FILE *f, const cli_table *t)
{
    size_t rows = t->ncols ? t->ncells / t->ncols : 0;
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            fputc(',', f);
        csv_field(f, t->key[c]);
    }
    fputs("\r\n", f);
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', f);
            csv_field(f, MACHINE(t, &t->cells[r * t->ncols + c]));
        }
        fputs("\r\n", f);
    }
}

int cli_doc_finish(cli_doc *d)
{
    if (!d) {
        cli_errorf("out of memory");
        return CLI_EXIT_ERROR;
    }
    FILE *f = d->ctx->out;
    if (d->oom) {
        cli_doc_free(d);
        cli_errorf("out of memory while preparing the output");
        return CLI_EXIT_ERROR;
    }
    if (d->ctx->format == CLI_FORMAT_JSON)
        write_json(f, d);
    else if (d->ctx->format == CLI_FORMAT_CSV) {
        if (d->n)
            write_csv(f, d->t[0]);
    } else
        for (size_t s = 0; s < d->n; s++) {
            const cli_table *t = d->t[s];
            if (d->n > 1 && t->title)
                fprintf(f, "%s%s\n", s ? "\n" : "", t->title);
            if (!t->ncols)
                continue;
            if (t->record)
                write_record_human(f, t);
            else
                write_table_human(f, t);
        }
    cli_doc_free(d);
    if (fflush(f) || ferror(f)) {
        cli_errorf("cannot write the output");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

void cli_doc_free(cli_doc *d)
{
    if (!d)
        return;
    for (size_t s = 0; s < d->n; s++) {
        free(d->t[s]->cells);
        free(d->t[s]->arena);
        free(d->t[s]);
    }
    free(d);
}
