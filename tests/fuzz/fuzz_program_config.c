/*
 * libloyalty fuzz harness - program definition files.
 *
 * Feeds the input to lty_program_load_text() on a fresh memory-store engine
 * and checks what must hold for any input:
 *
 *   - no crash, no sanitizer report, no leak;
 *   - the return code is one lty_program_load_text() documents for a fresh
 *     store (LTY_OK, LTY_EPARSE, LTY_EINVALID, LTY_ERANGE for more programs
 *     than a store holds, LTY_ENOMEM);
 *   - a failure leaves a message that begins with the origin, and stores
 *     no program at all (all or nothing);
 *   - a success stores at least one program.
 *
 * With libFuzzer (clang):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *       tests/fuzz/fuzz_program_config.c $(ls src/[a-z]*.c) \
 *       src/store/memory.c -lpthread -o fuzz_program_config
 *   ./fuzz_program_config tests/fuzz/corpus/program_config
 *
 * Without it, tests/fuzz/replay.c runs the same function over the seed
 * corpus (make check does: tests/fuzz/replay_program_config.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loyalty.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ORIGIN "fuzz.ini"

static void fail(const char *what, int rc, const char *msg)
{
    fprintf(stderr, "fuzz_program_config: %s (rc %d %s: %s)\n", what, rc,
            lty_strerror(rc), msg ? msg : "");
    abort();
}

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return INT64_C(1772323200); /* 2026-03-01T00:00:00Z */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lty_memstore *ms = NULL;
    lty_storage_ops ops;
    void *ud = NULL;
    lty_engine *e = NULL;
    if (lty_memstore_new(&ms, NULL) != LTY_OK)
        fail("lty_memstore_new", 0, NULL);
    if (lty_memstore_connect(ms, &ops, &ud) != LTY_OK)
        fail("lty_memstore_connect", 0, NULL);
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = ud;
    o.clock = fixed_clock;
    o.utc_offset_minutes = 540;
    int rc = lty_engine_new(&e, &o);
    if (rc != LTY_OK)
        fail("lty_engine_new", rc, NULL);

    rc = lty_program_load_text(e, (const char *)data, size, ORIGIN);
    const char *msg = lty_engine_last_error(e);
    switch (rc) {
    case LTY_OK:
    case LTY_EPARSE:
    case LTY_EINVALID:
    case LTY_ERANGE:
    case LTY_ENOMEM:
        break;
    default:
        fail("undocumented return code", rc, msg);
    }
    if (rc != LTY_OK && strncmp(msg, ORIGIN ":", strlen(ORIGIN ":")) != 0)
        fail("message does not begin with the origin", rc, msg);

    size_t count = 0;
    int lrc = lty_program_list(e, NULL, 0, &count);
    if (lrc != LTY_OK)
        fail("lty_program_list", lrc, lty_engine_last_error(e));
    if (rc != LTY_OK && count != 0)
        fail("a failed load stored programs", rc, msg);
    if (rc == LTY_OK && count == 0)
        fail("a successful load stored nothing", rc, msg);

    lty_engine_free(e);
    lty_memstore_free(ms);
    return 0;
}
