#!/bin/sh
# tests/cli/postgres.sh - `loyalty --postgres`: a throw-away PostgreSQL
# cluster (initdb, pg_ctl on a private socket), then init, customers,
# events, the briefing, dispatch and verify through the PostgreSQL store.
# Skips (77) when the PostgreSQL server programs are not installed (Debian:
# postgresql) or the program was built without libpq.
#
# SPDX-License-Identifier: MIT

top_builddir=${abs_top_builddir:-$(pwd)}
L="$top_builddir/loyalty"

bindir=
for d in "$(pg_config --bindir 2>/dev/null)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null) \
    $(dirname "$(command -v initdb 2>/dev/null)" 2>/dev/null); do
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
        bindir=$d
        break
    fi
done
if [ -z "$bindir" ]; then
    echo "SKIP: initdb and pg_ctl were not found (Debian: postgresql)"
    exit 77
fi
msg=$("$L" --postgres "host=/nonexistent" verify 2>&1 >/dev/null)
if [ $? = 2 ] && echo "$msg" | grep -q "without the PostgreSQL backend"; then
    echo "SKIP: loyalty was built without the PostgreSQL backend"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/loyalty-pg.XXXXXX") || exit 1
# initdb refuses root: run the server as "postgres" then
as=
if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1 || ! command -v runuser >/dev/null 2>&1; then
        echo "SKIP: running as root without a 'postgres' user to run initdb as"
        rm -rf "$tmp"
        exit 77
    fi
    chown postgres "$tmp"
    as="runuser -u postgres --"
fi
port=$((20000 + $$ % 20000))
stop() {
    $as "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap stop EXIT INT TERM
$as "$bindir/initdb" -D "$tmp/data" -A trust -U postgres >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log"; echo "FAIL: initdb"; exit 1; }
$as "$bindir/pg_ctl" -D "$tmp/data" -w -l "$tmp/server.log" \
    -o "-p $port -k $tmp -c listen_addresses=''" start >/dev/null 2>&1 ||
    { cat "$tmp/server.log"; echo "FAIL: pg_ctl start"; exit 1; }

LOYALTY_POSTGRES="host=$tmp port=$port user=postgres dbname=postgres"
LOYALTY_UTC_OFFSET=+09:00
export LOYALTY_POSTGRES LOYALTY_UTC_OFFSET
unset LOYALTY_DB
cd "$tmp" || exit 1

failures=0
run() {
    want=$1
    shift
    "$L" "$@" >out 2>err
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: loyalty $* exited $got, expected $want"
        sed 's/^/  | /' out err
        failures=$((failures + 1))
    fi
}
has() {
    grep -F -q -- "$1" out || { echo "FAIL: output lacks '$1'"; sed 's/^/  | /' out; failures=$((failures + 1)); }
}

today=$(TZ=UTC-9 date +%Y-%m-%d)
run 1 customer show k1
run 0 init
run 0 customer add k1 --name '박지훈' --phone 010-7777-8888
run 0 record purchase k1 30000 --id k1-1
run 0 appointment book b1 k1 "$today 23:59" --staff dr2
run 0 brief; has "박지훈"
run 0 recognize 01077778888; has "k1"
run 0 --json customer show k1; has '"net_spend": 30000'
mkdir spool
run 0 outbox dispatch --spool spool
run 0 verify; has "store is consistent"
# an unreachable server is an error, not a crash
run 1 --postgres "host=$tmp/none port=1" verify

[ $failures = 0 ] && echo "postgres: all passed"
[ $failures = 0 ]
