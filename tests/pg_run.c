/*
 * pg_run - run a command with a throw-away PostgreSQL cluster: start one
 * (tests/pgcluster.c), run the command with LOYALTY_TEST_PG_CONNINFO set to
 * its connection string, stop the cluster, and exit with the command's
 * status.  tests/python/run.sh uses it so the Python suite's PostgreSQL
 * test runs against a real server.  Without a server to start, it runs the
 * command anyway (the test then skips, saying why) and prints the reason.
 *
 *   tests/pg_run COMMAND [ARG...]
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pgcluster.h"

int main(int argc, char **argv)
{
    lty_pgcluster c;
    char why[512] = "";
    int status;
    if (argc < 2) {
        fprintf(stderr, "usage: pg_run COMMAND [ARG...]\n");
        return 2;
    }
    int have = lty_pg_start(&c, why, sizeof why) == 0;
    if (have)
        setenv("LOYALTY_TEST_PG_CONNINFO", c.conninfo, 1);
    else
        fprintf(stderr, "pg_run: no PostgreSQL cluster: %s\n", why);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("pg_run: exec");
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        status = 127 << 8;
    if (have)
        lty_pg_stop(&c);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
