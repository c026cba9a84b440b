/*
 * libloyalty - message templates: checking and storing them, and rendering
 * a message from one (placeholders, locale fallback, the advertising
 * frame, the channel's length limit).
 *
 * A template is one record per (template id, channel, locale):
 * "T\0<template id>\0<channel byte>\0<locale>", the locale in lowercase
 * ("" is the default).  The record holds the text as given; it is checked
 * again when read, so a damaged record is LTY_ECORRUPT, never a bad
 * message.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <string.h>

#include "codec_int.h"
#include "keys_int.h"
#include "messaging_int.h"
#include "outbox_int.h"
#include "validate_int.h"

#define LTY__TEMPLATE_REC_VERSION 1
#define T_TEXT 1

/* The longest placeholder name quoted in an error message. */
#define QUOTE_MAX 32

/* ------------------------------------------------------------------ */
/* Placeholders                                                        */
/* ------------------------------------------------------------------ */

/* Every name a template may use (the list in message.h). */
static const char *const placeholders[] = {
    "name",   "title",    "tier",   "date", "time",   "clinic",
    "item",   "stars",    "points", "referrer", "reward", "code",
    "branch", "staff",    "amount", "days",
};

int lty__placeholder_known(const char *name, size_t n)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++)
        if (strlen(placeholders[i]) == n && memcmp(placeholders[i], name, n) == 0)
            return 1;
    return 0;
}

static const char *const channel_names[] = {"none", "SMS", "e-mail",
                                            "KakaoTalk", "push", "staff"};

/* What is wrong with a template text. */
typedef struct tpl_problem {
    enum { TPL_UNCLOSED = 1, TPL_SINGLE_CLOSE, TPL_UNKNOWN } kind;
    size_t at; /* byte offset of the brace, or of the name */
    size_t n;  /* length of the name (TPL_UNKNOWN) */
} tpl_problem;

/* Where a walk over a template goes: counting only (out NULL), or
 * rendering with params into out. */
typedef struct tpl_fill {
    lty_buf *out;
    const lty_param *params;
    size_t nparams;
    size_t len; /* bytes produced */
} tpl_fill;

static int emit(tpl_fill *f, const char *p, size_t n)
{
    f->len += n;
    return f->out && n ? lty__buf_append(f->out, p, n, NULL) : LTY_OK;
}

/* The value of a placeholder, or NULL (it renders as empty text).  The
 * first parameter with the name wins. */
static const char *param_value(const tpl_fill *f, const char *name, size_t n)
{
    for (size_t i = 0; f->params && i < f->nparams; i++) {
        const char *k = f->params[i].key;
        if (k && strlen(k) == n && memcmp(k, name, n) == 0)
            return f->params[i].value;
    }
    return NULL;
}

/*
 * Walk a template: literal text, "{{" and "}}" (one literal brace each) and
 * "{name}" placeholders.  Returns LTY_OK, LTY_EINVALID with *pb filled (an
 * unclosed '{', a single '}', an unknown name) or LTY_ENOMEM.
 */
static int tpl_walk(const char *s, size_t n, tpl_fill *f, tpl_problem *pb)
{
    size_t i = 0, run = 0;
    int rc;
    while (i < n) {
        char c = s[i];
        if (c != '{' && c != '}') {
            i++;
            continue;
        }
        if ((rc = emit(f, s + run, i - run)))
            return rc;
        if (i + 1 < n && s[i + 1] == c) { /* "{{" or "}}" */
            if ((rc = emit(f, s + i, 1)))
                return rc;
            i += 2;
            run = i;
            continue;
        }
        if (c == '}') {
            pb->kind = TPL_SINGLE_CLOSE;
            pb->at = i;
            return LTY_EINVALID;
        }
        size_t j = i + 1;
        while (j < n && s[j] != '}' && s[j] != '{')
            j++;
        if (j == n || s[j] == '{') {
            pb->kind = TPL_UNCLOSED;
            pb->at = i;
            return LTY_EINVALID;
        }
        if (!lty__placeholder_known(s + i + 1, j - i - 1)) {
            pb->kind = TPL_UNKNOWN;
            pb->at = i + 1;
            pb->n = j - i - 1;
            return LTY_EINVALID;
        }
        const char *v = param_value(f, s + i + 1, j - i - 1);
        if (v && (rc = emit(f, v, strlen(v))))
            return rc;
        i = j + 1;
        run = i;
    }
    return emit(f, s + run, n - run);
}

