#!/bin/sh
# tests/cli/cli.sh - runs every command of `loyalty` against a temporary
# SQLite store and checks its output and exit code: bad arguments, unknown
# customers, --json validity, the alignment of wide (Korean) characters,
# and outbox dispatch into a spool directory and through a command.
#
# Needs python3 (to check JSON and display widths independently of the
# program); skips (77) without it.
#
# SPDX-License-Identifier: MIT

top_builddir=${abs_top_builddir:-$(pwd)}
top_srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
L="$top_builddir/loyalty"

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is needed to check JSON and display widths (Debian: python3)"
    exit 77
fi
if [ ! -x "$L" ]; then
    echo "FAIL: $L was not built"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/loyalty-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 1

# A store of our own, Korean time, the won; nothing from the caller's
# environment.
LOYALTY_DB="$tmp/test.db"
LOYALTY_UTC_OFFSET=+09:00
LOYALTY_CURRENCY=KRW
export LOYALTY_DB LOYALTY_UTC_OFFSET LOYALTY_CURRENCY
unset LOYALTY_POSTGRES LOYALTY_COUNTRY_CODE

failures=0
checks=0

fail() {
    echo "FAIL: $*"
    echo "  --- stdout:"; sed 's/^/  | /' out
    echo "  --- stderr:"; sed 's/^/  | /' err
    failures=$((failures + 1))
}

# run EXPECTED_RC ARGS... : run loyalty, keep stdout in out, stderr in err
run() {
    want=$1
    shift
    checks=$((checks + 1))
    "$L" "$@" >out 2>err
    got=$?
    if [ "$got" != "$want" ]; then
        fail "loyalty $* exited $got, expected $want"
        return 1
    fi
    return 0
}

# has TEXT [FILE]: the output (or FILE) contains TEXT
has() {
    checks=$((checks + 1))
    grep -F -q -- "$1" "${2:-out}" || { fail "output lacks '$1'"; return 1; }
}

# hasnt TEXT [FILE]
hasnt() {
    checks=$((checks + 1))
    if grep -F -q -- "$1" "${2:-out}"; then fail "output has '$1'"; return 1; fi
}

# json: the output is valid JSON
json() {
    checks=$((checks + 1))
    python3 -m json.tool out >/dev/null 2>json.err || { fail "not JSON: $(cat json.err)"; return 1; }
}

# jq-like check: jget 'PYTHON EXPRESSION on d' EXPECTED
jget() {
    checks=$((checks + 1))
    v=$(python3 -c "import json,sys; d=json.load(open('out')); print($1)" 2>&1)
    [ "$v" = "$2" ] || { fail "JSON $1 is '$v', expected '$2'"; return 1; }
}

today=$(TZ=UTC-9 date +%Y-%m-%d)
past() { TZ=UTC-9 date -d "$1 days ago" +%Y-%m-%d; }

# --- the program and its help ---------------------------------------------
run 0 --help && has "customer" && has "Exit codes"
run 0 --version && has "loyalty (libloyalty)"
run 2 && has "usage: loyalty" err
run 2 frobnicate && has "unknown command 'frobnicate'" err
run 2 --frob && has "unknown option" err
for cmd in "init" "program" "program load" "program list" "customer" \
    "customer show" "customer find" "customer add" "customer set" \
    "customer erase" "record" "record visit" "record purchase" "record refund" \
    "record feedback" "appointment" "appointment book" "appointment cancel" \
    "appointment arrive" "appointment noshow" "appointment reschedule" \
    "appointment list" "brief" "recognize" "plan" "outbox" "outbox list" \
    "outbox dispatch" "rfm" "clv" "churn" "campaign" "campaign define" \
    "campaign simulate" "campaign launch" "campaign measure" "campaign result" \
    "campaign list" "import" "report" "demo" "verify" \
    "template" "template set" "template remove"; do
    # shellcheck disable=SC2086
    run 0 $cmd --help && has "usage: loyalty"
done

# --- no store yet, then init ----------------------------------------------
run 1 customer show c1 && has "run 'loyalty init' first" err
run 2 init --language fr && has "--language" err
run 2 init --korea && has "sender" err
run 0 init && has "templates stored" && has "KRW"
run 0 --json init --language ko --korea --sender-name 'Clinic' \
    --sender-contact 02-123-4567 --opt-out-line '무료수신거부 080-000-0000' && json
run 0 init --language en   # back to the English texts

