"""The front desk: today's briefing and caller-ID recognition
(``engine.front_desk``), with :class:`Card` and :class:`Briefing` handles."""
from __future__ import annotations

import ctypes as C
import datetime as _dt
from typing import Any, Iterator, List, Optional, Tuple

from . import _lib
from . import _types as T
from ._conv import DateLike, dec, enc, from_cdate, opt_time, to_cdate
from ._part import Part
from .customers import Customer
from .errors import ClosedError, NotFoundError, make_error
from .values import Appointment, CardProgram, Occasion, Reward


def _take_text(lib: Any, fn: Any, h: Any) -> str:
    p, n = C.c_void_p(), C.c_size_t()
    fn(h, C.byref(p), C.byref(n))
    try:
        return C.string_at(p.value, n.value).decode("utf-8", "replace")
    finally:
        lib.lty_free(p)


class Card:
    """What the front desk sees about one customer (``lty_card``).

    A card from :meth:`FrontDesk.recognize_phone` is owned (freed by close()/GC);
    a card from a :class:`Briefing` belongs to the briefing and is closed with it.
    """

    def __init__(self, handle: Any, owner: Optional["Briefing"] = None) -> None:
        self._lib = _lib.core()
        self._c: Any = handle
        self._owner = owner

    def _handle(self) -> Any:
        if not self._c:
            raise ClosedError("card is closed")
        if self._owner is not None:
            self._owner._handle()
        return self._c

    def close(self) -> None:
        """Free the card (idempotent; a briefing's card is only detached)."""
        c, self._c = self._c, None
        if c and self._owner is None:
            self._lib.lty_card_free(c)

    def __enter__(self) -> "Card":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def render_text(self) -> str:
        """The card as text for a screen or a printout."""
        return _take_text(self._lib, self._lib.lty_card_render_text, self._handle())

    @property
    def customer_id(self) -> str:
        return dec(self._lib.lty_card_customer_id(self._handle())) or ""

    @property
    def name(self) -> Optional[str]:
        return dec(self._lib.lty_card_name(self._handle()))

    @property
    def customer(self) -> Customer:
        """The customer's profile (borrowed from the card)."""
        return Customer(self._lib.lty_card_customer(self._handle()), owner=self)

    @property
    def appointment(self) -> Optional[Appointment]:
        a = T.Appointment()
        a.version = 1
        rc = self._lib.lty_card_appointment(self._handle(), C.byref(a))
        if rc == NotFoundError.code:
            return None
        if rc < 0:
            raise make_error(rc, "lty_card_appointment: "
                             + (dec(self._lib.lty_strerror(rc)) or ""))
        return Appointment.from_c(a)

    @property
    def visits(self) -> int:
        return int(self._lib.lty_card_visits(self._handle()))

    @property
    def last_visit(self) -> Optional[_dt.datetime]:
        return opt_time(self._lib.lty_card_last_visit(self._handle()))

    @property
    def last_item(self) -> Optional[str]:
        return dec(self._lib.lty_card_last_item(self._handle()))

    @property
    def first_visit(self) -> bool:
        return bool(self._lib.lty_card_first_visit(self._handle()))

    @property
    def welcome_back(self) -> Optional[int]:
        """Days away when the customer is back after a long time, else None."""
        d = C.c_int64()
        return d.value if self._lib.lty_card_welcome_back(self._handle(), C.byref(d)) else None

    @property
    def programs(self) -> List[CardProgram]:
        h = self._handle()
        out = []
        for i in range(self._lib.lty_card_program_count(h)):
            p = T.CardProgram()
            p.version = 1
            self._lib.lty_card_program_at(h, i, C.byref(p))
            out.append(CardProgram.from_c(p))
        return out

    @property
    def title(self) -> Optional[str]:
        return dec(self._lib.lty_card_title(self._handle()))

    @property
    def tier(self) -> Optional[str]:
        return dec(self._lib.lty_card_tier(self._handle()))

    @property
    def promotion_due(self) -> Optional[str]:
        return dec(self._lib.lty_card_promotion_due(self._handle()))

    @property
    def occasions(self) -> List[Occasion]:
        h = self._handle()
        out = []
        for i in range(self._lib.lty_card_occasion_count(h)):
            o = T.Occasion()
            o.version = 1
            self._lib.lty_card_occasion_at(h, i, C.byref(o))
            out.append(Occasion.from_c(o))
        return out

    @property
    def rewards(self) -> List[Reward]:
        h = self._handle()
        out = []
        for i in range(self._lib.lty_card_reward_count(h)):
            r = T.Reward()
            r.version = 1
            self._lib.lty_card_reward_at(h, i, C.byref(r))
            out.append(Reward.from_c(r))
        return out

    @property
    def referrer_id(self) -> Optional[str]:
        return dec(self._lib.lty_card_referrer_id(self._handle()))

    @property
    def referrer_name(self) -> Optional[str]:
        return dec(self._lib.lty_card_referrer_name(self._handle()))

    @property
    def came_together(self) -> bool:
        return bool(self._lib.lty_card_came_together(self._handle()))

    @property
    def referral_count(self) -> int:
        return int(self._lib.lty_card_referral_count(self._handle()))

    @property
    def segment(self) -> Optional[str]:
        return dec(self._lib.lty_card_segment(self._handle()))

    @property
    def rfm(self) -> Optional[Tuple[int, int, int]]:
        r, f, m = C.c_int(), C.c_int(), C.c_int()
        if not self._lib.lty_card_rfm(self._handle(), C.byref(r), C.byref(f), C.byref(m)):
            return None
        return r.value, f.value, m.value

    @property
    def p_alive(self) -> Optional[float]:
        d = C.c_double()
        return d.value if self._lib.lty_card_p_alive(self._handle(), C.byref(d)) else None

    @property
    def clv(self) -> Optional[float]:
        d = C.c_double()
        return d.value if self._lib.lty_card_clv(self._handle(), C.byref(d)) else None

    @property
    def vip(self) -> bool:
        return bool(self._lib.lty_card_vip(self._handle()))


