/*
 * libloyalty - RFM: options, segment tables, scoring and the result.
 *
 * Scoring (documented in include/loyalty/rfm.h and docs/guide/rfm.md):
 * customers are put in id byte order, then stable-sorted by the dimension's
 * key (an LSD radix sort on the key's bits), so equal keys stay in id
 * order.  The customer at position p of n gets floor(p * bins / n) + 1;
 * under LTY_RFM_TIES_SHARE a run of equal keys [a, b] takes the score of
 * position floor((a + b) / 2).  The recency key is minus the days, so the
 * most recent come last and score highest.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfm_int.h"
#include "validate_int.h"

struct lty_rfm_result {
    lty__rfm_data d;
    int64_t as_of;
    int bins;
    unsigned char *scores; /* 3 per row: r, f, m */
    unsigned char *seg;    /* segment per row */
    size_t nseg;           /* table segments + the fallback */
    char names[LTY_RFM_SEGMENTS_MAX + 1][LTY_TITLE_MAX + 1];
    lty_rfm_segment_summary sums[LTY_RFM_SEGMENTS_MAX + 1];
    double pareto;
    double conc[10];
    int levels[3];
};

void lty__rfm_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */
/* ------------------------------------------------------------------ */

void lty__rfm_data_init(lty__rfm_data *d, const lty_allocator *a)
{
    memset(d, 0, sizeof *d);
    d->alloc = *a;
}

void lty__rfm_data_release(lty__rfm_data *d)
{
    const lty_allocator *a = &d->alloc;
    lty__free(a, d->pool);
    lty__free(a, d->rows);
    lty__free(a, d->hash);
    lty_allocator keep = d->alloc;
    memset(d, 0, sizeof *d);
    d->alloc = keep;
}

static int grow(const lty_allocator *a, void **p, size_t elem, size_t cap)
{
    void *q = lty__realloc(a, *p, elem * cap);
    if (!q)
        return LTY_ENOMEM;
    *p = q;
    return LTY_OK;
}

static int data_reserve_row(lty__rfm_data *d)
{
    if (d->n < d->cap)
        return LTY_OK;
    if (d->n >= UINT32_MAX - 1)
        return LTY_ERANGE;
    size_t cap = d->cap ? d->cap * 2 : 1024;
    const lty_allocator *a = &d->alloc;
    if (grow(a, (void **)&d->rows, sizeof *d->rows, cap))
        return LTY_ENOMEM;
    d->cap = cap;
    return LTY_OK;
}

int lty__rfm_data_add(lty__rfm_data *d, const char *id, size_t n, int64_t last,
                      int64_t freq, int64_t mon, size_t *row)
{
    int rc = data_reserve_row(d);
    if (rc)
        return rc;
    if (d->pool_len + n + 1 > d->pool_cap) {
        size_t cap = d->pool_cap ? d->pool_cap : 16384;
        while (cap < d->pool_len + n + 1)
            cap *= 2;
        if (grow(&d->alloc, (void **)&d->pool, 1, cap))
            return LTY_ENOMEM;
        d->pool_cap = cap;
    }
    memcpy(d->pool + d->pool_len, id, n);
    d->pool[d->pool_len + n] = '\0';
    lty__rfm_row *w = &d->rows[d->n];
    w->idoff = d->pool_len;
    w->last = last;
    w->freq = freq;
    w->mon = mon;
    d->pool_len += n + 1;
    if (row)
        *row = d->n;
    d->n++;
    return LTY_OK;
}

uint64_t lty__rfm_hash(const char *s, size_t n)
{
    /* FNV-1a, then a final mix so the low bits are good for masking */
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return h;
}

size_t lty__rfm_data_lookup(const lty__rfm_data *d, const char *id, size_t n,
                            uint64_t h)
{
    if (!d->hcap)
        return SIZE_MAX;
    size_t mask = d->hcap - 1;
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t s = (size_t)h & mask;; s = (s + 1) & mask) {
        uint64_t v = d->hash[s];
        if (!v)
            return SIZE_MAX;
        if ((uint32_t)(v >> 32) != tag)
            continue;
        size_t r = (size_t)(uint32_t)v - 1;
        const char *p = d->pool + d->rows[r].idoff;
        if (memcmp(p, id, n) == 0 && p[n] == '\0')
            return r;
    }
}

