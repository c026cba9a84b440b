/*
 * libloyalty - the messaging policy: checking it, storing it in
 * "M\0messaging", and the engine's cache of it.
 *
 * The policy is one record, so one read tells an engine whether its cached
 * copy is current: the cache is keyed by the record's revision, which
 * changes with every lty_messaging_configure() that changes something.
 * Reading the policy never touches the engine's scratch buffers (e->rbuf,
 * e->wbuf), so the outbox may ask for it while it holds a record there.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <string.h>

#include "codec_int.h"
#include "keys_int.h"
#include "contact_state.h"
#include "messaging_int.h"
#include "validate_int.h"

#define POLICY "messaging"
#define LTY__MESSAGING_REC_VERSION 1

/* Record tags (docs/guide/record-format.md, "Messaging"). */
enum {
    M_QUIET_START = 1,
    M_QUIET_END = 2,
    M_CAP_MESSAGES = 3,
    M_CAP_WINDOW = 4,
    M_SOFT_BOUNCE = 5,
    M_UNOPENED = 6,
    M_MAX_ATTEMPTS = 7,
    M_RETRY_BASE = 8,
    M_CLAIM = 9,
    M_AD_LABEL = 10,
    M_SENDER_NAME = 11,
    M_SENDER_CONTACT = 12,
    M_OPT_OUT = 13,
    M_STRICT = 14,
    M_MAX_LENGTH = 15 /* repeated: channels 1..5 in order */
};

#define NCHANNELS 6 /* max_length[] entries, index 0 unused */
#define MAX_LENGTH_LIMIT 100000

struct lty__messaging_cache {
    uint64_t rev;        /* revision of the cached record, 0 = none */
    lty__messaging m;    /* the decoded policy */
    lty_buf buf;         /* reads of the policy record */
};

/* The defaults: LTY_MESSAGING_OPTIONS_INIT (a test checks they agree). */
static const lty__messaging defaults = {
    21 * 60, 8 * 60, 4, 7, 5, 10, 5, 60, 300, "", "", "", "", 0,
    {0, 2000, 100000, 1000, 1000, 2000}};

/* ------------------------------------------------------------------ */
/* The rules                                                           */
/* ------------------------------------------------------------------ */

/* The numeric fields and their ranges.  cap_window_days may be 0 only
 * when there is no cap (checked separately). */
static const struct int_field {
    const char *name;
    unsigned tag;
    size_t off;
    int min, max;
} int_fields[] = {
    {"quiet_start", M_QUIET_START, offsetof(lty__messaging, quiet_start), 0, 1439},
    {"quiet_end", M_QUIET_END, offsetof(lty__messaging, quiet_end), 0, 1439},
    /* the contact state remembers the last LTY__SENDS_MAX marketing sends */
    {"cap_messages", M_CAP_MESSAGES, offsetof(lty__messaging, cap_messages), 0, LTY__SENDS_MAX},
    {"cap_window_days", M_CAP_WINDOW, offsetof(lty__messaging, cap_window_days), 0, 366},
    {"soft_bounce_limit", M_SOFT_BOUNCE, offsetof(lty__messaging, soft_bounce_limit), 1, 1000},
    {"unopened_limit", M_UNOPENED, offsetof(lty__messaging, unopened_limit), 0, 1000},
    {"max_attempts", M_MAX_ATTEMPTS, offsetof(lty__messaging, max_attempts), 1, 100},
    {"retry_base_seconds", M_RETRY_BASE, offsetof(lty__messaging, retry_base_seconds), 1, 86400},
    {"claim_seconds", M_CLAIM, offsetof(lty__messaging, claim_seconds), 10, 86400},
    {"strict_consent", M_STRICT, offsetof(lty__messaging, strict_consent), 0, 1},
};
#define N_INT_FIELDS (sizeof int_fields / sizeof int_fields[0])

