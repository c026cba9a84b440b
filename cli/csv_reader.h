/*
 * loyalty CLI - a streaming RFC 4180 CSV reader for the import command.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_CSV_READER_H
#define LOYALTY_CLI_CSV_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest record (all fields together) the reader accepts, in bytes.  A
 * runaway quoted field would otherwise swallow the whole file. */
#define CLI_CSV_RECORD_MAX (1024u * 1024u)

typedef struct cli_csv cli_csv;

/* One record.  Every field is NUL-terminated; the pointers stay valid until
 * the next cli_csv_next() call. */
typedef struct cli_csv_record {
    size_t nfields;
    char **fields;
    size_t *lens;
    /* The line the record starts on (1 is the first line of the file). */
    unsigned long line;
    /* NULL, or why the record is malformed ("unterminated quoted field");
     * the fields are then unusable, but reading can go on. */
    const char *error;
    /* The first field that is not valid UTF-8 (or holds a NUL byte), or
     * -1. */
    long bad_field;
} cli_csv_record;

/* Read CSV from @p f (not closed by the reader).  A UTF-8 byte order mark at
 * the start is skipped.  Returns 0, or -1 when out of memory. */
int cli_csv_open(cli_csv **out, FILE *f);

/* The next record: 1 with @p rec filled, 0 at the end of the file, -1 on a
 * read error or out of memory (cli_csv_fatal() says which).  Blank lines
 * are skipped. */
int cli_csv_next(cli_csv *c, cli_csv_record *rec);

/* Bytes consumed so far (for a progress bar). */
uint64_t cli_csv_offset(const cli_csv *c);

/* Why cli_csv_next() returned -1. */
const char *cli_csv_fatal(const cli_csv *c);

void cli_csv_close(cli_csv *c);

/* 1 when @p s (of @p len bytes) is well-formed UTF-8 without NUL bytes,
 * overlong forms, surrogates or code points past U+10FFFF. */
int cli_utf8_valid(const char *s, size_t len);

#endif
