/*
 * libloyalty tests - a memory store and an engine with a controlled clock.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_TESTUTIL_H
#define LTY_TESTUTIL_H

#include <check.h>
#include <loyalty.h>

/* 2026-03-01T00:00:00Z: the default "now" of a test engine. */
#define LTY_TEST_NOW INT64_C(1772323200)

typedef struct lty_test_env {
    lty_memstore *ms;
    lty_engine *e;
    int64_t now;              /* what the engine's clock returns */
    lty_storage_ops ops;      /* the memory-store connection of e */
    void *ud;
} lty_test_env;

/* A memory store and an engine on it: clock = t->now (LTY_TEST_NOW),
 * UTC+9 (Korea), country code 82.  Asserts on failure. */
void lty_test_env_open(lty_test_env *t);
/* Same, with the engine built from opts (storage and clock are filled in). */
void lty_test_env_open_with(lty_test_env *t, lty_engine_options *opts);
void lty_test_env_close(lty_test_env *t);

/* A second engine over the same memory store (its own connection). */
lty_engine *lty_test_env_engine(lty_test_env *t);

/* Create a customer with a name and phone (either may be NULL); asserts. */
void lty_test_customer(lty_engine *e, const char *id, const char *name,
                       const char *phone);

/* Record a purchase (type PURCHASE) or visit (amount < 0 means VISIT); asserts. */
void lty_test_event(lty_engine *e, const char *evid, const char *cid,
                    int64_t time, int64_t amount, const char *item);

/* Assert that the engine's last error mentions the text. */
#define lty_assert_err_mentions(e, text) \
    ck_assert_msg(strstr(lty_engine_last_error(e), (text)) != NULL, \
                  "last error '%s' does not mention '%s'", \
                  lty_engine_last_error(e), (text))

#endif /* LTY_TESTUTIL_H */