/* The string fields and their limits. */
static const struct str_field {
    const char *name;
    unsigned tag;
    size_t off;
    size_t max;
} str_fields[] = {
    {"ad_label", M_AD_LABEL, offsetof(lty__messaging, ad_label), LTY__LABEL_MAX},
    {"sender_name", M_SENDER_NAME, offsetof(lty__messaging, sender_name), LTY__LABEL_MAX},
    {"sender_contact", M_SENDER_CONTACT, offsetof(lty__messaging, sender_contact), LTY__LABEL_MAX},
    {"opt_out_line", M_OPT_OUT, offsetof(lty__messaging, opt_out_line), LTY__OPT_OUT_MAX},
};
#define N_STR_FIELDS (sizeof str_fields / sizeof str_fields[0])

static int *int_at(lty__messaging *m, size_t off)
{
    return (int *)((char *)m + off);
}

static int int_of(const lty__messaging *m, size_t off)
{
    return *(const int *)((const char *)m + off);
}

static char *str_at(lty__messaging *m, size_t off)
{
    return (char *)m + off;
}

static const char *str_of(const lty__messaging *m, size_t off)
{
    return (const char *)m + off;
}

/*
 * The Korean form of the advertising label (REFERENCES.md): a message must
 * begin with exactly "(광고)"; "[광고]", "(광 고)", "광고" and the like are
 * not allowed.  So a label whose letters, with every space taken out, hold
 * 광고 (precomposed, or as conjoining jamo) must be exactly "(광고)".
 * Labels of other languages ("[AD]", "Advertisement") are the host's
 * business.
 */
static const char KO_LABEL[] = "(\xea\xb4\x91\xea\xb3\xa0)"; /* (광고) */
static const char KO_AD[] = "\xea\xb4\x91\xea\xb3\xa0";      /* 광고 */
/* 광고 decomposed: U+1100 U+116A U+11BC U+1100 U+1169 */
static const char KO_AD_NFD[] =
    "\xe1\x84\x80\xe1\x85\xaa\xe1\x86\xbc\xe1\x84\x80\xe1\x85\xa9";

/* Length of a space at s[i..n): ASCII blank, NBSP, U+2000..U+200B,
 * U+3000 (ideographic), U+FEFF; 0 when s[i] starts no space. */
static size_t space_len(const unsigned char *s, size_t i, size_t n)
{
    if (s[i] == ' ' || s[i] == '\t')
        return 1;
    if (n - i >= 2 && s[i] == 0xC2 && s[i + 1] == 0xA0)
        return 2;
    if (n - i >= 3) {
        if (s[i] == 0xE2 && s[i + 1] == 0x80 && s[i + 2] >= 0x80 &&
            s[i + 2] <= 0x8B)
            return 3;
        if (s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)
            return 3;
        if (s[i] == 0xEF && s[i + 1] == 0xBB && s[i + 2] == 0xBF)
            return 3;
    }
    return 0;
}

static int contains(const char *h, size_t hn, const char *needle)
{
    size_t nn = strlen(needle);
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(h + i, needle, nn) == 0)
            return 1;
    return 0;
}

/* 1 when the label is acceptable under the Korean rule. */
static int ad_label_form_ok(const char *label)
{
    const unsigned char *s = (const unsigned char *)label;
    size_t n = strlen(label), k = 0;
    char squeezed[LTY__LABEL_MAX + 1];
    if (n > LTY__LABEL_MAX)
        return 0;
    for (size_t i = 0; i < n;) {
        size_t sl = space_len(s, i, n);
        if (sl) {
            i += sl;
            continue;
        }
        squeezed[k++] = (char)s[i++];
    }
    if (!contains(squeezed, k, KO_AD) && !contains(squeezed, k, KO_AD_NFD))
        return 1;
    return strcmp(label, KO_LABEL) == 0;
}

/* The rules lty_messaging_configure() enforces, for an already-copied
 * policy.  Returns LTY_OK, or LTY_EINVALID with the message when e is
 * given (e is NULL when checking a decoded record). */
