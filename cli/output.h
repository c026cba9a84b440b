/*
 * loyalty - writing results: aligned tables for people (with the display
 * width of Korean and other wide characters), JSON and CSV for programs.
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_OUTPUT_H
#define LOYALTY_CLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* A command's output: one or more named sections, each a table (rows
 * under column headings) or a record (one row shown as "field  value"
 * lines).  --json writes one object {"section": [rows] | {record}, ...};
 * --csv writes the first section only. */
typedef struct cli_doc cli_doc;
typedef struct cli_table cli_table;

cli_doc *cli_doc_new(cli_ctx *ctx);
/* A new section.  `name` is its JSON key, `title` its heading on a
 * terminal (shown when the document has several sections). */
cli_table *cli_doc_table(cli_doc *d, const char *name, const char *title);
cli_table *cli_doc_record(cli_doc *d, const char *name, const char *title);
/* Write the document to ctx->out and free it; returns 0 or
 * CLI_EXIT_ERROR (out of memory, a write error). */
int cli_doc_finish(cli_doc *d);
void cli_doc_free(cli_doc *d);

/* Columns (before the first cell).  Flags: CLI_RIGHT aligns numbers
 * right; CLI_MACHINE keeps the column out of the table people read (it is
 * in JSON and CSV only). */
#define CLI_RIGHT 1
#define CLI_MACHINE 2
void cli_col(cli_table *t, const char *key, const char *heading, int flags);

/* Cells, row after row, left to right. */
void cli_cell_text(cli_table *t, const char *s);          /* NULL: null */
void cli_cell_int(cli_table *t, int64_t v);
void cli_cell_money(cli_table *t, int64_t minor);         /* JSON/CSV: minor units */
void cli_cell_double(cli_table *t, double v, int decimals);
void cli_cell_bool(cli_table *t, int v);
void cli_cell_time(cli_table *t, int64_t when);           /* 0 or LTY_TIME_NONE: null */
void cli_cell_date(cli_table *t, const lty_date *d);      /* NULL: null */
/* A record's field: cli_col + a cell at once. */
void cli_field_text(cli_table *t, const char *key, const char *heading, const char *s);
void cli_field_int(cli_table *t, const char *key, const char *heading, int64_t v);
void cli_field_money(cli_table *t, const char *key, const char *heading, int64_t v);
void cli_field_double(cli_table *t, const char *key, const char *heading, double v, int decimals);
void cli_field_bool(cli_table *t, const char *key, const char *heading, int v);
void cli_field_time(cli_table *t, const char *key, const char *heading, int64_t when);
void cli_field_date(cli_table *t, const char *key, const char *heading, const lty_date *d);

/* A JSON string literal of UTF-8 text. */
void cli_json_string(FILE *f, const char *s);

/* Display width in terminal columns of UTF-8 text: East Asian Wide and
 * Fullwidth characters count 2, combining marks and other zero-width
 * characters 0 (width.c). */
size_t cli_display_width(const char *s, size_t len);
int cli_char_width(uint32_t cp);

#endif