# --- programs --------------------------------------------------------------
run 0 program load "$top_srcdir/examples/programs/tsukada.ini" && has "tsukada"
run 0 program list && has "ladder"
printf '[program bad]\nkind = ladder\nname = x\nbogus = 1\n' >bad.ini
run 1 program load bad.ini && has "bad.ini:" err

# --- customers ---------------------------------------------------------------
run 0 customer add c1 --name '김민지' --phone 010-1234-5678 --birthday 1990-03-15 --channel sms \
    && has "+821012345678"
run 0 customer add c2 --name 'Bob' --phone 010-2222-3333 --email Bob@Example.com && has "bob@example.com"
run 0 customer add c3 --name '이서연' --phone 010-4444-5555
run 1 customer add c1 --name 'Again' && has "customer add" err
run 1 customer add c9 --phone 010-1234-5678 && hasnt "010-1234-5678" err
run 2 customer add c9 --birthday 1990-02-30 && has "--birthday" err
run 2 customer add c9 --channel fax && has "--channel" err
run 2 customer add && has "missing argument" err
run 2 customer add c9 --bogus && has "unknown option '--bogus'" err
run 0 customer set c1 --note allergy=penicillin --pref doctor=female --tag regular \
    --consent sms:marketing=yes --anniversary wedding=2015-06-01 && has "penicillin"
run 2 customer set c1 --consent sms:ads=yes && has "--consent" err
run 3 customer set nobody --tag x
run 2 customer set c1 && has "nothing to change" err
run 0 customer set c2 --consent email:marketing=yes
run 0 customer find --phone '+82 10 1234 5678' && has "c1"
run 0 customer find --email BOB@example.com && has "c2"
run 3 customer find --phone 010-9999-9999 && has "no customer" err
run 2 customer find && has "--phone or --email" err
run 3 customer show nobody
run 0 customer find --phone 010-2222-3333 --csv && has "id,name,phone,email" && has "c2,Bob,+821022223333"
run 0 customer show c2 --db "$LOYALTY_DB" --json && json   # global options after the command
run 1 --db "$tmp/other.db" customer show c2 && has "no store at" err
run 2 --db && has "needs a value" err
run 2 --currency XYZ customer show c2 && has "--currency" err
run 0 --json customer show c1 && json && jget "d['customer']['name']" "김민지" \
    && jget "d['customer']['phone']" "+821012345678"

# --- the ledger --------------------------------------------------------------
run 0 record purchase c1 12000 --id o1 --item scaling --at "$(past 3) 10:00" && has "12,000"
run 0 --json record purchase c1 12000 --id o1 --item scaling --at "$(past 3) 10:00" \
    && json && jget "d['recorded']['duplicate']" "True"
run 1 record purchase c1 13000 --id o1 --item scaling --at "$(past 3) 10:00"
run 2 record purchase c1 12.5 && has "decimal" err
run 2 record purchase c1 abc && has "not an amount" err
run 3 record purchase nobody 1000
run 0 record visit c2 --id v1 --at "$(past 40) 11:00"
run 0 record refund c1 o1 2000 --id r1 && has "10,000"
run 1 record refund c1 o1 20000 --id r2
run 3 record refund c1 nosuch 100 --id r3
run 0 record feedback c1 9 --comment '친절해요' --id f1
run 2 record feedback c1 11 && has "SCORE" err
run 2 record visit c1 --comment x && has "does not apply" err
run 2 record visit c1 --at yesterday && has "--at" err
run 0 customer show c1 && has "scaling" && has "10,000" && has "penicillin"
# the same minor units in a currency with cents: tables in major units,
# JSON in minor units
run 0 --currency USD customer show c1 && has "100.00"
run 0 --currency USD --json customer show c1 && jget "d['customer']['net_spend']" "10000"
run 2 --currency USD record purchase c1 1.005 && has "decimal" err

