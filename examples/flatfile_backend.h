/*
 * libloyalty example - a storage backend over a flat file (see
 * flatfile_backend.c).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef FLATFILE_BACKEND_H
#define FLATFILE_BACKEND_H

#include <loyalty.h>

/*
 * Load the file at path (a missing file is an empty store) and fill *ops
 * and *conn for lty_engine_options.storage and .storage_userdata.  The
 * engine closes the connection in lty_engine_free(); when lty_engine_new()
 * fails the caller still owns it and closes it with flatfile_close().
 * Returns LTY_OK, LTY_ECORRUPT (a damaged file: the message, on stderr,
 * names the record) or LTY_ENOMEM.
 */
int flatfile_connect(const char *path, lty_storage_ops *ops, void **conn);

/* Close a connection, dropping an open transaction. */
void flatfile_close(void *conn);

#endif /* FLATFILE_BACKEND_H */
