/*
 * libloyalty - the SQLite storage backend (libloyalty-sqlite).
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file sqlite.h
 * @brief The SQLite storage backend: the embedded default, one file shared
 *        by any number of engines, threads and processes on one machine.
 *
 * Link with @c libloyalty-sqlite (pkg-config @c loyalty-sqlite), which uses
 * libsqlite3.  Each engine gets its own connection from lty_sqlite_open()
 * (or lty_sqlite_wrap() over a handle the host already has); several
 * engines in several threads or processes may work on one database file at
 * once.
 *
 * The records live in the table @c lty_records (@c key @c BLOB primary key,
 * @c value @c BLOB, @c rev @c INTEGER, @c WITHOUT @c ROWID), next to
 * @c lty_meta, which holds the backend's schema version and the store-wide
 * revision counter.  SQLite compares BLOBs with @c memcmp (shorter first on
 * a common prefix), which is exactly the key order of the storage contract.
 *
 * The database runs in WAL mode with a busy timeout.  @c begin is
 * <tt>BEGIN IMMEDIATE</tt>, so a writing transaction takes the file's write
 * lock up front and never deadlocks with another; readers are never blocked.
 * A lock still busy when the timeout runs out is #LTY_ECONFLICT, which the
 * engine retries; corruption (and a file that is not a database) is
 * #LTY_ECORRUPT; out of memory #LTY_ENOMEM; I/O errors, a full disk and
 * every other failure #LTY_ESTORAGE.  SQLite's message (never record
 * contents) is the connection's @c errmsg.
 *
 * See docs/guide/sqlite.md for the schema, durability, and running several
 * engines over one file.
 */
#ifndef LOYALTY_SQLITE_H
#define LOYALTY_SQLITE_H

#include "storage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SQLite's connection handle (sqlite3.h names it sqlite3); declared here so
 * that this header does not need sqlite3.h. */
struct sqlite3;

/** @brief The version of #lty_sqlite_options this header describes. */
#define LTY_SQLITE_OPTIONS_VERSION 1

/** @brief The version of the backend's tables this library writes. */
#define LTY_SQLITE_SCHEMA_VERSION 1

/** @brief The default busy timeout of #LTY_SQLITE_OPTIONS_INIT, in milliseconds. */
#define LTY_SQLITE_DEFAULT_BUSY_TIMEOUT_MS 5000

/**
 * @brief Options for lty_sqlite_open() and lty_sqlite_wrap().
 *
 * Start from #LTY_SQLITE_OPTIONS_INIT, then change what you need.
 */
typedef struct lty_sqlite_options {
    /** Must be #LTY_SQLITE_OPTIONS_VERSION. */
    unsigned int version;
    /**
     * 1 (the default): <tt>PRAGMA synchronous = FULL</tt>, every commit is
     * on disk when it returns, even across a power cut.  0:
     * <tt>synchronous = NORMAL</tt>, much faster; a commit survives a crash
     * of the process but the last ones may be lost on a power cut or an OS
     * crash (the database stays consistent).  Other values are invalid.
     */
    int synchronous_full;
    /**
     * How long a connection waits for another one's write lock before
     * giving up with #LTY_ECONFLICT, in milliseconds, 0..INT_MAX (0 fails
     * at once).  Default #LTY_SQLITE_DEFAULT_BUSY_TIMEOUT_MS.
     */
    int busy_timeout_ms;
    /**
     * Non-zero (the default) creates the file (lty_sqlite_open() only) and
     * the tables when they are missing; 0 requires an existing libloyalty
     * database (#LTY_ENOTFOUND otherwise).
     */
    int create;
    /**
     * How many pages the write-ahead log may hold before a commit copies
     * them back into the database file (<tt>PRAGMA wal_autocheckpoint</tt>),
     * 1..INT_MAX; 0 takes the default #LTY_SQLITE_DEFAULT_CHECKPOINT_PAGES.
     * Events of many customers dirty about one page each, so a larger log
     * lets a page written by several transactions be copied back once:
     * SQLite's own default of 1,000 pages costs a third of the import
     * rate.  After a checkpoint the log file is truncated to at most
     * checkpoint_pages &times; 4 KiB (<tt>journal_size_limit</tt>).
     */
    int checkpoint_pages;
} lty_sqlite_options;

