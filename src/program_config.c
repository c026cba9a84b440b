/*
 * libloyalty - program definition files: lty_program_load_file() and
 * lty_program_load_text().
 *
 * The INI-style format is documented in docs/guide/programs-file.md.  In
 * short:
 *
 *   # comment            ; comment
 *   [program ID]         starts a program; its keys follow
 *   key = value          value is the rest of the line, trimmed
 *   [step] [earn] [tier] [prize]
 *                        list items of the last [program], in file order
 *
 * The text is parsed whole into an array of lty_program_def before anything
 * is stored; then lty__program_define_all() defines every program in one
 * transaction, or none.  The parser keeps a private copy of the text and
 * cuts the values out of it in place (a NUL after each), so the
 * definitions' strings point into that copy; the arrays are the parser's
 * and everything is freed before returning.
 *
 * What the parser checks itself is syntax (LTY_EPARSE): lines, sections,
 * known and repeated keys, numbers, the words of enumerations, required
 * keys.  Whether the values make a valid program (ranges, ascending steps,
 * keys that do not apply to the kind, ...) is left to the definition
 * checks, which report LTY_EINVALID; their message is prefixed with the
 * file, the line of the program's header and the program's id.
 *
 * Messages quote keys, section names and program ids, never values: a
 * value may be anything, including personal data typed into the wrong
 * file.  Even keys and names are quoted only when they are short printable
 * text.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "program_int.h"
#include "validate_int.h"

/* Limits of the format. */
#define TEXT_MAX ((size_t)1024 * 1024) /* bytes of a whole file */
#define LINE_BYTES_MAX 4096            /* bytes of a line, without its end */

/* How much of the origin (a path) goes into a message: its last bytes. */
#define ORIGIN_SHOW 60
/* Longest key or section name quoted in a message. */
#define NAME_SHOW 64

/* ------------------------------------------------------------------ */
/* Sections and keys                                                   */
/* ------------------------------------------------------------------ */

typedef enum sec_kind {
    SEC_NONE = 0,
    SEC_PROGRAM,
    SEC_STEP,
    SEC_EARN,
    SEC_TIER,
    SEC_PRIZE
} sec_kind;

static const char *const sec_names[] = {
    "", "program", "step", "earn", "tier", "prize"
};

/* How a value is read. */
typedef enum val_kind {
    V_STR,    /* the text itself */
    V_I64,    /* a strict decimal integer */
    V_INT,    /* the same, within int */
    V_WORD,   /* one word of a table */
    V_WINDOW, /* lifetime | calendar-year | rolling DAYS */
    V_EXPIRY  /* never | end-of-month | end-of-year | after DAYS */
} val_kind;

typedef struct word {
    const char *w;
    int v;
} word;

static const word kind_words[] = {
    {"ladder", LTY_PROGRAM_LADDER}, {"stars", LTY_PROGRAM_STARS},
    {"points", LTY_PROGRAM_POINTS}, {"draw", LTY_PROGRAM_DRAW}, {NULL, 0}
};
static const word bool_words[] = {
    {"yes", 1}, {"no", 0}, {"true", 1}, {"false", 0}, {"1", 1}, {"0", 0},
    {NULL, 0}
};
static const word downgrade_words[] = {
    {"never", LTY_DOWNGRADE_NEVER}, {"period-end", LTY_DOWNGRADE_PERIOD_END},
    {"on-refund", LTY_DOWNGRADE_ON_REFUND}, {NULL, 0}
};
static const word per_words[] = {
    {"amount", LTY_EARN_PER_AMOUNT}, {"visit", LTY_EARN_PER_VISIT},
    {"item", LTY_EARN_PER_ITEM}, {NULL, 0}
};
static const word reward_words[] = {
    {"service", LTY_REWARD_SERVICE}, {"discount", LTY_REWARD_DISCOUNT},
    {"cash", LTY_REWARD_CASH}, {NULL, 0}
};

typedef struct keydef {
    const char *name;
    val_kind kind;
    const word *words;    /* V_WORD */
    const char *expected; /* V_WORD, V_WINDOW, V_EXPIRY: for the message */
    int required;
} keydef;