# --- appointments, briefing, caller ID ------------------------------------
run 0 appointment book a1 c1 "$today 23:50" --item scaling --staff dr1 && has "booked"
run 0 appointment book a2 c2 "$today 23:55" --duration 45
run 0 appointment book a3 c3 "$today 23:59"
run 0 appointment book a1 c1 "$today 23:50" --item scaling --staff dr1
run 1 appointment book a1 c2 "$today 23:50"
run 3 appointment book a9 nobody "$today 10:00"
run 2 appointment book a9 c1 "tomorrow" && has "START" err
run 2 appointment book a9 c1 "$today 10:00" --duration 0 && has "--duration" err
future=$(TZ=UTC-9 date -d '+10 days' +%Y-%m-%d)
run 0 appointment book a4 c1 "$future 15:00" && has "3"
run 0 appointment reschedule a4 "$future 16:00" && has "16:00"
run 0 appointment list --customer c1 && has "a1" && has "a4"
run 1 appointment noshow a4 && has "appointment noshow" err
run 0 appointment cancel a4 && has "cancelled"
run 3 appointment cancel nosuch
run 0 appointment book a5 c2 "$(past 1) 10:00"
run 0 appointment noshow a5 && has "no-show"
run 0 appointment book a6 c2 "$(past 1) 15:00"
run 0 appointment book a7 c1 "$(TZ=UTC-9 date -d '+5 days' +%Y-%m-%d) 10:00" && has "3"
run 0 appointment arrive a6 && has "arrived"
run 1 appointment cancel a6
run 0 brief && has "김민지" && has "이서연" && has "penicillin"
run 0 brief --text && has "김민지"
run 0 --json brief && json && jget "len(d['briefing'])" "3"
run 2 brief 2026-13-01 && has "DATE" err
run 0 recognize 010-1234-5678 && has "김민지" && has "allergy: penicillin"
run 0 --json recognize 01012345678 && json && jget "d['card']['customer_id']" "c1" \
    && jget "d['card']['phone']" "+821012345678" && jget "d['card']['vip']" "False"
run 3 recognize 010-0000-1111 && has "no customer" err

# Wide characters: in the briefing table every column after NAME starts at
# the same display column in every row.  Python's own East Asian Width
# data measures it, independently of the program's table.
run 0 brief
checks=$((checks + 1))
python3 - out <<'EOF' || fail "the briefing's columns are not aligned"
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
head, rows = lines[0], lines[2:]
col = head.index("TITLE")            # ASCII heading: bytes == columns here
assert rows and any(any(ord(c) > 0x1100 for c in r) for r in rows), "no wide row"
for r in rows:
    # the display column where the TITLE cell starts: after NAME's padding
    prefix_w = 0
    for i, c in enumerate(r):
        if prefix_w == col:
            break
        prefix_w += width(c)
    assert prefix_w == col, (r, prefix_w, col)
    assert r[i - 2:i] == "  ", ("no column gap before TITLE", r)
print("aligned:", len(rows), "rows")
EOF
# and a Korean heading in a table with ASCII rows (program list)
run 0 program list
checks=$((checks + 1))
python3 - out <<'EOF' || fail "program list is not aligned"
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
kind = lines[0].index("KIND")
for r in lines[2:]:
    cut = r.index("ladder")
    assert w(r[:cut]) == kind, (r, w(r[:cut]), kind)
EOF

