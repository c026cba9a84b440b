/*
 * loyalty - opening the store and the engine.  SQLite (the default: --db
 * FILE, $LOYALTY_DB, or loyalty.db) or PostgreSQL (--postgres CONNINFO);
 * the engine gets the real clock, the zone (--utc-offset, or the system's
 * zone with its daylight saving time), the currency's minor unit and the
 * country calling code.  The library keeps no store-wide setting for
 * these, so they come from the command line or the environment each time
 * (docs/guide/cli.md, "Settings").
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "values.h"

#ifdef CLI_HAVE_SQLITE
#include <loyalty/sqlite.h>
#endif
#ifdef CLI_HAVE_POSTGRES
#include <loyalty/postgres.h>
#endif

static int zone_offset(int64_t utc, void *userdata)
{
    return cli_utc_offset_at((const cli_ctx *)userdata, utc);
}

/* ---------------------------------------------------------------- */
/* A store whose commits are rollbacks (dry runs)                    */
/* ---------------------------------------------------------------- */

typedef struct norecord {
    lty_storage_ops inner;
    void *ud;
} norecord;

static int nr_begin(void *u) { norecord *n = u; return n->inner.begin(n->ud); }
/* every transaction ends discarded: the call sees its own writes, the
 * store never does */
static int nr_commit(void *u) { norecord *n = u; return n->inner.rollback(n->ud); }
static int nr_rollback(void *u) { norecord *n = u; return n->inner.rollback(n->ud); }
static int nr_get(const char *k, size_t kl, lty_buf *v, uint64_t *rev, void *u)
{
    norecord *n = u;
    return n->inner.get(k, kl, v, rev, n->ud);
}
static int nr_put(const char *k, size_t kl, const void *v, size_t len,
                  uint64_t exp, uint64_t *nrev, void *u)
{
    norecord *n = u;
    return n->inner.put(k, kl, v, len, exp, nrev, n->ud);
}
static int nr_del(const char *k, size_t kl, uint64_t exp, void *u)
{
    norecord *n = u;
    return n->inner.del(k, kl, exp, n->ud);
}
static int nr_scan(const char *p, size_t pl, const char *a, size_t al,
                   lty_scan_fn each, void *ctx, void *u)
{
    norecord *n = u;
    return n->inner.scan(p, pl, a, al, each, ctx, n->ud);
}
static const char *nr_errmsg(void *u)
{
    norecord *n = u;
    return n->inner.errmsg ? n->inner.errmsg(n->ud) : NULL;
}
static void nr_destroy(void *u)
{
    norecord *n = u;
    if (n->inner.destroy)
        n->inner.destroy(n->ud);
    free(n);
}

/* ---------------------------------------------------------------- */

