#!/usr/bin/env python3
"""The peer of `bench/ingest --store sqlite`: the same record work written
by hand in Python with the standard library's sqlite3.

For each purchase event: look its id up (idempotency), read the customer's
aggregates, write the ledger entry, the event-id index entry and the
updated aggregates -- the two reads and three writes the library makes per
event -- on one WAL-mode SQLite file with synchronous NORMAL, in
transactions of --batch events, over --customers customers created first.
The key layout mirrors the library's (customer-clustered ledger keys in a
WITHOUT ROWID table); values are small packed structs instead of the
library's checked records, so the peer does less work per event than the
library, not more.

    python3 bench/ingest_sqlite3.py [--events N] [--customers N] [--batch N]

Prints a table like the C benchmarks'.  Standard library only.
"""
import argparse
import os
import random
import sqlite3
import struct
import tempfile
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=200000)
    ap.add_argument("--customers", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="lty-peer-")
    path = os.path.join(tmp, "peer.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE TABLE records (key BLOB PRIMARY KEY, value BLOB NOT NULL,"
               " rev INTEGER NOT NULL) WITHOUT ROWID")
    agg = struct.Struct("<qqqq")          # visits, purchases, net spend, last

    def ckey(cid: str, kind: bytes) -> bytes:
        return b"C\0" + cid.encode() + b"\0" + kind

    t0 = time.perf_counter()
    db.execute("BEGIN")
    for i in range(args.customers):
        db.execute("INSERT INTO records VALUES (?, ?, 1)",
                   (ckey(f"c{i:07d}", b"A"), agg.pack(0, 0, 0, 0)))
    db.execute("COMMIT")
    created = time.perf_counter() - t0

    rng = random.Random(20260301)
    base = 1767225600  # 2026-01-01T00:00Z
    rev = 1
    get = "SELECT value, rev FROM records WHERE key = ?"
    put = "INSERT OR REPLACE INTO records VALUES (?, ?, ?)"
    t0 = time.perf_counter()
    done = 0
    while done < args.events:
        n = min(args.batch, args.events - done)
        db.execute("BEGIN")
        for j in range(done, done + n):
            cid = f"c{rng.randrange(args.customers):07d}"
            evid = f"e{j:09d}".encode()
            t = base + j
            amount = 1000 + rng.randrange(100000)
            if db.execute(get, (b"E\0" + evid,)).fetchone():
                continue                              # a replay
            row = db.execute(get, (ckey(cid, b"A"),)).fetchone()
            visits, purchases, spend, _last = agg.unpack(row[0])
            rev += 1
            ledger = ckey(cid, b"L") + struct.pack(">Q", ~t & 0xFFFFFFFFFFFFFFFF) + evid
            db.execute(put, (ledger, struct.pack("<qq", amount, 0), rev))
            db.execute(put, (b"E\0" + evid, ledger, rev))
            db.execute(put, (ckey(cid, b"A"),
                             agg.pack(visits + 1, purchases + 1, spend + amount, t), rev))
        db.execute("COMMIT")
        done += n
    secs = time.perf_counter() - t0
    db.close()
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    os.rmdir(tmp)

    rate = args.events / secs if secs > 0 else 0.0
    print(f"ingest_sqlite3: {args.customers} customers, {args.events} purchase events "
          f"in batches of {args.batch}, Python {'.'.join(map(str, __import__('sys').version_info[:3]))} "
          f"sqlite3 (SQLite {sqlite3.sqlite_version}), WAL, synchronous NORMAL")
    print()
    print("| figure                             |         measured |         target |      |")
    print("|------------------------------------|------------------|----------------|------|")
    print(f"| events/s in batches (Python peer)  | {rate:14.0f}/s |         (peer) |      |")
    print(f"| customers created/s                | {args.customers / created:14.0f}/s |         (info) |      |")
    print()
    print(f"recorded {args.events} events in {secs:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
