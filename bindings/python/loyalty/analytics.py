"""RFM and customer lifetime value.

Results owning C memory (:class:`RfmResult`, :class:`RfmSegments`,
:class:`ClvSummary`) follow the handle rules of the package: ``close()`` is
idempotent, ``with`` works, garbage collection frees them, and a closed one
raises :class:`~loyalty.errors.ClosedError`.
"""
from __future__ import annotations

import ctypes as C
import dataclasses
import datetime as _dt
import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from . import _lib
from . import _types as T
from ._conv import dec, enc, from_time, to_time
from ._part import Part
from .enums import ClvPeriod, RfmFrequency, RfmTies
from .errors import ClosedError, LoyaltyError, NotFoundError
from .values import ClvFigures, ClvScore, RfmRow, RfmScores, RfmSegmentSummary

TimeArg = Optional[Union[_dt.datetime, int]]
_ERRLEN = 512


class _Owned:
    """A C object freed by ``_free`` when closed or collected."""

    _free_name = ""
    _what = "object"

    def __init__(self, handle: Any, keep: Any = None) -> None:
        self._lib = _lib.core()
        self._p = handle
        self._keep = keep

    def _handle(self) -> Any:
        if not self._p:
            raise ClosedError(f"{self._what} is closed")
        return self._p

    def close(self) -> None:
        """Free the C object (idempotent)."""
        p, self._p = self._p, None
        if p:
            getattr(self._lib, self._free_name)(p)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


@dataclasses.dataclass
class RfmSegment:
    """A segment rule: inclusive score ranges for R, F and M."""
    name: str
    r_min: int
    r_max: int
    f_min: int
    f_max: int
    m_min: int
    m_max: int


class RfmSegments(_Owned):
    """A compiled segment table for RFM (``lty_rfm_segments``)."""

    _free_name = "lty_rfm_segments_free"
    _what = "RFM segment table"

    def __init__(self, segments: Sequence[RfmSegment], bins: int = 5, *,
                 other_name: Optional[str] = None, exhaustive: bool = False) -> None:
        lib = _lib.core()
        keep: List[Any] = [enc(other_name, "other_name")]
        arr = (T.RfmSegment * max(len(segments), 1))()
        for i, s in enumerate(segments):
            b = enc(s.name, "segment name")
            keep.append(b)
            arr[i] = T.RfmSegment(b, s.r_min, s.r_max, s.f_min, s.f_max, s.m_min, s.m_max)
        table = T.RfmSegmentTable(1, C.cast(arr, C.POINTER(T.RfmSegment)), len(segments),
                                  keep[0], int(exhaustive))
        h = T.P_RFM_SEGMENTS()
        err = C.create_string_buffer(_ERRLEN)
        lib.lty_rfm_segments_new(C.byref(h), C.byref(table), bins, err, _ERRLEN)
        super().__init__(h)

    @staticmethod
    def default() -> List[RfmSegment]:
        """The default segment table (the R ``rfm`` package's), as rules."""
        t = _lib.core().lty_rfm_default_segments().contents
        return [RfmSegment(dec(s.name) or "", s.r_min, s.r_max, s.f_min, s.f_max, s.m_min,
                           s.m_max) for s in t.segments[:t.count]]


def _rfm_options(as_of: TimeArg, window_days: int, frequency: RfmFrequency, bins: int,
                 ties: RfmTies, segments: Optional[RfmSegments], no_save: bool,
                 cuts: Dict[str, Optional[Sequence[int]]], keep: List[Any]) -> T.RfmOptions:
    o = T.RfmOptions()
    o.version = 1
    o.as_of = to_time(as_of, "as_of")
    o.window_days, o.frequency, o.bins, o.ties = window_days, int(frequency), bins, int(ties)
    for name, vals in cuts.items():
        if vals is not None:
            arr = (C.c_int64 * len(vals))(*vals)
            keep.append(arr)
            setattr(o, name, C.cast(arr, C.POINTER(C.c_int64)))
    if segments is not None:
        o.segments = segments._handle()
        keep.append(segments)
    o.no_save = int(no_save)
    return o