static uint64_t slot_value(uint64_t h, size_t row)
{
    return (h >> 32 << 32) | (uint64_t)(row + 1);
}

static void hash_insert(lty__rfm_data *d, size_t row)
{
    const char *p = d->pool + d->rows[row].idoff;
    size_t mask = d->hcap - 1;
    uint64_t h = lty__rfm_hash(p, strlen(p));
    size_t s = (size_t)h & mask;
    while (d->hash[s])
        s = (s + 1) & mask;
    d->hash[s] = slot_value(h, row);
}

static int hash_resize(lty__rfm_data *d, size_t cap)
{
    uint64_t *h = lty__zalloc(&d->alloc, cap * sizeof *h);
    if (!h)
        return LTY_ENOMEM;
    lty__free(&d->alloc, d->hash);
    d->hash = h;
    d->hcap = cap;
    for (size_t i = 0; i < d->n; i++)
        hash_insert(d, i);
    return LTY_OK;
}

int lty__rfm_data_index(lty__rfm_data *d)
{
    size_t cap = 1024;
    while (cap < d->n * 2)
        cap *= 2;
    return hash_resize(d, cap);
}

int lty__rfm_data_upsert(lty__rfm_data *d, const char *id, size_t n,
                         size_t *row, int *created)
{
    return lty__rfm_data_upsert_h(d, id, n, lty__rfm_hash(id, n), row,
                                  created);
}

