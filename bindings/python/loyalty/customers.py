"""Customer profiles: ``engine.customers`` and the :class:`Customer` snapshot."""
from __future__ import annotations

import ctypes as C
import datetime as _dt
from typing import Any, Dict, List, Optional, Tuple

from . import _lib
from . import _types as T
from ._conv import DateLike, PartialDate, dec, enc, opt_time, partial, to_cdate
from ._part import Part
from .enums import Channel, Purpose, as_enum
from .errors import ClosedError, NotFoundError, make_error
from .values import CustomerStats

_FIELD_NAME, _FIELD_PHONE, _FIELD_EMAIL, _FIELD_BIRTHDAY, _FIELD_CHANNEL = 1, 2, 4, 8, 16
_UNSET: Any = object()


class Customer:
    """A snapshot of one customer profile (``lty_customer``), taken when it was read.

    It does not change when the store does and stays valid after the engine
    is closed.  ``close()`` frees it early (idempotent; also on GC and at the
    end of a ``with`` block).
    """

    def __init__(self, handle: Any, owner: Any = None) -> None:
        self._lib = _lib.core()
        self._c: Any = handle
        self._owner = owner      # set for borrowed snapshots (a card's): not freed here

    def _handle(self) -> Any:
        if not self._c:
            raise ClosedError("customer snapshot is closed")
        if self._owner is not None:
            self._owner._handle()      # raises if the card was closed
        return self._c

    def close(self) -> None:
        """Free the snapshot (idempotent)."""
        c, self._c = self._c, None
        if c and self._owner is None:
            self._lib.lty_customer_free(c)

    def __enter__(self) -> "Customer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        # no personal data in reprs: they end up in logs
        return f"<loyalty.Customer {self.id!r}>" if self._c else "<loyalty.Customer closed>"

    @property
    def id(self) -> str:
        return dec(self._lib.lty_customer_id(self._handle())) or ""

    @property
    def name(self) -> Optional[str]:
        return dec(self._lib.lty_customer_name(self._handle()))

    @property
    def phone(self) -> Optional[str]:
        return dec(self._lib.lty_customer_phone(self._handle()))

    @property
    def email(self) -> Optional[str]:
        return dec(self._lib.lty_customer_email(self._handle()))

    @property
    def birthday(self) -> Optional[PartialDate]:
        """The birthday (year None when unknown), or None when not recorded."""
        d = T.Date()
        rc = self._lib.lty_customer_birthday(self._handle(), C.byref(d))
        if rc == NotFoundError.code or (rc == 0 and d.month == 0):
            return None
        if rc < 0:
            raise make_error(rc, "lty_customer_birthday: "
                             + (dec(self._lib.lty_strerror(rc)) or ""))
        return partial(d)

    @property
    def preferred_channel(self) -> Channel:
        return as_enum(Channel, self._lib.lty_customer_preferred_channel(self._handle()))

    @property
    def created(self) -> Optional[_dt.datetime]:
        return opt_time(self._lib.lty_customer_created(self._handle()))

    def _pairs(self, count: Any, at: Any) -> Dict[str, str]:
        h = self._handle()
        out = {}
        for i in range(count(h)):
            k, v = C.c_char_p(), C.c_char_p()
            at(h, i, C.byref(k), C.byref(v))
            out[dec(k.value) or ""] = dec(v.value) or ""
        return out

    @property
    def preferences(self) -> Dict[str, str]:
        """Preferences ("no garlic"...) as a dict, in stored order."""
        return self._pairs(self._lib.lty_customer_preference_count,
                           self._lib.lty_customer_preference_at)

    def preference(self, key: str) -> Optional[str]:
        return dec(self._lib.lty_customer_preference(self._handle(), enc(key, "key")))

    @property
    def notes(self) -> Dict[str, str]:
        """Staff notes as a dict."""
        return self._pairs(self._lib.lty_customer_note_count, self._lib.lty_customer_note_at)

    def note(self, key: str) -> Optional[str]:
        return dec(self._lib.lty_customer_note(self._handle(), enc(key, "key")))

    @property
    def tags(self) -> List[str]:
        h = self._handle()
        return [dec(self._lib.lty_customer_tag_at(h, i)) or ""
                for i in range(self._lib.lty_customer_tag_count(h))]

    def has_tag(self, tag: str) -> bool:
        return bool(self._lib.lty_customer_has_tag(self._handle(), enc(tag, "tag")))

    @property
    def anniversaries(self) -> Dict[str, PartialDate]:
        """Anniversaries by label."""
        h = self._handle()
        out = {}
        for i in range(self._lib.lty_customer_anniversary_count(h)):
            label, d = C.c_char_p(), T.Date()
            self._lib.lty_customer_anniversary_at(h, i, C.byref(label), C.byref(d))
            out[dec(label.value) or ""] = partial(d)
        return out

    def consent(self, channel: Channel, purpose: Purpose) -> Tuple[bool, Optional[_dt.datetime]]:
        """(granted, since) for a channel and purpose; (False, None) when never recorded."""
        g, since = C.c_int(), C.c_int64()
        try:
            self._lib.lty_customer_consent(self._handle(), int(channel), int(purpose),
                                           C.byref(g), C.byref(since))
        except NotFoundError:
            return False, None
        return bool(g.value), opt_time(since.value)

    def stats(self) -> CustomerStats:
        """Visit and spend totals."""
        s = T.CustomerStats()
        s.version = 1
        self._lib.lty_customer_stats_get(self._handle(), C.byref(s))
        return CustomerStats.from_c(s)


