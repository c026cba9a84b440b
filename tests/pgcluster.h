/*
 * libloyalty tests - a throw-away PostgreSQL cluster for the tests.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_TEST_PGCLUSTER_H
#define LTY_TEST_PGCLUSTER_H

#include <stddef.h>

typedef struct lty_pgcluster {
    char dir[256];      /* temporary directory: data/, the socket, the log */
    char bindir[256];   /* where initdb and pg_ctl were found */
    char conninfo[512]; /* "host=<dir> user=postgres dbname=postgres" */
    int started;        /* the server is running */
} lty_pgcluster;

/*
 * Create a cluster in a new temporary directory and start it, listening on
 * a Unix socket in that directory only, with fsync off.  initdb and pg_ctl
 * are looked up in PATH, `pg_config --bindir` and /usr/lib/postgresql/N/bin;
 * when running as root they run as the user "postgres".  Returns 0 on
 * success (c->conninfo is set), or -1 with the reason in why (everything
 * made so far is removed again).
 */
int lty_pg_start(lty_pgcluster *c, char *why, size_t whylen);

/* Stop the server (immediate shutdown) and remove the directory. */
void lty_pg_stop(lty_pgcluster *c);

#endif /* LTY_TEST_PGCLUSTER_H */
