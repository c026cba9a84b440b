/*
 * loyalty CLI - a streaming RFC 4180 CSV reader.
 *
 * Fields are separated by commas and records by LF or CRLF; a field may be
 * enclosed in double quotes, inside which commas, line breaks and doubled
 * quotes ("") are data.  The reader works on a large input buffer and
 * copies each record's fields, NUL-terminated, into one growing record
 * buffer, so a million-row import costs one pass over the bytes.
 *
 * A malformed record (a quote in the middle of an unquoted field, text
 * after a closing quote, an unterminated quote, an over-long record) is
 * reported on the record with its line number and reading goes on at the
 * next line, so the import can list every bad line.
 *
 * SPDX-License-Identifier: MIT
 */
#include "csv_reader.h"

#include <stdlib.h>
#include <string.h>

#define INBUF_SIZE (1u << 20)

struct cli_csv {
    FILE *f;
    unsigned char *in;
    size_t in_len, in_pos;
    int eof;
    uint64_t consumed;
    unsigned long line;      /* the current line number */
    char *rec;               /* field bytes of the current record */
    size_t rec_len, rec_cap;
    size_t *starts;          /* offsets of the fields in rec */
    size_t *lens;
    char **ptrs;
    size_t nf, nf_cap;
    const char *fatal;
    int started;
};

int cli_csv_open(cli_csv **out, FILE *f)
{
    cli_csv *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return -1;
    c->f = f;
    c->in = malloc(INBUF_SIZE);
    c->rec_cap = 4096;
    c->rec = malloc(c->rec_cap);
    c->nf_cap = 16;
    c->starts = malloc(c->nf_cap * sizeof *c->starts);
    c->lens = malloc(c->nf_cap * sizeof *c->lens);
    c->ptrs = malloc(c->nf_cap * sizeof *c->ptrs);
    c->line = 1;
    if (!c->in || !c->rec || !c->starts || !c->lens || !c->ptrs) {
        cli_csv_close(c);
        return -1;
    }
    *out = c;
    return 0;
}

void cli_csv_close(cli_csv *c)
{
    if (!c)
        return;
    free(c->in);
    free(c->rec);
    free(c->starts);
    free(c->lens);
    free(c->ptrs);
    free(c);
}

uint64_t cli_csv_offset(const cli_csv *c)
{
    return c->consumed;
}

const char *cli_csv_fatal(const cli_csv *c)
{
    return c->fatal ? c->fatal : "";
}

/* Next input byte, or -1 at the end (-2 on a read error). */
static int peek(cli_csv *c)
{
    if (c->in_pos == c->in_len) {
        if (c->eof)
            return -1;
        c->in_len = fread(c->in, 1, INBUF_SIZE, c->f);
        c->in_pos = 0;
        if (c->in_len == 0) {
            c->eof = 1;
            if (ferror(c->f)) {
                c->fatal = "read error";
                return -2;
            }
            return -1;
        }
    }
    return c->in[c->in_pos];
}

static void advance(cli_csv *c)
{
    c->in_pos++;
    c->consumed++;
}

static int push_byte(cli_csv *c, char ch)
{
    if (c->rec_len + 1 >= c->rec_cap) {
        if (c->rec_cap >= CLI_CSV_RECORD_MAX)
            return 1;
        size_t cap = c->rec_cap * 2;
        char *p = realloc(c->rec, cap);
        if (!p) {
            c->fatal = "out of memory";
            return -1;
        }
        c->rec = p;
        c->rec_cap = cap;
    }
    c->rec[c->rec_len++] = ch;
    return 0;
}

static int start_field(cli_csv *c)
{
    if (c->nf == c->nf_cap) {
        size_t cap = c->nf_cap * 2;
        size_t *s = realloc(c->starts, cap * sizeof *s);
        if (s)
            c->starts = s;
        size_t *l = realloc(c->lens, cap * sizeof *l);
        if (l)
            c->lens = l;
        char **p = realloc(c->ptrs, cap * sizeof *p);
        if (p)
            c->ptrs = p;
        if (!s || !l || !p) {
            c->fatal = "out of memory";
            return -1;
        }
        c->nf_cap = cap;
    }
    c->starts[c->nf++] = c->rec_len;
    return 0;
}