/* The key indexes below must follow the order of the tables. */
enum {
    PK_KIND, PK_NAME, PK_MEDICAL, PK_WINDOW, PK_DOWNGRADE, PK_GRACE,
    PK_DOWNGRADE_NOTICE, PK_EXPIRY, PK_LOCK, PK_EXPIRY_NOTICE,
    PK_STAFF_TEMPLATE, PK_PROMOTION_TEMPLATE, PK_NOTICE_TEMPLATE, PK_COUNT
};
static const keydef program_keys[] = {
    {"kind", V_WORD, kind_words, "ladder, stars, points or draw", 1},
    {"name", V_STR, NULL, NULL, 1},
    {"medical", V_WORD, bool_words, "yes, no, true, false, 1 or 0", 0},
    {"window", V_WINDOW, NULL,
     "lifetime, calendar-year or rolling DAYS", 0},
    {"downgrade", V_WORD, downgrade_words,
     "never, period-end or on-refund", 0},
    {"grace_days", V_INT, NULL, NULL, 0},
    {"downgrade_notice_days", V_INT, NULL, NULL, 0},
    {"expiry", V_EXPIRY, NULL,
     "never, end-of-month, end-of-year or after DAYS", 0},
    {"lock_days", V_INT, NULL, NULL, 0},
    {"expiry_notice_days", V_INT, NULL, NULL, 0},
    {"staff_template", V_STR, NULL, NULL, 0},
    {"promotion_template", V_STR, NULL, NULL, 0},
    {"notice_template", V_STR, NULL, NULL, 0},
    {NULL, V_STR, NULL, NULL, 0}
};

enum { SK_VISITS, SK_TITLE, SK_COUNT };
static const keydef step_keys[] = {
    {"visits", V_I64, NULL, NULL, 1},
    {"title", V_STR, NULL, NULL, 1},
    {NULL, V_STR, NULL, NULL, 0}
};

enum { EK_PER, EK_PER_AMOUNT, EK_EARN, EK_ITEM, EK_COUNT };
static const keydef earn_keys[] = {
    {"per", V_WORD, per_words, "amount, visit or item", 1},
    {"per_amount", V_I64, NULL, NULL, 0},
    {"earn", V_I64, NULL, NULL, 1},
    {"item", V_STR, NULL, NULL, 0},
    {NULL, V_STR, NULL, NULL, 0}
};

enum {
    TK_NAME, TK_THRESHOLD, TK_MULTIPLIER, TK_REWARD_EVERY, TK_REWARD,
    TK_REWARD_KIND, TK_REWARD_VALUE, TK_REWARD_VALID_DAYS, TK_COUNT
};
static const keydef tier_keys[] = {
    {"name", V_STR, NULL, NULL, 1},
    {"threshold", V_I64, NULL, NULL, 1},
    {"multiplier", V_INT, NULL, NULL, 0},
    {"reward_every", V_I64, NULL, NULL, 0},
    {"reward", V_STR, NULL, NULL, 0},
    {"reward_kind", V_WORD, reward_words, "service, discount or cash", 0},
    {"reward_value", V_I64, NULL, NULL, 0},
    {"reward_valid_days", V_INT, NULL, NULL, 0},
    {NULL, V_STR, NULL, NULL, 0}
};

enum {
    ZK_NAME, ZK_KIND, ZK_VALUE, ZK_ODDS, ZK_DAILY_CAP, ZK_VALID_DAYS,
    ZK_COUNT
};
static const keydef prize_keys[] = {
    {"name", V_STR, NULL, NULL, 1},
    {"kind", V_WORD, reward_words, "service, discount or cash", 1},
    {"value", V_I64, NULL, NULL, 0},
    {"odds_ppm", V_I64, NULL, NULL, 1},
    {"daily_cap", V_I64, NULL, NULL, 0},
    {"valid_days", V_INT, NULL, NULL, 0},
    {NULL, V_STR, NULL, NULL, 0}
};

static const keydef *const sec_keys[] = {
    NULL, program_keys, step_keys, earn_keys, tier_keys, prize_keys
};

/* More than any section has. */
#define KEYS_MAX 16
_Static_assert(PK_COUNT <= KEYS_MAX && SK_COUNT <= KEYS_MAX &&
                   EK_COUNT <= KEYS_MAX && TK_COUNT <= KEYS_MAX &&
                   ZK_COUNT <= KEYS_MAX,
               "a section has more keys than the parser tracks");

/* A value as read. */
typedef struct value {
    const char *s; /* V_STR: NUL-terminated, in the parser's copy */
    int64_t i;     /* numbers; the days of V_WINDOW and V_EXPIRY */
    int w;         /* V_WORD, V_WINDOW, V_EXPIRY: the enumeration value */
} value;