int lty__rfm_data_upsert_h(lty__rfm_data *d, const char *id, size_t n,
                           uint64_t h, size_t *row, int *created)
{
    size_t r = lty__rfm_data_lookup(d, id, n, h);
    if (r != SIZE_MAX) {
        *row = r;
        *created = 0;
        return LTY_OK;
    }
    int rc;
    if ((d->n + 1) * 2 > d->hcap &&
        (rc = hash_resize(d, d->hcap ? d->hcap * 2 : 1024)))
        return rc;
    if ((rc = lty__rfm_data_add(d, id, n, INT64_MIN, 0, 0, row)))
        return rc;
    size_t mask = d->hcap - 1;
    size_t s = (size_t)h & mask;
    while (d->hash[s])
        s = (s + 1) & mask;
    d->hash[s] = slot_value(h, *row);
    *created = 1;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

int lty__rfm_opts_check(const lty_rfm_options *in, lty__rfm_opts *o,
                        char *err, size_t errlen)
{
    static const char *const dims[3] = {"r_cuts", "f_cuts", "m_cuts"};
    lty_rfm_options def = LTY_RFM_OPTIONS_INIT;
    memset(o, 0, sizeof *o);
    if (!in)
        in = &def;
    if (in->version == 0 || in->version > LTY_RFM_OPTIONS_VERSION) {
        lty__rfm_errf(err, errlen, "rfm options: version %u not supported",
                      in->version);
        return LTY_EVERSION;
    }
    if (in->as_of != LTY_TIME_NOW &&
        (in->as_of < LTY_TIME_MIN || in->as_of > LTY_TIME_MAX)) {
        lty__rfm_errf(err, errlen, "as_of: out of range");
        return LTY_EINVALID;
    }
    if (in->window_days < 0 || in->window_days > 36600) {
        lty__rfm_errf(err, errlen, "window_days: must be 0..36600");
        return LTY_EINVALID;
    }
    if (in->frequency != LTY_RFM_FREQ_VISITS &&
        in->frequency != LTY_RFM_FREQ_PURCHASES) {
        lty__rfm_errf(err, errlen, "frequency: unknown value");
        return LTY_EINVALID;
    }
    int bins = in->bins ? in->bins : LTY_RFM_BINS_DEFAULT;
    if (bins < 2 || bins > LTY_RFM_BINS_MAX) {
        lty__rfm_errf(err, errlen, "bins: must be 2..%d", LTY_RFM_BINS_MAX);
        return LTY_EINVALID;
    }
    if (in->ties != LTY_RFM_TIES_SHARE && in->ties != LTY_RFM_TIES_SPLIT) {
        lty__rfm_errf(err, errlen, "ties: unknown value");
        return LTY_EINVALID;
    }
    const int64_t *cuts[3] = {in->r_cuts, in->f_cuts, in->m_cuts};
    for (int d = 0; d < 3; d++) {
        if (!cuts[d])
            continue;
        o->has_cuts[d] = 1;
        for (int i = 0; i < bins - 1; i++) {
            if (i > 0 && cuts[d][i] <= cuts[d][i - 1]) {
                lty__rfm_errf(err, errlen,
                              "%s[%d]: not above the previous cut point",
                              dims[d], i);
                return LTY_EINVALID;
            }
            o->cuts[d][i] = cuts[d][i];
        }
    }
    if (in->segments && in->segments->bins != bins) {
        lty__rfm_errf(err, errlen,
                      "segments: compiled for %d bins, options have %d",
                      in->segments->bins, bins);
        return LTY_EINVALID;
    }
    o->as_of = in->as_of;
    o->window_days = in->window_days;
    o->frequency = in->frequency;
    o->bins = bins;
    o->ties = in->ties;
    o->segments = in->segments;
    o->no_save = in->no_save;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Segment tables                                                      */
/* ------------------------------------------------------------------ */

static const lty_rfm_segment default_rules[] = {
    {"Champions", 5, 5, 5, 5, 5, 5},
    {"Potential Loyalist", 3, 5, 3, 5, 2, 5},
    {"Loyal Customers", 2, 4, 2, 4, 2, 4},
    {"Promising", 3, 4, 1, 3, 3, 5},
    {"New Customers", 4, 5, 1, 3, 1, 5},
    {"Can't Lose Them", 1, 2, 3, 4, 4, 5},
    {"At Risk", 1, 2, 2, 5, 4, 5},
    {"Need Attention", 1, 3, 3, 5, 3, 5},
    {"About To Sleep", 2, 3, 1, 3, 1, 4},
    {"Lost", 1, 1, 1, 5, 1, 5},
};

static const lty_rfm_segment_table default_table = {
    LTY_RFM_SEGMENT_TABLE_VERSION, default_rules,
    sizeof default_rules / sizeof default_rules[0], NULL, 0};

const lty_rfm_segment_table *lty_rfm_default_segments(void)
{
    return &default_table;
}

static size_t combo(int r, int f, int m)
{
    return (size_t)((r - 1) * 81 + (f - 1) * 9 + (m - 1));
}

/* Compile into s (no allocation). */
static int segments_compile(lty_rfm_segments *s, const lty_rfm_segment_table *t,
                            int bins, char *err, size_t errlen)
{
    if (!t) {
        lty__rfm_errf(err, errlen, "segment table: missing");
        return LTY_EINVALID;
    }
    if (t->version == 0 || t->version > LTY_RFM_SEGMENT_TABLE_VERSION) {
        lty__rfm_errf(err, errlen, "segment table: version %u not supported",
                      t->version);
        return LTY_EVERSION;
    }
    if (bins == 0)
        bins = LTY_RFM_BINS_DEFAULT;
    if (bins < 2 || bins > LTY_RFM_BINS_MAX) {
        lty__rfm_errf(err, errlen, "bins: must be 2..%d", LTY_RFM_BINS_MAX);
        return LTY_EINVALID;
    }
    if (t->count < 1 || t->count > LTY_RFM_SEGMENTS_MAX || !t->segments) {
        lty__rfm_errf(err, errlen, "segment table: count must be 1..%d",
                      LTY_RFM_SEGMENTS_MAX);
        return LTY_EINVALID;
    }
    s->bins = bins;
    s->count = t->count;
    const char *other = t->other_name ? t->other_name : "Others";
    size_t on = strlen(other);
    if (on == 0 || on > LTY_TITLE_MAX ||
        !lty__text_valid(other, on, LTY__TEXT_LINE)) {
        lty__rfm_errf(err, errlen,
                      "other_name: must be 1..%d bytes of UTF-8 text",
                      LTY_TITLE_MAX);
        return LTY_EINVALID;
    }
    memcpy(s->names[t->count], other, on + 1);
    for (size_t i = 0; i < t->count; i++) {
        const lty_rfm_segment *g = &t->segments[i];
        size_t n = g->name ? strlen(g->name) : 0;
        if (n == 0 || n > LTY_TITLE_MAX ||
            !lty__text_valid(g->name, n, LTY__TEXT_LINE)) {
            lty__rfm_errf(err, errlen,
                          "segments[%zu] name: must be 1..%d bytes of UTF-8 text",
                          i, LTY_TITLE_MAX);
            return LTY_EINVALID;
        }
        memcpy(s->names[i], g->name, n + 1);
        for (size_t j = 0; j <= i; j++) {
            if (j < i ? strcmp(s->names[j], g->name) == 0
                      : strcmp(other, g->name) == 0) {
                lty__rfm_errf(err, errlen, "segments[%zu] '%s': name used twice",
                              i, g->name);
                return LTY_EINVALID;
            }
        }
        const int lo[3] = {g->r_min, g->f_min, g->m_min};
        const int hi[3] = {g->r_max, g->f_max, g->m_max};
        for (int d = 0; d < 3; d++) {
            if (lo[d] < 1 || hi[d] > bins || lo[d] > hi[d]) {
                lty__rfm_errf(err, errlen,
                              "segments[%zu] '%s': %c range %d..%d not within 1..%d",
                              i, g->name, "RFM"[d], lo[d], hi[d], bins);
                return LTY_EINVALID;
            }
        }
    }
    /* first match wins: every combination gets the first rule covering it */
    memset(s->map, (int)t->count, sizeof s->map);
    for (size_t i = t->count; i-- > 0;) {
        const lty_rfm_segment *g = &t->segments[i];
        for (int r = g->r_min; r <= g->r_max; r++)
            for (int f = g->f_min; f <= g->f_max; f++)
                for (int m = g->m_min; m <= g->m_max; m++)
                    s->map[combo(r, f, m)] = (unsigned char)i;
    }
    int reached[LTY_RFM_SEGMENTS_MAX] = {0};
    for (int r = 1; r <= bins; r++)
        for (int f = 1; f <= bins; f++)
            for (int m = 1; m <= bins; m++) {
                unsigned char v = s->map[combo(r, f, m)];
                if (v < t->count) {
                    reached[v] = 1;
                } else if (t->exhaustive) {
                    lty__rfm_errf(err, errlen,
                                  "segment table: gap, no segment covers "
                                  "R%d F%d M%d",
                                  r, f, m);
                    return LTY_EINVALID;
                }
            }
    for (size_t i = 0; i < t->count; i++) {
        if (!reached[i]) {
            lty__rfm_errf(err, errlen,
                          "segments[%zu] '%s': unreachable, covered by "
                          "earlier segments",
                          i, s->names[i]);
            return LTY_EINVALID;
        }
    }
    return LTY_OK;
}

int lty_rfm_segments_new(lty_rfm_segments **out,
                         const lty_rfm_segment_table *table, int bins,
                         char *errbuf, size_t errlen)
{
    lty_allocator a;
    if (!out) {
        lty__rfm_errf(errbuf, errlen, "out: missing");
        return LTY_EINVALID;
    }
    *out = NULL;
    lty__alloc_init(&a, NULL);
    lty_rfm_segments *s = lty__zalloc(&a, sizeof *s);
    if (!s) {
        lty__rfm_errf(errbuf, errlen, "segment table: out of memory");
        return LTY_ENOMEM;
    }
    s->alloc = a;
    int rc = segments_compile(s, table, bins, errbuf, errlen);
    if (rc) {
        lty__free(&a, s);
        return rc;
    }
    *out = s;
    return LTY_OK;
}

void lty_rfm_segments_free(lty_rfm_segments *s)
{
    if (s) {
        lty_allocator a = s->alloc;
        lty__free(&a, s);
    }
}

/* ------------------------------------------------------------------ */
/* Scoring                                                             */
/* ------------------------------------------------------------------ */

typedef struct sitem {
    uint64_t k;
    uint32_t idx;
} sitem;

/* Stable LSD radix sort by k, 8 bits at a time; passes where every item
 * has the same byte are skipped. */
static void radix_sort(sitem *a, sitem *tmp, size_t n)
{
    size_t count[256];
    for (int shift = 0; shift < 64; shift += 8) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(a[i].k >> shift) & 255]++;
        if (n == 0 || count[(a[0].k >> shift) & 255] == n)
            continue;
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].k >> shift) & 255]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
}

