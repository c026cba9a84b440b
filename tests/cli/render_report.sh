#!/bin/sh
# Render the demo's HTML report in headless Chromium at a phone's width
# (390 CSS pixels): no console errors, no failed loads, every section in
# the rendered DOM, and a screenshot in the build tree
# (tests/cli/report.png) for a person to look at.
#
# Needs Chromium (Debian: apt-get install chromium; for Korean text in the
# screenshot also fonts-noto-cjk); skips (77) without it.
#
# SPDX-License-Identifier: MIT

set -u
builddir=${abs_top_builddir:-.}
driver=$builddir/tests/cli/data_driver
work=$builddir/tests/cli/render.tmp
shot=$builddir/tests/cli/report.png

browser=${CHROMIUM:-}
if test -z "$browser"; then
    for c in chromium chromium-browser google-chrome; do
        if command -v "$c" >/dev/null 2>&1; then
            browser=$c
            break
        fi
    done
fi
if test -z "$browser"; then
    echo "render_report.sh: SKIP: Chromium not found (Debian: apt-get install chromium)"
    exit 77
fi
if test ! -x "$driver"; then
    echo "render_report.sh: SKIP: $driver was not built (no SQLite)"
    exit 77
fi

rm -rf "$work" "$shot"
mkdir -p "$work" || exit 1
"$driver" demo "$work/store.db" 2000 >"$work/demo.txt" 2>&1 || {
    cat "$work/demo.txt"; echo "FAIL: demo"; exit 1; }
"$driver" report "$work/store.db" "$work/report.html" >"$work/report.txt" 2>&1 || {
    cat "$work/report.txt"; echo "FAIL: report"; exit 1; }

# A page script error or console message is logged by Chromium as
# "CONSOLE(...)" with --enable-logging=stderr; a resource that cannot load
# as "Failed to load resource" / net::ERR_.  The report has no script, so
# any of these is a fault.
chrome() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
        --hide-scrollbars --no-first-run --user-data-dir="$work/profile" \
        --enable-logging=stderr --v=0 "$@"
}
url="file://$(cd "$work" && pwd)/report.html"
chrome --window-size=390,5200 --screenshot="$shot" "$url" 2>"$work/chromium.log" >/dev/null
chrome --dump-dom "$url" 2>>"$work/chromium.log" >"$work/dom.html"

failures=0
if grep -E 'CONSOLE|Uncaught|Failed to load resource|net::ERR_' "$work/chromium.log"; then
    echo "FAIL: the browser reported the errors above"
    failures=$((failures + 1))
fi
for want in 'RFM grid' 'Segments' 'Pareto curve' 'Titles and tiers' \
            'No-show rate by month' 'Campaign results'; do
    grep -Fq "$want" "$work/dom.html" || {
        echo "FAIL: '$want' is not in the rendered page"
        failures=$((failures + 1))
    }
done
test "$(grep -o '<svg' "$work/dom.html" | wc -l)" -ge 6 || {
    echo "FAIL: fewer than 6 charts in the rendered page"
    failures=$((failures + 1))
}
# The screenshot: a PNG 390 pixels wide (the width is bytes 17-20).
if test -s "$shot"; then
    magic=$(od -An -tx1 -N8 "$shot" | tr -d ' \n')
    width=$(od -An -tu1 -j16 -N4 "$shot" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
    if test "$magic" != "89504e470d0a1a0a" || test "$width" -ne 390; then
        echo "FAIL: $shot is not a 390-pixel-wide PNG"
        failures=$((failures + 1))
    fi
else
    echo "FAIL: no screenshot"
    sed -n '1,20p' "$work/chromium.log"
    failures=$((failures + 1))
fi
if test "$failures" -ne 0; then
    exit 1
fi
echo "render_report.sh: rendered without errors; screenshot in $shot"
exit 0