/* ------------------------------------------------------------------ */
/* The parser                                                          */
/* ------------------------------------------------------------------ */

typedef struct prog {
    lty_program_def def;
    unsigned line; /* of the [program ID] header */
    lty_ladder_step *steps;
    size_t nsteps, capsteps;
    lty_earn_rule *rules;
    size_t nrules, caprules;
    lty_tier *tiers;
    size_t ntiers, captiers;
    lty_prize *prizes;
    size_t nprizes, capprizes;
} prog;

typedef struct parser {
    lty_engine *e;
    const lty_allocator *a;
    char origin[ORIGIN_SHOW + 8];
    char *buf;        /* the parser's copy of the text, NUL-terminated */
    size_t len;
    unsigned line;    /* the line being read, from 1 */

    prog *progs;
    size_t nprogs, capprogs;
    size_t *slots;    /* hash set of program ids: index + 1, 0 when free */
    size_t nslots;

    /* The open section. */
    sec_kind sec;
    unsigned secline;
    size_t item;      /* its index in the program's list (subsections) */
    unsigned keyline[KEYS_MAX]; /* the line each key was given on, or 0 */
} parser;

/* The origin as shown in messages: at most its last ORIGIN_SHOW bytes,
 * without control characters or broken UTF-8. */
static void set_origin(parser *P, const char *origin)
{
    if (!origin)
        origin = "(text)";
    size_t n = strlen(origin);
    size_t start = 0, o = 0;
    if (n > ORIGIN_SHOW) {
        start = n - (ORIGIN_SHOW - 3);
        while (start < n && ((unsigned char)origin[start] & 0xC0) == 0x80)
            start++; /* do not begin inside a UTF-8 sequence */
        memcpy(P->origin, "...", 3);
        o = 3;
    }
    int utf8 = lty__utf8_valid(origin + start, n - start);
    for (size_t i = start; i < n; i++) {
        unsigned char c = (unsigned char)origin[i];
        P->origin[o++] = (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8))
                             ? '?'
                             : (char)c;
    }
    P->origin[o] = '\0';
}

/* 1 when a key, section name or id may be quoted in a message. */
static int showable(const char *s, size_t n)
{
    return n >= 1 && n <= NAME_SHOW && lty__text_valid(s, n, LTY__TEXT_LINE);
}

#define perr(P, ...) lty__err((P)->e, LTY_EPARSE, __VA_ARGS__)

static int nomem(parser *P)
{
    return lty__err(P->e, LTY_ENOMEM, "%s: out of memory", P->origin);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_blank((*s)[*n - 1]))
        (*n)--;
}

/* Make room for one more element of an array. */
static int grow(parser *P, void **arr, size_t *cap, size_t n, size_t elsize)
{
    if (n < *cap)
        return LTY_OK;
    size_t ncap = *cap ? *cap * 2 : 4;
    if (ncap > SIZE_MAX / elsize)
        return nomem(P);
    void *p = lty__realloc(P->a, *arr, ncap * elsize);
    if (!p)
        return nomem(P);
    *arr = p;
    *cap = ncap;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Program ids: a small hash set, so that a file of many programs is    */
/* still read in linear time                                            */
/* ------------------------------------------------------------------ */

static size_t id_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return (size_t)(h ^ (h >> 32));
}

static size_t *id_slot(size_t *slots, size_t nslots, const prog *progs,
                       const char *id)
{
    size_t i = id_hash(id) & (nslots - 1);
    while (slots[i] && strcmp(progs[slots[i] - 1].def.id, id) != 0)
        i = (i + 1) & (nslots - 1);
    return &slots[i];
}

/* The program already called id, or NULL. */
static const prog *id_find(const parser *P, const char *id)
{
    if (!P->nslots)
        return NULL;
    size_t *s = id_slot(P->slots, P->nslots, P->progs, id);
    return *s ? &P->progs[*s - 1] : NULL;
}

