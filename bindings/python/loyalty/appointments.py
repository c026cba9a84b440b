"""Appointments: ``engine.appointments`` (booking, arrival, no-shows, reminders)."""
from __future__ import annotations

import ctypes as C
import datetime as _dt
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _types as T
from ._conv import DateLike, enc, to_cdate, to_time
from ._part import Part
from .enums import Channel
from .values import Appointment, NoshowBranch, NoshowStats, RecordOutcome

TimeArg = Union[_dt.datetime, int]


class Appointments(Part):
    """``engine.appointments``."""

    def book(self, id: str, customer_id: str, start: TimeArg, duration: int, *,
             item: Optional[str] = None, branch: Optional[str] = None,
             staff: Optional[str] = None) -> None:
        """Book an appointment starting at ``start`` (aware datetime) for
        ``duration`` minutes; reminders are planned by the reminder policy."""
        keep = [enc(id, "id"), enc(customer_id, "customer_id"), enc(item, "item"),
                enc(branch, "branch"), enc(staff, "staff")]
        s = T.AppointmentSpec(1, keep[0], keep[1], to_time(start, "start"), duration,
                              keep[2], keep[3], keep[4])
        self._lib.lty_appointment_book(self._h, C.byref(s))

    def reschedule(self, id: str, start: TimeArg, duration: int) -> None:
        self._lib.lty_appointment_reschedule(self._h, enc(id, "id"), to_time(start, "start"),
                                             duration)

    def cancel(self, id: str) -> None:
        self._lib.lty_appointment_cancel(self._h, enc(id, "id"))

    def arrive(self, id: str, when: Optional[TimeArg] = None) -> RecordOutcome:
        """Mark arrival (records the visit); what recording it did."""
        o = T.RecordOutcome()
        o.version = 2
        self._lib.lty_appointment_arrive(self._h, enc(id, "id"), to_time(when), C.byref(o))
        return RecordOutcome.from_c(o)

    def no_show(self, id: str) -> None:
        self._lib.lty_appointment_no_show(self._h, enc(id, "id"))

    def get(self, id: str) -> Appointment:
        out = T.Appointment()
        out.version = 1
        self._lib.lty_appointment_get(self._h, enc(id, "id"), C.byref(out))
        return Appointment.from_c(out)

    def list(self, customer_id: str) -> List[Appointment]:
        rows = self._list(self._lib.lty_appointment_list,
                          [self._h, enc(customer_id, "customer_id")], T.Appointment, version=1)
        return [Appointment.from_c(r) for r in rows]

    def list_day(self, day: DateLike) -> List[Appointment]:
        """Appointments on a local calendar day (engine's time zone)."""
        d = to_cdate(day, "day")
        rows = self._list(self._lib.lty_appointment_list_day, [self._h, C.byref(d)],
                          T.Appointment, version=1)
        return [Appointment.from_c(r) for r in rows]

    def reminders(self) -> List[Tuple[_dt.timedelta, Dict[Channel, str]]]:
        """The reminder policy: (time before the start, template per channel)."""
        p = T.ReminderPolicy()
        p.version = 1
        self._lib.lty_appointment_reminders_get(self._h, C.byref(p))
        out = []
        for i in range(p.count):
            r = p.reminders[i]
            tpl = {}
            for ch in range(T.REMINDER_CHANNELS):
                raw = r.template_id[ch]
                t = (raw.value if hasattr(raw, "value") else bytes(raw)).split(b"\0", 1)[0]
                if t:
                    tpl[Channel(ch)] = t.decode("utf-8", "replace")
            out.append((_dt.timedelta(seconds=r.offset), tpl))
        return out

    def set_reminders(self, reminders: Sequence[Tuple[Union[_dt.timedelta, int],
                                                      Union[str, Dict[Channel, str]]]]) -> None:
        """Set the reminder policy: (time before the start, template or
        {channel: template}) pairs; a template for Channel.NONE serves every channel."""
        if len(reminders) > T.REMINDERS_MAX:
            raise ValueError(f"reminders: at most {T.REMINDERS_MAX}")
        p = T.ReminderPolicy()
        p.version = 1
        p.count = len(reminders)
        for i, (offset, tpl) in enumerate(reminders):
            if isinstance(offset, _dt.timedelta):
                offset = int(offset.total_seconds())
            p.reminders[i].offset = offset
            items = {Channel.NONE: tpl} if isinstance(tpl, str) else tpl
            for ch, t in items.items():
                b = enc(t, "template") or b""
                if len(b) > T.MESSAGE_ID_MAX:
                    raise ValueError(f"reminder {i + 1} template: longer than "
                                     f"{T.MESSAGE_ID_MAX} bytes")
                p.reminders[i].template_id[int(ch)].value = b
        self._lib.lty_appointment_reminders_set(self._h, C.byref(p))

    def noshow_stats(self, start: TimeArg, end: TimeArg
                     ) -> Tuple[NoshowStats, List[NoshowBranch]]:
        """No-show figures for appointments starting in the period, overall and by branch."""
        stats = T.NoshowStats()
        stats.version = 1
        cap = 8
        while True:
            br = (T.NoshowBranch * cap)()
            for i in range(cap):
                br[i].version = 1
            n = C.c_size_t()
            self._lib.lty_appointment_noshow_stats(self._h, to_time(start, "start"),
                                                   to_time(end, "end"), C.byref(stats), br,
                                                   cap, C.byref(n))
            if n.value <= cap:
                return NoshowStats.from_c(stats), [NoshowBranch.from_c(br[i])
                                                   for i in range(n.value)]
            cap = n.value
