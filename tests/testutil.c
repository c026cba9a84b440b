/*
 * libloyalty tests - a memory store and an engine with a controlled clock.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "testutil.h"

static int64_t test_clock(void *ud)
{
    return ((lty_test_env *)ud)->now;
}

void lty_test_env_open_with(lty_test_env *t, lty_engine_options *opts)
{
    t->now = LTY_TEST_NOW;
    ck_assert_int_eq(lty_memstore_new(&t->ms, NULL), LTY_OK);
    ck_assert_int_eq(lty_memstore_connect(t->ms, &t->ops, &t->ud), LTY_OK);
    opts->storage = &t->ops;
    opts->storage_userdata = t->ud;
    opts->clock = test_clock;
    opts->clock_userdata = t;
    int rc = lty_engine_new(&t->e, opts);
    ck_assert_msg(rc == LTY_OK, "lty_engine_new: %s", lty_strerror(rc));
}

void lty_test_env_open(lty_test_env *t)
{
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.utc_offset_minutes = 540;
    lty_test_env_open_with(t, &o);
}

lty_engine *lty_test_env_engine(lty_test_env *t)
{
    lty_storage_ops ops;
    void *ud;
    lty_engine *e;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    ck_assert_int_eq(lty_memstore_connect(t->ms, &ops, &ud), LTY_OK);
    o.utc_offset_minutes = 540;
    o.storage = &ops;
    o.storage_userdata = ud;
    o.clock = test_clock;
    o.clock_userdata = t;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_OK);
    return e;
}

void lty_test_env_close(lty_test_env *t)
{
    lty_engine_free(t->e);
    lty_memstore_free(t->ms);
    t->e = NULL;
    t->ms = NULL;
}

void lty_test_customer(lty_engine *e, const char *id, const char *name,
                       const char *phone)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    if (name) {
        f.set |= LTY_FIELD_NAME;
        f.name = name;
    }
    if (phone) {
        f.set |= LTY_FIELD_PHONE;
        f.phone = phone;
    }
    int rc = lty_customer_create(e, &f);
    ck_assert_msg(rc == LTY_OK, "create customer: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
}

void lty_test_event(lty_engine *e, const char *evid, const char *cid,
                    int64_t time, int64_t amount, const char *item)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.id = evid;
    ev.customer_id = cid;
    ev.time = time;
    ev.item = item;
    if (amount < 0) {
        ev.type = LTY_EVENT_VISIT;
    } else {
        ev.type = LTY_EVENT_PURCHASE;
        ev.amount = amount;
    }
    int rc = lty_record(e, &ev, NULL);
    ck_assert_msg(rc == LTY_OK, "record %s: %s (%s)", evid, lty_strerror(rc),
                  lty_engine_last_error(e));
}
