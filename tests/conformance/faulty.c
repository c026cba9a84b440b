/*
 * libloyalty tests - a storage backend wrapper that injects faults.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>

#include "faulty.h"

struct lty_faulty {
    lty_storage_ops inner;
    void *ud;
    long calls;
    long fail_at; /* 0: nothing armed */
    int code;
    int fired;
    int last_injected; /* the latest failure returned was ours */
};

/* Count a call; non-zero means "fail it with this code". */
static int inject(lty_faulty *f)
{
    f->calls++;
    if (f->fail_at <= 0 || f->calls != f->fail_at)
        return 0;
    f->fired = 1;
    f->last_injected = 1;
    return f->code ? f->code : LTY_ESTORAGE;
}

static int passed(lty_faulty *f, int rc)
{
    if (rc < 0)
        f->last_injected = 0;
    return rc;
}

static int w_begin(void *ud)
{
    lty_faulty *f = ud;
    int rc = inject(f);
    return rc ? rc : passed(f, f->inner.begin(f->ud));
}

static int w_commit(void *ud)
{
    lty_faulty *f = ud;
    int rc = inject(f);
    return rc ? rc : passed(f, f->inner.commit(f->ud));
}

static int w_rollback(void *ud)
{
    lty_faulty *f = ud;
    return passed(f, f->inner.rollback(f->ud));
}

static int w_get(const char *key, size_t keylen, lty_buf *value, uint64_t *rev,
                 void *ud)
{
    lty_faulty *f = ud;
    int rc = inject(f);
    return rc ? rc : passed(f, f->inner.get(key, keylen, value, rev, f->ud));
}

static int w_put(const char *key, size_t keylen, const void *value, size_t len,
                 uint64_t expected_rev, uint64_t *new_rev, void *ud)
{
    lty_faulty *f = ud;
    int rc = inject(f);
    return rc ? rc
              : passed(f, f->inner.put(key, keylen, value, len, expected_rev,
                                       new_rev, f->ud));
}

static int w_del(const char *key, size_t keylen, uint64_t expected_rev, void *ud)
{
    lty_faulty *f = ud;
    int rc = inject(f);
    return rc ? rc : passed(f, f->inner.del(key, keylen, expected_rev, f->ud));
}

static int w_scan(const char *prefix, size_t prefixlen, const char *after,
                  size_t afterlen, lty_scan_fn each, void *each_ctx, void *ud)
{
    lty_faulty *f = ud;
    int rc = inject(f);
    return rc ? rc
              : passed(f, f->inner.scan(prefix, prefixlen, after, afterlen,
                                        each, each_ctx, f->ud));
}

static const char *w_errmsg(void *ud)
{
    lty_faulty *f = ud;
    if (f->last_injected)
        return "injected fault";
    return f->inner.errmsg ? f->inner.errmsg(f->ud) : NULL;
}

static void w_destroy(void *ud)
{
    lty_faulty *f = ud;
    if (f->inner.destroy)
        f->inner.destroy(f->ud);
    free(f);
}

int lty_faulty_new(lty_faulty **out, const lty_storage_ops *inner,
                   void *inner_ud)
{
    if (out)
        *out = NULL;
    if (!out || !inner || inner->version == 0 ||
        inner->version > LTY_STORAGE_OPS_VERSION || !inner->begin ||
        !inner->commit || !inner->rollback || !inner->get || !inner->put ||
        !inner->del || !inner->scan)
        return LTY_EINVALID;
    lty_faulty *f = calloc(1, sizeof *f);
    if (!f)
        return LTY_ENOMEM;
    f->inner = *inner;
    f->ud = inner_ud;
    *out = f;
    return LTY_OK;
}

void lty_faulty_ops(lty_faulty *f, lty_storage_ops *ops, void **userdata)
{
    lty_storage_ops o = LTY_STORAGE_OPS_INIT;
    o.begin = w_begin;
    o.commit = w_commit;
    o.rollback = w_rollback;
    o.get = w_get;
    o.put = w_put;
    o.del = w_del;
    o.scan = w_scan;
    o.errmsg = w_errmsg;
    o.destroy = w_destroy;
    *ops = o;
    *userdata = f;
}

void lty_faulty_free(lty_faulty *f)
{
    if (f)
        w_destroy(f);
}

void lty_faulty_fail_at(lty_faulty *f, long k, int code)
{
    f->calls = 0;
    f->fail_at = k > 0 ? k : 0;
    f->code = code;
    f->fired = 0;
}

long lty_faulty_calls(const lty_faulty *f)
{
    return f->calls;
}

void lty_faulty_reset(lty_faulty *f)
{
    f->calls = 0;
    f->fail_at = 0;
    f->code = 0;
    f->fired = 0;
    f->last_injected = 0;
}

int lty_faulty_fired(const lty_faulty *f)
{
    return f->fired;
}