/* Bottom-up merge sort of row indices by id (byte order). */
static void sort_by_id(const lty__rfm_data *d, uint32_t *a, uint32_t *tmp,
                       size_t n)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n;
            size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (strcmp(d->pool + d->rows[a[j]].idoff,
                           d->pool + d->rows[a[i]].idoff) < 0)
                    tmp[k++] = a[j++];
                else
                    tmp[k++] = a[i++];
            }
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
}

static uint64_t key_of(int64_t v)
{
    return (uint64_t)v ^ (UINT64_C(1) << 63);
}

static int cut_score(const int64_t *cuts, int bins, int64_t v, int reversed)
{
    int below = 0;
    for (int i = 0; i < bins - 1; i++)
        below += v > cuts[i];
    return reversed ? bins - below : 1 + below;
}

static int64_t dim_value(const lty_rfm_result *r, const int64_t *rec, int dim,
                         size_t i)
{
    switch (dim) {
    case 0: return rec[i];
    case 1: return r->d.rows[i].freq;
    default: return r->d.rows[i].mon;
    }
}

/* Score dimension dim (0 R, 1 F, 2 M) into r->scores; items are filled in
 * id order on entry and left sorted by key.  rec holds the recency days. */
static void score_dim(lty_rfm_result *r, const lty__rfm_opts *o, int dim,
                      const int64_t *rec, const uint32_t *idorder, sitem *it,
                      sitem *tmp)
{
    size_t n = r->d.n;
    int bins = o->bins;
    int used[LTY_RFM_BINS_MAX + 1] = {0};
    if (o->has_cuts[dim]) {
        for (size_t i = 0; i < n; i++) {
            int s = cut_score(o->cuts[dim], bins, dim_value(r, rec, dim, i),
                              dim == 0);
            r->scores[3 * i + (size_t)dim] = (unsigned char)s;
            used[s] = 1;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            uint32_t x = idorder[i];
            it[i].idx = x;
            int64_t v = dim_value(r, rec, dim, x);
            it[i].k = key_of(dim == 0 ? -v : v);
        }
        radix_sort(it, tmp, n);
        for (size_t a = 0; a < n;) {
            size_t b = a;
            while (b + 1 < n && it[b + 1].k == it[a].k)
                b++;
            for (size_t p = a; p <= b; p++) {
                size_t pos = o->ties == LTY_RFM_TIES_SPLIT ? p : (a + b) / 2;
                int s = (int)((uint64_t)pos * (uint64_t)bins / n) + 1;
                r->scores[3 * it[p].idx + (size_t)dim] = (unsigned char)s;
                used[s] = 1;
            }
            a = b + 1;
        }
    }
    for (int s = 1; s <= bins; s++)
        r->levels[dim] += used[s];
}

