#!/bin/sh
# tests/valgrind.sh - run one test program under valgrind memcheck; the
# LOG_COMPILER of 'make check-valgrind' (see Makefile.am).
#
# Usage: valgrind.sh PROGRAM [ARGS...]
#
# Any memcheck error, and any definitely or indirectly lost block at exit,
# makes the test fail.  Still-reachable and possibly-lost blocks do not: the C
# library, Check and libpq keep some memory for the life of the process.
#
# The program goes through 'libtool --mode=execute' (LTY_LIBTOOL, set by
# make), so that the examples, which are libtool wrapper scripts around the
# shared library, run the real binary under valgrind, not the shell.
#
# CK_FORK=no: Check runs every test in the suite's own process, so valgrind
# sees the whole suite in one process, with one leak report at its end, and
# the tests' timeouts, which assume native speed, do not apply.  Processes
# the tests fork themselves (the concurrency tests' workers) stay under
# valgrind and are checked too; programs they exec (PostgreSQL's) are not.
#
# Skips (exit 77) when valgrind is not installed.
#
# SPDX-License-Identifier: MIT
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 PROGRAM [ARGS...]" >&2
    exit 2
fi

valgrind=${VALGRIND:-valgrind}
if ! command -v "$valgrind" >/dev/null 2>&1; then
    echo "SKIP: valgrind was not found (Debian: apt-get install valgrind)" >&2
    exit 77
fi

CK_FORK=no
export CK_FORK

set -- --tool=memcheck --quiet \
    --error-exitcode=1 \
    --leak-check=full \
    --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect \
    --track-origins=yes \
    --num-callers=30 \
    "$@"

if [ -n "${LTY_LIBTOOL:-}" ]; then
    # LTY_LIBTOOL may hold several words ("/bin/bash ./libtool").
    # shellcheck disable=SC2086
    exec $LTY_LIBTOOL --mode=execute "$valgrind" "$@"
fi
exec "$valgrind" "$@"