/* The message for a problem.  A placeholder's name is quoted (it is part
 * of the template, not personal data) when it is short and printable. */
static int tpl_error(lty_engine *e, const char *s, const tpl_problem *pb)
{
    switch (pb->kind) {
    case TPL_UNCLOSED:
        return lty__err(e, LTY_EINVALID,
                        "template text: unclosed '{' at byte %zu (write '{{' "
                        "for a brace)", pb->at);
    case TPL_SINGLE_CLOSE:
        return lty__err(e, LTY_EINVALID,
                        "template text: single '}' at byte %zu (write '}}' "
                        "for a brace)", pb->at);
    case TPL_UNKNOWN:
    default:
        if (pb->n <= QUOTE_MAX && lty__text_valid(s + pb->at, pb->n, LTY__TEXT_LINE))
            return lty__err(e, LTY_EINVALID,
                            "template text: unknown placeholder '%.*s'",
                            (int)pb->n, s + pb->at);
        return lty__err(e, LTY_EINVALID,
                        "template text: unknown placeholder at byte %zu",
                        pb->at);
    }
}

/* ------------------------------------------------------------------ */
/* Arguments and keys                                                  */
/* ------------------------------------------------------------------ */

static int check_channel(lty_engine *e, lty_channel ch)
{
    if (ch < LTY_CHANNEL_SMS || ch > LTY_CHANNEL_STAFF)
        return lty__err(e, LTY_EINVALID, "channel: not SMS, e-mail, KakaoTalk, "
                                         "push or staff");
    return LTY_OK;
}

/* "" or [A-Za-z0-9-]{1,16}; copied in lowercase (tags compare without
 * case).  NULL is "". */
static int check_locale(lty_engine *e, const char *loc,
                        char out[LTY_LOCALE_MAX + 1], size_t *n)
{
    size_t len = loc ? strnlen(loc, LTY_LOCALE_MAX + 1) : 0;
    if (len > LTY_LOCALE_MAX)
        return lty__err(e, LTY_EINVALID, "locale: longer than %d bytes",
                        LTY_LOCALE_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = loc[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return lty__err(e, LTY_EINVALID,
                            "locale: only letters, digits and '-' (\"ko\", \"ko-KR\")");
        out[i] = c;
    }
    out[len] = '\0';
    *n = len;
    return LTY_OK;
}

static void template_key(lty__key *k, const char *id, size_t n, lty_channel ch,
                         const char *loc, size_t ln)
{
    unsigned char b = (unsigned char)ch;
    lty__key_reset(k);
    lty__key_add(k, "T", 1);
    lty__key_sep(k);
    lty__key_add(k, id, n);
    lty__key_sep(k);
    lty__key_add(k, &b, 1);
    lty__key_sep(k);
    lty__key_add(k, loc, ln);
}

/* ------------------------------------------------------------------ */
/* The record                                                          */
/* ------------------------------------------------------------------ */

static int encode_template(const char *text, size_t n, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_TEMPLATE, LTY__TEMPLATE_REC_VERSION);
    lty__enc_bytes(&w, T_TEXT, text, n);
    return lty__enc_end(&w);
}

/* The text of a template record (pointing into data), checked as
 * lty_template_set() checks it (except the policy's length limit, which
 * may have changed since: rendering enforces it). */
