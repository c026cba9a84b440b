/*
 * libloyalty - the built-in memory store.
 *
 * SPDX-License-Identifier: MIT
 */
/*
 * Design, and why:
 *
 * - Transactions are serialised by one mutex per store.  begin() takes it and
 *   commit()/rollback() release it, so a transaction never sees another's
 *   writes and no conflicts arise between transactions.  Writes apply to the
 *   shared structures at once; the connection keeps an undo log (old value
 *   bytes and revisions) that rollback() replays in reverse, so commit is
 *   just "forget the log".  Calls outside a transaction take the lock around
 *   themselves.  Consequence (stated in storage.h): a thread must not open a
 *   transaction on a second connection of the same store while its first is
 *   open -- it would wait on itself forever.  For the same reason a scan
 *   callback (called with the lock held) must not call into the store.
 *
 * - Entries live in an arena of slabs taken from the store's allocator and
 *   are named by 32-bit references (slab number and offset in 8-byte
 *   granules).  That saves the C library's per-allocation header and
 *   rounding, and halves every pointer the indexes hold.  Freed entries go on
 *   a free list per size; slabs are returned only when the store is freed.
 *   32-bit references cap the entries at 32 GiB.
 *
 * - Point look-ups use an open-addressing hash table with linear probing and
 *   backward-shift deletion.  Each 64-byte line holds eight slots: eight
 *   32-bit hashes, then the eight entry references.  A miss usually costs
 *   one cache line and a hit one line plus the entry, and growing or
 *   deleting never has to touch (or rehash) an entry.
 *
 * - Ordered scans use a two-level index of references: a large sorted array
 *   (main) and an array of recent inserts (delta).  An insert only appends to
 *   delta; ordering work waits until a scan needs it, which then sorts the
 *   unsorted tail of delta (a caching MSD string sort, see sort_refs), merges
 *   it into the sorted part, and folds delta into main once delta outgrows
 *   max(4096, sqrt(64 * main)).  A write-heavy workload thus pays nothing
 *   for order, and the first scan after a bulk load pays one big sort.
 *
 * - Deleted entries (and inserts undone by rollback) are flagged dead,
 *   dropped from the hash table at once and skipped by scans; they are freed
 *   when they leave main/delta: in a merge, or in a purge once they outnumber
 *   a quarter of the live ones.  Freeing happens only while no transaction
 *   is open (at commit, rollback, after a write or in a scan outside a
 *   transaction), so no undo log can still name a freed entry: with
 *   serialised transactions "no transaction open" holds store-wide whenever
 *   the lock holder has none.  A merge inside a transaction keeps them.
 *
 * - An entry is header, key bytes, then the value inline when it fits.  A
 *   value that outgrows its inline room moves to a separate block, and
 *   within a transaction capacity never shrinks, so rollback can always put
 *   the old bytes back without allocating (rollback must not fail).  Once no
 *   rollback can need it, a block far larger than its value is given back.
 *
 * - Every allocation goes through the store's lty_allocator, never from two
 *   threads at once (under the store's lock, or while no other thread can
 *   reach the store), so the hooks need not be thread-safe.  Each operation
 *   allocates all it may need before changing anything, so a failed
 *   allocation leaves the store exactly as it was.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "../alloc_int.h"

/* ------------------------------------------------------------------ */
/* Entries                                                             */
/* ------------------------------------------------------------------ */

/* Keys are at most 512 bytes, so the key length leaves the top bits of a
 * 16-bit field free for flags; that keeps the header at 16 bytes. */
#define KLEN_MASK 0x03ffu
#define F_DEAD 0x0400u    /* deleted or undone: not in the hash table */
#define F_OUTLINE 0x0800u /* the value lives in a separate vblock */

_Static_assert(LTY_KEY_MAX <= KLEN_MASK, "key length must fit its bits");

/* Values up to this size start inline; larger ones get their own block, so
 * the arena only ever holds small pieces. */
#define INLINE_MAX 4096u

typedef struct entry {
    uint64_t rev;
    uint32_t vlen;
    uint16_t kf;   /* key length | flags */
    uint16_t room; /* bytes after the key: inline capacity, or a vblock pointer */
    unsigned char data[];
} entry;

typedef struct vblock {
    size_t cap;
    unsigned char bytes[];
} vblock;

#define ENTRY_HDR offsetof(entry, data)
/* The room must hold a vblock pointer, so a growing value can move out
 * without moving the entry (the indexes name it). */
#define MIN_ROOM sizeof(vblock *)

static inline size_t e_klen(const entry *e)
{
    return e->kf & KLEN_MASK;
}

static inline vblock *e_block(const entry *e)
{
    vblock *b;
    memcpy(&b, e->data + e_klen(e), sizeof b);
    return b;
}

static inline unsigned char *e_val(entry *e)
{
    return (e->kf & F_OUTLINE) ? e_block(e)->bytes : e->data + e_klen(e);
}

static inline size_t e_cap(const entry *e)
{
    return (e->kf & F_OUTLINE) ? e_block(e)->cap : e->room;
}

static int key_cmp(const entry *e, const void *k, size_t n)
{
    size_t el = e_klen(e);
    int c = memcmp(e->data, k, el < n ? el : n);
    if (c)
        return c;
    return (el > n) - (el < n);
}

/* ------------------------------------------------------------------ */
/* The store                                                           */
/* ------------------------------------------------------------------ */

typedef uint32_t eref; /* an entry's reference; 0 is "none" */

#define GRAN 8u                  /* arena granule: entry alignment */
#define REF_SHIFT 17u            /* offset bits: slabs of up to 1 MiB */
#define SLAB_GRANS (UINT32_C(1) << REF_SHIFT)
#define SLABS_MAX (UINT32_C(1) << (32 - REF_SHIFT))
#define FIRST_SLAB_GRANS 1024u   /* 8 KiB, so a small store stays small */
#define MIN_GRANS ((ENTRY_HDR + 1 + MIN_ROOM + GRAN - 1) / GRAN)
#define MAX_GRANS ((ENTRY_HDR + LTY_KEY_MAX + INLINE_MAX + GRAN - 1) / GRAN)

