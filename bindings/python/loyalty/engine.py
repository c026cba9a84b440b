"""The Engine: one storage connection, a clock, a time zone, and every module
of libloyalty reachable as a namespace (``engine.customers``,
``engine.events``, ``engine.programs`` ...)."""
from __future__ import annotations

import ctypes as C
import dataclasses
import datetime as _dt
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from . import _lib
from . import _types as T
from ._conv import from_cdate, from_time, to_time
from .errors import ClosedError
from .storage import connection_for
from .values import VerifyMismatch

ClockFn = Callable[[], Union[_dt.datetime, int]]
TzFn = Callable[[_dt.datetime], Union[int, _dt.timedelta]]


@dataclasses.dataclass(frozen=True)
class StoreSettings:
    """A store's settings (lty_store_settings): currency code and minor-unit
    digits, the zone (a fixed offset, or the host's local zone), the phone
    country code and the templates' language."""

    currency: str = "KRW"
    currency_exponent: int = 0
    zone_local: bool = False
    utc_offset_minutes: int = 540
    country_code: int = 82
    locale: str = "ko"

    def _to_c(self) -> T.StoreSettings:
        s = T.StoreSettings()
        s.version = 1
        s.currency = self.currency.encode("ascii", "replace")[:3]
        s.currency_exponent = self.currency_exponent
        s.zone_local = int(self.zone_local)
        s.utc_offset_minutes = self.utc_offset_minutes
        s.country_code = self.country_code
        s.locale = self.locale.encode("utf-8")[:T.LOCALE_MAX]
        return s

    @classmethod
    def _from_c(cls, s: T.StoreSettings) -> "StoreSettings":
        return cls(s.currency.decode("ascii", "replace"), s.currency_exponent,
                   bool(s.zone_local), s.utc_offset_minutes, s.country_code,
                   s.locale.decode("utf-8", "replace"))

    def engine_options(self) -> Dict[str, int]:
        """The Engine keyword arguments these settings give
        (lty_store_settings_apply): ``Engine(store, **s.engine_options())``.
        With a local zone, pass your own ``tz_offset`` as well."""
        o = T.EngineOptions()
        o.version = 1
        o.country_code = 82
        _lib.core().lty_store_settings_apply(C.byref(self._to_c()), C.byref(o))
        kw = {"currency_exponent": o.currency_exponent, "country_code": o.country_code}
        if not self.zone_local:
            kw["utc_offset_minutes"] = o.utc_offset_minutes
        return kw