class RfmResult(_Owned):
    """An RFM result (``lty_rfm_result``): rows, segment summaries, Pareto figures.

    Iterating yields :class:`~loyalty.values.RfmRow`; ``to_records()`` gives
    a list of dicts and ``to_dataframe()`` a pandas DataFrame (pandas is only
    needed for that method).
    """

    _free_name = "lty_rfm_result_free"
    _what = "RFM result"

    @staticmethod
    def _row(r: T.RfmRow) -> RfmRow:
        return RfmRow(dec(r.customer_id) or "", r.recency_days, r.frequency, r.monetary, r.r,
                      r.f, r.m, r.score, dec(r.segment) or "", r.segment_index)

    def __len__(self) -> int:
        return int(self._lib.lty_rfm_result_count(self._handle()))

    def row(self, index: int) -> RfmRow:
        r = T.RfmRow()
        self._lib.lty_rfm_result_row(self._handle(), index, C.byref(r))
        return self._row(r)

    def __iter__(self) -> Iterator[RfmRow]:
        for i in range(len(self)):
            yield self.row(i)

    def find(self, customer_id: str) -> RfmRow:
        """The row of one customer (NotFoundError when absent)."""
        r = T.RfmRow()
        self._lib.lty_rfm_result_find(self._handle(), enc(customer_id, "customer_id"),
                                      C.byref(r))
        return self._row(r)

    def segments(self) -> List[RfmSegmentSummary]:
        """Per-segment customers, revenue and mean scores."""
        h = self._handle()
        out = []
        for i in range(self._lib.lty_rfm_result_segment_count(h)):
            s = T.RfmSegmentSummary()
            self._lib.lty_rfm_result_segment(h, i, C.byref(s))
            out.append(RfmSegmentSummary.from_c(s))
        return out

    def pareto(self) -> float:
        """Share of revenue brought by the top 20% of customers by monetary."""
        return float(self._lib.lty_rfm_result_pareto(self._handle()))

    def concentration(self) -> List[float]:
        """The concentration curve: element k is the revenue share of the top
        (k + 1) tenths of the customers by monetary (cumulative; the last is 1)."""
        out = (C.c_double * 10)()
        self._lib.lty_rfm_result_concentration(self._handle(), C.byref(out))
        return list(out)

    def levels(self, dimension: str) -> int:
        """How many distinct scores dimension 'R', 'F' or 'M' uses."""
        if dimension not in ("R", "F", "M"):
            raise ValueError("dimension: 'R', 'F' or 'M'")
        return int(self._lib.lty_rfm_result_levels(self._handle(), dimension.encode()))

    @property
    def as_of(self) -> _dt.datetime:
        return from_time(self._lib.lty_rfm_result_as_of(self._handle()))

    def to_records(self) -> List[Dict[str, Any]]:
        """Rows as a list of dicts."""
        return [dataclasses.asdict(r) for r in self]

    def to_dataframe(self) -> Any:
        """Rows as a pandas DataFrame (ImportError when pandas is not installed)."""
        import pandas  # optional dependency, imported only here
        cols = [f.name for f in dataclasses.fields(RfmRow)]
        return pandas.DataFrame(self.to_records(), columns=cols)