_Static_assert(MAX_GRANS <= FIRST_SLAB_GRANS, "an entry must fit any slab");

typedef struct arena {
    unsigned char **slab;
    uint32_t nslab, slabcap;
    uint32_t used, size;       /* granules of the newest slab */
    eref free[MAX_GRANS + 1];  /* free blocks by size, linked through them */
} arena;

typedef struct hline { /* one cache line of the hash table */
    uint32_t h[8];
    eref r[8];
} hline;

typedef struct htab {
    hline *line;
    void *base; /* the allocation, before aligning to 64 */
    size_t mask;
    size_t count;
} htab;

typedef struct rvec {
    eref *v;
    size_t len;
    size_t cap;
} rvec;

struct lty_memstore {
    pthread_mutex_t lock;
    lty_allocator alloc;
    uint64_t seed;     /* per store, so key sets cannot be tuned to collide */
    uint64_t next_rev; /* store-wide: a revision is never handed out twice */
    htab ht;
    rvec main;         /* sorted */
    rvec delta;        /* [0, dsorted) sorted, the rest in insertion order */
    size_t dsorted;
    size_t dead;       /* dead entries still in main/delta */
    size_t outlined;   /* entries with a vblock (freeing the store visits them) */
    size_t refs;       /* the creator's reference plus one per connection */
    atomic_size_t committed; /* record count as of the last commit */
    arena ar;
};

enum { U_INS, U_DEL, U_UPD };

typedef struct undo {
    eref r;
    uint32_t kind;
    uint32_t vlen; /* U_UPD: old value length */
    uint64_t rev;  /* U_UPD: the revision before */
    size_t off;    /* U_UPD: old value bytes in the connection's arena */
} undo;

typedef struct conn {
    lty_memstore *st;
    undo *u;
    size_t ulen, ucap;
    unsigned char *ub; /* old value bytes */
    size_t ublen, ubcap;
    bool in_txn;
    bool in_scan;
    const char *err;
} conn;

static void *st_alloc(lty_memstore *st, size_t n)
{
    return lty__malloc(&st->alloc, n);
}

static void st_free(lty_memstore *st, void *p)
{
    lty__free(&st->alloc, p);
}

static inline entry *E(const lty_memstore *st, eref r)
{
    return (entry *)(void *)(st->ar.slab[r >> REF_SHIFT] +
                             (size_t)(r & (SLAB_GRANS - 1)) * GRAN);
}

static inline int ref_cmp(const lty_memstore *st, eref a, eref b)
{
    const entry *eb = E(st, b);
    return key_cmp(E(st, a), eb->data, e_klen(eb));
}

/* ------------------------------------------------------------------ */
/* Arena                                                               */
/* ------------------------------------------------------------------ */

static inline uint32_t e_grans(const entry *e)
{
    return (uint32_t)((ENTRY_HDR + e_klen(e) + e->room) / GRAN);
}

static void arena_free(lty_memstore *st, eref r, uint32_t g)
{
    memcpy(E(st, r), &st->ar.free[g], sizeof r);
    st->ar.free[g] = r;
}

/* Start a new slab, twice the last one's size up to the maximum; what is
 * left of the old one becomes a free block. */
static int arena_grow(lty_memstore *st)
{
    arena *a = &st->ar;
    if (a->nslab == SLABS_MAX)
        return LTY_ENOMEM;
    if (a->nslab == a->slabcap) {
        uint32_t cap = a->slabcap ? a->slabcap * 2 : 16;
        unsigned char **v = lty__realloc(&st->alloc, a->slab, cap * sizeof *v);
        if (!v)
            return LTY_ENOMEM;
        a->slab = v;
        a->slabcap = cap;
    }
    uint32_t size = a->size ? a->size * 2 : FIRST_SLAB_GRANS;
    if (size > SLAB_GRANS)
        size = SLAB_GRANS;
    unsigned char *p = st_alloc(st, (size_t)size * GRAN);
    if (!p)
        return LTY_ENOMEM;
    if (a->nslab && a->size - a->used >= MIN_GRANS)
        arena_free(st, ((a->nslab - 1) << REF_SHIFT) | a->used,
                   a->size - a->used);
    a->slab[a->nslab++] = p;
    a->used = a->nslab == 1 ? 1 : 0; /* keeps reference 0 free to mean none */
    a->size = size;
    return LTY_OK;
}

static eref arena_alloc(lty_memstore *st, uint32_t g)
{
    arena *a = &st->ar;
    eref r = a->free[g];
    if (r) {
        memcpy(&a->free[g], E(st, r), sizeof r);
        return r;
    }
    if (a->used + g > a->size && arena_grow(st))
        return 0;
    r = ((a->nslab - 1) << REF_SHIFT) | a->used;
    a->used += g;
    return r;
}

static void arena_destroy(lty_memstore *st)
{
    for (uint32_t i = 0; i < st->ar.nslab; i++)
        st_free(st, st->ar.slab[i]);
    st_free(st, st->ar.slab);
}

static void entry_free(lty_memstore *st, eref r)
{
    entry *e = E(st, r);
    if (e->kf & F_OUTLINE) {
        st_free(st, e_block(e));
        st->outlined--;
    }
    arena_free(st, r, e_grans(e));
}

/* Frees a dead entry; only valid with no transaction open. */
static bool reclaim(lty_memstore *st, eref r)
{
    if (!(E(st, r)->kf & F_DEAD))
        return false;
    entry_free(st, r);
    st->dead--;
    return true;
}

/* ------------------------------------------------------------------ */
/* Hashing: in the style of wyhash (public domain), over the key bytes  */
/* ------------------------------------------------------------------ */

#define K0 UINT64_C(0xa0761d6478bd642f)
#define K1 UINT64_C(0xe7037ed1a0b428db)

static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void mum(uint64_t *a, uint64_t *b)
{
#ifdef __SIZEOF_INT128__
    __uint128_t r = (__uint128_t)*a * *b;
    *a = (uint64_t)r;
    *b = (uint64_t)(r >> 64);
#else
    uint64_t ha = *a >> 32, hb = *b >> 32, la = (uint32_t)*a, lb = (uint32_t)*b;
    uint64_t rh = ha * hb, rm0 = ha * lb, rm1 = hb * la, rl = la * lb;
    uint64_t t = rl + (rm0 << 32), c = t < rl;
    uint64_t lo = t + (rm1 << 32);
    c += lo < t;
    *a = lo;
    *b = rh + (rm0 >> 32) + (rm1 >> 32) + c;
#endif
}

