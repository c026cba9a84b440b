"""Shared test fixtures: a settable clock and engines over the memory store."""
import datetime as dt
import os

import loyalty

UTC = dt.timezone.utc
#: Monday 2 March 2026, 00:00 in Korea (UTC+9).
MONDAY = dt.datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
SRCDIR = os.environ.get("LOYALTY_SRCDIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = MONDAY) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


def engine(storage=None, clock=None, **kw) -> loyalty.Engine:
    """An engine in Korean time with a test clock (memory store by default)."""
    return loyalty.Engine(storage, clock=clock or Clock(), utc_offset_minutes=540, **kw)


def customer(e: loyalty.Engine, cid: str, **fields) -> None:
    e.customers.create(cid, **fields)
