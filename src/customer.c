/*
 * libloyalty - customer profiles: create, read, update, look up, erase.
 *
 * Every mutating call validates all of its arguments first (so a refused
 * call never reaches the store), then runs one transaction through
 * lty__txn().  A transaction body may run several times after a conflict,
 * so bodies keep their results in the transaction and reset what they
 * compute at the start of each run.
 *
 * Records touched here (layout in keys_int.h, encoding in customer_int.h):
 *
 *   C\0<id>\0P          the profile
 *   I\0phone\0<E.164>   phone   -> customer id (the raw id bytes)
 *   I\0email\0<addr>    e-mail  -> customer id
 *   M\0anon             the counter behind the anonymous ids of erasure
 *
 * Error messages name fields, never values: ids, phones and names are
 * personal data and must not leak into logs through lty_engine_last_error().
 *
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "codec_int.h"
#include "contact_int.h"
#include "customer_int.h"
#include "engine_int.h"
#include "keys_int.h"
#include "ledger_int.h"
#include "rekey_int.h"
#include "validate_int.h"

#define FIELD_BITS_ALL                                                     \
    (LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL | LTY_FIELD_BIRTHDAY | \
     LTY_FIELD_PREFERRED_CHANNEL)

/* How many occupied anonymous ids erasure skips before giving up.  Only a
 * host that created customers named "anon-<n>" can make any number
 * occupied, so the bound is never reached in practice. */
#define ANON_TRIES_MAX 1000

/* The look-up indexes. */
#define INDEX_PHONE "phone"
#define INDEX_EMAIL "email"

static lty__str mkstr(const char *p, size_t n)
{
    lty__str s;
    s.p = n ? p : NULL;
    s.n = n;
    return s;
}

static int str_eq(lty__str a, lty__str b)
{
    return lty__str_cmp(a, b) == 0;
}

/* ------------------------------------------------------------------ */
/* Argument checks (before any storage call)                           */
/* ------------------------------------------------------------------ */

/* The normalised phone of an input; n == 0 when the input is NULL or "",
 * which clears the field. */
static int check_phone(lty_engine *e, const char *s, char out[LTY__E164_SIZE],
                       size_t *outlen)
{
    const char *why = NULL;
    out[0] = '\0';
    *outlen = 0;
    if (!s || !*s)
        return LTY_OK;
    size_t n = lty__bounded_len(s, LTY_PHONE_MAX);
    int rc = lty__phone_normalize(s, n, e->country_code, out, outlen, &why);
    if (rc)
        return lty__err(e, rc, "phone: %s", why);
    return LTY_OK;
}

static int check_email(lty_engine *e, const char *s, char out[LTY__EMAIL_SIZE],
                       size_t *outlen)
{
    const char *why = NULL;
    out[0] = '\0';
    *outlen = 0;
    if (!s || !*s)
        return LTY_OK;
    size_t n = lty__bounded_len(s, LTY_EMAIL_MAX);
    int rc = lty__email_normalize(s, n, out, outlen, &why);
    if (rc)
        return lty__err(e, rc, "email: %s", why);
    return LTY_OK;
}

static int check_channel(lty_engine *e, const char *field, lty_channel ch,
                         int allow_none)
{
    int c = (int)ch;
    if (c < (allow_none ? LTY_CHANNEL_NONE : LTY_CHANNEL_SMS) ||
        c > LTY_CHANNEL_PUSH)
        return lty__err(e, LTY_EINVALID, "%s: unknown channel", field);
    return LTY_OK;
}

static int check_consent_purpose(lty_engine *e, lty_purpose purpose)
{
    if (purpose == LTY_PURPOSE_TRANSACTIONAL)
        return lty__err(e, LTY_EINVALID,
                        "consent purpose: transactional messages need no "
                        "consent");
    if (purpose != LTY_PURPOSE_MARKETING &&
        purpose != LTY_PURPOSE_NIGHT_MARKETING)
        return lty__err(e, LTY_EINVALID, "consent purpose: unknown purpose");
    return LTY_OK;
}

/* A customer id argument. */
static int check_customer_id(lty_engine *e, const char *id, size_t *n)
{
    return lty__check_id(e, "customer id", id, n);
}

/* The checked, normalised content of an lty_customer_fields. */
typedef struct fields_in {
    const char *id;
    size_t idlen;
    unsigned set;
    lty__str name;
    char phone[LTY__E164_SIZE];
    size_t phonelen;
    char email[LTY__EMAIL_SIZE];
    size_t emaillen;
    lty_date birthday;          /* month 0: clear */
    int channel;
} fields_in;

static int check_birthday(lty_engine *e, const lty_date *d, lty_date *out)
{
    memset(out, 0, sizeof *out);
    if (d->month == 0)
        return LTY_OK; /* month 0 clears, as customer.h says */
    int rc = lty__check_date(e, "birthday", d, 1);
    if (rc)
        return rc;
    *out = *d;
    return LTY_OK;
}