class Engine:
    """A libloyalty engine (``lty_engine``).

    Args:
        storage: where records live: None for a fresh in-memory store, a
            :class:`~loyalty.MemoryStore` (shared by several engines), a
            :class:`~loyalty.SQLite` or :class:`~loyalty.PostgreSQL` backend,
            or any Python object with the storage methods (see
            :mod:`loyalty.storage`).
        clock: a callable returning "now" as an aware datetime (or Unix
            seconds); the system clock when None.
        utc_offset_minutes: a fixed time-zone offset for calendar questions
            (Korea: 540).
        tz_offset: a callable taking an aware UTC datetime and returning the
            local offset (minutes or a timedelta), for zones with daylight saving.
        currency_exponent, country_code, retry_limit: as lty_engine_options.

    An engine, and everything obtained from it, is used by one thread at a
    time; separate engines may run in parallel (each with its own connection).
    ``close()`` is idempotent; ``with Engine() as e:`` closes at the end; an
    engine that is garbage-collected is closed too.
    """

    def __init__(self, storage: Any = None, *, clock: Optional[ClockFn] = None,
                 utc_offset_minutes: int = 0, tz_offset: Optional[TzFn] = None,
                 currency_exponent: int = 0, country_code: int = 82,
                 retry_limit: int = 16) -> None:
        self._h: Any = None
        self._lib = _lib.core()
        self._keep: List[Any] = []
        conn = connection_for(storage)
        opts = T.EngineOptions()
        opts.version = 1
        opts.storage = C.pointer(conn.ops)
        opts.storage_userdata = conn.userdata
        opts.utc_offset_minutes = utc_offset_minutes
        opts.currency_exponent = currency_exponent
        opts.country_code = country_code
        opts.retry_limit = retry_limit
        if clock is not None:
            opts.clock = T.CLOCK_FN(self._clock_cb(clock))
            self._keep.append(opts.clock)
        if tz_offset is not None:
            opts.tz_offset = T.TZ_FN(self._tz_cb(tz_offset))
            self._keep.append(opts.tz_offset)
        h = T.P_ENGINE()
        try:
            self._lib.lty_engine_new(C.byref(h), C.byref(opts))
        except BaseException:
            conn.discard()
            raise
        self._keep.append(conn)
        self._h = h

    @staticmethod
    def _clock_cb(clock: ClockFn) -> Callable[[Any], int]:
        def cb(ud: Any) -> int:
            try:
                return to_time(clock(), "clock")
            except BaseException as e:
                # A clock cannot return an error code: the call goes on with
                # time 0 and the exception is raised when it returns.
                _lib.defer_exception(e)
                return 0
        return cb

    @staticmethod
    def _tz_cb(tz: TzFn) -> Callable[[int, Any], int]:
        def cb(t: int, ud: Any) -> int:
            try:
                off = tz(from_time(t))
                if isinstance(off, _dt.timedelta):
                    off = int(off.total_seconds() // 60)
                return int(off)
            except BaseException as e:
                _lib.defer_exception(e)
                return 0
        return cb

    # --- lifetime ---------------------------------------------------------

    def _handle(self) -> Any:
        h = self._h
        if not h:
            raise ClosedError("engine is closed")
        return h

    @property
    def closed(self) -> bool:
        """True once close() ran."""
        return not self._h

    def close(self) -> None:
        """Free the engine and close its storage connection (idempotent).

        Objects obtained from the engine (customers, results) stay usable."""
        h, self._h = self._h, None
        if h:
            self._lib.lty_engine_free(h)
            # keep callbacks until after the free: destroy() runs inside it
            self._keep = []

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    # --- engine-level calls ------------------------------------------------

    def last_error(self) -> str:
        """The message of the last failed call on this engine ("" if none)."""
        b = self._lib.lty_engine_last_error(self._handle())
        return b.decode("utf-8", "replace") if b else ""

    def now(self) -> _dt.datetime:
        """The engine's "now" (its clock) as an aware UTC datetime."""
        return from_time(self._lib.lty_engine_now(self._handle()))

    def local_date(self, t: Optional[Union[_dt.datetime, int]] = None) -> _dt.date:
        """The local calendar date (engine's time zone) of ``t`` (default now)."""
        d = T.Date()
        h = self._handle()
        when = self._lib.lty_engine_now(h) if t is None else to_time(t)
        self._lib.lty_engine_local_date(h, when, C.byref(d))
        return from_cdate(d)

    def store_settings(self) -> "StoreSettings":
        """The store's settings (NotFoundError when never stored)."""
        out = T.StoreSettings()
        out.version = 1  # LTY_STORE_SETTINGS_VERSION
        self._lib.lty_store_settings_get(self._handle(), C.byref(out))
        return StoreSettings._from_c(out)

    def set_store_settings(self, settings: "StoreSettings") -> None:
        """Store the settings every program opening this store should use."""
        self._lib.lty_store_settings_set(self._handle(), C.byref(settings._to_c()))

    def transaction(self, body: Callable[["Engine"], None]) -> None:
        """Run ``body(engine)`` as one storage transaction (lty_transaction):
        every call it makes on this engine is kept, or none.

        An exception raised by ``body`` (a failed call's error included) rolls
        everything back and is raised again here; a call that failed inside
        rolls the group back even if ``body`` caught its exception.  On a
        conflict with another engine ``body`` runs again, so it must be
        repeatable.  ``messages.dispatch`` is refused inside.
        """
        h = self._handle()

        def cb(e_ptr: Any, ud: Any) -> int:
            try:
                body(self)
                return 0
            except BaseException as exc:
                _lib.defer_exception(exc)
                return -15  # LTY_EUSER: the exception is raised on return
        self._lib.lty_transaction(h, T.TRANSACTION_FN(cb), None)

    def verify(self) -> List[VerifyMismatch]:
        """Recompute stored totals from the ledger; the mismatches found."""
        out: List[VerifyMismatch] = []

        def each(m: Any, ud: Any) -> int:
            v = m.contents
            d = (lambda b: b.decode("utf-8", "replace") if b is not None else None)
            out.append(VerifyMismatch(d(v.customer_id), d(v.field), v.stored, v.expected,
                                      d(v.stored_text), d(v.expected_text)))
            return 0
        n = C.c_size_t()
        self._lib.lty_verify(self._handle(), C.byref(n), T.VERIFY_FN(each), None)
        return out

    def register_keepalive(self, obj: Any) -> None:
        """Keep ``obj`` (callbacks handed to C) alive as long as the engine."""
        self._keep.append(obj)

    # --- namespaces ----------------------------------------------------------

    @property
    def customers(self) -> "Any":
        """Customer profiles (:class:`loyalty.customers.Customers`)."""
        from .customers import Customers
        return Customers(self)

    @property
    def events(self) -> "Any":
        """Recording visits, purchases, refunds, feedback; history."""
        from .events import Events
        return Events(self)

    @property
    def programs(self) -> "Any":
        """Ladders, stars, points and draws."""
        from .programs import Programs
        return Programs(self)

    @property
    def rewards(self) -> "Any":
        """Coupons and rewards."""
        from .programs import Rewards
        return Rewards(self)

    @property
    def referrals(self) -> "Any":
        """Referral policy, registration and progress."""
        from .programs import Referrals
        return Referrals(self)

    @property
    def appointments(self) -> "Any":
        """Booking, arrivals, no-shows and reminders."""
        from .appointments import Appointments
        return Appointments(self)

    @property
    def messages(self) -> "Any":
        """Templates, the outbox, dispatch through a messenger, delivery reports."""
        from .messaging import Messages
        return Messages(self)

    @property
    def plans(self) -> "Any":
        """Treatments (aftercare), daily planning, journeys."""
        from .plans import Plans
        return Plans(self)

    @property
    def analytics(self) -> "Any":
        """RFM and lifetime value over the store."""
        from .analytics import Analytics
        return Analytics(self)

    @property
    def campaigns(self) -> "Any":
        """Targeted campaigns: define, eligibility, simulate, launch, measure."""
        from .campaigns import Campaigns
        return Campaigns(self)

    @property
    def front_desk(self) -> "Any":
        """Daily briefings and caller-ID recognition."""
        from .briefing import FrontDesk
        return FrontDesk(self)