static int open_backend(cli_ctx *ctx, int create, lty_storage_ops *ops,
                        void **ud)
{
    int rc;
    if (ctx->pg_conninfo) {
#ifdef CLI_HAVE_POSTGRES
        lty_postgres_options po = LTY_POSTGRES_OPTIONS_INIT;
        po.create = create;
        rc = lty_postgres_open(ctx->pg_conninfo, &po, ops, ud);
        if (rc == LTY_ENOTFOUND) {
            cli_errorf("the PostgreSQL database has no libloyalty store: run "
                       "'loyalty --postgres ... init' first");
            return CLI_EXIT_ERROR;
        }
        if (rc) {
            cli_errorf("cannot open the PostgreSQL store: %s (%s)",
                       lty_postgres_open_error(), lty_strerror(rc));
            return CLI_EXIT_ERROR;
        }
        return CLI_EXIT_OK;
#else
        (void)create; (void)ops; (void)ud; (void)rc;
        cli_errorf("--postgres: this loyalty was built without the PostgreSQL "
                   "backend (configure found no libpq)");
        return CLI_EXIT_USAGE;
#endif
    }
#ifdef CLI_HAVE_SQLITE
    lty_sqlite_options so = LTY_SQLITE_OPTIONS_INIT;
    so.create = create;
    /* Bulk writers (import, demo) commit with synchronous NORMAL: a power
     * cut may lose their last commits, never corrupt the file, and both
     * can simply be run again (an import is idempotent). */
    if (ctx->bulk)
        so.synchronous_full = 0;
    rc = lty_sqlite_open(ctx->db_path, &so, ops, ud);
    if (rc == LTY_ENOTFOUND) {
        cli_errorf("no store at %s: run 'loyalty init' first (or give --db FILE)",
                   ctx->db_path);
        return CLI_EXIT_ERROR;
    }
    if (rc) {
        cli_errorf("cannot open the store %s: %s (%s)", ctx->db_path,
                   lty_sqlite_open_error(), lty_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
#else
    (void)create; (void)ops; (void)ud; (void)rc;
    cli_errorf("this loyalty was built without the SQLite backend; use --postgres");
    return CLI_EXIT_USAGE;
#endif
}

static int open_engine(cli_ctx *ctx, int create, int discard_commits)
{
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    void *ud = NULL;
    int rc = open_backend(ctx, create, &ops, &ud);
    if (rc)
        return rc;
    lty_engine_options eo = LTY_ENGINE_OPTIONS_INIT;
    norecord *nr = NULL;
    static const lty_storage_ops nr_ops = {
        LTY_STORAGE_OPS_VERSION, nr_begin, nr_commit, nr_rollback, nr_get,
        nr_put, nr_del, nr_scan, nr_errmsg, nr_destroy, NULL};
    if (discard_commits) {
        nr = malloc(sizeof *nr);
        if (!nr) {
            if (ops.destroy)
                ops.destroy(ud);
            cli_errorf("out of memory");
            return CLI_EXIT_ERROR;
        }
        nr->inner = ops;
        nr->ud = ud;
        eo.storage = &nr_ops;
        eo.storage_userdata = nr;
    } else {
        eo.storage = &ops;
        eo.storage_userdata = ud;
    }
    if (ctx->utc_offset_set)
        eo.utc_offset_minutes = ctx->utc_offset;
    else {
        eo.tz_offset = zone_offset;
        eo.tz_userdata = ctx;
    }
    eo.currency_exponent = ctx->currency_exponent;
    eo.country_code = ctx->country_code;
    rc = lty_engine_new(&ctx->engine, &eo);
    if (rc) {
        /* on failure the connection is still ours */
        if (nr)
            nr_destroy(nr);
        else if (ops.destroy)
            ops.destroy(ud);
        cli_errorf("cannot use the store: %s",
                   rc == LTY_EVERSION ? "it was written by a newer libloyalty"
                                      : lty_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

/* The store's settings (lty_store_settings_get()) fill in what neither the
 * command line nor the environment gave: currency, zone, country code,
 * language.  When they change the engine's options the engine is made
 * again with them.  A store without settings keeps the defaults. */
static int adopt_settings(cli_ctx *ctx, int create, int discard_commits)
{
    static char currency[4];
    static char language[LTY_LOCALE_MAX + 1];
    lty_store_settings s = LTY_STORE_SETTINGS_INIT;
    int rc = lty_store_settings_get(ctx->engine, &s);
    if (rc == LTY_ENOTFOUND)
        return CLI_EXIT_OK;
    if (rc)
        return cli_fail(ctx, "store settings", rc);
    int changed = 0;
    if (!ctx->currency_given) {
        memcpy(currency, s.currency, sizeof currency);
        ctx->currency = currency;
        changed |= ctx->currency_exponent != s.currency_exponent;
        ctx->currency_exponent = s.currency_exponent;
    }
    if (!ctx->zone_given && !s.zone_local) {
        changed |= !ctx->utc_offset_set || ctx->utc_offset != s.utc_offset_minutes;
        ctx->utc_offset_set = 1;
        ctx->utc_offset = s.utc_offset_minutes;
    } else if (!ctx->zone_given) {
        changed |= ctx->utc_offset_set;
        ctx->utc_offset_set = 0;
    }
    if (!ctx->country_given) {
        changed |= ctx->country_code != s.country_code;
        ctx->country_code = s.country_code;
    }
    if (!ctx->language_given) {
        memcpy(language, s.locale, sizeof language);
        ctx->language = language;
    }
    if (!changed)
        return CLI_EXIT_OK;
    cli_store_close(ctx);
    return open_engine(ctx, create, discard_commits);
}

static int open_with_settings(cli_ctx *ctx, int create, int discard_commits)
{
    int rc = open_engine(ctx, create, discard_commits);
    if (rc == CLI_EXIT_OK && (rc = adopt_settings(ctx, create, discard_commits)))
        cli_store_close(ctx);
    return rc;
}

int cli_store_open(cli_ctx *ctx)
{
    /* already open (`demo` runs other commands on its store) */
    if (ctx->engine)
        return CLI_EXIT_OK;
    return open_with_settings(ctx, 0, 0);
}

int cli_store_open_readonly(cli_ctx *ctx)
{
    cli_store_close(ctx); /* a peek may have opened it for writing */
    return open_with_settings(ctx, 0, 1);
}

int cli_store_create(cli_ctx *ctx)
{
    cli_store_close(ctx);
    return open_with_settings(ctx, 1, 0);
}

int cli_store_peek(cli_ctx *ctx)
{
    if (ctx->engine || ctx->creating)
        return CLI_EXIT_OK;
    /* a SQLite store that does not exist yet has no settings; the command
     * says so itself if it needs one */
    if (!ctx->pg_conninfo && access(ctx->db_path, F_OK) != 0)
        return CLI_EXIT_OK;
    return open_with_settings(ctx, 0, 0);
}

void cli_store_close(cli_ctx *ctx)
{
    lty_engine_free(ctx->engine);
    ctx->engine = NULL;
}
