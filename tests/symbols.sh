#!/bin/sh
# tests/symbols.sh - the shared library exports exactly tests/symbols.txt.
#
# Lists the dynamic symbols libloyalty.so defines (functions and data), and
# fails when the list differs from the checked-in tests/symbols.txt, when a
# name does not start with "lty_", or when a name is not declared in a public
# header.  With --update (make update-symbols) it rewrites tests/symbols.txt
# instead.
#
# Run by 'make check', which sets abs_top_srcdir, abs_top_builddir,
# LTY_ENABLE_SHARED and LTY_NM.
#
# SPDX-License-Identifier: MIT
set -eu

: "${abs_top_srcdir:?run this test through make check}"
: "${abs_top_builddir:?run this test through make check}"

update=no
if [ "${1-}" = "--update" ]; then
    update=yes
fi

if [ "${LTY_ENABLE_SHARED-yes}" != "yes" ]; then
    echo "SKIP: configured with --disable-shared: no shared library to inspect"
    exit 77
fi

lib="$abs_top_builddir/.libs/libloyalty.so"
expected="$abs_top_srcdir/tests/symbols.txt"
nm_cmd="${LTY_NM:-nm}"

if [ ! -f "$lib" ]; then
    echo "FAIL: $lib was not built" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Defined dynamic symbols of the kinds code and data come in: text (T), data
# (D), bss (B), read-only (R), weak (W, V), indirect functions (i).  Version
# suffixes ("@@V1") are dropped; AddressSanitizer's "__odr_asan.*" indicator
# symbols are not part of the ABI.
# shellcheck disable=SC2086  # LTY_NM may carry options ("nm -B")
if ! $nm_cmd -D --defined-only "$lib" >"$tmp/nm.out" 2>"$tmp/nm.err"; then
    cat "$tmp/nm.err" >&2
    echo "FAIL: $nm_cmd -D --defined-only $lib failed" >&2
    exit 1
fi
awk 'NF >= 3 && $(NF-1) ~ /^[TDBRWVi]$/ { print $NF }' "$tmp/nm.out" |
    sed 's/@.*$//' |
    grep -v '^__odr_asan' |
    LC_ALL=C sort -u >"$tmp/actual"

if [ ! -s "$tmp/actual" ]; then
    echo "FAIL: $lib exports no symbols at all" >&2
    exit 1
fi

status=0

if grep -v '^lty_' "$tmp/actual" >"$tmp/foreign"; then
    echo "FAIL: exported symbols without the lty_ prefix (mark internals static or leave out LTY_API):" >&2
    sed 's/^/    /' "$tmp/foreign" >&2
    status=1
fi

while IFS= read -r sym; do
    if ! grep -rqw -e "$sym" "$abs_top_srcdir/include"; then
        echo "FAIL: $sym is exported but not declared in a public header (include/)" >&2
        status=1
    fi
done <"$tmp/actual"

if [ "$update" = "yes" ]; then
    if [ "$status" -ne 0 ]; then
        echo "not updating $expected: fix the problems above first" >&2
        exit 1
    fi
    cp "$tmp/actual" "$expected"
    echo "wrote $(wc -l <"$tmp/actual" | tr -d ' ') symbols to $expected"
    echo "review the diff, and the libtool version-info in configure.ac"
    exit 0
fi

if [ ! -f "$expected" ]; then
    echo "FAIL: $expected is missing (make update-symbols writes it)" >&2
    exit 1
fi

if ! diff -u "$expected" "$tmp/actual" >"$tmp/diff"; then
    echo "FAIL: the exported symbols differ from tests/symbols.txt" >&2
    echo "      (- expected, + exported by $lib):" >&2
    cat "$tmp/diff" >&2
    echo "If the change is intended, run 'make update-symbols', commit tests/symbols.txt" >&2
    echo "and update the libtool version-info (LTY_LT_*) in configure.ac." >&2
    status=1
fi

if [ "$status" -eq 0 ]; then
    echo "PASS: $(wc -l <"$tmp/actual" | tr -d ' ') exported symbols match tests/symbols.txt"
fi
exit "$status"