def rfm_from_transactions(transactions: Sequence[Tuple[str, Union[_dt.datetime, int], int]], *,
                          as_of: TimeArg = None, window_days: int = 0,
                          frequency: RfmFrequency = RfmFrequency.VISITS, bins: int = 0,
                          ties: RfmTies = RfmTies.SHARE, segments: Optional[RfmSegments] = None,
                          r_cuts: Optional[Sequence[int]] = None,
                          f_cuts: Optional[Sequence[int]] = None,
                          m_cuts: Optional[Sequence[int]] = None) -> RfmResult:
    """RFM over (customer_id, time, amount) transactions held in Python."""
    lib = _lib.core()
    keep: List[Any] = []
    n = len(transactions)
    ids = (C.c_char_p * max(n, 1))()
    times = (C.c_int64 * max(n, 1))()
    amounts = (C.c_int64 * max(n, 1))()
    for i, (cid, t, a) in enumerate(transactions):
        b = enc(cid, f"transaction {i + 1} customer_id")
        keep.append(b)
        ids[i], times[i], amounts[i] = b, to_time(t, f"transaction {i + 1} time"), a
    o = _rfm_options(as_of, window_days, frequency, bins, ties, segments, True,
                     {"r_cuts": r_cuts, "f_cuts": f_cuts, "m_cuts": m_cuts}, keep)
    out = T.P_RFM_RESULT()
    err = C.create_string_buffer(_ERRLEN)
    lib.lty_rfm_from_transactions(C.byref(out), ids, times, amounts, n, C.byref(o), err,
                                  _ERRLEN)
    return RfmResult(out)


def rfm_from_csv(path: Union[str, "os.PathLike[str]"], *, as_of: TimeArg = None,
                 window_days: int = 0, frequency: RfmFrequency = RfmFrequency.VISITS,
                 bins: int = 0, ties: RfmTies = RfmTies.SHARE,
                 segments: Optional[RfmSegments] = None) -> RfmResult:
    """RFM over a transactions CSV file (docs/guide/rfm.md gives the columns)."""
    lib = _lib.core()
    keep: List[Any] = []
    o = _rfm_options(as_of, window_days, frequency, bins, ties, segments, True, {}, keep)
    out = T.P_RFM_RESULT()
    err = C.create_string_buffer(_ERRLEN)
    lib.lty_rfm_from_csv(C.byref(out), enc(os.fspath(path), "path"), C.byref(o), err, _ERRLEN)
    return RfmResult(out)


class ClvSummary(_Owned):
    """Per-customer frequency, recency, T and monetary value (``lty_clv_summary``)."""

    _free_name = "lty_clv_summary_free"
    _what = "CLV summary"

    def _rows(self) -> Tuple[Any, int]:
        n = C.c_size_t()
        p = self._lib.lty_clv_summary_rows(self._handle(), C.byref(n))
        return p, n.value

    def __len__(self) -> int:
        return self._rows()[1]

    def rows(self) -> List[Dict[str, Any]]:
        """Rows as dicts (customer_id, frequency, recency, T, monetary)."""
        p, n = self._rows()
        return [{"customer_id": dec(p[i].customer_id), "frequency": p[i].frequency,
                 "recency": p[i].recency, "T": p[i].T, "monetary": p[i].monetary}
                for i in range(n)]

    @classmethod
    def _make(cls, fn: Any, *args: Any, keep: Any = None) -> "ClvSummary":
        out = T.P_CLV_SUMMARY()
        fn(C.byref(out), *args)
        return cls(out, keep)

    def fit(self) -> "ClvModel":
        """Fit BG/NBD and Gamma-Gamma to these rows."""
        return ClvModel.fit(self)

    def compute(self, model: "ClvModel", *, period: ClvPeriod = ClvPeriod.DAY,
                months: int = 12, discount_rate: float = 0.01,
                churn_threshold: float = 0.5) -> List[ClvScore]:
        """P(alive), expected purchases and spend, and CLV of every row."""
        scores = self._compute_raw(model, period, months, discount_rate, churn_threshold)
        return [ClvScore.from_c(s) for s in scores]

    def _compute_raw(self, model: "ClvModel", period: ClvPeriod, months: int,
                     discount_rate: float, churn_threshold: float) -> Any:
        p, n = self._rows()
        scores = (T.ClvScore * max(n, 1))()
        o = T.ClvOptions(1, int(period), months, discount_rate, churn_threshold)
        self._lib.lty_clv_compute(scores, p, n, C.byref(model.bgnbd), C.byref(model.gamgam),
                                  C.byref(o))
        return scores[:n]

    def churn_risk(self, scores: Sequence[ClvScore], threshold: float = 0.5) -> List[str]:
        """Ids of the customers whose P(alive) is below ``threshold``."""
        p, n = self._rows()
        arr = (T.ClvScore * max(len(scores), 1))()
        for i, s in enumerate(scores):
            arr[i] = T.ClvScore(s.p_alive, s.expected_purchases, s.expected_spend, s.clv,
                                s.value_at_stake)
        out = C.POINTER(C.c_size_t)()
        count = C.c_size_t()
        self._lib.lty_clv_churn_risk(C.byref(out), C.byref(count), arr, len(scores), threshold)
        try:
            return [dec(p[out[i]].customer_id) or "" for i in range(count.value)]
        finally:
            self._lib.lty_free(out)