static int check_policy(lty_engine *e, const lty__messaging *m)
{
    for (size_t i = 0; i < N_INT_FIELDS; i++) {
        const struct int_field *f = &int_fields[i];
        int v = int_of(m, f->off);
        int min = f->min;
        if (f->tag == M_CAP_WINDOW && m->cap_messages > 0)
            min = 1;
        if (v < min || v > f->max)
            return e ? lty__err(e, LTY_EINVALID, "%s: outside %d..%d%s",
                                f->name, min, f->max,
                                f->tag == M_CAP_WINDOW && min == 1
                                    ? " when cap_messages is set"
                                    : "")
                     : LTY_EINVALID;
    }
    for (int c = 0; c < NCHANNELS; c++)
        if (m->max_length[c] < 0 || m->max_length[c] > MAX_LENGTH_LIMIT)
            return e ? lty__err(e, LTY_EINVALID, "max_length[%d]: outside 0..%d",
                                c, MAX_LENGTH_LIMIT)
                     : LTY_EINVALID;
    if (!ad_label_form_ok(m->ad_label))
        return e ? lty__err(e, LTY_EINVALID,
                            "ad_label: a Korean advertising label must be "
                            "exactly \"%s\" (no other brackets or spacing)",
                            KO_LABEL)
                 : LTY_EINVALID;
    return LTY_OK;
}

/* Copy and check the caller's options. */
static int from_options(lty_engine *e, const lty_messaging_options *o,
                        lty__messaging *m)
{
    int rc;
    memset(m, 0, sizeof *m);
    m->quiet_start = o->quiet_start;
    m->quiet_end = o->quiet_end;
    m->cap_messages = o->cap_messages;
    m->cap_window_days = o->cap_window_days;
    m->soft_bounce_limit = o->soft_bounce_limit;
    m->unopened_limit = o->unopened_limit;
    m->max_attempts = o->max_attempts;
    m->retry_base_seconds = o->retry_base_seconds;
    m->claim_seconds = o->claim_seconds;
    m->strict_consent = o->strict_consent;
    for (int c = 0; c < NCHANNELS; c++)
        m->max_length[c] = o->max_length[c];
    const char *in[N_STR_FIELDS] = {o->ad_label, o->sender_name,
                                    o->sender_contact, o->opt_out_line};
    for (size_t i = 0; i < N_STR_FIELDS; i++) {
        const struct str_field *f = &str_fields[i];
        size_t n;
        if ((rc = lty__check_text(e, f->name, in[i], 0, f->max, LTY__TEXT_LINE,
                                  &n)))
            return rc;
        if (n)
            memcpy(str_at(m, f->off), in[i], n);
        str_at(m, f->off)[n] = '\0';
    }
    if ((rc = check_policy(e, m)))
        return rc;
    m->max_length[0] = 0; /* LTY_CHANNEL_NONE: unused */
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The record                                                          */
/* ------------------------------------------------------------------ */

static int encode_policy(const lty__messaging *m, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_MESSAGING, LTY__MESSAGING_REC_VERSION);
    /* Tags in ascending order: the two tables interleave. */
    for (unsigned tag = 1; tag <= M_MAX_LENGTH; tag++) {
        for (size_t i = 0; i < N_INT_FIELDS; i++)
            if (int_fields[i].tag == tag)
                lty__enc_i64(&w, tag, int_of(m, int_fields[i].off));
        for (size_t i = 0; i < N_STR_FIELDS; i++)
            if (str_fields[i].tag == tag && str_of(m, str_fields[i].off)[0])
                lty__enc_str(&w, tag, str_of(m, str_fields[i].off));
    }
    for (int c = 1; c < NCHANNELS; c++)
        lty__enc_i64(&w, M_MAX_LENGTH, m->max_length[c]);
    return lty__enc_end(&w);
}

