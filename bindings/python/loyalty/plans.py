"""Planned messages beyond appointments: treatments (aftercare), the daily
plan (birthdays, anniversaries, win-back) and journeys (``engine.plans``)."""
from __future__ import annotations

import ctypes as C
import dataclasses
from typing import Any, List, Optional, Sequence

from . import _types as T
from ._conv import DateLike, enc, to_cdate
from ._part import Part
from .enums import Channel, PlanKind, Purpose, as_enum
from .values import JourneyEnrolment, JourneyStepInfo, Treatment


@dataclasses.dataclass
class JourneyStep:
    """A step of a journey: a message ``offset_days`` after the anchor date."""
    offset_days: int
    template_id: str
    purpose: Purpose = Purpose.TRANSACTIONAL
    channel: Channel = Channel.NONE


@dataclasses.dataclass(frozen=True)
class JourneyInfo:
    """A defined journey."""
    name: str
    steps: List[Any]


class Plans(Part):
    """``engine.plans``."""

    def define_treatment(self, item: str, name: str, effect_days: int, template_id: str, *,
                         lead_days: int = 0, purpose: Purpose = Purpose.TRANSACTIONAL,
                         channel: Channel = Channel.NONE) -> None:
        """An aftercare message ``lead_days`` before a treatment's effect ends."""
        keep = [enc(item, "item"), enc(name, "name"), enc(template_id, "template_id")]
        d = T.TreatmentDef(1, keep[0], keep[1], effect_days, lead_days, keep[2], int(purpose),
                           int(channel))
        self._lib.lty_treatment_define(self._h, C.byref(d))

    def remove_treatment(self, item: str) -> None:
        self._lib.lty_treatment_remove(self._h, enc(item, "item"))

    def treatment(self, item: str) -> Treatment:
        out = T.Treatment()
        out.version = 1
        self._lib.lty_treatment_get(self._h, enc(item, "item"), C.byref(out))
        return Treatment.from_c(out)

    def treatments(self) -> List[str]:
        """Items that have a treatment defined."""
        rows = self._list(self._lib.lty_treatment_list, [self._h], C.c_char * (T.CODE_MAX + 1))
        return [bytes(r).split(b"\0", 1)[0].decode() for r in rows]

    def plan_day(self, local_date: DateLike, *,
                 include: PlanKind = PlanKind.BIRTHDAYS | PlanKind.ANNIVERSARIES,
                 days_ahead: int = 7, local_minute: int = 600,
                 birthday_template: Optional[str] = None,
                 anniversary_template: Optional[str] = None,
                 winback_template: Optional[str] = None, purpose: Purpose = Purpose.MARKETING,
                 channel: Channel = Channel.NONE, lapse_days: int = 0, lapse_factor_pct: int = 0,
                 lapse_min_visits: int = 3, lapse_min_days: int = 14,
                 lapse_max_days: int = 0) -> int:
        """Plan the day's birthday, anniversary and win-back messages; how many were planned."""
        keep = [enc(birthday_template, "birthday_template"),
                enc(anniversary_template, "anniversary_template"),
                enc(winback_template, "winback_template")]
        o = T.PlanDayOptions(1, int(include), days_ahead, local_minute, *keep, int(purpose),
                             int(channel), lapse_days, lapse_factor_pct, lapse_min_visits,
                             lapse_min_days, lapse_max_days)
        d = to_cdate(local_date, "local_date")
        n = C.c_size_t()
        self._lib.lty_plan_day(self._h, C.byref(d), C.byref(o), C.byref(n))
        return n.value

    def define_journey(self, id: str, name: str, steps: Sequence[JourneyStep]) -> None:
        """Define a week-by-week (or any) journey of messages."""
        keep: List[Any] = [enc(id, "id"), enc(name, "name")]
        arr = (T.JourneyStep * max(len(steps), 1))()
        for i, s in enumerate(steps):
            b = enc(s.template_id, "template_id")
            keep.append(b)
            arr[i].offset_days, arr[i].template_id = s.offset_days, b
            arr[i].purpose, arr[i].channel = int(s.purpose), int(s.channel)
        d = T.JourneyDef(1, keep[0], keep[1], C.cast(arr, C.POINTER(T.JourneyStep)), len(steps))
        self._lib.lty_journey_define(self._h, C.byref(d))

    def journey(self, id: str) -> JourneyInfo:
        out = T.JourneyInfo()
        out.version = 1
        self._lib.lty_journey_get(self._h, enc(id, "id"), C.byref(out))
        return JourneyInfo(out.name.decode("utf-8", "replace"),
                           [JourneyStepInfo.from_c(out.steps[i]) for i in range(out.step_count)])

    def enrol(self, journey_id: str, customer_id: str, anchor: DateLike) -> None:
        """Enrol a customer; steps count from the local ``anchor`` date."""
        d = to_cdate(anchor, "anchor")
        self._lib.lty_journey_enrol(self._h, enc(journey_id, "journey_id"),
                                    enc(customer_id, "customer_id"), C.byref(d))

    def unenrol(self, journey_id: str, customer_id: str) -> None:
        self._lib.lty_journey_unenrol(self._h, enc(journey_id, "journey_id"),
                                      enc(customer_id, "customer_id"))

    def enrolments(self, customer_id: str) -> List[JourneyEnrolment]:
        rows = self._list(self._lib.lty_journey_list_enrolments,
                          [self._h, enc(customer_id, "customer_id")], T.JourneyEnrolment,
                          version=1)
        return [JourneyEnrolment.from_c(r) for r in rows]
