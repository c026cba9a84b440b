"""Recording events and reading a customer's ledger: ``engine.events``."""
from __future__ import annotations

import ctypes as C
import dataclasses
import datetime as _dt
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Union

from . import _types as T
from ._conv import dec, enc, from_time, to_time
from ._part import Part
from .enums import EventType, as_enum
from .errors import LoyaltyError
from .values import Event, RecordOutcome


@dataclasses.dataclass
class NewEvent:
    """An event to record (for :meth:`Events.record_batch`)."""

    type: EventType
    id: str
    customer_id: str
    time: Optional[Union[_dt.datetime, int]] = None
    amount: int = 0
    item: Optional[str] = None
    branch: Optional[str] = None
    refund_of: Optional[str] = None
    score: int = -1
    comment: Optional[str] = None


def fill_event(ev: T.Event, e: NewEvent, keep: List[Any]) -> None:
    """Copy a NewEvent into a C lty_event (strings kept alive in ``keep``)."""
    ev.version = 1
    ev.type = int(e.type)
    ev.time = to_time(e.time, "event time")
    ev.amount = int(e.amount)
    ev.score = int(e.score)
    for f in ("id", "customer_id", "item", "branch", "refund_of", "comment"):
        b = enc(getattr(e, f), f)
        keep.append(b)
        setattr(ev, f, b)


def _outcome() -> T.RecordOutcome:
    o = T.RecordOutcome()
    o.version = 2
    return o


class Events(Part):
    """``engine.events``: visits, purchases, refunds and feedback."""

    def record(self, type: EventType, id: str, customer_id: str, *,
               time: Optional[Union[_dt.datetime, int]] = None, amount: int = 0,
               item: Optional[str] = None, branch: Optional[str] = None,
               refund_of: Optional[str] = None, score: int = -1,
               comment: Optional[str] = None) -> RecordOutcome:
        """Record one event (idempotent by ``id``); money in minor units.

        ``time`` is an aware datetime (None: the engine's now)."""
        ev, keep = T.Event(), []
        fill_event(ev, NewEvent(type, id, customer_id, time, amount, item, branch, refund_of,
                                score, comment), keep)
        o = _outcome()
        self._lib.lty_record(self._h, C.byref(ev), C.byref(o))
        return RecordOutcome.from_c(o)

    def record_batch(self, events: Sequence[NewEvent]) -> List[RecordOutcome]:
        """Record several events in one transaction: all of them or none.

        On failure the exception has an ``index`` attribute: the event at
        fault (``len(events)`` when no single event was)."""
        n = len(events)
        arr, keep = (T.Event * max(n, 1))(), []
        for i, e in enumerate(events):
            fill_event(arr[i], e, keep)
        outs = (T.RecordOutcome * max(n, 1))()
        for i in range(n):
            outs[i].version = 2
        failed = C.c_size_t()
        try:
            self._lib.lty_record_batch(self._h, arr, n, outs, C.byref(failed))
        except LoyaltyError as e:
            e.index = failed.value
            raise
        return [RecordOutcome.from_c(outs[i]) for i in range(n)]

    def history_page(self, customer_id: str, cursor: Optional[str] = None,
                     limit: int = 100) -> Tuple[List[Event], Optional[str]]:
        """One page of a customer's ledger (newest first) and the next cursor."""
        lib = self._lib
        h = T.P_HISTORY()
        lib.lty_history_list(self._h, enc(customer_id, "customer_id"), enc(cursor, "cursor"),
                             limit, C.byref(h))
        try:
            out = []
            for i in range(lib.lty_history_count(h)):
                ev = T.Event()
                ev.version = 1
                lib.lty_history_get(h, i, C.byref(ev))
                out.append(Event(as_enum(EventType, ev.type), dec(ev.id) or "",
                                 dec(ev.customer_id) or "", from_time(ev.time), ev.amount,
                                 dec(ev.item), dec(ev.branch), dec(ev.refund_of), ev.score,
                                 dec(ev.comment), lib.lty_history_refunded(h, i)))
            return out, dec(lib.lty_history_cursor(h))
        finally:
            lib.lty_history_free(h)

    def history(self, customer_id: str, page_size: int = 100) -> Iterator[Event]:
        """Iterate over a customer's whole ledger, newest first, a page at a time."""
        cursor: Optional[str] = None
        while True:
            page, cursor = self.history_page(customer_id, cursor, page_size)
            yield from page
            if cursor is None:
                return