static int decode_template(const void *data, size_t len, const char **text,
                           size_t *n)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    int r;
    *text = NULL;
    *n = 0;
    if ((r = lty__dec_begin(&d, data, len, LTY__REC_TEMPLATE,
                            LTY__TEMPLATE_REC_VERSION, NULL)))
        return r;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != T_TEXT)
            continue; /* a field of a later minor version */
        if (lty__dec_once(&seen, f.tag) ||
            lty__field_text(&f, 1, LTY_TEMPLATE_MAX, LTY__TEXT_MULTILINE, text, n))
            return LTY_ECORRUPT;
    }
    if (r < 0 || !*text)
        return LTY_ECORRUPT;
    tpl_fill count = {NULL, NULL, 0, 0};
    tpl_problem pb;
    return tpl_walk(*text, *n, &count, &pb) ? LTY_ECORRUPT : LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Setting and removing                                                */
/* ------------------------------------------------------------------ */

typedef struct tpl_op {
    const char *id;
    size_t idn;
    lty_channel channel;
    char loc[LTY_LOCALE_MAX + 1];
    size_t locn;
    const char *text;
    size_t textn;
    size_t static_len; /* the text with every placeholder empty */
} tpl_op;

static int check_target(lty_engine *e, const char *template_id,
                        lty_channel channel, const char *locale, tpl_op *op)
{
    int rc;
    memset(op, 0, sizeof *op);
    if ((rc = lty__check_text(e, "template id", template_id, 1,
                              LTY_MESSAGE_ID_MAX, LTY__TEXT_LINE, &op->idn)) ||
        (rc = check_channel(e, channel)) ||
        (rc = check_locale(e, locale, op->loc, &op->locn)))
        return rc;
    op->id = template_id;
    op->channel = channel;
    return LTY_OK;
}

static int set_body(lty_engine *e, void *arg)
{
    const tpl_op *op = arg;
    const lty__messaging *m;
    lty__key k;
    uint64_t rev = LTY_REV_NONE;
    int rc = lty__messaging_current(e, &m);
    if (rc)
        return rc;
    int limit = m->max_length[op->channel];
    if (limit > 0 && op->static_len > (size_t)limit)
        return lty__err(e, LTY_EINVALID,
                        "template text: %zu bytes without its placeholders, "
                        "over the %s limit of %d bytes (max_length[%d])",
                        op->static_len, channel_names[op->channel], limit,
                        (int)op->channel);
    if ((rc = encode_template(op->text, op->textn, &e->wbuf)))
        return lty__err(e, rc, "template: cannot encode");
    template_key(&k, op->id, op->idn, op->channel, op->loc, op->locn);
    rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        rev = LTY_REV_NONE;
    else if (rc)
        return rc;
    else if (e->rbuf.len == e->wbuf.len &&
             memcmp(e->rbuf.data, e->wbuf.data, e->wbuf.len) == 0)
        return LTY_OK; /* the same text: nothing to write */
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

int lty_template_set(lty_engine *e, const char *template_id,
                     lty_channel channel, const char *locale, const char *text)
{
    tpl_op op;
    tpl_problem pb;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if ((rc = check_target(e, template_id, channel, locale, &op)) ||
        (rc = lty__check_text(e, "template text", text, 1, LTY_TEMPLATE_MAX,
                              LTY__TEXT_MULTILINE, &op.textn)))
        return rc;
    op.text = text;
    tpl_fill count = {NULL, NULL, 0, 0};
    if ((rc = tpl_walk(text, op.textn, &count, &pb)))
        return tpl_error(e, text, &pb);
    op.static_len = count.len;
    return lty__txn(e, set_body, &op);
}

static int remove_body(lty_engine *e, void *arg)
{
    const tpl_op *op = arg;
    lty__key k;
    uint64_t rev = 0;
    template_key(&k, op->id, op->idn, op->channel, op->loc, op->locn);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "template: not found");
    if (rc)
        return rc;
    return lty__del(e, k.b, k.n, rev);
}

