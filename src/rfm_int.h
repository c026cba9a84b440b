/*
 * libloyalty - internal: RFM, shared by the scoring core (rfm.c), the store
 * path (rfm_store.c) and the batch path (rfm_batch.c).
 *
 * Both paths first gather one row per customer (id, time of the last
 * counted event, frequency, monetary) into an lty__rfm_data, then hand it
 * to lty__rfm_finish(), which scores, segments and summarises.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_RFM_INT_H
#define LTY_RFM_INT_H

#include <stdint.h>

#include "alloc_int.h"
#include "loyalty/rfm.h"

#define LTY__RFM_COMBOS (LTY_RFM_BINS_MAX * LTY_RFM_BINS_MAX * LTY_RFM_BINS_MAX)

struct lty_rfm_segments {
    lty_allocator alloc;
    int bins;
    size_t count; /* rules; index count is the fallback */
    char names[LTY_RFM_SEGMENTS_MAX + 1][LTY_TITLE_MAX + 1];
    unsigned char map[LTY__RFM_COMBOS]; /* (r-1)*81 + (f-1)*9 + (m-1) */
};

/* Options, checked and defaulted.  as_of may still be LTY_TIME_NOW (the
 * path resolves it). */
typedef struct lty__rfm_opts {
    int64_t as_of;
    int window_days;
    lty_rfm_frequency frequency;
    int bins;
    lty_rfm_ties ties;
    int has_cuts[3];
    int64_t cuts[3][LTY_RFM_BINS_MAX - 1];
    const lty_rfm_segments *segments;
    int no_save;
} lty__rfm_opts;

/* One row: its hot fields together (one cache line access per update). */
typedef struct lty__rfm_row {
    size_t idoff; /* id in pool, NUL-terminated */
    int64_t last;
    int64_t freq;
    int64_t mon;
} lty__rfm_row;

/* Rows gathered by a path.  Ids live in pool, NUL-terminated, at
 * rows[i].idoff. */
typedef struct lty__rfm_data {
    lty_allocator alloc;
    char *pool;
    size_t pool_len, pool_cap;
    lty__rfm_row *rows;
    size_t n, cap;
    /* open-addressing index: slot -> (hash tag << 32) | (row + 1), 0: empty;
     * the tag (high 32 bits of the id's hash) is compared before the row
     * and its id are touched; hcap a power of 2 */
    uint64_t *hash;
    size_t hcap;
    int sorted_by_id; /* rows are in id byte order already */
} lty__rfm_data;

LTY_INTERNAL void lty__rfm_data_init(lty__rfm_data *d, const lty_allocator *a);
LTY_INTERNAL void lty__rfm_data_release(lty__rfm_data *d);
/* Append a row (the id is copied); LTY_ENOMEM, LTY_ERANGE (too many rows). */
LTY_INTERNAL int lty__rfm_data_add(lty__rfm_data *d, const char *id, size_t n,
                                   int64_t last, int64_t freq, int64_t mon,
                                   size_t *row);
/* The row of an id through the hash (built on demand by _add_hashed or
 * lty__rfm_data_index), or SIZE_MAX. */
LTY_INTERNAL size_t lty__rfm_data_lookup(const lty__rfm_data *d,
                                         const char *id, size_t n,
                                         uint64_t h);
LTY_INTERNAL uint64_t lty__rfm_hash(const char *s, size_t n);
/* Find or add a row keyed by id (hash kept up to date); *created says
 * which.  New rows start with last = INT64_MIN, freq = mon = 0. */
LTY_INTERNAL int lty__rfm_data_upsert(lty__rfm_data *d, const char *id,
                                      size_t n, size_t *row, int *created);
/* The same with h = lty__rfm_hash(id, n) already computed. */
LTY_INTERNAL int lty__rfm_data_upsert_h(lty__rfm_data *d, const char *id,
                                        size_t n, uint64_t h, size_t *row,
                                        int *created);

/* Hints that the id with hash h is about to be looked up, in stages: 0
 * the hash slot, 1 the row its first slot names (when the tag matches), 2
 * that row's id.  Reads only; no effect on the result. */
static inline void lty__rfm_data_prefetch(const lty__rfm_data *d, uint64_t h,
                                          int stage)
{
    if (!d->hcap)
        return;
    const uint64_t *slot = &d->hash[(size_t)h & (d->hcap - 1)];
    if (stage == 0) {
        __builtin_prefetch(slot);
        return;
    }
    uint64_t v = *slot;
    if (!v || (uint32_t)(v >> 32) != (uint32_t)(h >> 32))
        return;
    const lty__rfm_row *w = &d->rows[(uint32_t)v - 1];
    if (stage == 1)
        __builtin_prefetch(w, 1);
    else
        __builtin_prefetch(d->pool + w->idoff);
}
/* Build the hash over every row (when rows were added with _add). */
LTY_INTERNAL int lty__rfm_data_index(lty__rfm_data *d);

/* Check options (NULL: defaults).  err gets the detail. */
LTY_INTERNAL int lty__rfm_opts_check(const lty_rfm_options *in,
                                     lty__rfm_opts *out, char *err,
                                     size_t errlen);

/* Score d (taken over: released on every outcome) as of o->as_of (resolved)
 * into a new result. */
LTY_INTERNAL int lty__rfm_finish(lty__rfm_data *d, const lty__rfm_opts *o,
                                 lty_rfm_result **out, char *err,
                                 size_t errlen);

/* What lty__rfm_finish computed, for the store path's writes. */
LTY_INTERNAL void lty__rfm_result_scores(const lty_rfm_result *r, size_t i,
                                         int *rs, int *fs, int *ms,
                                         const char **segment);
LTY_INTERNAL int lty__rfm_result_bins(const lty_rfm_result *r);

/* snprintf into an optional buffer. */
LTY_INTERNAL void lty__rfm_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Decode a stored "Z" record (rfm_store.c) into s (version set by the
 * caller): LTY_OK, LTY_ECORRUPT or LTY_EVERSION. */
LTY_INTERNAL int lty__rfm_scores_decode(const void *data, size_t len,
                                        lty_rfm_scores *s);

#endif /* LTY_RFM_INT_H */
