#!/bin/sh
# tests/fuzz/replay_template.sh - run the fuzz harness tests/fuzz/fuzz_template.c over
# its seed corpus (tests/fuzz/corpus/template), without libFuzzer.
#
# Run by 'make check', which sets abs_top_srcdir and abs_top_builddir.
#
# SPDX-License-Identifier: MIT
set -eu

: "${abs_top_srcdir:?run this test through make check}"
: "${abs_top_builddir:?run this test through make check}"

replay="$abs_top_builddir/tests/fuzz/replay_template"
if [ ! -x "$replay" ]; then
    echo "FAIL: $replay was not built" >&2
    exit 1
fi
exec "$replay" "$abs_top_srcdir/tests/fuzz/corpus/template"
