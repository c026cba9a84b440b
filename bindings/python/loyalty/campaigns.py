"""Campaigns: ``engine.campaigns`` (define, presets, eligibility, simulate,
launch with a control group, measure).  Wraps include/loyalty/campaign.h."""
from __future__ import annotations

import ctypes as C
import dataclasses
import datetime as _dt
from typing import Any, List, Optional, Sequence, Tuple, Union

from . import _lib
from . import _types as T
from ._conv import dec, enc, to_time
from ._part import Part
from .enums import Channel, Purpose, RewardKind
from .values import CampaignForecast, CampaignMember, CampaignReport, CampaignResult

TimeArg = Optional[Union[_dt.datetime, int]]


@dataclasses.dataclass
class CampaignDef:
    """A campaign definition (fields and defaults as lty_campaign_def).

    Build one directly or from a preset: :meth:`vip`, :meth:`winback`,
    :meth:`birthday`.  Money (offer value and costs, budget) in minor units.
    """

    id: str = ""
    name: str = ""
    segments: Sequence[str] = ()
    r_min: int = 0
    r_max: int = 0
    f_min: int = 0
    f_max: int = 0
    m_min: int = 0
    m_max: int = 0
    days_since_visit_min: int = 0
    days_since_visit_max: int = 0
    birthday_month: int = 0
    tags: Sequence[str] = ()
    p_alive_min: float = 0.0
    p_alive_max: float = 1.0
    channel: Channel = Channel.NONE
    template_id: Optional[str] = None
    purpose: Purpose = Purpose.MARKETING
    offer_kind: int = 0
    offer_value: int = 0
    offer_cost: int = 0
    cost_per_message: int = 0
    max_messages: int = 0
    max_money: int = 0
    control_share: float = 0.1
    attribution_days: int = 14
    program_id: Optional[str] = None
    titles: Sequence[str] = ()
    offer_valid_days: int = 30

    def _to_c(self, keep: List[Any]) -> T.CampaignDef:
        d = T.CampaignDef()
        d.version = 1  # LTY_CAMPAIGN_DEF_VERSION
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name in ("segments", "tags", "titles"):
                arr = (C.c_char_p * max(len(v), 1))(*[enc(s, f.name) for s in v])
                keep.append(arr)
                setattr(d, f.name, C.cast(arr, C.POINTER(C.c_char_p)) if v else None)
                setattr(d, f.name[:-1] + "_count", len(v))
            elif f.name in ("id", "name", "template_id", "program_id"):
                b = enc(v or None, f.name)
                keep.append(b)
                setattr(d, f.name, b)
            elif isinstance(v, float):
                setattr(d, f.name, v)
            else:
                setattr(d, f.name, int(v))
        return d

    @classmethod
    def _from_c(cls, d: T.CampaignDef, **override: Any) -> "CampaignDef":
        kw = {}
        for f in dataclasses.fields(cls):
            if f.name in ("segments", "tags", "titles"):
                n = getattr(d, f.name[:-1] + "_count")
                p = getattr(d, f.name)
                kw[f.name] = [dec(p[i]) or "" for i in range(n)] if n else []
            elif f.name in ("id", "name", "template_id", "program_id"):
                kw[f.name] = dec(getattr(d, f.name))
            else:
                kw[f.name] = getattr(d, f.name)
        kw["channel"] = Channel(kw["channel"])
        kw["purpose"] = Purpose(kw["purpose"])
        kw["id"] = kw["id"] or ""
        kw["name"] = kw["name"] or ""
        kw.update(override)
        return cls(**kw)

    @classmethod
    def _preset(cls, fn_name: str, *args: int, **override: Any) -> "CampaignDef":
        keep: List[Any] = []
        d = cls()._to_c(keep)
        getattr(_lib.core(), fn_name)(C.byref(d), *args)
        return cls._from_c(d, **override)

    @classmethod
    def vip(cls, **override: Any) -> "CampaignDef":
        """The VIP preset (lty_campaign_preset_vip), with fields overridden."""
        return cls._preset("lty_campaign_preset_vip", **override)

    @classmethod
    def winback(cls, lapsed_days: int, **override: Any) -> "CampaignDef":
        """The win-back preset for customers away ``lapsed_days`` or more."""
        return cls._preset("lty_campaign_preset_winback", lapsed_days, **override)

    @classmethod
    def birthday(cls, month: int, **override: Any) -> "CampaignDef":
        """The birthday-month preset."""
        return cls._preset("lty_campaign_preset_birthday", month, **override)