/* Close the current field: its length, and a NUL after it. */
static int end_field(cli_csv *c)
{
    size_t i = c->nf - 1;
    c->lens[i] = c->rec_len - c->starts[i];
    return push_byte(c, '\0');
}

/* Skip to just after the end of the current line (outside quotes). */
static int skip_line(cli_csv *c)
{
    for (;;) {
        int ch = peek(c);
        if (ch == -2)
            return -1;
        if (ch < 0)
            return 0;
        advance(c);
        if (ch == '\n') {
            c->line++;
            return 0;
        }
    }
}

int cli_csv_next(cli_csv *c, cli_csv_record *rec)
{
    static const char *const too_long = "record longer than 1 MiB";
    memset(rec, 0, sizeof *rec);
    rec->bad_field = -1;
    if (!c->started) {
        c->started = 1;
        /* A UTF-8 byte order mark. */
        if (peek(c) == 0xEF && c->in_len - c->in_pos >= 3 &&
            c->in[c->in_pos + 1] == 0xBB && c->in[c->in_pos + 2] == 0xBF) {
            advance(c);
            advance(c);
            advance(c);
        }
    }
    for (;;) {
        int ch = peek(c);
        if (ch == -2)
            return -1;
        if (ch < 0)
            return 0;
        /* Skip blank lines (LF or CRLF alone). */
        if (ch == '\n') {
            advance(c);
            c->line++;
            continue;
        }
        if (ch == '\r') {
            advance(c);
            if (peek(c) == '\n') {
                advance(c);
                c->line++;
            }
            continue;
        }
        break;
    }
    c->rec_len = 0;
    c->nf = 0;
    rec->line = c->line;
    const char *err = NULL;
    int r;
    if (start_field(c))
        return -1;
    for (;;) {
        /* At the start of a field. */
        int ch = peek(c);
        if (ch == -2)
            return -1;
        if (ch == '"') {
            advance(c);
            for (;;) {
                ch = peek(c);
                if (ch == -2)
                    return -1;
                if (ch < 0) {
                    err = "unterminated quoted field";
                    goto bad_eof;
                }
                advance(c);
                if (ch == '"') {
                    if (peek(c) == '"') {
                        advance(c);
                    } else {
                        break;
                    }
                } else if (ch == '\n') {
                    c->line++;
                }
                if ((r = push_byte(c, (char)ch)) < 0)
                    return -1;
                if (r) {
                    err = too_long;
                    goto bad_line;
                }
            }
            ch = peek(c);
            if (ch == -2)
                return -1;
            if (ch >= 0 && ch != ',' && ch != '\n' && ch != '\r') {
                err = "text after a closing quote";
                goto bad_line;
            }
        } else {
            for (;;) {
                ch = peek(c);
                if (ch == -2)
                    return -1;
                if (ch < 0 || ch == ',' || ch == '\n' || ch == '\r')
                    break;
                if (ch == '"') {
                    err = "a quote inside an unquoted field";
                    goto bad_line;
                }
                advance(c);
                if ((r = push_byte(c, (char)ch)) < 0)
                    return -1;
                if (r) {
                    err = too_long;
                    goto bad_line;
                }
            }
        }
        if (end_field(c) < 0)
            return -1;
        ch = peek(c);
        if (ch == ',') {
            advance(c);
            if (start_field(c))
                return -1;
            continue;
        }
        /* End of the record: LF, CRLF, a lone CR, or the end of the file. */
        if (ch == '\r') {
            advance(c);
            ch = peek(c);
        }
        if (ch == '\n') {
            advance(c);
            c->line++;
        }
        break;
    }
    for (size_t i = 0; i < c->nf; i++) {
        c->ptrs[i] = c->rec + c->starts[i];
        if (rec->bad_field < 0 && !cli_utf8_valid(c->ptrs[i], c->lens[i]))
            rec->bad_field = (long)i;
    }
    rec->nfields = c->nf;
    rec->fields = c->ptrs;
    rec->lens = c->lens;
    return 1;

bad_line:
    rec->error = err;
    if (skip_line(c) < 0)
        return -1;
    return 1;
bad_eof:
    rec->error = err;
    return 1;
}

int cli_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char b = p[i];
        if (b < 0x80) {
            if (b == 0)
                return 0;
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (b >= 0xC2 && b <= 0xDF) {
            n = 1;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            n = 2;
            cp = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            n = 3;
            cp = b & 0x07;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}
