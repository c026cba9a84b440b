/*
 * libloyalty fuzz harnesses - what every harness needs: an engine over a
 * fresh memory store with a fixed clock, a check that aborts (so that
 * libFuzzer and the replay both report it), and a way to cut the input
 * into NUL-terminated strings.
 *
 * Header-only (static inline functions) so that tests/fuzz/run.sh can build each
 * harness from its one .c file.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_FUZZ_UTIL_H
#define LTY_FUZZ_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loyalty.h>

/* 2026-03-02T00:00:00+09:00, a Monday: the clock of every harness. */
#define FUZZ_NOW INT64_C(1772377200)

typedef struct fuzz_world {
    lty_memstore *ms;
    lty_storage_ops ops; /* the engine's connection, for raw writes */
    void *ud;
    lty_engine *e;
    int64_t now;
} fuzz_world;

static inline void fuzz_fail(const char *harness, const char *what, int rc,
                      const char *msg)
{
    fprintf(stderr, "%s: %s (rc %d %s: %s)\n", harness, what, rc,
            lty_strerror(rc), msg ? msg : "");
    abort();
}

static inline int64_t fuzz_clock(void *ud)
{
    return *(const int64_t *)ud;
}

/* A fresh store and an engine over it at UTC+9 with the given country
 * code (0: the engine's default); aborts on failure. */
static inline void fuzz_world_open_cc(fuzz_world *w, const char *harness,
                                      int country_code)
{
    memset(w, 0, sizeof *w);
    w->now = FUZZ_NOW;
    if (lty_memstore_new(&w->ms, NULL) != LTY_OK)
        fuzz_fail(harness, "lty_memstore_new", 0, NULL);
    if (lty_memstore_connect(w->ms, &w->ops, &w->ud) != LTY_OK)
        fuzz_fail(harness, "lty_memstore_connect", 0, NULL);
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &w->ops;
    o.storage_userdata = w->ud;
    o.clock = fuzz_clock;
    o.clock_userdata = &w->now;
    o.utc_offset_minutes = 540;
    if (country_code)
        o.country_code = country_code;
    int rc = lty_engine_new(&w->e, &o);
    if (rc != LTY_OK)
        fuzz_fail(harness, "lty_engine_new", rc, NULL);
}

/* The same with the engine's default country code (82, Korea). */
static inline void fuzz_world_open(fuzz_world *w, const char *harness)
{
    fuzz_world_open_cc(w, harness, 0);
}

static inline void fuzz_world_close(fuzz_world *w)
{
    lty_engine_free(w->e);
    lty_memstore_free(w->ms);
}

/* Cuts data into strings at each NUL byte (an input without one is a
 * single string).  Returns a malloc'd block holding n strings one after the
 * other (free() it) and fills up to max pointers in parts; the pointers
 * past the last string point at "".  Aborts when memory runs out. */
static inline char *fuzz_split(const uint8_t *data, size_t size, const char **parts,
                        size_t max, size_t *n)
{
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    if (size)
        memcpy(copy, data, size);
    copy[size] = '\0';
    size_t k = 0;
    const char *p = copy;
    const char *end = copy + size;
    while (k < max) {
        parts[k++] = p;
        size_t len = strlen(p);
        if (p + len >= end)
            break;
        p += len + 1;
    }
    *n = k;
    for (size_t i = k; i < max; i++)
        parts[i] = "";
    return copy;
}

/* The code is one of the n codes that follow; abort otherwise. */
static inline void fuzz_expect_rc(const char *harness, const char *call, int rc,
                           const char *msg, size_t n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        if (va_arg(ap, int) == rc) {
            va_end(ap);
            return;
        }
    }
    va_end(ap);
    char what[160];
    snprintf(what, sizeof what, "%s: undocumented return code", call);
    fuzz_fail(harness, what, rc, msg);
}

#endif /* LTY_FUZZ_UTIL_H */