class Campaigns(Part):
    """``engine.campaigns``."""

    def define(self, campaign: CampaignDef) -> None:
        keep: List[Any] = []
        d = campaign._to_c(keep)
        self._lib.lty_campaign_define(self._h, C.byref(d))

    def eligibility(self, campaign_id: str) -> CampaignReport:
        """Who the campaign would reach now, and why the others not."""
        out = T.CampaignReport()
        out.version = 1
        self._lib.lty_campaign_eligibility(self._h, enc(campaign_id, "campaign_id"),
                                           C.byref(out))
        return CampaignReport.from_c(out)

    def simulate(self, campaign_id: str, seed: int = 1) -> CampaignForecast:
        """Forecast response, revenue and ROI from past campaigns (seeded)."""
        out = T.CampaignForecast()
        out.version = 2  # LTY_CAMPAIGN_FORECAST_VERSION
        out.eligibility.version = 1
        self._lib.lty_campaign_simulate(self._h, enc(campaign_id, "campaign_id"), seed,
                                        C.byref(out))
        return CampaignForecast.from_c(out)

    def launch(self, campaign_id: str, now: TimeArg = None) -> CampaignReport:
        """Split eligible customers into treatment and control and plan messages."""
        out = T.CampaignReport()
        out.version = 1
        self._lib.lty_campaign_launch(self._h, enc(campaign_id, "campaign_id"), to_time(now),
                                      C.byref(out))
        return CampaignReport.from_c(out)

    def member(self, campaign_id: str, customer_id: str) -> CampaignMember:
        out = T.CampaignMember()
        out.version = 1  # LTY_CAMPAIGN_MEMBER_VERSION
        self._lib.lty_campaign_member_get(self._h, enc(campaign_id, "campaign_id"),
                                          enc(customer_id, "customer_id"), C.byref(out))
        return CampaignMember.from_c(out)

    def measure(self, campaign_id: str, now: TimeArg = None) -> CampaignResult:
        """Response, uplift over control, incremental revenue and ROI, overall
        (also readable as the result's own attributes) and per segment in
        ``segments``; the result is kept for :meth:`result`."""
        out = T.CampaignResult()
        out.version = 2  # LTY_CAMPAIGN_RESULT_VERSION
        self._lib.lty_campaign_measure(self._h, enc(campaign_id, "campaign_id"), to_time(now),
                                       C.byref(out))
        return CampaignResult.from_c(out)

    def result(self, campaign_id: str) -> CampaignResult:
        """The last kept measurement (NotFoundError if never measured)."""
        out = T.CampaignResult()
        out.version = 2
        self._lib.lty_campaign_result_get(self._h, enc(campaign_id, "campaign_id"),
                                          C.byref(out))
        return CampaignResult.from_c(out)

    def get(self, campaign_id: str) -> CampaignDef:
        """Read a definition back."""
        p = C.POINTER(T.CampaignDef)()
        self._lib.lty_campaign_get(self._h, enc(campaign_id, "campaign_id"), C.byref(p))
        try:
            return CampaignDef._from_c(p.contents)
        finally:
            self._lib.lty_free(p)

    def list(self) -> List[Tuple[str, str, bool]]:
        """(id, name, measured) of every campaign, in id order."""
        out: List[Tuple[str, str, bool]] = []

        def each(cid: bytes, name: bytes, measured: int, ud: Any) -> int:
            out.append((dec(cid) or "", dec(name) or "", bool(measured)))
            return 0
        self._lib.lty_campaign_list(self._h, T.CAMPAIGN_LIST_FN(each), None)
        return out
