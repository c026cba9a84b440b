"""libloyalty for Python: customers, rewards, reminders and measurement.

A thin, typed layer over the C library through :mod:`ctypes` (standard
library only).  Start with :class:`Engine`::

    import loyalty
    with loyalty.Engine() as e:                 # in-memory store
        e.customers.create("c1", name="Kim")
        e.events.record(loyalty.EventType.VISIT, "v1", "c1")

See docs/guide/python.md for how the C library is found, the classes, errors,
Python storage and messengers, and threads.
"""
from __future__ import annotations

from . import _lib
from ._conv import PartialDate
from .analytics import (ClvModel, ClvSummary, RfmResult, RfmSegment, RfmSegments,
                        clv_summary_from_csv, clv_summary_from_transactions, rfm_from_csv,
                        rfm_from_transactions)
from .appointments import Appointments
from .briefing import Briefing, Card
from .campaigns import CampaignDef
from .customers import Customer
from .engine import Engine
from .enums import (AppointmentState, CampaignGroup, Channel, ClvPeriod, DeliveryKind,
                    DowngradePolicy, EarnKind, EventType, ExpiryKind, GiftKind, MessageState,
                    OccasionKind, PlanKind, ProgramKind, ProgramLogKind, Purpose, ReferralStage,
                    RewardKind, RewardSource, RewardState, RfmFrequency, RfmTies, WindowKind)
from .errors import (ClosedError, ConflictError, ConsentError, CorruptError, ExistsError,
                     InvalidError, LibraryError, LoyaltyError, NotFoundError, OutOfMemoryError,
                     ParseError, PermanentError, RangeError, StateError, StorageError,
                     TemporaryError, UserError, VersionError)
from .engine import StoreSettings
from .events import NewEvent
from .plans import JourneyStep
from .programs import EarnRule, LadderStep, Prize, Tier
from .storage import REV_ANY, REV_NONE, DictStorage, MemoryStore, PostgreSQL, SQLite
from .values import Event, Message

__version__ = "0.1.0"


def version() -> str:
    """The version string of the loaded C library (e.g. "0.1.0")."""
    import ctypes
    lib = _lib.core()
    return lib.lty_version(None, None, None).decode()


def library_path() -> str:
    """The file the C library was loaded from."""
    return _lib.core().path


def strerror(code: int) -> str:
    """The library's text for an error code."""
    return _lib.core().lty_strerror(code).decode()


__all__ = [n for n in dir() if not n.startswith("_")]