/* Add progs[idx] (its id must not be in the set). */
static int id_add(parser *P, size_t idx)
{
    if ((idx + 1) * 2 > P->nslots) {
        size_t n = P->nslots ? P->nslots * 2 : 16;
        if (n > SIZE_MAX / sizeof(size_t))
            return nomem(P);
        size_t *s = lty__zalloc(P->a, n * sizeof(size_t));
        if (!s)
            return nomem(P);
        for (size_t i = 0; i < P->nslots; i++)
            if (P->slots[i])
                *id_slot(s, n, P->progs, P->progs[P->slots[i] - 1].def.id) =
                    P->slots[i];
        lty__free(P->a, P->slots);
        P->slots = s;
        P->nslots = n;
    }
    *id_slot(P->slots, P->nslots, P->progs, P->progs[idx].def.id) = idx + 1;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

/* A strict decimal integer: an optional '-', then digits without leading
 * zeros.  0 when it is one, 1 when not, 2 when it does not fit. */
static int parse_i64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (n && s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == n || (s[i] == '0' && n - i > 1))
        return 1;
    for (size_t k = i; k < n; k++)
        if (s[k] < '0' || s[k] > '9')
            return 1;
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10)
            return 2;
        v = v * 10 + d;
    }
    if (!neg)
        *out = (int64_t)v;
    else if (v == (uint64_t)INT64_MAX + 1)
        *out = INT64_MIN;
    else
        *out = -(int64_t)v;
    return 0;
}

static int number(parser *P, const keydef *k, const char *s, size_t n,
                  int is_int, int64_t *out)
{
    int r = parse_i64(s, n, out);
    if (r == 0 && is_int && (*out < INT_MIN || *out > INT_MAX))
        r = 2;
    if (r == 1)
        return perr(P, "%s:%u: key '%s': not a decimal integer", P->origin,
                    P->line, k->name);
    if (r == 2)
        return perr(P, "%s:%u: key '%s': number out of range", P->origin,
                    P->line, k->name);
    return LTY_OK;
}

static int find_word(const word *w, const char *s, size_t n)
{
    for (; w->w; w++)
        if (strlen(w->w) == n && memcmp(w->w, s, n) == 0)
            return w->v;
    return -1;
}

static int bad_word(parser *P, const keydef *k)
{
    return perr(P, "%s:%u: key '%s': expected %s", P->origin, P->line,
                k->name, k->expected);
}

/* "WORD" or "WORD DAYS": the word, and the rest after blanks. */
static void split_word(const char *s, size_t n, size_t *wn, const char **rest,
                       size_t *restn)
{
    size_t i = 0;
    while (i < n && !is_blank(s[i]))
        i++;
    *wn = i;
    while (i < n && is_blank(s[i]))
        i++;
    *rest = s + i;
    *restn = n - i;
}

/* A word that takes a number of days (dayword), or one of the others. */
static int word_days(parser *P, const keydef *k, const char *s, size_t n,
                     const word *plain, const char *dayword, int dayval,
                     value *v)
{
    size_t wn, rn;
    const char *rest;
    split_word(s, n, &wn, &rest, &rn);
    if (wn == strlen(dayword) && memcmp(s, dayword, wn) == 0) {
        if (rn == 0)
            return bad_word(P, k);
        v->w = dayval;
        return number(P, k, rest, rn, 1, &v->i);
    }
    if (rn != 0 || (v->w = find_word(plain, s, wn)) < 0)
        return bad_word(P, k);
    return LTY_OK;
}

static const word window_plain[] = {
    {"lifetime", LTY_WINDOW_LIFETIME},
    {"calendar-year", LTY_WINDOW_CALENDAR_YEAR}, {NULL, 0}
};
static const word expiry_plain[] = {
    {"never", LTY_EXPIRY_NEVER}, {"end-of-month", LTY_EXPIRY_END_OF_MONTH},
    {"end-of-year", LTY_EXPIRY_END_OF_YEAR}, {NULL, 0}
};

/* Read the value s[0..n) (trimmed; s[n] may be overwritten) of key k. */
static int read_value(parser *P, const keydef *k, char *s, size_t n,
                      value *v)
{
    v->s = NULL;
    v->i = 0;
    v->w = 0;
    switch (k->kind) {
    case V_STR:
        s[n] = '\0';
        v->s = s;
        return LTY_OK;
    case V_I64:
        return number(P, k, s, n, 0, &v->i);
    case V_INT:
        return number(P, k, s, n, 1, &v->i);
    case V_WORD:
        if ((v->w = find_word(k->words, s, n)) < 0)
            return bad_word(P, k);
        return LTY_OK;
    case V_WINDOW:
        return word_days(P, k, s, n, window_plain, "rolling",
                         LTY_WINDOW_ROLLING, v);
    case V_EXPIRY:
        return word_days(P, k, s, n, expiry_plain, "after",
                         LTY_EXPIRY_AFTER_DAYS, v);
    }
    return bad_word(P, k);
}

