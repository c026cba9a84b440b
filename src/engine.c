/*
 * libloyalty - the engine: options, lifetime, clock and time zone.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <time.h>

#include "codec_int.h"
#include "engine_int.h"
#include "program_int.h"
#include "keys_int.h"
#include "messaging_int.h"
#include "plan_int.h"
#include "referral_int.h"
#include "validate_int.h"

/* The store format this library writes and the newest it reads. */
#define LTY__STORE_FORMAT 1

static int64_t system_clock(void *ud)
{
    struct timespec ts;
    (void)ud;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static int check_storage_ops(const lty_storage_ops *ops)
{
    if (ops->version == 0 || ops->version > LTY_STORAGE_OPS_VERSION)
        return LTY_EVERSION;
    if (!ops->begin || !ops->commit || !ops->rollback || !ops->get ||
        !ops->put || !ops->del || !ops->scan)
        return LTY_EINVALID;
    return LTY_OK;
}

static int check_options(const lty_engine_options *o)
{
    if (o->version == 0 || o->version > LTY_ENGINE_OPTIONS_VERSION)
        return LTY_EVERSION;
    if (!o->storage)
        return LTY_EINVALID;
    int rc = check_storage_ops(o->storage);
    if (rc)
        return rc;
    if (o->utc_offset_minutes < -1080 || o->utc_offset_minutes > 1080 ||
        o->currency_exponent < 0 || o->currency_exponent > 4 ||
        o->country_code < 1 || o->country_code > 999 ||
        o->retry_limit < 0 || o->retry_limit > 1000)
        return LTY_EINVALID;
    if (o->allocator && (!o->allocator->malloc || !o->allocator->realloc ||
                         !o->allocator->free))
        return LTY_EINVALID;
    return LTY_OK;
}

/* Write the format version into an empty store, or check the one there. */
static int check_store_format(lty_engine *e, void *arg)
{
    lty__key k;
    uint64_t rev;
    (void)arg;
    lty__key_meta(&k, "format");
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND) {
        lty__enc w;
        lty__enc_begin(&w, &e->wbuf, LTY__REC_META, 1);
        lty__enc_u64(&w, 1, LTY__STORE_FORMAT);
        if ((rc = lty__enc_end(&w)))
            return lty__err(e, rc, "store format: cannot encode");
        return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, LTY_REV_NONE,
                        NULL);
    }
    if (rc)
        return rc;
    lty__dec d;
    lty__field f;
    uint64_t format = 0;
    rc = lty__dec_begin(&d, e->rbuf.data, e->rbuf.len, LTY__REC_META, 1, NULL);
    while (rc == LTY_OK && (rc = lty__dec_next(&d, &f)) == 1) {
        rc = LTY_OK;
        if (f.tag == 1)
            rc = lty__field_u64(&f, &format);
    }
    if (rc < 0 || format == 0)
        return lty__corrupt(e, rc < 0 ? rc : LTY_ECORRUPT, "store format");
    if (format > LTY__STORE_FORMAT)
        return lty__err(e, LTY_EVERSION,
                        "store format: version %llu is newer than this "
                        "library reads (%d)",
                        (unsigned long long)format, LTY__STORE_FORMAT);
    return LTY_OK;
}

int lty_engine_new(lty_engine **out, const lty_engine_options *opts)
{
    if (!out)
        return LTY_EINVALID;
    *out = NULL;
    if (!opts)
        return LTY_EINVALID;
    int rc = check_options(opts);
    if (rc)
        return rc;
    lty_allocator alloc;
    if ((rc = lty__alloc_init(&alloc, opts->allocator)))
        return rc;
    lty_engine *e = lty__zalloc(&alloc, sizeof *e);
    if (!e)
        return LTY_ENOMEM;
    e->alloc = alloc;
    e->ops = *opts->storage;
    e->sud = opts->storage_userdata;
    e->clock = opts->clock ? opts->clock : system_clock;
    e->clock_ud = opts->clock_userdata;
    e->utc_offset = opts->utc_offset_minutes;
    e->tz = opts->tz_offset;
    e->tz_ud = opts->tz_userdata;
    e->currency_exponent = opts->currency_exponent;
    e->country_code = opts->country_code;
    e->retry_limit = opts->retry_limit;
    lty__buf_init(&e->rbuf, &e->alloc);
    lty__buf_init(&e->wbuf, &e->alloc);
    lty__buf_init(&e->wbuf2, &e->alloc);
    rc = lty__txn(e, check_store_format, NULL);
    if (rc) {
        /* The caller keeps the connection: don't destroy it. */
        e->ops.destroy = NULL;
        lty_engine_free(e);
        return rc;
    }
    *out = e;
    return LTY_OK;
}

void lty_engine_free(lty_engine *e)
{
    if (!e)
        return;
    if (e->ops.destroy)
        e->ops.destroy(e->sud);
    lty__buf_release(&e->rbuf);
    lty__buf_release(&e->wbuf);
    lty__buf_release(&e->wbuf2);
    lty__programs_release(e);
    lty__messaging_release(e);
    lty__treatments_release(e);
    lty__referrals_release(e);
    if (e->messenger.destroy)
        e->messenger.destroy(e->messenger_ud);
    lty_allocator a = e->alloc;
    lty__free(&a, e);
}

int64_t lty__now(lty_engine *e)
{
    int64_t t = e->clock(e->clock_ud);
    if (t < LTY_TIME_MIN)
        return LTY_TIME_MIN;
    if (t > LTY_TIME_MAX)
        return LTY_TIME_MAX;
    return t;
}

int64_t lty_engine_now(lty_engine *e)
{
    return e ? lty__now(e) : 0;
}

int lty__utc_offset(lty_engine *e, int64_t t, int *minutes)
{
    if (!e->tz) {
        *minutes = e->utc_offset;
        return LTY_OK;
    }
    int m = e->tz(t, e->tz_ud);
    if (m < -1080 || m > 1080)
        return lty__err(e, LTY_EINVALID,
                        "time zone callback: offset outside -1080..1080 minutes");
    *minutes = m;
    return LTY_OK;
}

int lty__local_day(lty_engine *e, int64_t t, int64_t *day)
{
    int m = 0;
    int rc = lty__utc_offset(e, t, &m);
    if (rc)
        return rc;
    *day = lty__floordiv(t + (int64_t)m * 60, 86400);
    return LTY_OK;
}

int lty_engine_local_date(lty_engine *e, int64_t t, lty_date *out)
{
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "date: NULL output");
    int rc = lty__check_time(e, "time", t);
    if (rc)
        return rc;
    int64_t day;
    if ((rc = lty__local_day(e, t, &day)))
        return rc;
    lty__civil_from_days(day, out);
    return LTY_OK;
}

int lty__check_version(lty_engine *e, const char *what, unsigned got,
                       unsigned current)
{
    if (got == 0 || got > current)
        return lty__err(e, LTY_EVERSION,
                        "%s: struct version %u not supported (1..%u)", what,
                        got, current);
    return LTY_OK;
}