static inline uint64_t mix(uint64_t a, uint64_t b)
{
    mum(&a, &b);
    return a ^ b;
}

static uint64_t hash_key(const void *key, size_t len, uint64_t seed)
{
    const unsigned char *p = key;
    uint64_t a = 0, b = 0;
    seed ^= mix(seed ^ K0, K1);
    if (len <= 16) {
        if (len >= 4) {
            size_t q = (len >> 3) << 2;
            a = (rd32(p) << 32) | rd32(p + q);
            b = (rd32(p + len - 4) << 32) | rd32(p + len - 4 - q);
        } else if (len > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) | p[len - 1];
        }
    } else {
        size_t i = len;
        for (; i > 16; i -= 16, p += 16)
            seed = mix(rd64(p) ^ K1, rd64(p + 8) ^ seed);
        a = rd64(p + i - 16);
        b = rd64(p + i - 8);
    }
    a ^= K1;
    b ^= seed;
    mum(&a, &b);
    return mix(a ^ K0 ^ len, b ^ K1);
}

/* 32 bits are kept per slot: enough to index any table 32-bit refs can
 * fill, and to rule out almost every non-matching slot without touching
 * its entry. */
static inline uint32_t key_hash(const lty_memstore *st, const void *k, size_t n)
{
    return (uint32_t)hash_key(k, n, st->seed);
}

/* ------------------------------------------------------------------ */
/* Hash table                                                          */
/* ------------------------------------------------------------------ */

#ifdef __GNUC__
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

#define HT_MIN 64
#define SLOT_H(t, i) ((t)->line[(i) >> 3].h[(i) & 7])
#define SLOT_R(t, i) ((t)->line[(i) >> 3].r[(i) & 7])

static int ht_alloc(lty_memstore *st, htab *t, size_t slots)
{
    size_t bytes = slots / 8 * sizeof(hline);
    t->base = lty__zalloc(&st->alloc, bytes + 63);
    if (!t->base)
        return LTY_ENOMEM;
    t->line = (hline *)(((uintptr_t)t->base + 63) & ~(uintptr_t)63);
    t->mask = slots - 1;
    t->count = 0;
    return LTY_OK;
}

static void ht_place(htab *t, eref r, uint32_t h)
{
    size_t i = h & t->mask;
    while (SLOT_R(t, i))
        i = (i + 1) & t->mask;
    SLOT_H(t, i) = h;
    SLOT_R(t, i) = r;
    t->count++;
}

/* Keep the load at most 4/5: probe runs stay short at about 8 bytes a
 * slot.  Growing moves the stored hashes; no entry is touched. */
static int ht_reserve(lty_memstore *st)
{
    htab *old = &st->ht, nt;
    size_t cap = old->mask + 1;
    if ((old->count + 1) * 5 <= cap * 4)
        return LTY_OK;
    if (cap > UINT32_MAX / 2 || ht_alloc(st, &nt, cap * 2))
        return LTY_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        if (SLOT_R(old, i))
            ht_place(&nt, SLOT_R(old, i), SLOT_H(old, i));
    st_free(st, old->base);
    *old = nt;
    return LTY_OK;
}

static eref ht_find(const lty_memstore *st, const void *k, size_t n,
                    uint32_t h, size_t *pos)
{
    const htab *t = &st->ht;
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        eref r = SLOT_R(t, i);
        if (!r)
            return 0;
        if (SLOT_H(t, i) == h) {
            const entry *e = E(st, r);
            if (e_klen(e) == n && memcmp(e->data, k, n) == 0) {
                if (pos)
                    *pos = i;
                return r;
            }
        }
    }
}

static eref ht_get(const lty_memstore *st, const void *k, size_t n, size_t *pos)
{
    return ht_find(st, k, n, key_hash(st, k, n), pos);
}

/* Backward-shift deletion: pull later members of the probe run into the
 * hole so look-ups never meet tombstones. */
static void ht_remove_at(htab *t, size_t hole)
{
    for (size_t j = (hole + 1) & t->mask; SLOT_R(t, j); j = (j + 1) & t->mask) {
        size_t home = SLOT_H(t, j) & t->mask;
        if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
            SLOT_H(t, hole) = SLOT_H(t, j);
            SLOT_R(t, hole) = SLOT_R(t, j);
            hole = j;
        }
    }
    SLOT_R(t, hole) = 0;
    t->count--;
}

static void ht_remove(lty_memstore *st, eref r)
{
    const entry *e = E(st, r);
    size_t pos;
    if (ht_get(st, e->data, e_klen(e), &pos) == r)
        ht_remove_at(&st->ht, pos);
}

/* ------------------------------------------------------------------ */
/* Ordering references by key                                          */
/* ------------------------------------------------------------------ */

/* How far ahead sequential walks over references touch entries: the
 * entries are scattered, so each is a cache miss unless fetched early. */
#define PF_DIST 16

