"""The C enumerations as :class:`enum.IntEnum` classes (same numbers as the headers)."""
from __future__ import annotations

import enum


class Channel(enum.IntEnum):
    NONE = 0
    SMS = 1
    EMAIL = 2
    KAKAO = 3
    PUSH = 4
    STAFF = 5


class Purpose(enum.IntEnum):
    TRANSACTIONAL = 1
    MARKETING = 2
    NIGHT_MARKETING = 3


class EventType(enum.IntEnum):
    VISIT = 1
    PURCHASE = 2
    REFUND = 3
    FEEDBACK = 4


class ProgramKind(enum.IntEnum):
    LADDER = 1
    STARS = 2
    POINTS = 3
    DRAW = 4


class EarnKind(enum.IntEnum):
    PER_AMOUNT = 1
    PER_VISIT = 2
    PER_ITEM = 3


class RewardKind(enum.IntEnum):
    SERVICE = 1
    DISCOUNT = 2
    CASH = 3


class WindowKind(enum.IntEnum):
    LIFETIME = 1
    ROLLING = 2
    CALENDAR_YEAR = 3


class DowngradePolicy(enum.IntEnum):
    NEVER = 1
    PERIOD_END = 2
    ON_REFUND = 3


class ExpiryKind(enum.IntEnum):
    NEVER = 1
    AFTER_DAYS = 2
    END_OF_MONTH = 3
    END_OF_YEAR = 4


class ProgramLogKind(enum.IntEnum):
    PROMOTED = 1
    TIER_UP = 2
    TIER_DOWN = 3
    REWARD = 4
    DRAW = 5
    EXPIRED = 6
    DOWNGRADE_NOTICE = 7
    EXPIRY_NOTICE = 8
    CREDIT = 9
    DEBIT = 10


class RewardSource(enum.IntEnum):
    BY_RULE = 1
    BY_DRAW = 2
    BY_CAMPAIGN = 3
    BY_HAND = 4


class RewardState(enum.IntEnum):
    ISSUED = 1
    REDEEMED = 2
    VOID = 3


class ReferralStage(enum.IntEnum):
    REGISTERED = 1
    BOOKED = 2
    COMPLETED = 3
    CREDITED = 4
    REVERSED = 5


class GiftKind(enum.IntEnum):
    NONE = 0
    PROGRAM = 1
    REWARD = 2


class AppointmentState(enum.IntEnum):
    BOOKED = 1
    ARRIVED = 2
    NO_SHOW = 3
    CANCELLED = 4


class MessageState(enum.IntEnum):
    PLANNED = 1
    CLAIMED = 2
    SENT = 3
    RETRY = 4
    DEAD = 5
    SUPPRESSED = 6
    CANCELLED = 7


class DeliveryKind(enum.IntEnum):
    DELIVERED = 1
    OPENED = 2
    CLICKED = 3
    SOFT_BOUNCE = 4
    HARD_BOUNCE = 5
    COMPLAINT = 6
    UNSUBSCRIBED = 7


class PlanKind(enum.IntFlag):
    BIRTHDAYS = 1
    ANNIVERSARIES = 2
    WINBACK = 4


class RfmFrequency(enum.IntEnum):
    VISITS = 0
    PURCHASES = 1


class RfmTies(enum.IntEnum):
    SHARE = 0
    SPLIT = 1


class ClvPeriod(enum.IntEnum):
    DAY = 0
    WEEK = 1


class CampaignGroup(enum.IntEnum):
    TREATMENT = 1
    CONTROL = 2


class OccasionKind(enum.IntEnum):
    BIRTHDAY = 1
    ANNIVERSARY = 2


def as_enum(cls: type, v: int):
    """The enum member for v, or the plain int when the library returned a
    value newer than these bindings know."""
    try:
        return cls(v)
    except ValueError:
        return v