/** @brief The default of lty_sqlite_options.checkpoint_pages: 16,384 pages,
 *  64 MiB of log with SQLite's usual 4 KiB pages. */
#define LTY_SQLITE_DEFAULT_CHECKPOINT_PAGES 16384

/** @brief Initialiser for #lty_sqlite_options with the defaults. */
#define LTY_SQLITE_OPTIONS_INIT {LTY_SQLITE_OPTIONS_VERSION, 1, \
                                 LTY_SQLITE_DEFAULT_BUSY_TIMEOUT_MS, 1, 0}

/**
 * @brief Open a database file and a store connection on it for one engine.
 *
 * Opens one SQLite connection, switches the file to WAL mode, sets the
 * durability and busy timeout of @p opts, creates the tables if they are
 * missing (and @c opts->create is set) and checks their schema version.
 * Fills @p ops and @p userdata ready for the @c storage fields of
 * #lty_engine_options; the table's @c destroy (called by lty_engine_free())
 * closes the connection, rolling back a transaction left open.  The
 * connection belongs to one engine and is used from one thread at a time.
 * After @c fork(), open new connections in the child rather than using the
 * parent's.
 *
 * @param[in]  path      The database file (UTF-8), as for sqlite3_open_v2().
 * @param[in]  opts      Options, or NULL for the defaults.
 * @param[out] ops       Receives the operations table.
 * @param[out] userdata  Receives the connection; set to NULL on failure.
 * @return #LTY_OK; #LTY_EINVALID (NULL argument or an option out of range);
 *         #LTY_EVERSION (options version, or tables written by a newer
 *         version of this backend); #LTY_ENOTFOUND (file or tables missing
 *         and @c create is 0); #LTY_ECORRUPT (not a database, a damaged
 *         one, or a meta table without a valid version); #LTY_ECONFLICT
 *         (the file stayed locked past the busy timeout); #LTY_ESTORAGE
 *         (cannot open, WAL refused, other SQLite failures); #LTY_ENOMEM.
 *         The reason is in lty_sqlite_open_error().
 */
LTY_API int lty_sqlite_open(const char *path, const lty_sqlite_options *opts,
                            lty_storage_ops *ops, void **userdata);

/**
 * @brief Make a store connection over a SQLite handle the host already owns.
 *
 * Like lty_sqlite_open(), but over @p db: the tables live in its main
 * database next to the host's own (their names start with @c lty_), and
 * WAL mode, the synchronous setting and the busy timeout of @p opts are set
 * on the handle.  The handle stays the host's: @c destroy finalises the
 * backend's statements and rolls back a transaction the engine left open,
 * but does not close it, and the host closes it only after the engine is
 * freed.  While the engine uses the handle, the host must not open
 * transactions of its own on it nor use it from another thread at the same
 * time.
 *
 * @param[in]  db        An open, writable SQLite handle with no transaction
 *                       open.
 * @param[in]  opts      Options, or NULL for the defaults.
 * @param[out] ops       Receives the operations table.
 * @param[out] userdata  Receives the connection; set to NULL on failure.
 * @return As lty_sqlite_open(); also #LTY_ESTATE when @p db has a
 *         transaction open.
 */
LTY_API int lty_sqlite_wrap(struct sqlite3 *db, const lty_sqlite_options *opts,
                            lty_storage_ops *ops, void **userdata);

/**
 * @brief Why the last lty_sqlite_open() or lty_sqlite_wrap() on this thread
 *        failed.
 *
 * A failed open has no connection to hang a message on, so the message
 * (SQLite's text, never record contents) is kept per thread.
 *
 * @return The message, or "" when the last call succeeded or none was made.
 *         Valid until the next open or wrap on the same thread.
 */
LTY_API const char *lty_sqlite_open_error(void);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_SQLITE_H */