# --- planning and the outbox ----------------------------------------------
run 0 plan --winback-days 30 && has "messages planned"
run 0 --json plan --winback-days 30 && json && jget "d['plan']['planned']" "0"
run 2 plan --winback-factor 50 && has "--winback-factor" err
run 0 --json outbox list && json
planned=$(python3 -c "import json; print(sum(1 for m in json.load(open('out'))['messages'] if m['state']=='planned'))")
run 0 outbox list --state planned --csv && has "id,customer_id,template_id"
run 2 outbox list --state flying && has "--state" err
# a dry run shows the texts and changes nothing
at="$future 16:00"
run 0 --json outbox dispatch --dry-run --at "$at" && json && jget "d['dispatch']['dry_run']" "True"
dry_msgs=$(python3 -c "import json; print(len(json.load(open('out'))['messages']))")
has "Reminder: 김민지"
run 0 --json outbox list && json
checks=$((checks + 1))
after=$(python3 -c "import json; print(sum(1 for m in json.load(open('out'))['messages'] if m['state']=='planned'))")
[ "$after" = "$planned" ] || fail "the dry run changed the outbox ($planned planned before, $after after)"
run 2 outbox dispatch && has "one of --command, --spool or --dry-run" err
run 2 outbox dispatch --dry-run --spool x
run 1 outbox dispatch --spool "$tmp/nonexistent" && has "not a writable directory" err
mkdir spool
run 0 --json outbox dispatch --spool spool --at "$at" && json
sent=$(python3 -c "import json; print(json.load(open('out'))['dispatch']['sent'])")
checks=$((checks + 1))
[ "$sent" = "$dry_msgs" ] && [ "$sent" -gt 0 ] || fail "spool dispatch sent $sent, the dry run showed $dry_msgs"
checks=$((checks + 1))
n=0
for f in spool/*.json; do
    python3 -m json.tool "$f" >/dev/null || fail "$f is not JSON"
    n=$((n + 1))
done
[ "$n" = "$sent" ] || fail "$n spool files for $sent messages"
ls spool >out
has "appt%2Fa7%2F1%2F259200.json"
cat spool/*.json >out
has '"text": "Reminder: 김민지'
run 0 outbox list --state sent && has "sent"
# through a command: the text on stdin, the fields in the environment
run 0 record purchase c2 5000 --id o2
run 0 campaign define thanks --template vip --channel email --control-share 0 --transactional
run 0 campaign launch thanks && has "messages planned"
run 0 outbox dispatch --command 'printf "%s|%s|%s|" "$LOYALTY_MSG_ID" "$LOYALTY_MSG_CHANNEL" "$LOYALTY_MSG_ADDRESS" >>cmd.log; cat >>cmd.log; echo >>cmd.log'
has "sent        1"
cat cmd.log >out
has "campaign/thanks/c2|email|bob@example.com|"
has "thank you for being one of our best customers"
# a command that refuses (65) makes the message dead; another failure retries
run 0 campaign define thanks2 --template vip --channel email --control-share 0 --transactional
run 0 campaign launch thanks2
run 0 outbox dispatch --command 'cat >/dev/null; exit 65' && has "dead        1"
run 0 campaign define thanks3 --template vip --channel email --control-share 0 --transactional
run 0 campaign launch thanks3
run 0 outbox dispatch --command 'exit 3' && has "retried     1"
run 0 outbox list --state dead && has "campaign/thanks2/c2"

# --- analytics ------------------------------------------------------------
# forty customers with purchase histories drawn by the BG/NBD story (a
# purchase rate each, a chance to drop out after every purchase), from
# Python's seeded generator so that every run sees the same data
cat >gen.py <<'EOF'
import random
r = random.Random(1)
for i in range(40):
    lam = r.choice([1/15, 1/30, 1/60, 1/120])
    p = r.choice([0.1, 0.3, 0.5])
    t = r.uniform(0, 200)
    k = 0
    while t < 359:
        print(f"p{i} p{i}-{k} {int(360 - t)} {r.randrange(5, 60) * 1000}")
        k += 1
        if r.random() < p:
            break
        t += r.expovariate(lam)
EOF
python3 gen.py >history.txt
for c in $(cut -d' ' -f1 history.txt | sort -u); do
    run 0 customer add "$c" --name "손님 $c"
done
while read -r c id d amt; do
    run 0 record purchase "$c" "$amt" --id "$id" --at "$(past "$d") 12:00"
done <history.txt
run 0 rfm && has "Champions" && has "revenue share of the top 20%"
run 0 --json rfm --customers && json && jget "d['summary']['saved']" "True" \
    && jget "len(d['customers']) >= 40" "True"
run 0 --csv rfm --customers --no-save && has "customer_id,recency_days"
run 2 rfm --bins 12 && has "--bins" err
run 2 rfm --csv x.csv --frequency visits
cat >sales.csv <<'EOF'
customer_id,date,amount
x1,2026-01-05,1000
x1,2026-02-05,2000
x2,2026-01-10,500
x3,2026-03-01,7000
EOF
run 0 --json rfm --csv sales.csv --customers && json && jget "len(d['customers'])" "3" \
    && jget "d['summary']['saved']" "False"
printf 'customer_id,date,amount\nx1,2026-01-05,1000\nx2,not-a-date,5\n' >bad.csv
run 1 rfm --csv bad.csv && has "bad.csv:3" err
run 1 rfm --csv missing.csv
run 0 clv --limit 5 && has "P(ALIVE)" && has "BG/NBD r"
run 0 --json clv && json
run 2 clv --period month && has "--period" err
run 0 churn --threshold 0.9 && has "at risk"
run 0 --json churn && json && jget "d['summary']['customers'] > 20" "True"

# --- campaigns --------------------------------------------------------------
run 0 campaign define wb --preset winback --lapsed-days 60 --cost-per-message 30 && has "eligible now"
run 0 --json campaign simulate wb --seed 7 && json \
    && jget "d['eligibility']['not_in_target'] > 0" "True"
run 0 --json campaign launch wb && json
run 0 campaign measure wb && has "UPLIFT" && has "(all)"
run 0 --json campaign result wb && json && jget "d['segments'][-1]['segment']" "(all)"
run 0 campaign list && has "wb" && has "yes"
run 3 campaign result nosuch
run 0 campaign define bd --preset birthday --month 3
run 0 campaign define v --preset vip && has "vip"
run 2 campaign define x --preset birthday && has "--month" err
run 2 campaign define x --preset gold && has "--preset" err
run 2 campaign define x && has "--template" err
run 2 campaign define x --template t --lapsed-days 5 && has "--lapsed-days" err
run 3 campaign simulate nosuch
run 3 campaign launch nosuch
run 3 campaign measure nosuch

# --- templates ------------------------------------------------------------
run 0 template set hello sms 'Hi {name}' --locale ko
run 1 template set hello sms 'Hi {nmae}' && has "template set" err
run 2 template set hello fax 'Hi'
run 0 template remove hello sms --locale ko
run 3 template remove hello sms --locale ko

# --- store settings: init writes them, later commands use them ----------------
saved_db=$LOYALTY_DB
unset LOYALTY_CURRENCY LOYALTY_UTC_OFFSET
LOYALTY_DB="$tmp/usd.db"
export LOYALTY_DB
run 0 init --currency USD --utc-offset -05:00 --country-code 1 --language en \
    && has "USD" && has "-300"
run 0 customer add u1 --phone 212-555-0100   # national: country code 1
run 0 --json customer show u1 && jget "d['customer']['phone']" "+12125550100"
run 0 record purchase u1 12.50 --at '2026-11-30 10:00'
run 0 customer show u1 && has "12.50"
run 0 --json customer show u1 && jget "d['customer']['net_spend']" "1250"
run 0 init && has "USD"               # again without options: kept
run 0 --currency KRW customer show u1 && has "1,250"   # the command line wins
LOYALTY_DB=$saved_db
LOYALTY_CURRENCY=KRW
LOYALTY_UTC_OFFSET=+09:00
export LOYALTY_DB LOYALTY_CURRENCY LOYALTY_UTC_OFFSET

# --- import, report, demo -------------------------------------------------------
printf 'id,name,phone\nimp1,Kim Import,010-5555-0001\nimp2,Lee Import,010-5555-0002\n' >cust.csv
run 0 import customers cust.csv && has "rows written"
run 0 --json customer show imp1 && json && jget "d['customer']['name']" "Kim Import"
run 0 --json import customers cust.csv && json && jget "d['summary']['duplicates']" "2"
printf 'id,name,phone\nimp3,Park,010-5555-0003\nimp4,Choi,not-a-phone\n' >badc.csv
run 1 import customers badc.csv && has "phone" && has "batches not written"
hasnt "not-a-phone"
run 3 customer show imp3  # its batch had a bad row: nothing of it was written
run 2 import gifts cust.csv && has "customers, events or appointments" err
run 1 import customers missing.csv
run 0 report --html rep.html && test -s rep.html && has "wrote rep.html"
grep -q "Campaign results" rep.html || fail "report: no campaign section"
grep -q ">wb<" rep.html || fail "report: campaign wb missing"
run 2 report && has "--html" err
saved_db=$LOYALTY_DB
unset LOYALTY_DB  # the demo's own file, loyalty-demo.db
run 0 demo --customers 150 --report demo.html && has "Today's briefing" \
    && has "simulated before launch" && test -s demo.html && test -s loyalty-demo.db
run 0 demo --customers 150 --report demo.html   # its own file: replaced
LOYALTY_DB=$saved_db
export LOYALTY_DB
run 1 demo --customers 150   # a named store ($LOYALTY_DB): refused
has "exists" err
run 0 customer show imp1  # ... and left alone

# --- verify, erase ---------------------------------------------------------
run 0 verify && has "store is consistent"
run 0 --json verify && json && jget "d['verify']['ok']" "True"
run 2 customer erase c3 && has "--yes" err
run 0 customer erase c3 --yes
run 3 customer show c3
run 3 recognize 010-4444-5555
run 0 verify

# a damaged store: verify says so with exit code 4, or the open fails
python3 - "$LOYALTY_DB" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
# a ledger entry of customer p1: "C\0p1\0L..."
key = [k for (k,) in db.execute("SELECT key FROM lty_records")
       if k.startswith(b"C\x00p1\x00L")][0]
db.execute("UPDATE lty_records SET value = X'FF' WHERE key = ?", (key,))
db.commit()
EOF
checks=$((checks + 1))
"$L" verify >out 2>err
rc=$?
[ $rc = 4 ] || fail "verify on a damaged store exited $rc, expected 4"

echo "$checks checks, $failures failures"
[ $failures = 0 ]
