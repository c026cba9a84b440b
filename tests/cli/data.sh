#!/bin/sh
# The command line's data modules over a temporary SQLite store: CSV import
# (good files, replays, bad rows reported with line numbers and nothing of
# their batch written, bad headers), the demo clinic and the HTML report.
#
# SPDX-License-Identifier: MIT

set -u
srcdir=${abs_top_srcdir:-.}
builddir=${abs_top_builddir:-.}
driver=$builddir/tests/cli/data_driver
fixtures=$srcdir/tests/cli/fixtures
work=$builddir/tests/cli/data.tmp
failures=0

if test ! -x "$driver"; then
    echo "data.sh: SKIP: $driver was not built (no SQLite)"
    exit 77
fi
rm -rf "$work"
mkdir -p "$work" || exit 1
db=$work/store.db

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect_line FILE LINE: FILE has exactly the line LINE.
expect_line() {
    grep -Fqx -- "$2" "$1" || fail "$1: expected the line '$2'; got:
$(cat "$1")"
}

# run NAME EXPECTED-EXIT ARGS...: run the driver, output in $work/NAME.
run() {
    name=$1
    want=$2
    shift 2
    "$driver" "$@" >"$work/$name" 2>&1
    got=$?
    test "$got" -eq "$want" || fail "$name: exit $got, expected $want:
$(cat "$work/$name")"
}

# --- customers ---------------------------------------------------------
run cust-good 0 import "$db" customers "$fixtures/customers-good.csv"
expect_line "$work/cust-good" "accepted=5"
expect_line "$work/cust-good" "rejected=0"
run cust-p002 0 customer "$db" P002
expect_line "$work/cust-p002" "name=이서준, Jr."
expect_line "$work/cust-p002" "phone=+821020000002"
run cust-p003 0 customer "$db" P003
expect_line "$work/cust-p003" 'name=박 "지우"'
# The same file again changes nothing.
run cust-again 0 import "$db" customers "$fixtures/customers-good.csv"
expect_line "$work/cust-again" "duplicates=5"

# Batches of three data rows: lines 2-4, 5-7 (two bad rows), 8-9 (a phone
# another customer has).
run cust-bad 4 import "$db" customers "$fixtures/customers-bad.csv" 3
expect_line "$work/cust-bad" "accepted=3"
expect_line "$work/cust-bad" "rejected=3"
expect_line "$work/cust-bad" "held_back=2"
expect_line "$work/cust-bad" "batches_rejected=2"
expect_line "$work/cust-bad" "line 5: birthday: no such day"
expect_line "$work/cust-bad" "line 6: preferred_channel: not one of none, sms, email, kakao, push"
expect_line "$work/cust-bad" "line 8: phone: belongs to another customer"
for id in Q001 Q002 Q003; do
    run "cust-$id" 0 customer "$db" "$id"
done
for id in Q004 Q005 Q006 Q007 Q008; do
    run "cust-$id" 3 customer "$db" "$id"
done
# No personal data in the reasons (the clashing phone, the name).
if grep -q -e "3000" -e "2000-0001" -e "오서윤" "$work/cust-bad"; then
    fail "cust-bad: a reason shows personal data"
fi

run header 1 import "$db" customers "$fixtures/customers-badheader.csv"
expect_line "$work/header" "rc=parse error"
expect_line "$work/header" 'message=line 1: header: field 3 ("nickname") is not a column of customers (see docs/guide/import.md)'
run utf8 4 import "$db" customers "$fixtures/customers-badutf8.csv"
expect_line "$work/utf8" "line 2: name: not valid UTF-8"
run missing 1 import "$db" customers "$work/no-such-file.csv"

# --- events ------------------------------------------------------------
run ev-good 0 import "$db" events "$fixtures/events-good.csv"
expect_line "$work/ev-good" "accepted=6"
run ev-p001 0 customer "$db" P001
# 150,000 bought, 50,000 refunded; the visit and the purchase share a day.
expect_line "$work/ev-p001" "net_spend=100000"
expect_line "$work/ev-p001" "visits=1"
DATA_DRIVER_PROGRESS=$work/progress
export DATA_DRIVER_PROGRESS
run ev-again 0 import "$db" events "$fixtures/events-good.csv"
unset DATA_DRIVER_PROGRESS
grep -q '\[##############################\] 100%  6 rows' "$work/progress" ||
    fail "progress bar: $(cat "$work/progress")"
