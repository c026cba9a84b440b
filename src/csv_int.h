/*
 * libloyalty - internal: the reader of transaction files
 * (customer_id,date,amount), shared by lty_rfm_from_csv() and
 * lty_clv_summary_from_csv().
 *
 * The file has a header naming the three columns, in any order, among
 * others (ignored); fields may be quoted ("" for a quote); lines end in LF
 * or CRLF; a UTF-8 BOM is skipped; blank lines are skipped.  The date is
 * YYYY-MM-DD (from 1970) or Unix seconds; the amount an integer in minor
 * units, optionally signed.  The file is read in blocks, never whole.
 *
 * Errors are "path:line: column: problem" (or "path:line: problem") in
 * err, with LTY_EPARSE; a file that cannot be opened or read is
 * LTY_ESTORAGE ("path: cannot open: ..."), memory LTY_ENOMEM.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_CSV_INT_H
#define LTY_CSV_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alloc_int.h"

/* One data line. */
typedef struct lty__csv_txn {
    const char *id;     /* 1..LTY_ID_MAX bytes, no NUL, not terminated;
                           valid until the block callback returns */
    size_t idn;
    int64_t time;       /* Unix seconds; midnight UTC for a date */
    int64_t amount;     /* minor units, any sign */
    uint64_t hash;      /* the caller's (on_row may set it) */
    unsigned long line; /* 1-based line number in the file */
    int is_date;        /* the date was YYYY-MM-DD */
} lty__csv_txn;

/* Lines handed over at a time (at most; fewer at the end of each read). */
#define LTY__CSV_BLOCK 32

/* Where the lines go.  on_row (optional) sees each line as soon as it is
 * parsed, before its block is complete (to compute a hash, prefetch);
 * on_block gets the lines in file order.  A non-zero return from on_block
 * stops the reading and is returned; on_block then writes err itself
 * (lty__csv_fail() gives the usual format).  A parse error on a line
 * first hands over the complete lines before it. */
typedef struct lty__csv_sink {
    void *ctx;
    void (*on_row)(void *ctx, lty__csv_txn *t);
    int (*on_block)(void *ctx, lty__csv_txn *t, size_t n);
} lty__csv_sink;

/* Read the transaction file at path into s. */
LTY_INTERNAL int lty__csv_read_txns(const char *path, const lty__csv_sink *s,
                                    char *err, size_t errlen);

/* "path:line: column: what" (column may be NULL) into err; LTY_EPARSE. */
LTY_INTERNAL int lty__csv_fail(char *err, size_t errlen, const char *path,
                               unsigned long line, const char *column,
                               const char *what);

/* snprintf into an optional buffer. */
LTY_INTERNAL void lty__csv_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* LTY_CSV_INT_H */
