"""Conversions between Python values and C values (times, dates, strings)."""
from __future__ import annotations

import ctypes as C
import datetime as _dt
from typing import Any, NamedTuple, Optional, Tuple, Union

from . import _types as T

UTC = _dt.timezone.utc
TimeLike = Union[_dt.datetime, int, float]


class PartialDate(NamedTuple):
    """A calendar date whose year may be unknown (``year`` is None), as
    birthdays and anniversaries often are."""

    year: Optional[int]
    month: int
    day: int

    def to_date(self) -> _dt.date:
        """The :class:`datetime.date`; ValueError when the year is unknown."""
        if self.year is None:
            raise ValueError("the year is unknown")
        return _dt.date(self.year, self.month, self.day)


DateLike = Union[_dt.date, PartialDate, Tuple[int, int, int]]


def enc(s: Optional[str], field: str = "value") -> Optional[bytes]:
    """UTF-8 bytes of a string argument (None stays None)."""
    if s is None:
        return None
    if isinstance(s, bytes):
        return s
    if not isinstance(s, str):
        raise TypeError(f"{field}: expected str, got {type(s).__name__}")
    return s.encode("utf-8")


def dec(b: Optional[bytes]) -> Optional[str]:
    """A C string as str (NULL gives None)."""
    if b is None:
        return None
    return b.decode("utf-8", "replace")


def text(arr: Any) -> str:
    """The string in a fixed char array field."""
    return bytes(arr).split(b"\0", 1)[0].decode("utf-8", "replace")


def to_time(t: Optional[TimeLike], field: str = "time") -> int:
    """Unix seconds for an aware datetime (or int seconds); None means "now"."""
    if t is None:
        return T.TIME_NOW
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None or t.utcoffset() is None:
            raise ValueError(f"{field}: naive datetime; give an aware one "
                             "(e.g. tzinfo=datetime.timezone.utc)")
        return int(t.timestamp() // 1)
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        raise TypeError(f"{field}: expected an aware datetime or Unix seconds")
    return int(t)


def from_time(t: int) -> _dt.datetime:
    """An aware UTC datetime for Unix seconds."""
    return _dt.datetime.fromtimestamp(t, UTC)


def opt_time(t: int) -> Optional[_dt.datetime]:
    """Like from_time, but 0 and LTY_TIME_NONE (meaning "none") give None."""
    if t == 0 or t == T.TIME_NONE or t == T.TIME_NOW:
        return None
    return from_time(t)


def to_cdate(d: Optional[DateLike], field: str = "date") -> Optional[T.Date]:
    """An lty_date for a date, PartialDate or (y, m, d); None stays None."""
    if d is None:
        return None
    if isinstance(d, _dt.datetime):
        raise TypeError(f"{field}: give a local date (datetime.date), not a datetime")
    if isinstance(d, _dt.date):
        return T.Date(d.year, d.month, d.day)
    try:
        y, m, dd = d
    except (TypeError, ValueError):
        raise TypeError(f"{field}: expected a date, PartialDate or (year, month, day)") from None
    return T.Date(y or 0, m, dd)


def from_cdate(d: T.Date) -> _dt.date:
    """A datetime.date for a full lty_date."""
    return _dt.date(d.year, d.month, d.day)


def partial(d: T.Date) -> PartialDate:
    """A PartialDate for an lty_date whose year may be 0."""
    return PartialDate(d.year or None, d.month, d.day)


def versioned(cls: type, version: int, **fields: Any) -> Any:
    """A zeroed struct with its version set and the given fields filled."""
    s = cls()
    s.version = version
    for k, v in fields.items():
        setattr(s, k, v)
    return s


def struct_dict(s: C.Structure) -> dict:
    """Fields of a struct as a dict (nested structs as dicts, char arrays as str)."""
    out = {}
    for name, ctype in s._fields_:
        v = getattr(s, name)
        if isinstance(v, C.Structure):
            v = struct_dict(v)
        elif isinstance(v, bytes):
            v = v.decode("utf-8", "replace")
        out[name] = v
    return out