static int check_fields(lty_engine *e, const lty_customer_fields *f,
                        fields_in *in)
{
    int rc;
    size_t n;
    memset(in, 0, sizeof *in);
    if (!f)
        return lty__err(e, LTY_EINVALID, "customer fields: NULL");
    rc = lty__check_version(e, "customer fields", f->version,
                            LTY_CUSTOMER_FIELDS_VERSION);
    if (rc)
        return rc;
    if ((rc = check_customer_id(e, f->id, &in->idlen)))
        return rc;
    in->id = f->id;
    if (f->set & ~(unsigned)FIELD_BITS_ALL)
        return lty__err(e, LTY_EINVALID, "customer fields: unknown bits in set");
    in->set = f->set;
    if (f->set & LTY_FIELD_NAME) {
        rc = lty__check_text(e, "name", f->name, 0, LTY_NAME_MAX,
                             LTY__TEXT_LINE, &n);
        if (rc)
            return rc;
        in->name = mkstr(f->name, n);
    }
    if ((f->set & LTY_FIELD_PHONE) &&
        (rc = check_phone(e, f->phone, in->phone, &in->phonelen)))
        return rc;
    if ((f->set & LTY_FIELD_EMAIL) &&
        (rc = check_email(e, f->email, in->email, &in->emaillen)))
        return rc;
    if ((f->set & LTY_FIELD_BIRTHDAY) &&
        (rc = check_birthday(e, &f->birthday, &in->birthday)))
        return rc;
    if (f->set & LTY_FIELD_PREFERRED_CHANNEL) {
        rc = check_channel(e, "preferred channel", f->preferred_channel, 1);
        if (rc)
            return rc;
        in->channel = (int)f->preferred_channel;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Profile and index records                                           */
/* ------------------------------------------------------------------ */

/* Read and decode a profile into buf (which p then points into). */
static int load_profile(lty_engine *e, const char *id, size_t n, lty_buf *buf,
                        lty__profile *p, uint64_t *rev)
{
    lty__key k;
    lty__key_profile(&k, id, n);
    int rc = lty__get(e, k.b, k.n, buf, rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "customer id: no such customer");
    if (rc)
        return rc;
    rc = lty__profile_decode(buf->data, buf->len, p);
    if (rc)
        return lty__corrupt(e, rc, "customer profile");
    return LTY_OK;
}

/* Also the outbox's way to read a profile (customer_int.h). */
int lty__profile_load(lty_engine *e, const char *id, size_t n, lty_buf *buf,
                      lty__profile *p, uint64_t *rev)
{
    return load_profile(e, id, n, buf, p, rev);
}

static int save_profile(lty_engine *e, const char *id, size_t n,
                        const lty__profile *p, uint64_t rev)
{
    lty__key k;
    int rc = lty__profile_encode(p, &e->wbuf, &e->wbuf2);
    if (rc)
        return lty__err(e, rc, "customer profile: cannot encode");
    lty__key_profile(&k, id, n);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

/* 1 when a look-up entry's value (in e->rbuf) is this customer's id. */
static int index_is(const lty_engine *e, const char *id, size_t n)
{
    return e->rbuf.len == n && memcmp(e->rbuf.data, id, n) == 0;
}

/* Make index:val point at the customer; EEXISTS when it points at another.
 * field names the index in the message ("phone", "email"). */
static int index_claim(lty_engine *e, const char *index, lty__str val,
                       const char *id, size_t n)
{
    lty__key k;
    lty__key_index(&k, index, val.p, val.n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_OK) {
        if (index_is(e, id, n))
            return LTY_OK;
        return lty__err(e, LTY_EEXISTS,
                        "%s: already belongs to another customer", index);
    }
    if (rc != LTY_ENOTFOUND)
        return rc;
    return lty__put(e, k.b, k.n, id, n, LTY_REV_NONE, NULL);
}

/* Remove index:val if it points at the customer.  An entry that is missing
 * or points elsewhere is left alone: it is not this customer's to delete. */
static int index_release(lty_engine *e, const char *index, lty__str val,
                         const char *id, size_t n)
{
    lty__key k;
    uint64_t rev = 0;
    if (val.n == 0)
        return LTY_OK;
    lty__key_index(&k, index, val.p, val.n);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc)
        return rc;
    if (!index_is(e, id, n))
        return LTY_OK;
    return lty__del(e, k.b, k.n, rev);
}

/* Point the index at the new value instead of the old one. */
static int index_move(lty_engine *e, const char *index, lty__str from,
                      lty__str to, const char *id, size_t n)
{
    if (str_eq(from, to))
        return LTY_OK;
    int rc = index_release(e, index, from, id, n);
    if (rc == LTY_OK && to.n)
        rc = index_claim(e, index, to, id, n);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Snapshots                                                           */
/* ------------------------------------------------------------------ */

typedef struct snap_attr {
    const char *key;
    const char *value;
} snap_attr;

typedef struct snap_anniv {
    const char *label;
    lty_date date;
} snap_anniv;

/* One allocation: this struct followed by the NUL-terminated copies of
 * every string it points to.  The allocator is copied in because the
 * snapshot may outlive the engine. */
struct lty_customer {
    lty_allocator alloc;
    const char *id;
    const char *name;
    const char *phone;
    const char *email;
    lty_date birthday;
    lty_channel channel;
    int64_t created;
    size_t npref;
    snap_attr pref[LTY_ATTRS_MAX];
    size_t nnote;
    snap_attr note[LTY_ATTRS_MAX];
    size_t ntag;
    const char *tag[LTY_TAGS_MAX];
    size_t nanniv;
    snap_anniv anniv[LTY_ANNIVERSARIES_MAX];
    size_t nconsent;
    lty__consent consent[LTY__CONSENTS_MAX];
    lty__stats stats;
};

static size_t attrs_size(const lty__attr *a, size_t n)
{
    size_t sz = 0;
    for (size_t i = 0; i < n; i++)
        sz += a[i].key.n + 1 + a[i].value.n + 1;
    return sz;
}

static size_t profile_strings_size(size_t idlen, const lty__profile *p)
{
    size_t sz = idlen + 1 + p->name.n + 1 + p->phone.n + 1 + p->email.n + 1;
    sz += attrs_size(p->pref, p->npref) + attrs_size(p->note, p->nnote);
    for (size_t i = 0; i < p->ntag; i++)
        sz += p->tag[i].n + 1;
    for (size_t i = 0; i < p->nanniv; i++)
        sz += p->anniv[i].label.n + 1;
    return sz;
}

/* Copy s to the cursor as a C string and advance it. */
static const char *put_str(char **cur, lty__str s)
{
    char *start = *cur;
    if (s.n)
        memcpy(start, s.p, s.n);
    start[s.n] = '\0';
    *cur += s.n + 1;
    return start;
}

/* As put_str, but an absent field stays NULL. */
static const char *put_opt(char **cur, lty__str s)
{
    return s.n ? put_str(cur, s) : NULL;
}

static void put_attrs(char **cur, const lty__attr *a, size_t n, snap_attr *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].key = put_str(cur, a[i].key);
        out[i].value = put_str(cur, a[i].value);
    }
}

static int snapshot_new(lty_engine *e, const char *id, size_t idlen,
                        const lty__profile *p, const lty__stats *st,
                        lty_customer **out)
{
    size_t sz = sizeof(lty_customer) + profile_strings_size(idlen, p);
    lty_customer *c = lty__zalloc(&e->alloc, sz);
    if (!c)
        return lty__err(e, LTY_ENOMEM, "customer snapshot: out of memory");
    char *cur = (char *)(c + 1);
    c->alloc = e->alloc;
    c->id = put_str(&cur, mkstr(id, idlen));
    c->name = put_opt(&cur, p->name);
    c->phone = put_opt(&cur, p->phone);
    c->email = put_opt(&cur, p->email);
    c->birthday = p->birthday;
    c->channel = (lty_channel)p->preferred_channel;
    c->created = p->created;
    c->npref = p->npref;
    put_attrs(&cur, p->pref, p->npref, c->pref);
    c->nnote = p->nnote;
    put_attrs(&cur, p->note, p->nnote, c->note);
    c->ntag = p->ntag;
    for (size_t i = 0; i < p->ntag; i++)
        c->tag[i] = put_str(&cur, p->tag[i]);
    c->nanniv = p->nanniv;
    for (size_t i = 0; i < p->nanniv; i++) {
        c->anniv[i].label = put_str(&cur, p->anniv[i].label);
        c->anniv[i].date = p->anniv[i].date;
    }
    c->nconsent = p->nconsent;
    memcpy(c->consent, p->consent, sizeof c->consent);
    c->stats = *st;
    c->stats.last_item[sizeof c->stats.last_item - 1] = '\0';
    *out = c;
    return LTY_OK;
}

/* Read profile and aggregates of a customer into a new snapshot.  Plain
 * reads, outside any transaction. */
static int read_snapshot(lty_engine *e, const char *id, size_t n,
                         lty_customer **out)
{
    lty_buf buf;
    lty__profile p;
    lty__stats st;
    uint64_t rev = 0;
    lty__buf_init(&buf, &e->alloc);
    int rc = load_profile(e, id, n, &buf, &p, &rev);
    if (rc == LTY_OK) {
        memset(&st, 0, sizeof st);
        rc = lty__stats_load(e, id, n, &st, &rev);
    }
    if (rc == LTY_OK)
        rc = snapshot_new(e, id, n, &p, &st, out);
    lty__buf_release(&buf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Create                                                              */
/* ------------------------------------------------------------------ */

static void apply_fields(lty__profile *p, const fields_in *in)
{
    if (in->set & LTY_FIELD_NAME)
        p->name = in->name;
    if (in->set & LTY_FIELD_PHONE)
        p->phone = mkstr(in->phone, in->phonelen);
    if (in->set & LTY_FIELD_EMAIL)
        p->email = mkstr(in->email, in->emaillen);
    if (in->set & LTY_FIELD_BIRTHDAY)
        p->birthday = in->birthday;
    if (in->set & LTY_FIELD_PREFERRED_CHANNEL)
        p->preferred_channel = in->channel;
}

/* 1 when the id has the shape of the ids erasure hands out ("anon-..."). */
static int looks_anonymous(const char *id, size_t n)
{
    static const char prefix[] = "anon-";
    return n > sizeof prefix - 1 && memcmp(id, prefix, sizeof prefix - 1) == 0;
}

/* The id must be new, and not an id under which an erased customer's
 * records live: a new customer must not inherit an anonymous history or
 * anonymous rewards.  Only erasure leaves records without a profile, and
 * only under the ids it hands out, so beyond the aggregates (which any
 * erased customer with events leaves) an "anon-..." id is checked for any
 * record at all (one with only rewards or program records).  Other ids
 * skip that scan: creation is a bulk-import path. */
static int check_id_free(lty_engine *e, const char *id, size_t n)
{
    lty__key k;
    lty__stats st;
    uint64_t rev = 0;
    int used = 0;
    lty__key_profile(&k, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_OK)
        return lty__err(e, LTY_EEXISTS, "customer id: already exists");
    if (rc != LTY_ENOTFOUND)
        return rc;
    if ((rc = lty__stats_load(e, id, n, &st, &rev)))
        return rc;
    if (rev == 0 && looks_anonymous(id, n) &&
        (rc = lty__customer_id_used(e, id, n, &used)))
        return rc;
    if (rev != 0 || used)
        return lty__err(e, LTY_EEXISTS,
                        "customer id: in use by an erased customer's records");
    return LTY_OK;
}

static int create_body(lty_engine *e, void *arg)
{
    const fields_in *in = arg;
    lty__profile p;
    int rc = check_id_free(e, in->id, in->idlen);
    if (rc)
        return rc;
    memset(&p, 0, sizeof p);
    apply_fields(&p, in);
    p.created = lty__now(e);
    if (p.phone.n &&
        (rc = index_claim(e, INDEX_PHONE, p.phone, in->id, in->idlen)))
        return rc;
    if (p.email.n &&
        (rc = index_claim(e, INDEX_EMAIL, p.email, in->id, in->idlen)))
        return rc;
    return save_profile(e, in->id, in->idlen, &p, LTY_REV_NONE);
}

int lty_customer_create(lty_engine *e, const lty_customer_fields *f)
{
    fields_in in;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_fields(e, f, &in);
    if (rc)
        return rc;
    return lty__txn(e, create_body, &in);
}

/* ------------------------------------------------------------------ */
/* Edits of an existing profile                                        */
/* ------------------------------------------------------------------ */

typedef struct edit edit;
/* Change ed->p; set ed->changed when there is something to write. */
typedef int (*edit_fn)(lty_engine *e, edit *ed);

struct edit {
    const char *id;
    size_t idlen;
    edit_fn apply;
    const void *arg;            /* the checked arguments of the call */
    lty_buf buf;                /* the profile as read */
    lty__profile p;             /* points into buf and into arg */
    uint64_t rev;
    int changed;
};

static int edit_body(lty_engine *e, void *arg)
{
    edit *ed = arg;
    ed->changed = 0;
    int rc = load_profile(e, ed->id, ed->idlen, &ed->buf, &ed->p, &ed->rev);
    if (rc == LTY_OK)
        rc = ed->apply(e, ed);
    if (rc == LTY_OK && ed->changed)
        rc = save_profile(e, ed->id, ed->idlen, &ed->p, ed->rev);
    return rc;
}

static int run_edit(lty_engine *e, const char *id, size_t idlen, edit_fn apply,
                    const void *arg)
{
    edit ed;
    memset(&ed, 0, sizeof ed);
    ed.id = id;
    ed.idlen = idlen;
    ed.apply = apply;
    ed.arg = arg;
    lty__buf_init(&ed.buf, &e->alloc);
    int rc = lty__txn(e, edit_body, &ed);
    lty__buf_release(&ed.buf);
    return rc;
}

/* ---- update ---- */

static int apply_update(lty_engine *e, edit *ed)
{
    const fields_in *in = ed->arg;
    int rc;
    if (in->set & LTY_FIELD_PHONE) {
        rc = index_move(e, INDEX_PHONE, ed->p.phone,
                        mkstr(in->phone, in->phonelen), ed->id, ed->idlen);
        if (rc)
            return rc;
    }
    if (in->set & LTY_FIELD_EMAIL) {
        rc = index_move(e, INDEX_EMAIL, ed->p.email,
                        mkstr(in->email, in->emaillen), ed->id, ed->idlen);
        if (rc)
            return rc;
    }
    apply_fields(&ed->p, in);
    ed->changed = in->set != 0;
    return LTY_OK;
}

int lty_customer_update(lty_engine *e, const lty_customer_fields *f)
{
    fields_in in;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_fields(e, f, &in);
    if (rc)
        return rc;
    return run_edit(e, in.id, in.idlen, apply_update, &in);
}

/* ---- preferences and notes ---- */

/* Which list an attribute call edits, for the list and its messages. */
typedef enum attr_list { ATTR_PREFERENCE, ATTR_NOTE } attr_list;

typedef struct attr_in {
    attr_list list;
    lty__str key;
    lty__str value;
    int remove;                 /* value was NULL */
} attr_in;

static const char *attr_key_field(attr_list l)
{
    return l == ATTR_PREFERENCE ? "preference key" : "note key";
}

/* Index of key in a sorted list, or where it would go (*found = 0). */
static size_t attr_find(const lty__attr *a, size_t n, lty__str key,
                        int *found)
{
    size_t i = 0;
    *found = 0;
    for (; i < n; i++) {
        int c = lty__str_cmp(a[i].key, key);
        if (c >= 0) {
            *found = c == 0;
            break;
        }
    }
    return i;
}

static int apply_attr(lty_engine *e, edit *ed)
{
    const attr_in *in = ed->arg;
    lty__attr *a = in->list == ATTR_PREFERENCE ? ed->p.pref : ed->p.note;
    size_t *n = in->list == ATTR_PREFERENCE ? &ed->p.npref : &ed->p.nnote;
    int found;
    size_t i = attr_find(a, *n, in->key, &found);

    if (in->remove) {
        if (!found)
            return lty__err(e, LTY_ENOTFOUND, "%s: not set",
                            attr_key_field(in->list));
        memmove(&a[i], &a[i + 1], (*n - i - 1) * sizeof *a);
        (*n)--;
    } else if (found) {
        if (str_eq(a[i].value, in->value))
            return LTY_OK;
        a[i].value = in->value;
    } else {
        if (*n >= LTY_ATTRS_MAX)
            return lty__err(e, LTY_ERANGE, "%s: more than %d",
                            in->list == ATTR_PREFERENCE ? "preferences"
                                                        : "notes",
                            LTY_ATTRS_MAX);
        memmove(&a[i + 1], &a[i], (*n - i) * sizeof *a);
        a[i].key = in->key;
        a[i].value = in->value;
        (*n)++;
    }
    ed->changed = 1;
    return LTY_OK;
}

static int set_attr(lty_engine *e, attr_list list, const char *id,
                    const char *key, const char *value)
{
    attr_in in;
    size_t idlen, n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_customer_id(e, id, &idlen);
    if (rc)
        return rc;
    memset(&in, 0, sizeof in);
    in.list = list;
    rc = lty__check_text(e, attr_key_field(list), key, 1, LTY_LABEL_MAX,
                         LTY__TEXT_LINE, &n);
    if (rc)
        return rc;
    in.key = mkstr(key, n);
    in.remove = value == NULL;
    rc = lty__check_text(e,
                         list == ATTR_PREFERENCE ? "preference value"
                                                 : "note value",
                         value, 0, LTY_TEXT_MAX, LTY__TEXT_MULTILINE, &n);
    if (rc)
        return rc;
    in.value = mkstr(value, n);
    return run_edit(e, id, idlen, apply_attr, &in);
}

int lty_customer_set_preference(lty_engine *e, const char *id, const char *key,
                                const char *value)
{
    return set_attr(e, ATTR_PREFERENCE, id, key, value);
}

int lty_customer_set_note(lty_engine *e, const char *id, const char *key,
                          const char *value)
{
    return set_attr(e, ATTR_NOTE, id, key, value);
}

/* ---- tags ---- */

typedef struct tag_in {
    lty__str tag;
    int remove;
} tag_in;

static int apply_tag(lty_engine *e, edit *ed)
{
    const tag_in *in = ed->arg;
    lty__profile *p = &ed->p;
    size_t i = 0;
    int c = 1;
    while (i < p->ntag && (c = lty__str_cmp(p->tag[i], in->tag)) < 0)
        i++;
    int found = i < p->ntag && c == 0;

    if (in->remove) {
        if (!found)
            return lty__err(e, LTY_ENOTFOUND, "tag: not set");
        memmove(&p->tag[i], &p->tag[i + 1], (p->ntag - i - 1) * sizeof *p->tag);
        p->ntag--;
    } else {
        if (found)
            return LTY_OK; /* adding a tag twice is not an error */
        if (p->ntag >= LTY_TAGS_MAX)
            return lty__err(e, LTY_ERANGE, "tags: more than %d", LTY_TAGS_MAX);
        memmove(&p->tag[i + 1], &p->tag[i], (p->ntag - i) * sizeof *p->tag);
        p->tag[i] = in->tag;
        p->ntag++;
    }
    ed->changed = 1;
    return LTY_OK;
}

static int change_tag(lty_engine *e, const char *id, const char *tag,
                      int remove)
{
    tag_in in;
    size_t idlen, n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_customer_id(e, id, &idlen);
    if (rc)
        return rc;
    rc = lty__check_text(e, "tag", tag, 1, LTY_LABEL_MAX, LTY__TEXT_LINE, &n);
    if (rc)
        return rc;
    in.tag = mkstr(tag, n);
    in.remove = remove;
    return run_edit(e, id, idlen, apply_tag, &in);
}

int lty_customer_add_tag(lty_engine *e, const char *id, const char *tag)
{
    return change_tag(e, id, tag, 0);
}

int lty_customer_remove_tag(lty_engine *e, const char *id, const char *tag)
{
    return change_tag(e, id, tag, 1);
}

/* ---- anniversaries ---- */

typedef struct anniv_in {
    lty__str label;
    lty_date date;
    int remove;
} anniv_in;

static int apply_anniversary(lty_engine *e, edit *ed)
{
    const anniv_in *in = ed->arg;
    lty__profile *p = &ed->p;
    size_t i = 0;
    int c = 1;
    while (i < p->nanniv && (c = lty__str_cmp(p->anniv[i].label, in->label)) < 0)
        i++;
    int found = i < p->nanniv && c == 0;

    if (in->remove) {
        if (!found)
            return lty__err(e, LTY_ENOTFOUND, "anniversary label: not set");
        memmove(&p->anniv[i], &p->anniv[i + 1],
                (p->nanniv - i - 1) * sizeof *p->anniv);
        p->nanniv--;
    } else if (found) {
        p->anniv[i].date = in->date;
    } else {
        if (p->nanniv >= LTY_ANNIVERSARIES_MAX)
            return lty__err(e, LTY_ERANGE, "anniversaries: more than %d",
                            LTY_ANNIVERSARIES_MAX);
        memmove(&p->anniv[i + 1], &p->anniv[i],
                (p->nanniv - i) * sizeof *p->anniv);
        p->anniv[i].label = in->label;
        p->anniv[i].date = in->date;
        p->nanniv++;
    }
    ed->changed = 1;
    return LTY_OK;
}

int lty_customer_set_anniversary(lty_engine *e, const char *id,
                                 const char *label, const lty_date *date)
{
    anniv_in in;
    size_t idlen, n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_customer_id(e, id, &idlen);
    if (rc)
        return rc;
    rc = lty__check_text(e, "anniversary label", label, 1, LTY_LABEL_MAX,
                         LTY__TEXT_LINE, &n);
    if (rc)
        return rc;
    memset(&in, 0, sizeof in);
    in.label = mkstr(label, n);
    in.remove = date == NULL;
    if (date) {
        if ((rc = lty__check_date(e, "anniversary date", date, 1)))
            return rc;
        in.date = *date;
    }
    return run_edit(e, id, idlen, apply_anniversary, &in);
}

/* ---- consent ---- */

static int apply_consent(lty_engine *e, edit *ed)
{
    const lty__consent *in = ed->arg;
    lty__profile *p = &ed->p;
    size_t i = 0;
    /* Kept sorted by (channel, purpose); the list has room for every pair,
     * so adding never overflows. */
    while (i < p->nconsent &&
           (p->consent[i].channel < in->channel ||
            (p->consent[i].channel == in->channel &&
             p->consent[i].purpose < in->purpose)))
        i++;
    int found = i < p->nconsent && p->consent[i].channel == in->channel &&
                p->consent[i].purpose == in->purpose;
    if (!found) {
        if (p->nconsent >= LTY__CONSENTS_MAX)
            return lty__err(e, LTY_ECORRUPT, "customer profile record: "
                                             "malformed");
        memmove(&p->consent[i + 1], &p->consent[i],
                (p->nconsent - i) * sizeof *p->consent);
        p->nconsent++;
    }
    p->consent[i] = *in;
    /* Every call is a fresh statement of the customer's will, so "since"
     * moves even when the answer is the same (re-confirmed consent). */
    p->consent[i].since = lty__now(e);
    ed->changed = 1;
    return LTY_OK;
}

int lty__consent_set_in_txn(lty_engine *e, const char *id, size_t idlen,
                            lty_channel channel, lty_purpose purpose,
                            int granted)
{
    lty__consent in;
    edit ed;
    memset(&in, 0, sizeof in);
    in.channel = (int)channel;
    in.purpose = (int)purpose;
    in.granted = granted != 0;
    memset(&ed, 0, sizeof ed);
    ed.id = id;
    ed.idlen = idlen;
    ed.apply = apply_consent;
    ed.arg = &in;
    lty__buf_init(&ed.buf, &e->alloc);
    int rc = edit_body(e, &ed);
    lty__buf_release(&ed.buf);
    return rc;
}

int lty_customer_set_consent(lty_engine *e, const char *id,
                             lty_channel channel, lty_purpose purpose,
                             int granted)
{
    lty__consent in;
    size_t idlen;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_customer_id(e, id, &idlen);
    if (rc)
        return rc;
    if ((rc = check_channel(e, "consent channel", channel, 0)))
        return rc;
    if ((rc = check_consent_purpose(e, purpose)))
        return rc;
    memset(&in, 0, sizeof in);
    in.channel = (int)channel;
    in.purpose = (int)purpose;
    in.granted = granted != 0;
    return run_edit(e, id, idlen, apply_consent, &in);
}

/* ------------------------------------------------------------------ */
/* Erase                                                               */
/* ------------------------------------------------------------------ */

typedef struct erase_op {
    const char *id;
    size_t idlen;
    lty_buf buf;
    char anon[LTY_ID_MAX + 1];
    size_t anonlen;
} erase_op;

static int read_anon_counter(lty_engine *e, const lty__key *k, uint64_t *value,
                             uint64_t *rev)
{
    *value = 0;
    *rev = LTY_REV_NONE;
    int rc = lty__get(e, k->b, k->n, NULL, rev);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc)
        return rc;
    rc = lty__anon_counter_decode(e->rbuf.data, e->rbuf.len, value);
    if (rc)
        return lty__corrupt(e, rc, "anonymous id counter");
    return LTY_OK;
}

/* 1 when nothing lives under the id yet: no profile and no other record
 * (a host may have created a customer called "anon-7" itself, and an
 * erased customer may have left only rewards or program records). */
static int id_unused(lty_engine *e, const char *id, size_t n, int *unused)
{
    int used = 1;
    int rc = lty__customer_id_used(e, id, n, &used);
    *unused = rc == LTY_OK && !used;
    return rc;
}

/* Take the next free "anon-<n>" from the store-wide counter.  A counter,
 * rather than anything derived from the erased id, is what makes the new
 * id unlinkable to the old one. */
static int next_anon_id(lty_engine *e, erase_op *op)
{
    lty__key k;
    uint64_t value, rev;
    int unused = 0, rc;
    lty__key_meta(&k, "anon");
    if ((rc = read_anon_counter(e, &k, &value, &rev)))
        return rc;
    for (int tries = 0; !unused; tries++) {
        if (tries >= ANON_TRIES_MAX || value == UINT64_MAX)
            return lty__err(e, LTY_ESTATE,
                            "erase: no free anonymous id found");
        value++;
        int len = snprintf(op->anon, sizeof op->anon, "anon-%" PRIu64, value);
        op->anonlen = (size_t)len;
        if ((rc = id_unused(e, op->anon, op->anonlen, &unused)))
            return rc;
    }
    if ((rc = lty__anon_counter_encode(value, &e->wbuf)))
        return lty__err(e, rc, "anonymous id counter: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

static int erase_body(lty_engine *e, void *arg)
{
    erase_op *op = arg;
    lty__profile p;
    lty__key k;
    uint64_t rev = 0;
    op->anon[0] = '\0';
    op->anonlen = 0;
    int rc = load_profile(e, op->id, op->idlen, &op->buf, &p, &rev);
    if (rc)
        return rc;
    if ((rc = next_anon_id(e, op)))
        return rc;
    rc = lty__ledger_rekey(e, op->id, op->idlen, op->anon, op->anonlen);
    if (rc)
        return rc;
    /* program state, earnings, spends, program history and rewards */
    rc = lty__customer_rekey_rest(e, op->id, op->idlen, op->anon,
                                  op->anonlen);
    if (rc)
        return rc;
    if ((rc = index_release(e, INDEX_PHONE, p.phone, op->id, op->idlen)))
        return rc;
    if ((rc = index_release(e, INDEX_EMAIL, p.email, op->id, op->idlen)))
        return rc;
    lty__key_profile(&k, op->id, op->idlen);
    return lty__del(e, k.b, k.n, rev);
}

int lty_customer_erase(lty_engine *e, const char *id)
{
    erase_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    int rc = check_customer_id(e, id, &op.idlen);
    if (rc)
        return rc;
    op.id = id;
    lty__buf_init(&op.buf, &e->alloc);
    rc = lty__txn(e, erase_body, &op);
    lty__buf_release(&op.buf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Reads                                                               */
/* ------------------------------------------------------------------ */

static int check_out(lty_engine *e, lty_customer **out)
{
    if (!out)
        return lty__err(e, LTY_EINVALID, "customer: NULL output");
    *out = NULL;
    return LTY_OK;
}

int lty_customer_get(lty_engine *e, const char *id, lty_customer **out)
{
    size_t n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_out(e, out);
    if (rc == LTY_OK)
        rc = check_customer_id(e, id, &n);
    if (rc == LTY_OK)
        rc = read_snapshot(e, id, n, out);
    return rc;
}

/* Follow a look-up entry to its customer.  field names the index.  The
 * reads are not one transaction, so a customer erased or changed between
 * them reads as "not found" (the snapshot must still carry the value that
 * was looked up). */
static int find_by_index(lty_engine *e, const char *index, lty__str val,
                         lty_customer **out)
{
    lty__key k;
    char id[LTY_ID_MAX + 1];
    size_t n;
    lty__key_index(&k, index, val.p, val.n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "%s: no customer has it", index);
    if (rc)
        return rc;
    n = e->rbuf.len;
    if (n == 0 || n > LTY_ID_MAX || memchr(e->rbuf.data, 0, n) ||
        !lty__text_valid((const char *)e->rbuf.data, n, LTY__TEXT_LINE))
        return lty__err(e, LTY_ECORRUPT, "%s index record: malformed", index);
    memcpy(id, e->rbuf.data, n);
    id[n] = '\0';
    rc = read_snapshot(e, id, n, out);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "%s: no customer has it", index);
    if (rc)
        return rc;
    const char *have = strcmp(index, INDEX_PHONE) == 0 ? (*out)->phone
                                                       : (*out)->email;
    if (!have || strlen(have) != val.n || memcmp(have, val.p, val.n) != 0) {
        lty_customer_free(*out);
        *out = NULL;
        return lty__err(e, LTY_ENOTFOUND, "%s: no customer has it", index);
    }
    return LTY_OK;
}

int lty_customer_find_by_phone(lty_engine *e, const char *phone,
                               lty_customer **out)
{
    char norm[LTY__E164_SIZE];
    size_t n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_out(e, out);
    if (rc)
        return rc;
    if (!phone || !*phone)
        return lty__err(e, LTY_EINVALID, "phone: required");
    if ((rc = check_phone(e, phone, norm, &n)))
        return rc;
    return find_by_index(e, INDEX_PHONE, mkstr(norm, n), out);
}

int lty_customer_find_by_email(lty_engine *e, const char *email,
                               lty_customer **out)
{
    char norm[LTY__EMAIL_SIZE];
    size_t n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_out(e, out);
    if (rc)
        return rc;
    if (!email || !*email)
        return lty__err(e, LTY_EINVALID, "email: required");
    if ((rc = check_email(e, email, norm, &n)))
        return rc;
    return find_by_index(e, INDEX_EMAIL, mkstr(norm, n), out);
}

/* ------------------------------------------------------------------ */
/* Snapshot accessors                                                  */
/* ------------------------------------------------------------------ */

void lty_customer_free(lty_customer *c)
{
    if (!c)
        return;
    lty_allocator a = c->alloc;
    lty__free(&a, c);
}

const char *lty_customer_id(const lty_customer *c)
{
    return c ? c->id : NULL;
}

const char *lty_customer_name(const lty_customer *c)
{
    return c ? c->name : NULL;
}

const char *lty_customer_phone(const lty_customer *c)
{
    return c ? c->phone : NULL;
}

const char *lty_customer_email(const lty_customer *c)
{
    return c ? c->email : NULL;
}

int lty_customer_birthday(const lty_customer *c, lty_date *out)
{
    if (!c || !out)
        return LTY_EINVALID;
    if (c->birthday.month == 0)
        return LTY_ENOTFOUND;
    *out = c->birthday;
    return LTY_OK;
}

lty_channel lty_customer_preferred_channel(const lty_customer *c)
{
    return c ? c->channel : LTY_CHANNEL_NONE;
}

int64_t lty_customer_created(const lty_customer *c)
{
    return c ? c->created : 0;
}

static int attr_at(const snap_attr *a, size_t n, size_t index,
                   const char **key, const char **value)
{
    if (index >= n)
        return LTY_EINVALID;
    if (key)
        *key = a[index].key;
    if (value)
        *value = a[index].value;
    return LTY_OK;
}

static const char *attr_get(const snap_attr *a, size_t n, const char *key)
{
    if (!key)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].key, key) == 0)
            return a[i].value;
    return NULL;
}

size_t lty_customer_preference_count(const lty_customer *c)
{
    return c ? c->npref : 0;
}

int lty_customer_preference_at(const lty_customer *c, size_t index,
                               const char **key, const char **value)
{
    return c ? attr_at(c->pref, c->npref, index, key, value) : LTY_EINVALID;
}

const char *lty_customer_preference(const lty_customer *c, const char *key)
{
    return c ? attr_get(c->pref, c->npref, key) : NULL;
}

size_t lty_customer_note_count(const lty_customer *c)
{
    return c ? c->nnote : 0;
}

int lty_customer_note_at(const lty_customer *c, size_t index,
                         const char **key, const char **value)
{
    return c ? attr_at(c->note, c->nnote, index, key, value) : LTY_EINVALID;
}

const char *lty_customer_note(const lty_customer *c, const char *key)
{
    return c ? attr_get(c->note, c->nnote, key) : NULL;
}

size_t lty_customer_tag_count(const lty_customer *c)
{
    return c ? c->ntag : 0;
}

const char *lty_customer_tag_at(const lty_customer *c, size_t index)
{
    return c && index < c->ntag ? c->tag[index] : NULL;
}

int lty_customer_has_tag(const lty_customer *c, const char *tag)
{
    if (!c || !tag)
        return 0;
    for (size_t i = 0; i < c->ntag; i++)
        if (strcmp(c->tag[i], tag) == 0)
            return 1;
    return 0;
}

size_t lty_customer_anniversary_count(const lty_customer *c)
{
    return c ? c->nanniv : 0;
}

int lty_customer_anniversary_at(const lty_customer *c, size_t index,
                                const char **label, lty_date *date)
{
    if (!c || index >= c->nanniv)
        return LTY_EINVALID;
    if (label)
        *label = c->anniv[index].label;
    if (date)
        *date = c->anniv[index].date;
    return LTY_OK;
}

int lty_customer_consent(const lty_customer *c, lty_channel channel,
                         lty_purpose purpose, int *granted, int64_t *since)
{
    if (granted)
        *granted = 0;
    if (since)
        *since = 0;
    if (!c || (int)channel < LTY_CHANNEL_SMS || (int)channel > LTY_CHANNEL_PUSH ||
        (purpose != LTY_PURPOSE_MARKETING &&
         purpose != LTY_PURPOSE_NIGHT_MARKETING))
        return LTY_EINVALID;
    for (size_t i = 0; i < c->nconsent; i++) {
        const lty__consent *r = &c->consent[i];
        if (r->channel == (int)channel && r->purpose == (int)purpose) {
            if (granted)
                *granted = r->granted;
            if (since)
                *since = r->since;
            return LTY_OK;
        }
    }
    return LTY_ENOTFOUND;
}

int lty_customer_stats_get(const lty_customer *c, lty_customer_stats *out)
{
    if (!c || !out)
        return LTY_EINVALID;
    if (out->version == 0 || out->version > LTY_CUSTOMER_STATS_VERSION)
        return LTY_EVERSION;
    out->first_visit = c->stats.first_visit;
    out->last_visit = c->stats.last_visit;
    out->visits = c->stats.visits;
    out->purchases = c->stats.purchases;
    out->net_spend = c->stats.net_spend;
    out->refunds = c->stats.refunds;
    out->feedbacks = c->stats.feedbacks;
    out->last_item = c->stats.last_item[0] ? c->stats.last_item : NULL;
    return LTY_OK;
}
