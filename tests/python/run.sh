#!/bin/sh
# tests/python/run.sh - the Python bindings' unittest suite, run by make check
# against the library just built.  Skips (77) only when python3 is missing;
# fails when any test fails or when a public C function was not called.
#
# SPDX-License-Identifier: MIT
set -eu
: "${abs_top_srcdir:?run this test through make check}"
: "${abs_top_builddir:?run this test through make check}"

# LTY_TEST_PYTHON picks the interpreter (CI runs the suite again with
# Debian's python3 and pandas, to cover the DataFrame conversion).
PYTHON="${LTY_TEST_PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "SKIP: $PYTHON not found: the Python bindings are not tested"
    exit 77
fi
if [ "${LTY_ENABLE_SHARED-yes}" != "yes" ]; then
    echo "SKIP: configured with --disable-shared: no shared library for ctypes"
    exit 77
fi

LOYALTY_LIBRARY="$abs_top_builddir/.libs/libloyalty.so"
# A library built with --enable-sanitizers needs the sanitizer runtime loaded
# before it, which an ordinary python3 does not do; the C suites cover that
# build, and the plain build runs this suite.
if command -v ldd >/dev/null 2>&1 && ldd "$LOYALTY_LIBRARY" 2>/dev/null | grep -q 'libasan'; then
    echo "SKIP: $LOYALTY_LIBRARY is built with AddressSanitizer: python3 cannot load it"
    exit 77
fi
LOYALTY_SQLITE_LIBRARY="$abs_top_builddir/.libs/libloyalty-sqlite.so"
LOYALTY_POSTGRES_LIBRARY="$abs_top_builddir/.libs/libloyalty-postgres.so"
LOYALTY_COUNT_CALLS=1
LOYALTY_SYMBOLS="$abs_top_srcdir/tests/symbols.txt"
LOYALTY_SRCDIR="$abs_top_srcdir"
PYTHONPATH="$abs_top_srcdir/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
PYTHONDONTWRITEBYTECODE=1
export LOYALTY_LIBRARY LOYALTY_SQLITE_LIBRARY LOYALTY_POSTGRES_LIBRARY \
    LOYALTY_COUNT_CALLS LOYALTY_SYMBOLS LOYALTY_SRCDIR PYTHONPATH PYTHONDONTWRITEBYTECODE

# With the PostgreSQL backend built and no server named, run the suite with a
# throw-away cluster so that its PostgreSQL test runs too.
if [ -z "${LOYALTY_TEST_PG_CONNINFO-}" ] && [ -x "$abs_top_builddir/tests/pg_run" ]; then
    exec "$abs_top_builddir/tests/pg_run" "$PYTHON" "$abs_top_srcdir/tests/python/run_all.py"
fi
exec "$PYTHON" "$abs_top_srcdir/tests/python/run_all.py"