/* First index whose key is >= (strict: >) the given key. */
static size_t bound(const lty_memstore *st, const eref *v, size_t len,
                    const void *k, size_t n, bool strict)
{
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(E(st, v[mid]), k, n);
        if (c < 0 || (strict && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The fallback when there is no memory for a faster sort: in place,
 * O(n log n), one entry comparison per step. */
static void sift_down(const lty_memstore *st, eref *v, size_t root, size_t n)
{
    for (size_t c; (c = 2 * root + 1) < n; root = c) {
        if (c + 1 < n && ref_cmp(st, v[c], v[c + 1]) < 0)
            c++;
        if (ref_cmp(st, v[root], v[c]) >= 0)
            return;
        eref t = v[root];
        v[root] = v[c];
        v[c] = t;
    }
}

static void sort_refs_in_place(const lty_memstore *st, eref *v, size_t n)
{
    if (n <= 16) { /* insertion sort */
        for (size_t i = 1; i < n; i++) {
            eref x = v[i];
            size_t j = i;
            for (; j > 0 && ref_cmp(st, v[j - 1], x) > 0; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    for (size_t i = n / 2; i-- > 0;)
        sift_down(st, v, i, n);
    for (size_t i = n; i-- > 1;) {
        eref t = v[0];
        v[0] = v[i];
        v[i] = t;
        sift_down(st, v, 0, i);
    }
}

/*
 * The fast sort: references paired with 8 key bytes, sorted on those in
 * cache, and only runs that tie are refilled from the next 8 bytes (a
 * caching MSD string sort).  Entries are scattered, so comparing through
 * them costs a cache miss per step; this touches each entry about once per
 * 8 bytes of distinguishing prefix, in a sequential, prefetchable walk.
 */
typedef struct kref {
    uint64_t k; /* key bytes [off, off + 8), big-endian, zero-padded */
    eref r;
    uint32_t len;
} kref;

static uint64_t key_word(const entry *e, size_t off)
{
    size_t n = e_klen(e);
    uint64_t w = 0;
    for (size_t i = 0; i < 8; i++)
        w = (w << 8) | (off + i < n ? e->data[off + i] : 0);
    return w;
}

static void kref_load(const lty_memstore *st, kref *a, size_t n, size_t off)
{
    for (size_t i = 0; i < n; i++) {
        if (i + PF_DIST < n)
            PREFETCH(E(st, a[i + PF_DIST].r));
        const entry *e = E(st, a[i].r);
        a[i].k = key_word(e, off);
        a[i].len = (uint32_t)e_klen(e);
    }
}

static void kref_swap(kref *a, kref *b)
{
    kref t = *a;
    *a = *b;
    *b = t;
}

static void kref_sift(kref *a, size_t root, size_t n)
{
    for (size_t c; (c = 2 * root + 1) < n; root = c) {
        if (c + 1 < n && a[c].k < a[c + 1].k)
            c++;
        if (a[root].k >= a[c].k)
            return;
        kref_swap(&a[root], &a[c]);
    }
}

static void kref_heap_sort(kref *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        kref_sift(a, i, n);
    for (size_t i = n; i-- > 1;) {
        kref_swap(&a[0], &a[i]);
        kref_sift(a, 0, i);
    }
}

static void kref_sort(kref *a, size_t n, unsigned depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            kref_heap_sort(a, n);
            return;
        }
        size_t m = n / 2; /* median of three into a[m], Hoare partition */
        if (a[m].k < a[0].k)
            kref_swap(&a[m], &a[0]);
        if (a[n - 1].k < a[m].k) {
            kref_swap(&a[n - 1], &a[m]);
            if (a[m].k < a[0].k)
                kref_swap(&a[m], &a[0]);
        }
        uint64_t p = a[m].k;
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i].k < p)
                i++;
            while (a[j].k > p)
                j--;
            if (i >= j)
                break;
            kref_swap(&a[i++], &a[j--]);
        }
        kref_sort(a, j + 1, depth); /* [0, j] and [j+1, n) */
        a += j + 1;
        n -= j + 1;
    }
    for (size_t i = 1; i < n; i++) {
        kref x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1].k > x.k; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

static void kref_sort_from(const lty_memstore *st, kref *a, size_t n, size_t off);

/* A run whose 8 bytes at off all tie.  Keys that end within those bytes
 * are prefixes of the longer ones (shorter first); the rest are told apart
 * by the following bytes. */
static void kref_ties(const lty_memstore *st, kref *a, size_t n, size_t off)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i].len <= off + 8)
            kref_swap(&a[w++], &a[i]);
    for (size_t i = 1; i < w; i++) {
        kref x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1].len > x.len; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
    if (n - w > 1) {
        kref_load(st, a + w, n - w, off + 8);
        kref_sort_from(st, a + w, n - w, off + 8);
    }
}

static void kref_sort_from(const lty_memstore *st, kref *a, size_t n, size_t off)
{
    unsigned depth = 0;
    for (size_t k = n; k > 1; k >>= 1)
        depth += 2;
    kref_sort(a, n, depth);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && a[j].k == a[i].k; j++)
            ;
        if (j - i > 1)
            kref_ties(st, a + i, j - i, off);
    }
}