class Customers(Part):
    """``engine.customers``: create, update, look up and erase profiles."""

    def _fields(self, id: str, name: Any, phone: Any, email: Any, birthday: Any,
                preferred_channel: Any) -> Tuple[T.CustomerFields, List[Any]]:
        f = T.CustomerFields()
        f.version = 1
        keep = [enc(id, "id")]
        f.id = keep[0]
        if name is not _UNSET:
            f.set |= _FIELD_NAME
            keep.append(enc(name, "name"))
            f.name = keep[-1]
        if phone is not _UNSET:
            f.set |= _FIELD_PHONE
            keep.append(enc(phone, "phone"))
            f.phone = keep[-1]
        if email is not _UNSET:
            f.set |= _FIELD_EMAIL
            keep.append(enc(email, "email"))
            f.email = keep[-1]
        if birthday is not _UNSET:
            f.set |= _FIELD_BIRTHDAY
            if birthday is not None:
                f.birthday = to_cdate(birthday, "birthday")
        if preferred_channel is not _UNSET:
            f.set |= _FIELD_CHANNEL
            f.preferred_channel = int(preferred_channel or 0)
        return f, keep

    def create(self, id: str, *, name: Any = _UNSET, phone: Any = _UNSET, email: Any = _UNSET,
               birthday: Any = _UNSET, preferred_channel: Any = _UNSET) -> None:
        """Create a customer (ExistsError when the id is taken)."""
        f, _keep = self._fields(id, name, phone, email, birthday, preferred_channel)
        self._lib.lty_customer_create(self._h, C.byref(f))

    def update(self, id: str, *, name: Any = _UNSET, phone: Any = _UNSET, email: Any = _UNSET,
               birthday: Any = _UNSET, preferred_channel: Any = _UNSET) -> None:
        """Change the given fields (None clears one); others stay."""
        f, _keep = self._fields(id, name, phone, email, birthday, preferred_channel)
        self._lib.lty_customer_update(self._h, C.byref(f))

    def _snapshot(self, fn: Any, arg: str, field: str) -> Customer:
        out = T.P_CUSTOMER()
        fn(self._h, enc(arg, field), C.byref(out))
        return Customer(out)

    def get(self, id: str) -> Customer:
        """The customer's snapshot; NotFoundError when unknown."""
        return self._snapshot(self._lib.lty_customer_get, id, "id")

    def find(self, id: str) -> Optional[Customer]:
        """Like get(), but None when unknown."""
        try:
            return self.get(id)
        except NotFoundError:
            return None

    def find_by_phone(self, phone: str) -> Customer:
        return self._snapshot(self._lib.lty_customer_find_by_phone, phone, "phone")

    def find_by_email(self, email: str) -> Customer:
        return self._snapshot(self._lib.lty_customer_find_by_email, email, "email")

    def set_preference(self, id: str, key: str, value: Optional[str]) -> None:
        """Set a preference (None removes it)."""
        self._lib.lty_customer_set_preference(self._h, enc(id, "id"), enc(key, "key"),
                                              enc(value, "value"))

    def set_note(self, id: str, key: str, value: Optional[str]) -> None:
        """Set a staff note (None removes it)."""
        self._lib.lty_customer_set_note(self._h, enc(id, "id"), enc(key, "key"),
                                        enc(value, "value"))

    def add_tag(self, id: str, tag: str) -> None:
        self._lib.lty_customer_add_tag(self._h, enc(id, "id"), enc(tag, "tag"))

    def remove_tag(self, id: str, tag: str) -> None:
        self._lib.lty_customer_remove_tag(self._h, enc(id, "id"), enc(tag, "tag"))

    def set_anniversary(self, id: str, label: str, date: Optional[DateLike]) -> None:
        """Record an anniversary (None removes the label)."""
        d = to_cdate(date, "date")
        self._lib.lty_customer_set_anniversary(self._h, enc(id, "id"), enc(label, "label"),
                                               C.byref(d) if d is not None else None)

    def set_consent(self, id: str, channel: Channel, purpose: Purpose, granted: bool) -> None:
        self._lib.lty_customer_set_consent(self._h, enc(id, "id"), int(channel), int(purpose),
                                           int(bool(granted)))

    def erase(self, id: str) -> None:
        """Erase the customer's personal data (right to be forgotten)."""
        self._lib.lty_customer_erase(self._h, enc(id, "id"))