expect_line "$work/ev-again" "duplicates=6"

# One batch with six bad rows among eight: every bad line reported, the two
# good rows (lines 2 and 6) not written.
run ev-bad 4 import "$db" events "$fixtures/events-bad.csv"
expect_line "$work/ev-bad" "accepted=0"
expect_line "$work/ev-bad" "rejected=6"
expect_line "$work/ev-bad" "held_back=2"
expect_line "$work/ev-bad" "line 3: amount: out of range (a whole number of minor units, not negative)"
expect_line "$work/ev-bad" "line 4: customer_id: no such customer"
expect_line "$work/ev-bad" "line 5: type: not visit, purchase, refund or feedback"
expect_line "$work/ev-bad" "line 7: event id: already used for a different event"
expect_line "$work/ev-bad" "line 8: time: no such day"
expect_line "$work/ev-bad" "line 9: unterminated quoted field"
run ev-p004 0 customer "$db" P004
expect_line "$work/ev-p004" "visits=0"
expect_line "$work/ev-p004" "net_spend=0"

# --- appointments ------------------------------------------------------
run ap-good 0 import "$db" appointments "$fixtures/appointments-good.csv"
expect_line "$work/ap-good" "accepted=5"
for pair in AP1:arrived AP2:no_show AP3:cancelled AP4:booked AP5:booked; do
    run "ap-${pair%%:*}" 0 appointment "$db" "${pair%%:*}"
    expect_line "$work/ap-${pair%%:*}" "state=${pair#*:}"
done
run ap-again 0 import "$db" appointments "$fixtures/appointments-good.csv"
expect_line "$work/ap-again" "duplicates=5"
run ap-bad 4 import "$db" appointments "$fixtures/appointments-bad.csv"
expect_line "$work/ap-bad" "rejected=4"
expect_line "$work/ap-bad" "held_back=2"
expect_line "$work/ap-bad" "line 3: duration: out of range (minutes, 1..1440)"
expect_line "$work/ap-bad" "line 4: customer_id: no such customer"
expect_line "$work/ap-bad" "line 6: id: the store has another appointment with this id"
grep -q "^line 5: " "$work/ap-bad" || fail "ap-bad: line 5 (a no-show before its start) not reported"
run ap-AQ1 3 appointment "$db" AQ1
run ap-AQ5 3 appointment "$db" AQ5
run ap-AP1 0 appointment "$db" AP1
expect_line "$work/ap-AP1" "state=arrived"

# --- the demo and the report -------------------------------------------
demo_db=$work/demo.db
run demo 0 demo "$demo_db" 2000
expect_line "$work/demo" "customers=2000"
for key in events purchases appointments_past no_shows appointments_future \
           referrals consents rfm_customers clv_customers campaign_members; do
    v=$(sed -n "s/^$key=//p" "$work/demo")
    test -n "$v" && test "$v" -gt 0 || fail "demo: $key is '$v'"
done
secs=$(sed -n 's/^seconds=//p' "$work/demo")
echo "demo populated in $secs s"
# The same seed gives the same store.
run demo2 0 demo "$work/demo2.db" 2000
sed '/^seconds=/d' "$work/demo" >"$work/demo.a"
sed '/^seconds=/d' "$work/demo2" >"$work/demo.b"
cmp -s "$work/demo.a" "$work/demo.b" || fail "demo: two runs with one seed differ"

run report 0 report "$demo_db" "$work/report.html"
html=$work/report.html
for want in '<meta name="viewport"' 'RFM grid' 'Segments' 'Pareto curve' \
            'Titles and tiers' 'No-show rate by month' 'Campaign results' \
            'winback-demo' 'Champions' '미소 방문 등급' \
            '미소피부과 &amp;amp; &lt;test&gt;'; do
    grep -Fq -- "$want" "$html" || fail "report: '$want' missing"
done
if grep -Eiq '<script|https?://[a-z]|<link |@import|src="http' "$html"; then
    fail "report: refers to something outside the file"
fi
test "$(grep -c '<svg' "$html")" -ge 6 || fail "report: fewer than 6 charts"

if test "$failures" -ne 0; then
    echo "data.sh: $failures failure(s)"
    exit 1
fi
echo "data.sh: all passed"
exit 0