/* Sort references by key; never fails (falls back to sorting in place). */
static void sort_refs(lty_memstore *st, eref *v, size_t n)
{
    kref *a = n > 16 ? st_alloc(st, n * sizeof *a) : NULL;
    if (!a) {
        sort_refs_in_place(st, v, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        a[i].r = v[i];
    kref_load(st, a, n, 0);
    kref_sort_from(st, a, n, 0);
    for (size_t i = 0; i < n; i++)
        v[i] = a[i].r;
    st_free(st, a);
}

/* ------------------------------------------------------------------ */
/* The ordered index                                                   */
/* ------------------------------------------------------------------ */

#define DELTA_MIN 4096u

/* Grows by half when asked for one more (the append path), exactly
 * otherwise (main is resized once per merge and should carry no slack). */
static int rvec_reserve(lty_memstore *st, rvec *p, size_t extra)
{
    if (p->len + extra <= p->cap)
        return LTY_OK;
    size_t cap = p->len + extra;
    if (extra == 1)
        cap = p->cap < 64 ? 64 : p->cap + p->cap / 2;
    eref *v = lty__realloc(&st->alloc, p->v, cap * sizeof *v);
    if (!v)
        return LTY_ENOMEM;
    p->v = v;
    p->cap = cap;
    return LTY_OK;
}

/* Merge sorted v[0, na) and sorted b[0, nb) into v[0, result) from the
 * back, in place (v has room for na + nb).  With may_free, dead entries
 * are freed on the way and the result is shorter. */
static size_t merge_back(lty_memstore *st, eref *v, size_t na, const eref *b,
                         size_t nb, bool may_free)
{
    size_t i = na, j = nb, w = na + nb;
    while (j > 0 || (may_free && i > 0)) {
        if (i >= PF_DIST)
            PREFETCH(E(st, v[i - PF_DIST]));
        if (j >= PF_DIST)
            PREFETCH(E(st, b[j - PF_DIST]));
        eref x;
        if (j == 0 || (i > 0 && ref_cmp(st, v[i - 1], b[j - 1]) > 0))
            x = v[--i];
        else
            x = b[--j];
        if (!may_free || !reclaim(st, x))
            v[--w] = x;
    }
    if (!may_free)
        return na + nb; /* v[0, i) never had to move */
    memmove(v, v + w, (na + nb - w) * sizeof *v);
    return na + nb - w;
}

/* Merge the sorted run v[n0, n) into the sorted run v[0, n0). */
static void merge_runs(lty_memstore *st, eref *v, size_t n0, size_t n)
{
    size_t k = n - n0;
    eref *tmp = k > 8 ? st_alloc(st, k * sizeof *tmp) : NULL;
    if (tmp) {
        memcpy(tmp, v + n0, k * sizeof *tmp);
        merge_back(st, v, n0, tmp, k, false);
        st_free(st, tmp);
        return;
    }
    if (k > 64) { /* no memory, and too many to place one by one */
        sort_refs_in_place(st, v, n);
        return;
    }
    for (size_t i = n0; i < n; i++) {
        eref x = v[i];
        const entry *e = E(st, x);
        size_t at = bound(st, v, i, e->data, e_klen(e), true);
        memmove(v + at + 1, v + at, (i - at) * sizeof *v);
        v[at] = x;
    }
}

/* Make all of delta sorted; scans call it, so it cannot fail. */
static void delta_sort(lty_memstore *st)
{
    rvec *d = &st->delta;
    if (st->dsorted == d->len)
        return;
    sort_refs(st, d->v + st->dsorted, d->len - st->dsorted);
    if (st->dsorted)
        merge_runs(st, d->v, st->dsorted, d->len);
    st->dsorted = d->len;
}

/* Merge (sorted) delta into main; dead entries are dropped on the way
 * unless a transaction is open (its undo log may name them). */
static void merge_into_main(lty_memstore *st, bool may_free)
{
    rvec *m = &st->main, *d = &st->delta;
    if (rvec_reserve(st, m, d->len))
        return; /* no memory: stay in delta, a later scan tries again */
    m->len = merge_back(st, m->v, m->len, d->v, d->len, may_free);
    d->len = st->dsorted = 0;
}

static size_t isqrt(size_t x)
{
    size_t r = x, y = x / 2 + 1;
    if (x < 2)
        return x;
    while (y < r) {
        r = y;
        y = (r + x / r) / 2;
    }
    return r;
}

/*
 * Scans need delta sorted; sorting only then keeps writes down to an
 * append.  Merging delta into main costs a pass over main, and merging new
 * keys into a sorted delta moves up to all of delta: sqrt(64 main) balances
 * the two when scans and inserts alternate.
 */
static void order_for_scan(lty_memstore *st, bool txn_open)
{
    size_t cap = isqrt(64 * st->main.len);
    delta_sort(st);
    if (st->delta.len > (cap > DELTA_MIN ? cap : DELTA_MIN))
        merge_into_main(st, !txn_open);
}

/* Drop dead entries keeping the order; *sorted is the length of a sorted
 * prefix, adjusted to match. */
static size_t purge_vec(lty_memstore *st, eref *v, size_t len, size_t *sorted)
{
    size_t w = 0, ws = 0;
    for (size_t r = 0; r < len; r++) {
        if (r + PF_DIST < len)
            PREFETCH(E(st, v[r + PF_DIST]));
        if (reclaim(st, v[r]))
            continue;
        if (r < *sorted)
            ws++;
        v[w++] = v[r];
    }
    *sorted = ws;
    return w;
}

/* Housekeeping with no transaction open: free dead entries once they are
 * a quarter of the live ones. */
static void maintain(lty_memstore *st)
{
    if (st->dead <= DELTA_MIN || st->dead <= st->ht.count / 4)
        return;
    size_t all = st->main.len;
    st->main.len = purge_vec(st, st->main.v, st->main.len, &all);
    st->delta.len = purge_vec(st, st->delta.v, st->delta.len, &st->dsorted);
}

/* ------------------------------------------------------------------ */
/* Values and entries                                                  */
/* ------------------------------------------------------------------ */

static vblock *vblock_new(lty_memstore *st, size_t cap)
{
    vblock *b = st_alloc(st, sizeof *b + cap);
    if (b)
        b->cap = cap;
    return b;
}

/* The room after the key is the value rounded up to the granule: the
 * rounding is free, and gives the value a little space to grow in place. */
static eref entry_new(lty_memstore *st, const void *k, size_t klen,
                      const void *v, size_t vlen)
{
    bool inl = vlen <= INLINE_MAX;
    size_t room = inl && vlen > MIN_ROOM ? vlen : MIN_ROOM;
    size_t size = (ENTRY_HDR + klen + room + GRAN - 1) & ~(size_t)(GRAN - 1);
    vblock *b = inl ? NULL : vblock_new(st, vlen);
    eref r = (inl || b) ? arena_alloc(st, (uint32_t)(size / GRAN)) : 0;
    if (!r) {
        st_free(st, b);
        return 0;
    }
    entry *e = E(st, r);
    e->kf = (uint16_t)klen;
    e->vlen = (uint32_t)vlen;
    e->room = (uint16_t)(size - ENTRY_HDR - klen);
    memcpy(e->data, k, klen);
    if (b) {
        memcpy(e->data + klen, &b, sizeof b);
        e->kf |= F_OUTLINE;
        st->outlined++;
    }
    if (vlen)
        memcpy(e_val(e), v, vlen);
    return r;
}

/* The block a new value of len bytes needs, if it does not fit; capacity
 * grows by a quarter so a record that keeps growing moves rarely. */
static int value_prepare(lty_memstore *st, const entry *e, size_t len,
                         vblock **nb)
{
    *nb = NULL;
    if (len <= e_cap(e))
        return LTY_OK;
    size_t cap = (len + len / 4 + 15) & ~(size_t)15;
    *nb = vblock_new(st, cap);
    return *nb ? LTY_OK : LTY_ENOMEM;
}

static void value_store(lty_memstore *st, entry *e, const void *v, size_t len,
                        vblock *nb)
{
    if (nb) {
        if (e->kf & F_OUTLINE)
            st_free(st, e_block(e));
        else
            st->outlined++;
        memcpy(e->data + e_klen(e), &nb, sizeof nb);
        e->kf |= F_OUTLINE;
    }
    if (len)
        memmove(e_val(e), v, len);
    e->vlen = (uint32_t)len;
}

/* A value that shrank far below its block gives the room back (inline
 * when it fits again).  Only once no rollback can need the room; skipped
 * when there is no memory, as nothing depends on it. */
static void value_shrink(lty_memstore *st, entry *e)
{
    if (!(e->kf & F_OUTLINE) || (e->kf & F_DEAD))
        return;
    vblock *b = e_block(e);
    if (b->cap <= INLINE_MAX || e->vlen > b->cap / 4)
        return;
    if (e->vlen <= e->room) {
        memmove(e->data + e_klen(e), b->bytes, e->vlen);
        e->kf &= (uint16_t)~F_OUTLINE;
        st->outlined--;
    } else {
        vblock *nb = vblock_new(st, e->vlen + e->vlen / 4);
        if (!nb)
            return;
        memcpy(nb->bytes, b->bytes, e->vlen);
        memcpy(e->data + e_klen(e), &nb, sizeof nb);
    }
    st_free(st, b);
}

/* ------------------------------------------------------------------ */
/* Undo log                                                            */
/* ------------------------------------------------------------------ */

static int undo_reserve(conn *c, size_t bytes)
{
    lty_memstore *st = c->st;
    if (!c->in_txn)
        return LTY_OK;
    if (c->ulen == c->ucap) {
        size_t cap = c->ucap ? c->ucap * 2 : 16;
        undo *u = lty__realloc(&st->alloc, c->u, cap * sizeof *u);
        if (!u)
            return LTY_ENOMEM;
        c->u = u;
        c->ucap = cap;
    }
    if (c->ublen + bytes > c->ubcap) {
        size_t cap = c->ubcap ? c->ubcap : 256;
        while (cap < c->ublen + bytes)
            cap *= 2;
        unsigned char *b = lty__realloc(&st->alloc, c->ub, cap);
        if (!b)
            return LTY_ENOMEM;
        c->ub = b;
        c->ubcap = cap;
    }
    return LTY_OK;
}

/* Record how to undo a change to r; space was reserved by undo_reserve. */
static void undo_push(conn *c, uint32_t kind, eref r)
{
    if (!c->in_txn)
        return;
    entry *e = E(c->st, r);
    undo *u = &c->u[c->ulen++];
    u->r = r;
    u->kind = kind;
    u->rev = e->rev;
    u->vlen = e->vlen;
    u->off = c->ublen;
    if (kind == U_UPD && e->vlen) {
        memcpy(c->ub + c->ublen, e_val(e), e->vlen);
        c->ublen += e->vlen;
    }
}

static void undo_apply(lty_memstore *st, conn *c, const undo *u)
{
    entry *e = E(st, u->r);
    switch (u->kind) {
    case U_UPD: /* capacity never shrinks, so the old bytes fit */
        e->rev = u->rev;
        value_store(st, e, c->ub + u->off, u->vlen, NULL);
        break;
    case U_INS:
        ht_remove(st, u->r);
        e->kf |= F_DEAD;
        st->dead++;
        break;
    case U_DEL: /* cannot need growth: the entry had a slot before */
        e->kf &= (uint16_t)~F_DEAD;
        st->dead--;
        ht_place(&st->ht, u->r, key_hash(st, e->data, e_klen(e)));
        break;
    }
}

static void undo_all(conn *c)
{
    for (size_t i = c->ulen; i-- > 0;)
        undo_apply(c->st, c, &c->u[i]);
}

/* Keep small buffers between transactions; let go of big ones. */
static void undo_clear(conn *c)
{
    for (size_t i = 0; i < c->ulen; i++)
        if (c->u[i].kind == U_UPD)
            value_shrink(c->st, E(c->st, c->u[i].r));
    c->ulen = c->ublen = 0;
    if (c->ubcap > (1u << 20)) {
        st_free(c->st, c->ub);
        c->ub = NULL;
        c->ubcap = 0;
    }
    if (c->ucap > 4096) {
        st_free(c->st, c->u);
        c->u = NULL;
        c->ucap = 0;
    }
}

/* ------------------------------------------------------------------ */
/* Connection plumbing                                                 */
/* ------------------------------------------------------------------ */

static const char *code_text(int rc)
{
    switch (rc) {
    case LTY_EINVALID: return "memory store: invalid argument";
    case LTY_ENOMEM: return "memory store: out of memory";
    case LTY_ENOTFOUND: return "memory store: no such key";
    case LTY_ECONFLICT: return "memory store: revision mismatch";
    case LTY_ESTATE: return "memory store: call out of sequence";
    default: return "memory store: failed";
    }
}

static int fail(conn *c, int rc)
{
    if (c && rc < 0)
        c->err = code_text(rc);
    return rc;
}

/* A connection may be used unless a scan callback is calling back in. */
static int usable(conn *c)
{
    if (!c)
        return LTY_EINVALID;
    return c->in_scan ? LTY_ESTATE : LTY_OK;
}

static int check_key(const char *k, size_t n)
{
    return (!k || n == 0 || n > LTY_KEY_MAX) ? LTY_EINVALID : LTY_OK;
}

static void enter(conn *c)
{
    if (!c->in_txn)
        pthread_mutex_lock(&c->st->lock);
}

static void publish(lty_memstore *st)
{
    atomic_store_explicit(&st->committed, st->ht.count, memory_order_relaxed);
}

static void leave(conn *c, bool wrote)
{
    if (c->in_txn)
        return;
    if (wrote) {
        publish(c->st);
        maintain(c->st);
    }
    pthread_mutex_unlock(&c->st->lock);
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */
/* ------------------------------------------------------------------ */

static int mem_begin(void *ud)
{
    conn *c = ud;
    int rc = usable(c);
    if (!rc && c->in_txn)
        rc = LTY_ESTATE;
    if (rc)
        return fail(c, rc);
    pthread_mutex_lock(&c->st->lock);
    c->in_txn = true;
    return LTY_OK;
}

static void end_txn(conn *c)
{
    undo_clear(c);
    c->in_txn = false;
    publish(c->st);
    maintain(c->st);
    pthread_mutex_unlock(&c->st->lock);
}

static int mem_commit(void *ud)
{
    conn *c = ud;
    int rc = usable(c);
    if (!rc && !c->in_txn)
        rc = LTY_ESTATE;
    if (rc)
        return fail(c, rc);
    end_txn(c);
    return LTY_OK;
}

static int mem_rollback(void *ud)
{
    conn *c = ud;
    int rc = usable(c);
    if (!rc && !c->in_txn)
        rc = LTY_ESTATE;
    if (rc)
        return fail(c, rc);
    undo_all(c);
    end_txn(c);
    return LTY_OK;
}

/* Start loading the hash-table line a key lives in.  Only inside a
 * transaction: then this connection holds the lock and the table cannot be
 * resized under us.  An engine announces the few keys a call will touch, so
 * their cache misses overlap instead of queueing one after another. */
static void mem_prefetch(const char *key, size_t keylen, void *ud)
{
    conn *c = ud;
    if (!c || !c->in_txn || !key || check_key(key, keylen))
        return;
    const htab *t = &c->st->ht;
    if (!t->line)
        return;
    size_t i = key_hash(c->st, key, keylen) & t->mask;
    __builtin_prefetch(&t->line[i >> 3]);
}

static int mem_get(const char *key, size_t keylen, lty_buf *value,
                   uint64_t *rev, void *ud)
{
    conn *c = ud;
    int rc = usable(c);
    if (!rc)
        rc = check_key(key, keylen);
    if (!rc && !value)
        rc = LTY_EINVALID;
    if (rc)
        return fail(c, rc);
    enter(c);
    eref r = ht_get(c->st, key, keylen, NULL);
    if (!r) {
        rc = LTY_ENOTFOUND;
    } else {
        entry *e = E(c->st, r);
        rc = lty_buf_set(value, e_val(e), e->vlen);
        if (!rc && rev)
            *rev = e->rev;
    }
    leave(c, false);
    return fail(c, rc);
}

static int check_rev(const entry *e, uint64_t expected)
{
    if (expected == LTY_REV_ANY)
        return LTY_OK;
    if (!e)
        return expected == LTY_REV_NONE ? LTY_OK : LTY_ECONFLICT;
    return expected == e->rev ? LTY_OK : LTY_ECONFLICT;
}

static int put_new(conn *c, const char *key, size_t keylen, uint32_t h,
                   const void *value, size_t len, uint64_t *new_rev)
{
    lty_memstore *st = c->st;
    eref r = entry_new(st, key, keylen, value, len);
    if (!r)
        return LTY_ENOMEM;
    if (ht_reserve(st) || rvec_reserve(st, &st->delta, 1) || undo_reserve(c, 0)) {
        entry_free(st, r);
        return LTY_ENOMEM;
    }
    entry *e = E(st, r);
    e->rev = st->next_rev++;
    ht_place(&st->ht, r, h);
    st->delta.v[st->delta.len++] = r;
    undo_push(c, U_INS, r);
    *new_rev = e->rev;
    return LTY_OK;
}

static int put_update(conn *c, eref r, const void *value, size_t len,
                      uint64_t *new_rev)
{
    lty_memstore *st = c->st;
    entry *e = E(st, r);
    vblock *nb;
    if (value_prepare(st, e, len, &nb))
        return LTY_ENOMEM;
    if (undo_reserve(c, e->vlen)) {
        st_free(st, nb);
        return LTY_ENOMEM;
    }
    undo_push(c, U_UPD, r);
    value_store(st, e, value, len, nb);
    if (!c->in_txn)
        value_shrink(st, e);
    e->rev = st->next_rev++;
    *new_rev = e->rev;
    return LTY_OK;
}

static int mem_put(const char *key, size_t keylen, const void *value,
                   size_t len, uint64_t expected_rev, uint64_t *new_rev,
                   void *ud)
{
    conn *c = ud;
    int rc = usable(c);
    if (!rc)
        rc = check_key(key, keylen);
    if (!rc && ((!value && len) || len > LTY_VALUE_MAX))
        rc = LTY_EINVALID;
    if (rc)
        return fail(c, rc);
    uint64_t nr = 0;
    uint32_t h = key_hash(c->st, key, keylen);
    enter(c);
    eref r = ht_find(c->st, key, keylen, h, NULL);
    rc = check_rev(r ? E(c->st, r) : NULL, expected_rev);
    if (!rc)
        rc = r ? put_update(c, r, value, len, &nr)
               : put_new(c, key, keylen, h, value, len, &nr);
    leave(c, rc == LTY_OK);
    if (!rc && new_rev)
        *new_rev = nr;
    return fail(c, rc);
}

static int mem_del(const char *key, size_t keylen, uint64_t expected_rev,
                   void *ud)
{
    conn *c = ud;
    int rc = usable(c);
    if (!rc)
        rc = check_key(key, keylen);
    if (rc)
        return fail(c, rc);
    enter(c);
    size_t pos = 0;
    eref r = ht_get(c->st, key, keylen, &pos);
    if (!r)
        rc = LTY_ENOTFOUND;
    else if (expected_rev != LTY_REV_ANY && expected_rev != E(c->st, r)->rev)
        rc = LTY_ECONFLICT;
    else if (undo_reserve(c, 0))
        rc = LTY_ENOMEM;
    if (!rc) {
        undo_push(c, U_DEL, r);
        ht_remove_at(&c->st->ht, pos);
        E(c->st, r)->kf |= F_DEAD;
        c->st->dead++;
    }
    leave(c, rc == LTY_OK);
    return fail(c, rc);
}

typedef struct scan_req {
    const char *prefix;
    size_t prefixlen;
    const char *after;
    size_t afterlen;
    lty_scan_fn each;
    void *ctx;
} scan_req;

static size_t scan_start(const lty_memstore *st, const rvec *v,
                         const scan_req *q)
{
    size_t i = bound(st, v->v, v->len, q->prefix, q->prefixlen, false);
    if (q->afterlen) {
        size_t j = bound(st, v->v, v->len, q->after, q->afterlen, true);
        if (j > i)
            i = j;
    }
    return i;
}

static bool has_prefix(const entry *e, const scan_req *q)
{
    return e_klen(e) >= q->prefixlen &&
           memcmp(e->data, q->prefix, q->prefixlen) == 0;
}

/* Walk main and delta together in key order.  Keys with the prefix are
 * contiguous in both, so the first key without it ends the scan. */
static int scan_walk(const lty_memstore *st, const scan_req *q)
{
    const rvec *m = &st->main, *d = &st->delta;
    size_t i = scan_start(st, m, q), j = scan_start(st, d, q);
    for (;;) {
        eref r;
        if (i < m->len && (j >= d->len || ref_cmp(st, m->v[i], d->v[j]) < 0))
            r = m->v[i++];
        else if (j < d->len)
            r = d->v[j++];
        else
            return LTY_OK;
        entry *e = E(st, r);
        if (!has_prefix(e, q))
            return LTY_OK;
        if (e->kf & F_DEAD)
            continue;
        int rc = q->each((const char *)e->data, e_klen(e), e_val(e), e->vlen,
                         e->rev, q->ctx);
        if (rc)
            return rc < 0 ? rc : LTY_OK;
    }
}

static int mem_scan(const char *prefix, size_t prefixlen, const char *after,
                    size_t afterlen, lty_scan_fn each, void *each_ctx, void *ud)
{
    conn *c = ud;
    int rc = usable(c);
    if (!rc && (!each || (!prefix && prefixlen) || (!after && afterlen) ||
                prefixlen > LTY_KEY_MAX || afterlen > LTY_KEY_MAX))
        rc = LTY_EINVALID;
    if (rc)
        return fail(c, rc);
    scan_req q = {prefix ? prefix : "", prefixlen, after, afterlen, each, each_ctx};
    enter(c);
    order_for_scan(c->st, c->in_txn);
    c->in_scan = true;
    rc = scan_walk(c->st, &q);
    c->in_scan = false;
    leave(c, false);
    return rc; /* a callback's own code is not a store failure: no errmsg */
}

static const char *mem_errmsg(void *ud)
{
    conn *c = ud;
    return c ? c->err : NULL;
}

/* ------------------------------------------------------------------ */
/* Store and connection lifetime                                       */
/* ------------------------------------------------------------------ */

static void free_blocks(lty_memstore *st, const rvec *v)
{
    for (size_t i = 0; i < v->len; i++) {
        const entry *e = E(st, v->v[i]);
        if (e->kf & F_OUTLINE)
            st_free(st, e_block(e));
    }
}

static void store_destroy(lty_memstore *st)
{
    if (st->outlined) {
        free_blocks(st, &st->main);
        free_blocks(st, &st->delta);
    }
    arena_destroy(st);
    st_free(st, st->main.v);
    st_free(st, st->delta.v);
    st_free(st, st->ht.base);
    pthread_mutex_destroy(&st->lock);
    lty_allocator a = st->alloc;
    lty__free(&a, st);
}

/* Drops one reference; called with the lock held, returns it released. */
static void store_unref_locked(lty_memstore *st)
{
    bool last = --st->refs == 0;
    pthread_mutex_unlock(&st->lock);
    if (last)
        store_destroy(st);
}

static void mem_destroy(void *ud)
{
    conn *c = ud;
    if (!c)
        return;
    lty_memstore *st = c->st;
    if (c->in_txn) { /* an engine freed mid-transaction: its writes go */
        undo_all(c);
        publish(st);
    } else {
        pthread_mutex_lock(&st->lock);
    }
    st_free(st, c->u);
    st_free(st, c->ub);
    st_free(st, c);
    store_unref_locked(st);
}

static uint64_t make_seed(const void *p)
{
    uint64_t s = (uint64_t)(uintptr_t)p ^ ((uint64_t)time(NULL) << 20);
    return mix(s ^ K1, K0);
}

LTY_API int lty_memstore_new(lty_memstore **out, const lty_allocator *alloc)
{
    lty_allocator a;
    if (!out)
        return LTY_EINVALID;
    *out = NULL;
    if (lty__alloc_init(&a, alloc))
        return LTY_EINVALID;
    lty_memstore *st = lty__zalloc(&a, sizeof *st);
    if (!st)
        return LTY_ENOMEM;
    st->alloc = a;
    if (ht_alloc(st, &st->ht, HT_MIN)) {
        lty__free(&a, st);
        return LTY_ENOMEM;
    }
    if (pthread_mutex_init(&st->lock, NULL)) {
        st_free(st, st->ht.base);
        lty__free(&a, st);
        return LTY_ENOMEM;
    }
    st->seed = make_seed(st);
    st->next_rev = 1;
    st->refs = 1;
    atomic_init(&st->committed, 0);
    *out = st;
    return LTY_OK;
}

LTY_API int lty_memstore_connect(lty_memstore *store, lty_storage_ops *ops,
                                 void **userdata)
{
    if (!store || !ops || !userdata)
        return LTY_EINVALID;
    pthread_mutex_lock(&store->lock);
    conn *c = lty__zalloc(&store->alloc, sizeof *c);
    if (c) {
        c->st = store;
        store->refs++;
    }
    pthread_mutex_unlock(&store->lock);
    if (!c)
        return LTY_ENOMEM;
    lty_storage_ops o = LTY_STORAGE_OPS_INIT;
    o.begin = mem_begin;
    o.commit = mem_commit;
    o.rollback = mem_rollback;
    o.get = mem_get;
    o.put = mem_put;
    o.del = mem_del;
    o.scan = mem_scan;
    o.errmsg = mem_errmsg;
    o.destroy = mem_destroy;
    o.prefetch = mem_prefetch;
    *ops = o;
    *userdata = c;
    return LTY_OK;
}

LTY_API size_t lty_memstore_count(lty_memstore *store)
{
    if (!store)
        return 0;
    return atomic_load_explicit(&store->committed, memory_order_relaxed);
}

LTY_API void lty_memstore_free(lty_memstore *store)
{
    if (!store)
        return;
    pthread_mutex_lock(&store->lock);
    store_unref_locked(store);
}
