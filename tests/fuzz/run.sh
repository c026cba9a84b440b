#!/bin/sh
# tests/fuzz/run.sh - build every libFuzzer harness in tests/fuzz with clang
# (-fsanitize=fuzzer,address,undefined) and run each for a while on a copy
# of its seed corpus.  `make fuzz` runs it; FUZZ_SECONDS (default 60) is the
# time per harness; FUZZ_ONLY (names, e.g. "records csv") picks harnesses.
# A crash leaves its input in the work directory, which
# is kept and named in the output; turn it into a regression test by adding
# it to the harness's corpus (tests/fuzz/corpus/<name>/), which make check
# replays.
#
#   tests/fuzz/run.sh SRCDIR BUILDDIR
#
# SPDX-License-Identifier: MIT
set -eu

srcdir=${1:-.}
builddir=${2:-.}
seconds=${FUZZ_SECONDS:-60}
cc=${FUZZ_CC:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "run.sh: $cc not found: install clang (Debian: apt-get install clang)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lty-fuzz.XXXXXX")
status=0
# the library's sources, as the harness needs them (no convenience library:
# they must be compiled with the fuzzer's instrumentation)
lib_sources=$(ls "$srcdir"/src/*.c "$srcdir"/src/store/memory.c)

for harness in "$srcdir"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$harness" .c)
    corpus_name=${name#fuzz_}
    # FUZZ_ONLY="records csv": only those harnesses (for long runs in parallel)
    case " ${FUZZ_ONLY:-$corpus_name} " in
        *" $corpus_name "*) ;;
        *) continue ;;
    esac
    echo "== $name: building"
    # shellcheck disable=SC2086
    "$cc" -g -O1 -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined \
        -I"$builddir" -I"$builddir/include" -I"$srcdir/include" -I"$srcdir/src" \
        "$harness" $lib_sources -lpthread -lm -o "$work/$name"
    mkdir -p "$work/$corpus_name"
    cp "$srcdir/tests/fuzz/corpus/$corpus_name"/* "$work/$corpus_name/"
    echo "== $name: fuzzing for ${seconds}s"
    if ! (cd "$work" && "./$name" -max_total_time="$seconds" -print_final_stats=1 \
            -artifact_prefix="$work/$name-" "$corpus_name" \
            > "$work/$name.log" 2>&1); then
        echo "== $name: FAILED; log and crashing input in $work" >&2
        tail -40 "$work/$name.log" >&2
        status=1
        continue
    fi
    # the last status line holds the final coverage ("cov: edges ft: features")
    grep -E "cov: " "$work/$name.log" | tail -1 || true
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" \
        "$work/$name.log" || true
    echo "== $name: no crash"
done

if [ "$status" -eq 0 ]; then
    rm -rf "$work"
fi
exit "$status"