int lty__rfm_finish(lty__rfm_data *d, const lty__rfm_opts *o,
                    lty_rfm_result **out, char *err, size_t errlen)
{
    const lty_allocator a = d->alloc;
    lty_rfm_result *r = lty__zalloc(&a, sizeof *r);
    uint32_t *idorder = NULL, *itmp = NULL;
    sitem *it = NULL, *tmp = NULL;
    int64_t *rec = NULL;
    int rc = LTY_ENOMEM;
    if (!r) {
        lty__rfm_data_release(d);
        lty__rfm_errf(err, errlen, "rfm: out of memory");
        return LTY_ENOMEM;
    }
    r->d = *d;
    lty__rfm_data_init(d, &a);
    r->as_of = o->as_of;
    r->bins = o->bins;
    size_t n = r->d.n;

    /* segments: the caller's table, or the default one for 5 bins */
    lty_rfm_segments def;
    const lty_rfm_segments *segs = o->segments;
    if (!segs) {
        memset(&def, 0, sizeof def);
        if (o->bins == 5) {
            segments_compile(&def, &default_table, 5, NULL, 0);
        } else {
            def.bins = o->bins;
            def.count = 0;
            strcpy(def.names[0], "Others");
        }
        segs = &def;
    }
    r->nseg = segs->count + 1;
    for (size_t i = 0; i < r->nseg; i++) {
        memcpy(r->names[i], segs->names[i], sizeof r->names[i]);
        r->sums[i].name = r->names[i];
    }

    r->scores = lty__malloc(&a, 3 * n);
    r->seg = lty__malloc(&a, n);
    idorder = lty__malloc(&a, n * sizeof *idorder);
    itmp = lty__malloc(&a, n * sizeof *itmp);
    it = lty__malloc(&a, n * sizeof *it);
    tmp = lty__malloc(&a, n * sizeof *tmp);
    rec = lty__malloc(&a, n * sizeof *rec);
    if (!r->scores || !r->seg || !idorder || !itmp || !it || !tmp || !rec)
        goto fail;
    if (!r->d.hash && (rc = lty__rfm_data_index(&r->d)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        idorder[i] = (uint32_t)i;
        rec[i] = (r->as_of - r->d.rows[i].last) / 86400;
    }
    if (!r->d.sorted_by_id)
        sort_by_id(&r->d, idorder, itmp, n);
    score_dim(r, o, 0, rec, idorder, it, tmp);
    score_dim(r, o, 1, rec, idorder, it, tmp);
    /* monetary last: `it` stays sorted by monetary for the curve */
    score_dim(r, o, 2, rec, idorder, it, tmp);
    if (o->has_cuts[2]) {
        for (size_t i = 0; i < n; i++) {
            it[i].idx = (uint32_t)i;
            it[i].k = key_of(r->d.rows[i].mon);
        }
        radix_sort(it, tmp, n);
    }

    int64_t total = 0;
    double sr[LTY_RFM_SEGMENTS_MAX + 1] = {0}, sf[LTY_RFM_SEGMENTS_MAX + 1] = {0},
           sm[LTY_RFM_SEGMENTS_MAX + 1] = {0};
    for (size_t i = 0; i < n; i++) {
        const unsigned char *s = &r->scores[3 * i];
        unsigned char g = segs->map[combo(s[0], s[1], s[2])];
        r->seg[i] = g;
        lty_rfm_segment_summary *sum = &r->sums[g];
        sum->customers++;
        if (__builtin_add_overflow(sum->revenue, r->d.rows[i].mon, &sum->revenue) ||
            __builtin_add_overflow(total, r->d.rows[i].mon, &total)) {
            lty__rfm_errf(err, errlen, "monetary total: would overflow");
            rc = LTY_ERANGE;
            goto fail;
        }
        sr[g] += s[0];
        sf[g] += s[1];
        sm[g] += s[2];
    }
    for (size_t g = 0; g < r->nseg; g++) {
        lty_rfm_segment_summary *sum = &r->sums[g];
        if (total > 0)
            sum->revenue_share = (double)sum->revenue / (double)total;
        if (sum->customers) {
            sum->mean_r = sr[g] / (double)sum->customers;
            sum->mean_f = sf[g] / (double)sum->customers;
            sum->mean_m = sm[g] / (double)sum->customers;
        }
    }
    /* top customers by monetary: from the end of the ascending order */
    if (total > 0) {
        int64_t acc = 0;
        size_t taken = 0;
        for (int k = 0; k < 10; k++) {
            size_t want = ((size_t)(k + 1) * n + 9) / 10;
            while (taken < want) {
                acc += r->d.rows[it[n - 1 - taken].idx].mon;
                taken++;
            }
            r->conc[k] = (double)acc / (double)total;
            if (k == 1)
                r->pareto = r->conc[k];
        }
    }
    lty__free(&a, idorder);
    lty__free(&a, itmp);
    lty__free(&a, it);
    lty__free(&a, tmp);
    lty__free(&a, rec);
    *out = r;
    return LTY_OK;
fail:
    if (rc == LTY_ENOMEM)
        lty__rfm_errf(err, errlen, "rfm: out of memory");
    lty__free(&a, idorder);
    lty__free(&a, itmp);
    lty__free(&a, it);
    lty__free(&a, tmp);
    lty__free(&a, rec);
    lty_rfm_result_free(r);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The result                                                          */
/* ------------------------------------------------------------------ */

void lty_rfm_result_free(lty_rfm_result *r)
{
    if (!r)
        return;
    lty_allocator a = r->d.alloc;
    lty__rfm_data_release(&r->d);
    lty__free(&a, r->scores);
    lty__free(&a, r->seg);
    lty__free(&a, r);
}

size_t lty_rfm_result_count(const lty_rfm_result *r)
{
    return r ? r->d.n : 0;
}

int lty_rfm_result_row(const lty_rfm_result *r, size_t i, lty_rfm_row *out)
{
    if (!r || !out)
        return LTY_EINVALID;
    if (i >= r->d.n)
        return LTY_ERANGE;
    const unsigned char *s = &r->scores[3 * i];
    const lty__rfm_row *w = &r->d.rows[i];
    out->customer_id = r->d.pool + w->idoff;
    out->recency_days = (r->as_of - w->last) / 86400;
    out->frequency = w->freq;
    out->monetary = w->mon;
    out->r = s[0];
    out->f = s[1];
    out->m = s[2];
    out->score = 100 * s[0] + 10 * s[1] + s[2];
    out->segment = r->names[r->seg[i]];
    out->segment_index = r->seg[i];
    return LTY_OK;
}

int lty_rfm_result_find(const lty_rfm_result *r, const char *id,
                        lty_rfm_row *out)
{
    if (!r || !id || !out)
        return LTY_EINVALID;
    size_t n = strlen(id);
    size_t i = lty__rfm_data_lookup(&r->d, id, n, lty__rfm_hash(id, n));
    if (i == SIZE_MAX)
        return LTY_ENOTFOUND;
    return lty_rfm_result_row(r, i, out);
}

size_t lty_rfm_result_segment_count(const lty_rfm_result *r)
{
    return r ? r->nseg : 0;
}

int lty_rfm_result_segment(const lty_rfm_result *r, size_t i,
                           lty_rfm_segment_summary *out)
{
    if (!r || !out)
        return LTY_EINVALID;
    if (i >= r->nseg)
        return LTY_ERANGE;
    *out = r->sums[i];
    return LTY_OK;
}

double lty_rfm_result_pareto(const lty_rfm_result *r)
{
    return r ? r->pareto : 0.0;
}

int lty_rfm_result_concentration(const lty_rfm_result *r, double out[10])
{
    if (!r || !out)
        return LTY_EINVALID;
    memcpy(out, r->conc, sizeof r->conc);
    return LTY_OK;
}

int lty_rfm_result_levels(const lty_rfm_result *r, char dim)
{
    if (!r)
        return 0;
    switch (dim) {
    case 'R': return r->levels[0];
    case 'F': return r->levels[1];
    case 'M': return r->levels[2];
    default: return 0;
    }
}

int64_t lty_rfm_result_as_of(const lty_rfm_result *r)
{
    return r ? r->as_of : 0;
}

void lty__rfm_result_scores(const lty_rfm_result *r, size_t i, int *rs,
                            int *fs, int *ms, const char **segment)
{
    *rs = r->scores[3 * i];
    *fs = r->scores[3 * i + 1];
    *ms = r->scores[3 * i + 2];
    *segment = r->names[r->seg[i]];
}

int lty__rfm_result_bins(const lty_rfm_result *r)
{
    return r->bins;
}