static int decode_policy(const void *data, size_t len, lty__messaging *m)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    int nlen = 0, r;
    int64_t v;
    memset(m, 0, sizeof *m);
    if ((r = lty__dec_begin(&d, data, len, LTY__REC_MESSAGING,
                            LTY__MESSAGING_REC_VERSION, NULL)))
        return r;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag == M_MAX_LENGTH) {
            if (nlen == NCHANNELS - 1 ||
                lty__field_int(&f, 0, MAX_LENGTH_LIMIT, &v))
                return LTY_ECORRUPT;
            m->max_length[++nlen] = (int)v;
            continue;
        }
        if (f.tag > M_MAX_LENGTH)
            continue; /* a field of a later minor version */
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        int known = 0;
        for (size_t i = 0; i < N_INT_FIELDS && !known; i++) {
            if (int_fields[i].tag != f.tag)
                continue;
            /* the minimum is check_policy()'s (it depends on the cap) */
            if (lty__field_int(&f, 0, int_fields[i].max, &v))
                return LTY_ECORRUPT;
            *int_at(m, int_fields[i].off) = (int)v;
            known = 1;
        }
        for (size_t i = 0; i < N_STR_FIELDS && !known; i++) {
            const char *s;
            size_t n;
            if (str_fields[i].tag != f.tag)
                continue;
            if (lty__field_text(&f, 1, str_fields[i].max, LTY__TEXT_LINE, &s, &n))
                return LTY_ECORRUPT;
            memcpy(str_at(m, str_fields[i].off), s, n);
            str_at(m, str_fields[i].off)[n] = '\0';
            known = 1;
        }
        if (!known)
            return LTY_ECORRUPT;
    }
    if (r < 0 || nlen != NCHANNELS - 1)
        return LTY_ECORRUPT;
    for (size_t i = 0; i < N_INT_FIELDS; i++)
        if (!(seen & (UINT64_C(1) << int_fields[i].tag)))
            return LTY_ECORRUPT; /* every number is always written */
    return check_policy(NULL, m) ? LTY_ECORRUPT : LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The cache                                                           */
/* ------------------------------------------------------------------ */

void lty__messaging_release(lty_engine *e)
{
    if (!e->messaging)
        return;
    lty__buf_release(&e->messaging->buf);
    lty__free(&e->alloc, e->messaging);
    e->messaging = NULL;
}

int lty__messaging_current(lty_engine *e, const lty__messaging **out)
{
    lty__key k;
    uint64_t rev = 0;
    if (!e->messaging) {
        e->messaging = lty__zalloc(&e->alloc, sizeof *e->messaging);
        if (!e->messaging)
            return lty__err(e, LTY_ENOMEM, "messaging: out of memory");
        lty__buf_init(&e->messaging->buf, &e->alloc);
    }
    struct lty__messaging_cache *c = e->messaging;
    lty__key_meta(&k, POLICY);
    int rc = lty__get(e, k.b, k.n, &c->buf, &rev);
    if (rc == LTY_ENOTFOUND) {
        *out = &defaults;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if (c->rev == rev) {
        *out = &c->m;
        return LTY_OK;
    }
    lty__messaging m;
    if ((rc = decode_policy(c->buf.data, c->buf.len, &m)))
        return lty__corrupt(e, rc, "messaging policy");
    c->m = m;
    c->rev = rev;
    *out = &c->m;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Configuring                                                         */
/* ------------------------------------------------------------------ */

static int configure_body(lty_engine *e, void *arg)
{
    const lty__messaging *m = arg;
    lty__key k;
    uint64_t rev = LTY_REV_NONE;
    int rc;
    lty__key_meta(&k, POLICY);
    if ((rc = encode_policy(m, &e->wbuf)))
        return lty__err(e, rc, "messaging policy: cannot encode");
    rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        rev = LTY_REV_NONE;
    else if (rc)
        return rc;
    else if (e->rbuf.len == e->wbuf.len &&
             memcmp(e->rbuf.data, e->wbuf.data, e->wbuf.len) == 0)
        return LTY_OK; /* the same policy: nothing to write */
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

int lty_messaging_configure(lty_engine *e, const lty_messaging_options *opts)
{
    lty__messaging m;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!opts)
        return lty__err(e, LTY_EINVALID, "messaging options: NULL");
    if ((rc = lty__check_version(e, "messaging options", opts->version,
                                 LTY_MESSAGING_OPTIONS_VERSION)))
        return rc;
    if ((rc = from_options(e, opts, &m)))
        return rc;
    return lty__txn(e, configure_body, &m);
}