class Briefing:
    """A day's front-desk briefing (``lty_briefing``): a card per appointment."""

    def __init__(self, handle: Any) -> None:
        self._lib = _lib.core()
        self._b: Any = handle

    def _handle(self) -> Any:
        if not self._b:
            raise ClosedError("briefing is closed")
        return self._b

    def close(self) -> None:
        """Free the briefing and its cards (idempotent)."""
        b, self._b = self._b, None
        if b:
            self._lib.lty_briefing_free(b)

    def __enter__(self) -> "Briefing":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    @property
    def date(self) -> _dt.date:
        d = T.Date()
        self._lib.lty_briefing_date(self._handle(), C.byref(d))
        return from_cdate(d)

    def __len__(self) -> int:
        return int(self._lib.lty_briefing_count(self._handle()))

    def __getitem__(self, i: int) -> Card:
        if not 0 <= i < len(self):
            raise IndexError("briefing entry out of range")
        return Card(self._lib.lty_briefing_entry(self._handle(), i), owner=self)

    def __iter__(self) -> Iterator[Card]:
        for i in range(len(self)):
            yield self[i]

    def render_text(self) -> str:
        return _take_text(self._lib, self._lib.lty_briefing_render_text, self._handle())


def _options(welcome_back_days: Optional[int], occasion_days: Optional[int]) -> Any:
    if welcome_back_days is None and occasion_days is None:
        return None
    return T.BriefingOptions(1, 180 if welcome_back_days is None else welcome_back_days,
                             7 if occasion_days is None else occasion_days)


class FrontDesk(Part):
    """``engine.front_desk``."""

    def briefing(self, day: Optional[DateLike] = None, *,
                 welcome_back_days: Optional[int] = None,
                 occasion_days: Optional[int] = None) -> Briefing:
        """The briefing for a local day (default: today in the engine's zone)."""
        if day is None:
            d = T.Date()
            h = self._h
            self._lib.lty_engine_local_date(h, self._lib.lty_engine_now(h), C.byref(d))
        else:
            d = to_cdate(day, "day")
        out = T.P_BRIEFING()
        o = _options(welcome_back_days, occasion_days)
        if o is None:
            self._lib.lty_briefing_day(self._h, C.byref(d), C.byref(out))
        else:
            self._lib.lty_briefing_day_with(self._h, C.byref(d), C.byref(o), C.byref(out))
        return Briefing(out)

    def recognize_phone(self, phone: str, *, welcome_back_days: Optional[int] = None,
                        occasion_days: Optional[int] = None) -> Card:
        """The card of the caller with this phone number (NotFoundError if unknown)."""
        out = T.P_CARD()
        o = _options(welcome_back_days, occasion_days)
        if o is None:
            self._lib.lty_recognize_phone(self._h, enc(phone, "phone"), C.byref(out))
        else:
            self._lib.lty_recognize_phone_with(self._h, enc(phone, "phone"), C.byref(o),
                                               C.byref(out))
        return Card(out)