def clv_summary_from_transactions(transactions: Sequence[Tuple[str, Union[_dt.datetime, int],
                                                                int]], *,
                                  period: ClvPeriod = ClvPeriod.DAY, end: TimeArg = None,
                                  utc_offset_minutes: int = 0) -> ClvSummary:
    """A CLV summary from (customer_id, time, amount) transactions."""
    lib = _lib.core()
    n = len(transactions)
    arr = (T.ClvTxn * max(n, 1))()
    keep: List[Any] = [arr]
    for i, (cid, t, a) in enumerate(transactions):
        b = enc(cid, f"transaction {i + 1} customer_id")
        keep.append(b)
        arr[i] = T.ClvTxn(b, to_time(t, f"transaction {i + 1} time"), a)
    o = T.ClvSummaryOptions(1, int(period), to_time(end) if end is not None else 0,
                            utc_offset_minutes)
    # the summary copies the ids it keeps
    return ClvSummary._make(lib.lty_clv_summary_from_txns, arr, n, C.byref(o), keep=keep)


def clv_summary_from_csv(path: Union[str, "os.PathLike[str]"], *,
                         period: ClvPeriod = ClvPeriod.DAY, end: TimeArg = None,
                         utc_offset_minutes: int = 0) -> ClvSummary:
    """A CLV summary from a transactions CSV file."""
    lib = _lib.core()
    o = T.ClvSummaryOptions(1, int(period), to_time(end) if end is not None else 0,
                            utc_offset_minutes)
    err = C.create_string_buffer(_ERRLEN)
    return ClvSummary._make(lib.lty_clv_summary_from_csv, enc(os.fspath(path), "path"),
                            C.byref(o), err, _ERRLEN)


class ClvModel:
    """Fitted BG/NBD (purchases) and Gamma-Gamma (spend) models."""

    def __init__(self, bgnbd: T.BgnbdModel, gamgam: T.GamgamModel) -> None:
        self.bgnbd = bgnbd
        self.gamgam = gamgam

    @classmethod
    def fit(cls, summary: ClvSummary) -> "ClvModel":
        lib = _lib.core()
        p, n = summary._rows()
        bg, gg = T.BgnbdModel(), T.GamgamModel()
        for fn, model in ((lib.lty_bgnbd_fit, bg), (lib.lty_gamgam_fit, gg)):
            try:
                fn(C.byref(model), p, n)
            except LoyaltyError as e:
                detail = model.message.decode("utf-8", "replace")
                if detail:
                    raise type(e)(f"{e}: {detail}", e.code) from None
                raise
        return cls(bg, gg)

    @property
    def bgnbd_params(self) -> Dict[str, float]:
        b = self.bgnbd
        return {"r": b.r, "alpha": b.alpha, "a": b.a, "b": b.b,
                "log_likelihood": b.log_likelihood}

    @property
    def gamgam_params(self) -> Dict[str, float]:
        g = self.gamgam
        return {"p": g.p, "q": g.q, "gamma": g.gamma, "log_likelihood": g.log_likelihood}

    def log_likelihood(self, summary: ClvSummary) -> float:
        p, n = summary._rows()
        ll = C.c_double()
        _lib.core().lty_bgnbd_log_likelihood(C.byref(self.bgnbd), p, n, C.byref(ll))
        return ll.value

    def p_alive(self, x: float, t_x: float, T_: float) -> float:
        """P(alive) after x repeat purchases, the last at t_x, observed for T_."""
        return float(_lib.core().lty_bgnbd_p_alive(C.byref(self.bgnbd), x, t_x, T_))

    def expected_purchases(self, x: float, t_x: float, T_: float, t: float) -> float:
        out = C.c_double()
        _lib.core().lty_bgnbd_expected_purchases(C.byref(self.bgnbd), x, t_x, T_, t,
                                                 C.byref(out))
        return out.value

    def expected_spend(self, x: float, monetary: float) -> float:
        return float(_lib.core().lty_gamgam_expected_spend(C.byref(self.gamgam), x, monetary))

    def fingerprint(self) -> int:
        """A 64-bit fingerprint of the fitted parameters."""
        return int(_lib.core().lty_clv_model_fingerprint(C.byref(self.bgnbd),
                                                         C.byref(self.gamgam)))


