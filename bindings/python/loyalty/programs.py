"""Programs (ladders, stars, points, draws), rewards and referrals:
``engine.programs``, ``engine.rewards``, ``engine.referrals``."""
from __future__ import annotations

import ctypes as C
import dataclasses
import datetime as _dt
import os
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _types as T
from ._conv import dec, enc, struct_dict, to_time
from ._part import Part
from .enums import (DowngradePolicy, EarnKind, ExpiryKind, ProgramKind, RewardKind,
                    RewardSource, WindowKind)
from .values import (ProgramInfo, ProgramLogEntry, ProgramStatus, Referral, ReferrerRank,
                     Reward)

TimeArg = Optional[Union[_dt.datetime, int]]


@dataclasses.dataclass
class LadderStep:
    """A ladder title reached at a visit count."""
    visits: int
    title: str


@dataclasses.dataclass
class EarnRule:
    """How stars or points are earned."""
    kind: EarnKind
    earn: int
    per_amount: int = 0
    item: Optional[str] = None


@dataclasses.dataclass
class Tier:
    """A tier of a stars or points program (amounts in minor units)."""
    name: str
    threshold: int
    multiplier_pct: int = 100
    reward_every: int = 0
    reward_name: Optional[str] = None
    reward_kind: int = 0
    reward_value: int = 0
    reward_valid_days: int = 0


@dataclasses.dataclass
class Prize:
    """A prize of a draw program."""
    name: str
    kind: RewardKind
    value: int
    odds_ppm: int
    daily_cap: int = 0
    valid_days: int = 0


def _array(ctype: type, items: Sequence[Any], fill: Any, keep: List[Any]) -> Any:
    if not items:
        return None
    arr = (ctype * len(items))()
    for i, it in enumerate(items):
        fill(arr[i], it, keep)
    keep.append(arr)
    return arr


def _set_str(s: Any, name: str, value: Optional[str], keep: List[Any]) -> None:
    b = enc(value, name)
    keep.append(b)
    setattr(s, name, b)