/* ------------------------------------------------------------------ */
/* Storing values                                                      */
/* ------------------------------------------------------------------ */

static void set_program(lty_program_def *d, int key, const value *v)
{
    switch (key) {
    case PK_KIND: d->kind = (lty_program_kind)v->w; break;
    case PK_NAME: d->name = v->s; break;
    case PK_MEDICAL: d->medical = v->w; break;
    case PK_WINDOW:
        d->window = (lty_window_kind)v->w;
        d->window_days = (int)v->i;
        break;
    case PK_DOWNGRADE: d->downgrade = (lty_downgrade_policy)v->w; break;
    case PK_GRACE: d->grace_days = (int)v->i; break;
    case PK_DOWNGRADE_NOTICE: d->downgrade_notice_days = (int)v->i; break;
    case PK_EXPIRY:
        d->expiry = (lty_expiry_kind)v->w;
        d->expiry_days = (int)v->i;
        break;
    case PK_LOCK: d->lock_days = (int)v->i; break;
    case PK_EXPIRY_NOTICE: d->expiry_notice_days = (int)v->i; break;
    case PK_STAFF_TEMPLATE: d->staff_template = v->s; break;
    case PK_PROMOTION_TEMPLATE: d->promotion_template = v->s; break;
    case PK_NOTICE_TEMPLATE: d->notice_template = v->s; break;
    default: break;
    }
}

static void set_step(lty_ladder_step *s, int key, const value *v)
{
    if (key == SK_VISITS)
        s->visits = v->i;
    else if (key == SK_TITLE)
        s->title = v->s;
}

static void set_rule(lty_earn_rule *r, int key, const value *v)
{
    switch (key) {
    case EK_PER: r->kind = (lty_earn_kind)v->w; break;
    case EK_PER_AMOUNT: r->per_amount = v->i; break;
    case EK_EARN: r->earn = v->i; break;
    case EK_ITEM: r->item = v->s; break;
    default: break;
    }
}

static void set_tier(lty_tier *t, int key, const value *v)
{
    switch (key) {
    case TK_NAME: t->name = v->s; break;
    case TK_THRESHOLD: t->threshold = v->i; break;
    case TK_MULTIPLIER: t->multiplier_pct = (int)v->i; break;
    case TK_REWARD_EVERY: t->reward_every = v->i; break;
    case TK_REWARD: t->reward_name = v->s; break;
    case TK_REWARD_KIND: t->reward_kind = (lty_reward_kind)v->w; break;
    case TK_REWARD_VALUE: t->reward_value = v->i; break;
    case TK_REWARD_VALID_DAYS: t->reward_valid_days = (int)v->i; break;
    default: break;
    }
}

static void set_prize(lty_prize *z, int key, const value *v)
{
    switch (key) {
    case ZK_NAME: z->name = v->s; break;
    case ZK_KIND: z->kind = (lty_reward_kind)v->w; break;
    case ZK_VALUE: z->value = v->i; break;
    case ZK_ODDS: z->odds_ppm = v->i; break;
    case ZK_DAILY_CAP: z->daily_cap = v->i; break;
    case ZK_VALID_DAYS: z->valid_days = (int)v->i; break;
    default: break;
    }
}