class Analytics(Part):
    """``engine.analytics``: RFM and CLV over the engine's store."""

    def rfm(self, *, as_of: TimeArg = None, window_days: int = 0,
            frequency: RfmFrequency = RfmFrequency.VISITS, bins: int = 0,
            ties: RfmTies = RfmTies.SHARE, segments: Optional[RfmSegments] = None,
            save: bool = True, r_cuts: Optional[Sequence[int]] = None,
            f_cuts: Optional[Sequence[int]] = None,
            m_cuts: Optional[Sequence[int]] = None) -> RfmResult:
        """RFM over every customer in the store (scores saved unless ``save=False``)."""
        keep: List[Any] = []
        o = _rfm_options(as_of, window_days, frequency, bins, ties, segments, not save,
                         {"r_cuts": r_cuts, "f_cuts": f_cuts, "m_cuts": m_cuts}, keep)
        out = T.P_RFM_RESULT()
        self._lib.lty_rfm_compute(self._h, C.byref(o), C.byref(out))
        return RfmResult(out)

    def rfm_scores(self, customer_id: str) -> RfmScores:
        """A customer's saved RFM scores (NotFoundError when none)."""
        out = T.RfmScores()
        out.version = 1
        self._lib.lty_rfm_customer_get(self._h, enc(customer_id, "customer_id"), C.byref(out))
        return RfmScores.from_c(out)

    def clv_summary(self, *, period: ClvPeriod = ClvPeriod.DAY, end: TimeArg = None,
                    utc_offset_minutes: int = 0) -> ClvSummary:
        """A CLV summary over the store's purchases."""
        o = T.ClvSummaryOptions(1, int(period), to_time(end) if end is not None else 0,
                                utc_offset_minutes)
        out = T.P_CLV_SUMMARY()
        self._lib.lty_clv_summary_from_store(C.byref(out), self._h, C.byref(o))
        return ClvSummary(out)

    def store_clv(self, summary: ClvSummary, model: ClvModel, *,
                  period: ClvPeriod = ClvPeriod.DAY, months: int = 12,
                  discount_rate: float = 0.01) -> List[ClvScore]:
        """Compute CLV for a summary and save the figures per customer."""
        p, n = summary._rows()
        raw = summary._compute_raw(model, period, months, discount_rate, 0.5)
        arr = (T.ClvScore * max(n, 1))(*raw)
        self._lib.lty_clv_store(self._h, arr, p, n, C.byref(model.bgnbd), C.byref(model.gamgam))
        return [ClvScore.from_c(s) for s in raw]

    def clv_figures(self, customer_id: str) -> Tuple[ClvFigures, bool]:
        """A customer's saved CLV figures and whether they are in the top decile."""
        out = T.ClvFigures()
        out.version = 1
        self._lib.lty_clv_customer_get(self._h, enc(customer_id, "customer_id"), C.byref(out))
        return ClvFigures.from_c(out), bool(self._lib.lty_clv_figures_top_decile(C.byref(out)))
