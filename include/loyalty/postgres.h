/*
 * libloyalty - the PostgreSQL storage backend (libloyalty-postgres).
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file postgres.h
 * @brief The PostgreSQL storage backend: many engines, processes and
 *        branches sharing one customer base in one database.
 *
 * Link with @c libloyalty-postgres (pkg-config @c loyalty-postgres), which
 * uses libpq.  Each engine gets its own connection from lty_postgres_open();
 * any number of engines in any number of threads, processes or machines may
 * work on the same database at once.
 *
 * The records live in one table per store, @c "<schema>"."<prefix>records"
 * (@c key @c bytea primary key, @c value @c bytea, @c rev @c bigint), next to
 * a @c "<prefix>meta" table holding the backend's schema version and a
 * @c "<prefix>rev_seq" sequence that hands out revisions.  Keys are @c bytea,
 * which PostgreSQL compares bytewise, so the byte order of the storage
 * contract needs no collation.  Revision checks run in SQL (conditional
 * @c INSERT / @c UPDATE / @c DELETE), so concurrent engines get
 * #LTY_ECONFLICT instead of lost updates.
 *
 * Transactions run at @c REPEATABLE @c READ.  Serialization failures
 * (SQLSTATE 40001), deadlocks (40P01) and unique violations of a race
 * (23505) are reported as #LTY_ECONFLICT, which the engine retries.  A lost
 * connection is #LTY_ESTORAGE; the connection is re-established by the next
 * @c begin or read (a @c begin or a read outside a transaction that finds
 * the connection dead reconnects and tries once more by itself).
 *
 * See docs/guide/postgres.md for the schema, running it for a chain of
 * branches, and sharding by customer.
 */
#ifndef LOYALTY_POSTGRES_H
#define LOYALTY_POSTGRES_H

#include "storage.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The version of #lty_postgres_options this header describes. */
#define LTY_POSTGRES_OPTIONS_VERSION 1

/** @brief The version of the backend's tables this library writes. */
#define LTY_POSTGRES_SCHEMA_VERSION 1

/** @brief Longest schema name or table prefix accepted, in bytes. */
#define LTY_POSTGRES_IDENT_MAX 40

/**
 * @brief Options for lty_postgres_open().
 *
 * Start from #LTY_POSTGRES_OPTIONS_INIT.  Names must match
 * @c [a-z_][a-z0-9_]* (the prefix may also be empty), be at most
 * #LTY_POSTGRES_IDENT_MAX bytes, and a schema name must not start with
 * @c pg_ (reserved by PostgreSQL).  They are used quoted.
 */
typedef struct lty_postgres_options {
    /** Must be #LTY_POSTGRES_OPTIONS_VERSION. */
    unsigned int version;
    /** Schema holding the tables; NULL means @c "loyalty". */
    const char *schema;
    /**
     * Prepended to the table names (@c records, @c meta, @c rev_seq) so
     * several stores can share one schema; NULL or "" for none.
     */
    const char *table_prefix;
    /**
     * Non-zero (the default) creates the schema, tables and sequence when
     * they are absent; 0 requires them to exist (#LTY_ENOTFOUND if not), for
     * roles without the right to create.
     */
    int create;
} lty_postgres_options;

/** @brief Initialiser for #lty_postgres_options with the defaults. */
#define LTY_POSTGRES_OPTIONS_INIT {LTY_POSTGRES_OPTIONS_VERSION, NULL, NULL, 1}

/**
 * @brief Connect to a PostgreSQL database and open a store connection for
 *        one engine.
 *
 * Opens one libpq connection, creates the schema and tables if absent (and
 * @c opts->create is set; concurrent openers serialise on an advisory lock)
 * and checks the schema version.  Fills @p ops and @p userdata ready for the
 * @c storage fields of #lty_engine_options; the table's @c destroy (called
 * by lty_engine_free()) closes the connection.  The connection belongs to
 * one engine and is used from one thread at a time.  After @c fork(), open
 * new connections in the child rather than using the parent's.
 *
 * @param[in]  conninfo  A libpq connection string or URI, e.g.
 *                       @c "host=db.example dbname=crm user=loyalty"; may be
 *                       "" for libpq's defaults (PGHOST and the like).
 * @param[in]  opts      Options, or NULL for the defaults.
 * @param[out] ops       Receives the operations table.
 * @param[out] userdata  Receives the connection; set to NULL on failure.
 * @return #LTY_OK; #LTY_EINVALID (NULL argument, bad options or names);
 *         #LTY_EVERSION (options version, or tables written by a newer
 *         version of this backend); #LTY_ENOTFOUND (tables absent and
 *         @c create is 0); #LTY_ECORRUPT (the meta table holds no valid
 *         version); #LTY_ESTORAGE (cannot connect, or SQL failed);
 *         #LTY_ENOMEM.
 */
LTY_API int lty_postgres_open(const char *conninfo,
                              const lty_postgres_options *opts,
                              lty_storage_ops *ops, void **userdata);

/**
 * @brief Why the last lty_postgres_open() on this thread failed.
 *
 * lty_postgres_open() has no connection to hang a message on when it fails,
 * so it keeps its message (libpq's text, never record contents) per thread.
 *
 * @return The message, or "" when the last call succeeded or none was made.
 *         Valid until the next lty_postgres_open() on the same thread.
 */
LTY_API const char *lty_postgres_open_error(void);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_POSTGRES_H */
