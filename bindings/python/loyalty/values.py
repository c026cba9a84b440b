"""Result values: frozen dataclasses built from the C output structures.

Each class is generated from its ctypes mirror with :func:`_value_class`, which
names the fields that are times (aware UTC datetimes; 0 and "none" give None),
calendar dates, enumerations and booleans.  Money stays ``int`` in minor units.
"""
from __future__ import annotations

import ctypes as C
import dataclasses
import datetime as _dt
from typing import Any, Dict, Iterable, List, Optional

from . import _types as T
from ._conv import from_cdate, opt_time, partial
from .enums import (AppointmentState, CampaignGroup, Channel, GiftKind, MessageState,
                    OccasionKind, ProgramKind, ProgramLogKind, Purpose, ReferralStage,
                    RewardKind, RewardSource, RewardState, as_enum)

_BY_CTYPE: Dict[type, type] = {}


def _value_class(name: str, ctype: type, doc: str, *, times: Iterable[str] = (),
                 dates: Iterable[str] = (), partial_dates: Iterable[str] = (),
                 enums: Optional[Dict[str, type]] = None, bools: Iterable[str] = (),
                 skip: Iterable[str] = ("version",)) -> type:
    times, dates, partial_dates = set(times), set(dates), set(partial_dates)
    bools, skip, enums = set(bools), set(skip), dict(enums or {})
    fields = []
    conv: Dict[str, Any] = {}
    for fname, ftype in ctype._fields_:
        if fname in skip:
            continue
        if fname in times:
            fields.append((fname, Optional[_dt.datetime]))
            conv[fname] = opt_time
        elif fname in dates:
            fields.append((fname, _dt.date))
            conv[fname] = from_cdate
        elif fname in partial_dates:
            fields.append((fname, Any))
            conv[fname] = partial
        elif fname in enums:
            fields.append((fname, enums[fname]))
            conv[fname] = (lambda cls: lambda v: as_enum(cls, v))(enums[fname])
        elif fname in bools:
            fields.append((fname, bool))
            conv[fname] = bool
        elif ftype is C.c_char_p:
            fields.append((fname, Optional[str]))
            conv[fname] = lambda v: v.decode("utf-8", "replace") if v is not None else None
        elif isinstance(ftype, type) and issubclass(ftype, C.Array) and ftype._type_ is C.c_char:
            fields.append((fname, str))
            conv[fname] = lambda v: v.decode("utf-8", "replace")
        elif isinstance(ftype, type) and issubclass(ftype, C.Structure):
            sub = _BY_CTYPE[ftype]
            fields.append((fname, sub))
            conv[fname] = sub.from_c
        elif ftype in (C.c_double, C.c_float):
            fields.append((fname, float))
        else:
            fields.append((fname, int))
    cls = dataclasses.make_dataclass(name, fields, frozen=True)
    cls.__doc__ = doc
    cls.__module__ = __name__

    def from_c(klass: type, s: Any) -> Any:
        kw = {}
        for fname, _t in fields:
            v = getattr(s, fname)
            f = conv.get(fname)
            kw[fname] = f(v) if f else v
        return klass(**kw)

    cls.from_c = classmethod(from_c)
    cls.to_dict = lambda self: dataclasses.asdict(self)
    _BY_CTYPE[ctype] = cls
    return cls


RecordOutcome = _value_class(
    "RecordOutcome", T.RecordOutcome,
    "What recording an event did: duplicate, counted visit, totals, promotions, rewards, title.",
    bools=("duplicate", "visit_counted"))
CustomerStats = _value_class(
    "CustomerStats", T.CustomerStats,
    "A customer's visit and spend totals (money in minor units).",
    times=("first_visit", "last_visit"))
ProgramInfo = _value_class(
    "ProgramInfo", T.ProgramInfo, "A defined program: kind, definition version, name, levels.",
    enums={"kind": ProgramKind})
ProgramStatus = _value_class(
    "ProgramStatus", T.ProgramStatus, "A customer's standing in one program.",
    enums={"kind": ProgramKind}, times=("tier_until", "next_expiry"))
ProgramLogEntry = _value_class(
    "ProgramLogEntry", T.ProgramLogEntry, "One line of a customer's program history.",
    enums={"kind": ProgramLogKind}, times=("time", "due"))
Reward = _value_class(
    "Reward", T.Reward, "An issued reward (coupon) and its state.",
    enums={"kind": RewardKind, "source": RewardSource, "state": RewardState},
    times=("issued", "expires", "closed"))
ReferralGiven = _value_class(
    "ReferralGiven", T.ReferralGiven, "A gift given for a referral.",
    enums={"kind": GiftKind}, bools=("lost",))
Referral = _value_class(
    "Referral", T.Referral, "A referral and its progress.",
    enums={"stage": ReferralStage},
    times=("registered", "booked", "completed", "credited", "reversed", "reversible_until"))
ReferrerRank = _value_class(
    "ReferrerRank", T.ReferrerRank, "A referrer and the completed referrals in a period.")
Appointment = _value_class(
    "Appointment", T.Appointment, "An appointment (start and times are UTC datetimes).",
    enums={"state": AppointmentState}, times=("start", "booked", "closed"))
NoshowCounts = _value_class(
    "NoshowCounts", T.NoshowCounts, "Arrivals, no-shows and the no-show rate.", skip=())
NoshowStats = _value_class(
    "NoshowStats", T.NoshowStats, "No-show figures over a period, overall and by reminders.")