class Programs(Part):
    """``engine.programs``: define programs and read customers' standing."""

    def define(self, id: str, name: str, kind: ProgramKind, *,
               steps: Sequence[LadderStep] = (), rules: Sequence[EarnRule] = (),
               tiers: Sequence[Tier] = (), prizes: Sequence[Prize] = (), medical: bool = False,
               window: int = 0, window_days: int = 0, downgrade: int = 0, grace_days: int = 0,
               downgrade_notice_days: int = 0, expiry: int = 0, expiry_days: int = 0,
               lock_days: int = 0, expiry_notice_days: int = 0,
               staff_template: Optional[str] = None, promotion_template: Optional[str] = None,
               notice_template: Optional[str] = None) -> None:
        """Define (or redefine) a program; see include/loyalty/program.h for the rules."""
        keep: List[Any] = []
        d = T.ProgramDef()
        d.version = 2
        _set_str(d, "id", id, keep)
        _set_str(d, "name", name, keep)
        d.kind = int(kind)
        d.medical = int(medical)

        def f_step(c: Any, s: LadderStep, k: List[Any]) -> None:
            c.visits = s.visits
            _set_str(c, "title", s.title, k)

        def f_rule(c: Any, r: EarnRule, k: List[Any]) -> None:
            c.kind, c.per_amount, c.earn = int(r.kind), r.per_amount, r.earn
            _set_str(c, "item", r.item, k)

        def f_tier(c: Any, t: Tier, k: List[Any]) -> None:
            c.threshold, c.multiplier_pct, c.reward_every = t.threshold, t.multiplier_pct, \
                t.reward_every
            c.reward_kind, c.reward_value = int(t.reward_kind), t.reward_value
            c.reward_valid_days = t.reward_valid_days
            _set_str(c, "name", t.name, k)
            _set_str(c, "reward_name", t.reward_name, k)

        def f_prize(c: Any, p: Prize, k: List[Any]) -> None:
            c.kind, c.value, c.odds_ppm = int(p.kind), p.value, p.odds_ppm
            c.daily_cap, c.valid_days = p.daily_cap, p.valid_days
            _set_str(c, "name", p.name, k)

        for field, ctype, items, fill in (("steps", T.LadderStep, steps, f_step),
                                          ("rules", T.EarnRule, rules, f_rule),
                                          ("tiers", T.Tier, tiers, f_tier),
                                          ("prizes", T.Prize, prizes, f_prize)):
            arr = _array(ctype, items, fill, keep)
            if arr is not None:
                setattr(d, field, C.cast(arr, C.POINTER(ctype)))
            count = "step_count" if field == "steps" else field[:-1] + "_count"
            setattr(d, count, len(items))
        d.window, d.window_days, d.downgrade, d.grace_days = int(window), window_days, \
            int(downgrade), grace_days
        d.downgrade_notice_days, d.expiry, d.expiry_days = downgrade_notice_days, int(expiry), \
            expiry_days
        d.lock_days, d.expiry_notice_days = lock_days, expiry_notice_days
        _set_str(d, "staff_template", staff_template, keep)
        _set_str(d, "promotion_template", promotion_template, keep)
        _set_str(d, "notice_template", notice_template, keep)
        self._lib.lty_program_define(self._h, C.byref(d))

    def load_file(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Define the programs of a programs file (docs/guide/programs-file.md)."""
        self._lib.lty_program_load_file(self._h, enc(os.fspath(path), "path"))

    def load_text(self, text: str, origin: str = "<text>") -> None:
        """Define the programs of a programs file given as text."""
        b = enc(text, "text") or b""
        self._lib.lty_program_load_text(self._h, b, len(b), enc(origin, "origin"))

    def info(self, id: str) -> ProgramInfo:
        out = T.ProgramInfo()
        self._lib.lty_program_info_get(self._h, enc(id, "id"), C.byref(out))
        return ProgramInfo.from_c(out)

    def list(self) -> List[str]:
        """Ids of the defined programs."""
        return [bytes(x).split(b"\0", 1)[0].decode()
                for x in self._list(self._lib.lty_program_list, [self._h],
                                    C.c_char * (T.ID_MAX + 1))]

    def status(self, customer_id: str, program_id: str) -> ProgramStatus:
        out = T.ProgramStatus()
        out.version = 1
        self._lib.lty_program_status_get(self._h, enc(customer_id, "customer_id"),
                                         enc(program_id, "program_id"), C.byref(out))
        return ProgramStatus.from_c(out)

    def history(self, customer_id: str) -> List[ProgramLogEntry]:
        rows = self._list(self._lib.lty_program_history,
                          [self._h, enc(customer_id, "customer_id")], T.ProgramLogEntry)
        return [ProgramLogEntry.from_c(r) for r in rows]

    def spend_points(self, customer_id: str, program_id: str, spend_id: str, amount: int,
                     for_event: Optional[str] = None) -> None:
        """Spend points or stars (RangeError beyond the spendable balance)."""
        self._lib.lty_points_spend(self._h, enc(customer_id, "customer_id"),
                                   enc(program_id, "program_id"), enc(spend_id, "spend_id"),
                                   amount, enc(for_event, "for_event"))

    def tick(self, now: TimeArg = None) -> int:
        """Run time-based changes (expiry, downgrades); the number of customers changed."""
        n = C.c_size_t()
        self._lib.lty_programs_tick(self._h, to_time(now), C.byref(n))
        return n.value

    def rebuild(self, customer_id: Optional[str] = None) -> None:
        """Recompute program state from the ledger (one customer or all)."""
        self._lib.lty_programs_rebuild(self._h, enc(customer_id, "customer_id"))


class Rewards(Part):
    """``engine.rewards``: issue, redeem, void and list rewards."""

    def issue(self, code: str, customer_id: str, name: str, kind: RewardKind, value: int = 0,
              *, program_id: Optional[str] = None, valid_days: int = 0,
              source: RewardSource = RewardSource.BY_HAND) -> None:
        keep: List[Any] = []
        s = T.RewardSpec()
        s.version = 1
        for f, v in (("code", code), ("customer_id", customer_id), ("program_id", program_id),
                     ("name", name)):
            _set_str(s, f, v, keep)
        s.kind, s.value, s.valid_days, s.source = int(kind), value, valid_days, int(source)
        self._lib.lty_reward_issue(self._h, C.byref(s))

    def redeem(self, code: str, when: TimeArg = None) -> None:
        self._lib.lty_reward_redeem(self._h, enc(code, "code"), to_time(when))

    def void(self, code: str) -> None:
        self._lib.lty_reward_void(self._h, enc(code, "code"))

    def get(self, code: str) -> Reward:
        out = T.Reward()
        out.version = 1
        self._lib.lty_reward_get(self._h, enc(code, "code"), C.byref(out))
        return Reward.from_c(out)

    def list(self, customer_id: str) -> List[Reward]:
        rows = self._list(self._lib.lty_reward_list, [self._h, enc(customer_id, "customer_id")],
                          T.Reward, version=1)
        return [Reward.from_c(r) for r in rows]


class Referrals(Part):
    """``engine.referrals``: the referral policy, registration and progress."""

    def policy(self) -> Dict[str, Any]:
        """The current policy as a dict of the lty_referral_policy fields."""
        out = T.ReferralPolicy()
        out.version = 1
        self._lib.lty_referral_policy_get(self._h, C.byref(out))
        d = struct_dict(out)
        d.pop("version", None)
        return d

    def set_policy(self, **changes: Any) -> None:
        """Change fields of the policy (others keep their current values).

        ``credit`` and ``welcome`` take dicts of lty_referral_gift fields."""
        p = T.ReferralPolicy()
        p.version = 1
        self._lib.lty_referral_policy_get(self._h, C.byref(p))
        for k, v in changes.items():
            if k in ("credit", "welcome"):
                gift = getattr(p, k)
                for gk, gv in v.items():
                    setattr(gift, gk, enc(gv, gk) if isinstance(gv, str) else int(gv))
            elif k not in dict(T.ReferralPolicy._fields_) or k == "version":
                raise TypeError(f"referral policy has no field {k!r}")
            else:
                setattr(p, k, enc(v, k) if isinstance(v, str) else int(v))
        self._lib.lty_referral_policy_set(self._h, C.byref(p))

    def register(self, referrer: str, referred: str) -> None:
        self._lib.lty_referral_register(self._h, enc(referrer, "referrer"),
                                        enc(referred, "referred"))

    def get(self, referred: str) -> Referral:
        out = T.Referral()
        out.version = 1
        self._lib.lty_referral_get(self._h, enc(referred, "referred"), C.byref(out))
        return Referral.from_c(out)

    def list(self, referrer: str) -> List[Referral]:
        rows = self._list(self._lib.lty_referral_list, [self._h, enc(referrer, "referrer")],
                          T.Referral, version=1)
        return [Referral.from_c(r) for r in rows]

    def top(self, start: Union[_dt.datetime, int], end: Union[_dt.datetime, int]
            ) -> List[ReferrerRank]:
        """Referrers ranked by referrals completed between start and end (lty_referral_top)."""
        rows = self._list(self._lib.lty_referral_top,
                          [self._h, to_time(start, "start"), to_time(end, "end")],
                          T.ReferrerRank, version=1)
        return [ReferrerRank.from_c(r) for r in rows]