int lty_template_remove(lty_engine *e, const char *template_id,
                        lty_channel channel, const char *locale)
{
    tpl_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if ((rc = check_target(e, template_id, channel, locale, &op)))
        return rc;
    return lty__txn(e, remove_body, &op);
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */
/* ------------------------------------------------------------------ */

/* Append the non-empty parts, separated by one space; 1 when any was. */
static int join_parts(tpl_fill *f, const char *const *parts, size_t n, int *rc)
{
    int any = 0;
    for (size_t i = 0; i < n && *rc == LTY_OK; i++) {
        if (!parts[i][0])
            continue;
        if (any)
            *rc = emit(f, " ", 1);
        if (*rc == LTY_OK)
            *rc = emit(f, parts[i], strlen(parts[i]));
        any = 1;
    }
    return any;
}

/* Find the template: (channel, locale), (channel, primary language of the
 * locale: "ko" for "ko-kr"), (channel, ""). */
static int find_template(lty_engine *e, const tpl_op *op, lty_buf *into)
{
    size_t lens[3];
    size_t nc = 0;
    lens[nc++] = op->locn;
    const char *dash = memchr(op->loc, '-', op->locn);
    if (dash && dash > op->loc)
        lens[nc++] = (size_t)(dash - op->loc);
    if (op->locn)
        lens[nc++] = 0;
    for (size_t i = 0; i < nc; i++) {
        lty__key k;
        template_key(&k, op->id, op->idn, op->channel, op->loc, lens[i]);
        int rc = lty__get(e, k.b, k.n, into, NULL);
        if (rc != LTY_ENOTFOUND)
            return rc;
    }
    return lty__err(e, LTY_ENOTFOUND, "template '%s': none for %s", op->id,
                    channel_names[op->channel]);
}

int lty__render(lty_engine *e, const lty__messaging *m, const char *template_id,
                lty_channel channel, const char *locale, lty_purpose purpose,
                const lty_param *params, size_t nparams, lty_buf *out)
{
    tpl_op op;
    tpl_problem pb;
    lty_buf tb;
    const char *text;
    size_t textn;
    int rc, limit;
    int marketing = purpose == LTY_PURPOSE_MARKETING ||
                    purpose == LTY_PURPOSE_NIGHT_MARKETING;
    tpl_fill f = {out, params, params ? nparams : 0, 0};
    if (!out)
        return lty__err(e, LTY_EINVALID, "render: NULL output");
    if ((rc = check_target(e, template_id, channel, locale, &op)))
        return rc;
    if (!m && (rc = lty__messaging_current(e, &m)))
        return rc;
    /* The template is read into a buffer of its own: the caller may hold
     * a record (and the params) in e->rbuf. */
    lty__buf_init(&tb, &e->alloc);
    if ((rc = find_template(e, &op, &tb)))
        goto done;
    if ((rc = decode_template(tb.data, tb.len, &text, &textn))) {
        rc = lty__corrupt(e, rc, "template");
        goto done;
    }
    out->len = 0;
    if (marketing) {
        const char *head[3] = {m->ad_label, m->sender_name, m->sender_contact};
        if (join_parts(&f, head, 3, &rc) && rc == LTY_OK)
            rc = emit(&f, "\n", 1);
    }
    if (rc == LTY_OK && (rc = tpl_walk(text, textn, &f, &pb)) == LTY_EINVALID)
        rc = lty__corrupt(e, LTY_ECORRUPT, "template"); /* checked on decode */
    if (rc == LTY_OK && marketing && m->opt_out_line[0]) {
        rc = emit(&f, "\n", 1);
        if (rc == LTY_OK)
            rc = emit(&f, m->opt_out_line, strlen(m->opt_out_line));
    }
    if (rc == LTY_ENOMEM) {
        rc = lty__err(e, rc, "template '%s': out of memory", op.id);
        goto done;
    }
    if (rc)
        goto done;
    limit = m->max_length[channel];
    if (limit > 0 && out->len > (size_t)limit) {
        rc = lty__err(e, LTY_ERANGE,
                      "template '%s': rendered text of %zu bytes is over the "
                      "%s limit of %d bytes", op.id, out->len,
                      channel_names[channel], limit);
        goto done;
    }
    if ((rc = lty__buf_append(out, "", 1, NULL))) {
        rc = lty__err(e, rc, "template '%s': out of memory", op.id);
        goto done;
    }
    out->len--; /* the NUL follows the text */
done:
    lty__buf_release(&tb);
    return rc;
}