static void store_value(parser *P, int key, const value *v)
{
    prog *p = &P->progs[P->nprogs - 1];
    switch (P->sec) {
    case SEC_PROGRAM: set_program(&p->def, key, v); break;
    case SEC_STEP: set_step(&p->steps[P->item], key, v); break;
    case SEC_EARN: set_rule(&p->rules[P->item], key, v); break;
    case SEC_TIER: set_tier(&p->tiers[P->item], key, v); break;
    case SEC_PRIZE: set_prize(&p->prizes[P->item], key, v); break;
    default: break;
    }
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */
/* ------------------------------------------------------------------ */

/* The section the parser is in ends: every required key must be there. */
static int close_section(parser *P)
{
    if (P->sec == SEC_NONE)
        return LTY_OK;
    const keydef *keys = sec_keys[P->sec];
    for (int k = 0; keys[k].name; k++) {
        if (!keys[k].required || P->keyline[k])
            continue;
        if (P->sec == SEC_PROGRAM) {
            const char *id = P->progs[P->nprogs - 1].def.id;
            if (showable(id, strlen(id)))
                return perr(P, "%s:%u: missing key '%s' in [program %s]",
                            P->origin, P->secline, keys[k].name, id);
        }
        return perr(P, "%s:%u: missing key '%s' in [%s]", P->origin,
                    P->secline, keys[k].name, sec_names[P->sec]);
    }
    return LTY_OK;
}

/* Open a new section: s[0..n) is the trimmed line, '[' ... ']'. */
static int section_line(parser *P, char *s, size_t n)
{
    int rc = close_section(P);
    if (rc)
        return rc;
    if (n < 2 || s[n - 1] != ']')
        return perr(P, "%s:%u: bad section header (expected '[name]')",
                    P->origin, P->line);
    const char *in = s + 1;
    size_t inn = n - 2;
    trim(&in, &inn);
    size_t wn, restn;
    const char *rest;
    split_word(in, inn, &wn, &rest, &restn);
    if (wn == 0)
        return perr(P, "%s:%u: bad section header (no section name)",
                    P->origin, P->line);
    sec_kind sec = SEC_NONE;
    for (int k = SEC_PROGRAM; k <= SEC_PRIZE; k++)
        if (strlen(sec_names[k]) == wn && memcmp(sec_names[k], in, wn) == 0)
            sec = (sec_kind)k;
    if (sec == SEC_NONE) {
        if (showable(in, wn))
            return perr(P, "%s:%u: unknown section [%.*s]", P->origin,
                        P->line, (int)wn, in);
        return perr(P, "%s:%u: unknown section", P->origin, P->line);
    }

    memset(P->keyline, 0, sizeof P->keyline);
    P->secline = P->line;

    if (sec == SEC_PROGRAM) {
        if (restn == 0)
            return perr(P, "%s:%u: bad section header ([program] needs an "
                        "id: [program ID])", P->origin, P->line);
        /* The id is cut out of the copy in place: rest[restn] is ']' or a
         * blank before it. */
        char *id = s + (rest - s);
        id[restn] = '\0';
        const prog *dup = id_find(P, id);
        if (dup) {
            if (showable(id, restn))
                return perr(P, "%s:%u: program %s: given twice (first at "
                            "line %u)", P->origin, P->line, id, dup->line);
            return perr(P, "%s:%u: program given twice (first at line %u)",
                        P->origin, P->line, dup->line);
        }
        if ((rc = grow(P, (void **)&P->progs, &P->capprogs, P->nprogs,
                       sizeof(prog))))
            return rc;
        prog *p = &P->progs[P->nprogs];
        static const lty_program_def init = LTY_PROGRAM_DEF_INIT;
        memset(p, 0, sizeof *p);
        p->def = init;
        p->def.id = id;
        p->line = P->line;
        P->nprogs++;
        P->sec = SEC_PROGRAM;
        return id_add(P, P->nprogs - 1);
    }

    if (restn != 0)
        return perr(P, "%s:%u: bad section header ([%s] takes no id)",
                    P->origin, P->line, sec_names[sec]);
    if (P->nprogs == 0)
        return perr(P, "%s:%u: [%s] before any [program]", P->origin,
                    P->line, sec_names[sec]);
    prog *p = &P->progs[P->nprogs - 1];
    switch (sec) {
    case SEC_STEP:
        if ((rc = grow(P, (void **)&p->steps, &p->capsteps, p->nsteps,
                       sizeof *p->steps)))
            return rc;
        memset(&p->steps[p->nsteps], 0, sizeof *p->steps);
        P->item = p->nsteps++;
        break;
    case SEC_EARN:
        if ((rc = grow(P, (void **)&p->rules, &p->caprules, p->nrules,
                       sizeof *p->rules)))
            return rc;
        memset(&p->rules[p->nrules], 0, sizeof *p->rules);
        P->item = p->nrules++;
        break;
    case SEC_TIER:
        if ((rc = grow(P, (void **)&p->tiers, &p->captiers, p->ntiers,
                       sizeof *p->tiers)))
            return rc;
        memset(&p->tiers[p->ntiers], 0, sizeof *p->tiers);
        P->item = p->ntiers++;
        break;
    default:
        if ((rc = grow(P, (void **)&p->prizes, &p->capprizes, p->nprizes,
                       sizeof *p->prizes)))
            return rc;
        memset(&p->prizes[p->nprizes], 0, sizeof *p->prizes);
        P->item = p->nprizes++;
        break;
    }
    P->sec = sec;
    return LTY_OK;
}

/* A "key = value" line: s[0..n) is the trimmed line. */
static int key_line(parser *P, char *s, size_t n)
{
    char *eq = memchr(s, '=', n);
    if (!eq)
        return perr(P, "%s:%u: expected 'key = value' or a [section]",
                    P->origin, P->line);
    const char *key = s;
    size_t keyn = (size_t)(eq - s);
    trim(&key, &keyn);
    const char *val = eq + 1;
    size_t valn = (size_t)(s + n - val);
    trim(&val, &valn);
    if (keyn == 0)
        return perr(P, "%s:%u: no key before '='", P->origin, P->line);
    if (P->sec == SEC_NONE) {
        if (showable(key, keyn))
            return perr(P, "%s:%u: key '%.*s' before any [program]",
                        P->origin, P->line, (int)keyn, key);
        return perr(P, "%s:%u: key before any [program]", P->origin,
                    P->line);
    }
    const keydef *keys = sec_keys[P->sec];
    int k = 0;
    while (keys[k].name &&
           (strlen(keys[k].name) != keyn || memcmp(keys[k].name, key, keyn)))
        k++;
    if (!keys[k].name) {
        if (showable(key, keyn))
            return perr(P, "%s:%u: unknown key '%.*s' in [%s]", P->origin,
                        P->line, (int)keyn, key, sec_names[P->sec]);
        return perr(P, "%s:%u: unknown key in [%s]", P->origin, P->line,
                    sec_names[P->sec]);
    }
    if (P->keyline[k])
        return perr(P, "%s:%u: key '%s' given twice in [%s] (first at line "
                    "%u)", P->origin, P->line, keys[k].name,
                    sec_names[P->sec], P->keyline[k]);
    P->keyline[k] = P->line;
    value v;
    /* val lies inside the parser's copy, so it may be cut in place. */
    int rc = read_value(P, &keys[k], s + (val - s), valn, &v);
    if (rc)
        return rc;
    store_value(P, k, &v);
    return LTY_OK;
}

static int parse_line(parser *P, char *s, size_t n)
{
    if (n > LINE_BYTES_MAX)
        return perr(P, "%s:%u: line longer than %d bytes", P->origin, P->line,
                    LINE_BYTES_MAX);
    if (memchr(s, '\0', n))
        return perr(P, "%s:%u: NUL byte", P->origin, P->line);
    if (!lty__utf8_valid(s, n))
        return perr(P, "%s:%u: not valid UTF-8", P->origin, P->line);
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    if (tn == 0 || t[0] == '#' || t[0] == ';')
        return LTY_OK;
    char *ts = s + (t - s);
    if (ts[0] == '[')
        return section_line(P, ts, tn);
    return key_line(P, ts, tn);
}

/* Parse P->buf[0..P->len) into P->progs. */
static int parse(parser *P)
{
    char *p = P->buf, *end = P->buf + P->len;
    if (P->len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a byte-order mark, as some editors write */
    P->line = 0;
    while (p < end) {
        P->line++;
        char *eol = memchr(p, '\n', (size_t)(end - p));
        char *next = eol ? eol + 1 : end;
        if (!eol)
            eol = end;
        if (eol > p && eol[-1] == '\r')
            eol--;
        int rc = parse_line(P, p, (size_t)(eol - p));
        if (rc)
            return rc;
        p = next;
    }
    int rc = close_section(P);
    if (rc)
        return rc;
    if (P->nprogs == 0)
        return lty__err(P->e, LTY_EINVALID, "%s: no [program] section",
                        P->origin);
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Defining                                                            */
/* ------------------------------------------------------------------ */

static int define(parser *P)
{
    size_t n = P->nprogs;
    if (n > SIZE_MAX / sizeof(lty_program_def))
        return nomem(P);
    lty_program_def *defs = lty__malloc(P->a, n * sizeof *defs);
    if (!defs)
        return nomem(P);
    for (size_t i = 0; i < n; i++) {
        prog *p = &P->progs[i];
        defs[i] = p->def;
        if (p->nsteps) {
            defs[i].steps = p->steps;
            defs[i].step_count = p->nsteps;
        }
        if (p->nrules) {
            defs[i].rules = p->rules;
            defs[i].rule_count = p->nrules;
        }
        if (p->ntiers) {
            defs[i].tiers = p->tiers;
            defs[i].tier_count = p->ntiers;
        }
        if (p->nprizes) {
            defs[i].prizes = p->prizes;
            defs[i].prize_count = p->nprizes;
        }
    }
    size_t failed = n;
    int rc = lty__program_define_all(P->e, defs, n, &failed);
    lty__free(P->a, defs);
    if (rc == LTY_OK)
        return LTY_OK;

    char msg[LTY__ERRMSG_MAX];
    snprintf(msg, sizeof msg, "%s",
             P->e->err[0] ? P->e->err : lty_strerror(rc));
    if (failed < n) {
        const prog *p = &P->progs[failed];
        const char *id = p->def.id;
        if (showable(id, strlen(id)))
            return lty__err(P->e, rc, "%s:%u: program %s: %s", P->origin,
                            p->line, id, msg);
        return lty__err(P->e, rc, "%s:%u: program: %s", P->origin, p->line,
                        msg);
    }
    return lty__err(P->e, rc, "%s: %s", P->origin, msg);
}

/* Parse and define the text in buf[0..len) (buf[len] is writable), which
 * the parser owns from here on. */
static int load(lty_engine *e, const char *origin, char *buf, size_t len)
{
    parser P;
    memset(&P, 0, sizeof P);
    P.e = e;
    P.a = &e->alloc;
    P.buf = buf;
    P.len = len;
    buf[len] = '\0';
    set_origin(&P, origin);

    int rc = parse(&P);
    if (rc == LTY_OK)
        rc = define(&P);

    for (size_t i = 0; i < P.nprogs; i++) {
        lty__free(P.a, P.progs[i].steps);
        lty__free(P.a, P.progs[i].rules);
        lty__free(P.a, P.progs[i].tiers);
        lty__free(P.a, P.progs[i].prizes);
    }
    lty__free(P.a, P.progs);
    lty__free(P.a, P.slots);
    lty__free(P.a, P.buf);
    return rc;
}

static int too_long(lty_engine *e, const char *origin)
{
    parser P;
    set_origin(&P, origin);
    return lty__err(e, LTY_EPARSE, "%s: longer than %zu bytes (1 MiB)",
                    P.origin, TEXT_MAX);
}

int lty_program_load_text(lty_engine *e, const char *text, size_t len,
                          const char *origin)
{
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!text)
        return lty__err(e, LTY_EINVALID, "program text: NULL");
    if (len > TEXT_MAX)
        return too_long(e, origin);
    char *buf = lty__malloc(&e->alloc, len + 1);
    if (!buf)
        return lty__err(e, LTY_ENOMEM, "program text: out of memory");
    if (len)
        memcpy(buf, text, len);
    return load(e, origin, buf, len);
}

static int file_err(lty_engine *e, const char *path, const char *what,
                    int err)
{
    parser P;
    char why[128];
    set_origin(&P, path);
    if (strerror_r(err, why, sizeof why) != 0)
        snprintf(why, sizeof why, "error %d", err);
    return lty__err(e, LTY_ESTORAGE, "%s: cannot %s: %s", P.origin, what,
                    why);
}

int lty_program_load_file(lty_engine *e, const char *path)
{
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!path)
        return lty__err(e, LTY_EINVALID, "program file: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f)
        return file_err(e, path, "open", errno);

    /* Read at most TEXT_MAX + 1 bytes: one more tells the file is too
     * long without reading all of it. */
    size_t cap = 16384, len = 0;
    char *buf = lty__malloc(&e->alloc, cap);
    if (!buf) {
        fclose(f);
        return lty__err(e, LTY_ENOMEM, "program file: out of memory");
    }
    for (;;) {
        if (len == cap - 1) {
            if (cap > TEXT_MAX + 1) {
                lty__free(&e->alloc, buf);
                fclose(f);
                return too_long(e, path);
            }
            size_t ncap = cap * 2 > TEXT_MAX + 2 ? TEXT_MAX + 2 : cap * 2;
            char *nb = lty__realloc(&e->alloc, buf, ncap);
            if (!nb) {
                lty__free(&e->alloc, buf);
                fclose(f);
                return lty__err(e, LTY_ENOMEM, "program file: out of memory");
            }
            buf = nb;
            cap = ncap;
        }
        /* Keep one byte for the NUL the parser adds. */
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                int err = errno;
                lty__free(&e->alloc, buf);
                fclose(f);
                return file_err(e, path, "read", err);
            }
            break;
        }
    }
    fclose(f);
    if (len > TEXT_MAX) {
        lty__free(&e->alloc, buf);
        return too_long(e, path);
    }
    return load(e, path, buf, len);
}
