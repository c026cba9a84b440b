/*
 * loyalty CLI - importing customers, events and appointments from CSV.
 *
 * The columns, batches and error rules are documented in
 * docs/guide/import.md.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_IMPORT_CSV_H
#define LOYALTY_CLI_IMPORT_CSV_H

#include <stddef.h>
#include <stdio.h>

#include <loyalty.h>

/* Data rows per batch by default: the most one lty_record_batch() takes. */
#define CLI_IMPORT_BATCH_ROWS 10000
/* Rejected lines listed in a summary; further ones are only counted. */
#define CLI_IMPORT_ERRORS_MAX 100
/* Room for one reason, NUL included. */
#define CLI_IMPORT_REASON_MAX 192

/* One rejected line. */
struct cli_import_error {
    unsigned long line;                 /* line number in the file (1: header) */
    char reason[CLI_IMPORT_REASON_MAX]; /* "amount: not a whole number" */
};

/* What an import did. */
struct cli_import_summary {
    size_t rows;          /* data rows read */
    size_t accepted;      /* rows written (replays of rows already in the store included) */
    size_t duplicates;    /* of the accepted, rows the store already had (nothing changed) */
    size_t rejected;      /* bad rows */
    size_t held_back;     /* good rows not written because their batch had a bad row */
    size_t batches;       /* batches read */
    size_t batches_rejected; /* batches not written */
    size_t batch_rows;    /* the batch size used */
    /* The first CLI_IMPORT_ERRORS_MAX rejected lines, in file order. */
    struct cli_import_error errors[CLI_IMPORT_ERRORS_MAX];
    size_t error_count;   /* entries filled in errors */
    size_t errors_omitted;/* rejected lines not listed */
    /* A failure that stopped the import (cannot read the file, bad header,
     * a storage error), or "". */
    char message[256];
};

/*
 * Import a CSV file of one kind ("customers", "events" or
 * "appointments") into the store of @p e, in batches of
 * CLI_IMPORT_BATCH_ROWS data rows.
 *
 * @p progress: NULL, or a stream on a terminal, on which a progress bar is
 * drawn (and finished with a newline).
 *
 * Returns LTY_OK when every row was written; LTY_EINVALID when some rows
 * were rejected (the summary lists them; batches without a bad row were
 * written); LTY_EPARSE for a bad header; LTY_ESTORAGE when the file cannot
 * be read; LTY_ENOMEM; or the library's code for a failure of the store
 * (summary->message says what).
 */
int cli_import_file(lty_engine *e, const char *kind, const char *path,
                    FILE *progress, struct cli_import_summary *out);

/* cli_import_file() with another batch size, 1..CLI_IMPORT_BATCH_ROWS. */
int cli_import_file_batch(lty_engine *e, const char *kind, const char *path,
                          FILE *progress, size_t batch_rows,
                          struct cli_import_summary *out);

#endif
