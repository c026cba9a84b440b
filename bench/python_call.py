#!/usr/bin/env python3
"""Per-call overhead of recording an event from Python (memory store).

Times lty_record through the bindings (Engine.events.record: argument
conversion, the ctypes call, the error check, the outcome dataclass) and
the same calls made directly through ctypes on the bare function, and
prints both rates and the difference per call.  For the C rate itself see
bench/ingest.c.

    LOYALTY_LIBRARY=.libs/libloyalty.so PYTHONPATH=bindings/python \
        python3 bench/python_call.py [events]
"""
import ctypes as C
import sys
import time

import loyalty
from loyalty import EventType
from loyalty import _types as T


def bindings(n: int) -> float:
    with loyalty.Engine(clock=lambda: 1772377200) as e:
        e.customers.create("c1")
        rec = e.events.record
        t0 = time.perf_counter()
        for i in range(n):
            rec(EventType.PURCHASE, f"e{i}", "c1", time=1772377200, amount=1000)
        return time.perf_counter() - t0


def raw_ctypes(n: int) -> float:
    with loyalty.Engine(clock=lambda: 1772377200) as e:
        e.customers.create("c1")
        fn = e._lib.cdll.lty_record          # the same symbol, no argtypes/errcheck
        fn.restype = C.c_int
        h = e._handle()
        ev = T.Event()
        ev.version, ev.type, ev.customer_id = 1, int(EventType.PURCHASE), b"c1"
        ev.time, ev.amount, ev.score = 1772377200, 1000, -1
        out = T.RecordOutcome()
        out.version = 2
        ids = [f"e{i}".encode() for i in range(n)]
        pev, pout = C.byref(ev), C.byref(out)
        t0 = time.perf_counter()
        for i in range(n):
            ev.id = ids[i]
            if fn(h, pev, pout) != 0:
                raise RuntimeError("lty_record failed")
        return time.perf_counter() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    b = bindings(n)
    r = raw_ctypes(n)
    print(f"libloyalty {loyalty.version()}, memory store, {n} purchases per run")
    print(f"bindings (Engine.events.record): {n / b:10.0f} events/s  {b / n * 1e6:7.2f} us/event")
    print(f"bare ctypes call of lty_record:  {n / r:10.0f} events/s  {r / n * 1e6:7.2f} us/event")
    print(f"overhead of the bindings:        {(b - r) / n * 1e6:7.2f} us/event")


if __name__ == "__main__":
    main()
