#!/bin/sh
# tests/fuzz/replay_program_config.sh - run the program definition file fuzz
# harness (tests/fuzz/fuzz_program_config.c) over its seed corpus and the
# example program files, without libFuzzer.
#
# Run by 'make check', which sets abs_top_srcdir and abs_top_builddir.
#
# SPDX-License-Identifier: MIT
set -eu

: "${abs_top_srcdir:?run this test through make check}"
: "${abs_top_builddir:?run this test through make check}"

replay="$abs_top_builddir/tests/fuzz/replay_program_config"
if [ ! -x "$replay" ]; then
    echo "FAIL: $replay was not built" >&2
    exit 1
fi
exec "$replay" \
    "$abs_top_srcdir/tests/fuzz/corpus/program_config" \
    "$abs_top_srcdir/examples/programs"