NoshowBranch = _value_class(
    "NoshowBranch", T.NoshowBranch, "No-show figures of one branch.")
OutboxEntry = _value_class(
    "OutboxEntry", T.OutboxEntry, "A message in the outbox and its delivery state.",
    enums={"purpose": Purpose, "channel": Channel, "sent_channel": Channel,
           "state": MessageState},
    times=("due", "planned", "sent"))
DispatchReport = _value_class(
    "DispatchReport", T.DispatchReport, "What one outbox dispatch did.", skip=())
Treatment = _value_class(
    "Treatment", T.Treatment, "A treatment whose effect period triggers aftercare.",
    enums={"purpose": Purpose, "channel": Channel})
JourneyStepInfo = _value_class(
    "JourneyStepInfo", T.JourneyStepInfo, "One step of a journey.",
    enums={"purpose": Purpose, "channel": Channel}, skip=())
JourneyEnrolment = _value_class(
    "JourneyEnrolment", T.JourneyEnrolment, "A customer's enrolment in a journey.",
    dates=("anchor",), times=("enrolled",))
RfmScores = _value_class(
    "RfmScores", T.RfmScores, "A customer's stored RFM scores.",
    times=("computed_at", "as_of"))
RfmSegmentSummary = _value_class(
    "RfmSegmentSummary", T.RfmSegmentSummary, "One segment of an RFM result.", skip=())
ClvFigures = _value_class(
    "ClvFigures", T.ClvFigures, "A customer's stored lifetime-value figures.",
    times=("computed_at",))
ClvScore = _value_class(
    "ClvScore", T.ClvScore, "P(alive), expected purchases and spend, CLV of one customer.",
    skip=())
CampaignReport = _value_class(
    "CampaignReport", T.CampaignReport, "Eligibility (and launch) counts of a campaign.")
CampaignMember = _value_class(
    "CampaignMember", T.CampaignMember, "A customer's group in a launched campaign.",
    enums={"group": CampaignGroup}, times=("launched_at",))
CampaignFigures = _value_class(
    "CampaignFigures", T.CampaignFigures,
    "What a campaign did among some of its members (all, or one segment).")
CampaignSegmentFigures = _value_class(
    "CampaignSegmentFigures", T.CampaignSegmentFigures,
    "The figures of the members of one RFM segment at launch ('' for unscored).")


@dataclasses.dataclass(frozen=True)
class CampaignResult:
    """A campaign measured against its control group: overall and per segment."""

    measured_at: Optional[_dt.datetime]
    overall: Any
    segments: List[Any]

    @classmethod
    def from_c(cls, s: Any) -> "CampaignResult":
        return cls(opt_time(s.measured_at), CampaignFigures.from_c(s.overall),
                   [CampaignSegmentFigures.from_c(s.segments[i])
                    for i in range(s.segment_count)])

    def __getattr__(self, name: str) -> Any:
        # the overall figures read as the result's own (res.uplift)
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.overall, name)

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


SegmentForecast = _value_class(
    "SegmentForecast", T.CampaignSegmentForecast,
    "The forecast for the eligible customers of one RFM segment.")
_ForecastFields = _value_class(
    "CampaignForecast", T.CampaignForecast, "A campaign simulated from history before launch.",
    bools=("from_history",), skip=("version", "segment_count", "segments"))


@dataclasses.dataclass(frozen=True)
class CampaignForecast(_ForecastFields):  # type: ignore[misc, valid-type]
    """A campaign simulated from history before launch, with a row per segment."""

    segments: List[Any] = dataclasses.field(default_factory=list)

    @classmethod
    def from_c(cls, s: Any) -> "CampaignForecast":
        base = _ForecastFields.from_c(s)
        kw = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
        kw["segments"] = [SegmentForecast.from_c(s.segments[i])
                          for i in range(s.segment_count)]
        return cls(**kw)


CardProgram = _value_class(
    "CardProgram", T.CardProgram, "A customer's standing in one program, as the card shows it.",
    enums={"kind": ProgramKind}, bools=("promotion_due",))
Occasion = _value_class(
    "Occasion", T.Occasion, "A birthday or anniversary coming up.",
    enums={"kind": OccasionKind}, partial_dates=("date",), dates=("on",))


@dataclasses.dataclass(frozen=True)
class Message:
    """A message handed to a messenger's ``send``."""

    id: str
    customer_id: str
    channel: Channel
    purpose: Purpose
    address: Optional[str]
    template_id: Optional[str]
    text: Optional[str]
    due: _dt.datetime
    attempt: int


@dataclasses.dataclass(frozen=True)
class Event:
    """A ledger event as history returns it (``refunded``: amount refunded so far)."""

    type: Any
    id: str
    customer_id: str
    time: _dt.datetime
    amount: int
    item: Optional[str]
    branch: Optional[str]
    refund_of: Optional[str]
    score: int
    comment: Optional[str]
    refunded: int = 0


@dataclasses.dataclass(frozen=True)
class VerifyMismatch:
    """A stored total that differs from the one recomputed from the ledger."""

    customer_id: Optional[str]
    field: Optional[str]
    stored: int
    expected: int
    stored_text: Optional[str]
    expected_text: Optional[str]


@dataclasses.dataclass(frozen=True)
class RfmRow:
    """One customer's RFM figures and segment."""

    customer_id: str
    recency_days: int
    frequency: int
    monetary: int
    r: int
    f: int
    m: int
    score: int
    segment: str
    segment_index: int
