"""ctypes mirrors of the public C structures (include/loyalty/*.h).

Each class repeats its C struct field for field, in order; the library
accepts older struct versions, so these stay valid as the headers grow at the
end.  Nothing here is public API: the classes in the package turn these into
dataclasses.
"""
from __future__ import annotations

import ctypes as C

c_int = C.c_int
c_uint = C.c_uint
c_i64 = C.c_int64
c_u64 = C.c_uint64
c_size = C.c_size_t
c_dbl = C.c_double
c_char_p = C.c_char_p
c_void_p = C.c_void_p

ID_MAX = 64
TITLE_MAX = 64
CODE_MAX = 64
MESSAGE_ID_MAX = 128
CLV_MESSAGE_MAX = 160
REMINDERS_MAX = 8
REMINDER_CHANNELS = 6
JOURNEY_STEPS_MAX = 32
TIME_NOW = -(2 ** 63)
TIME_NONE = 2 ** 63 - 1
REV_ANY = 2 ** 64 - 1
SCAN_STOP = 1


def _chars(n: int) -> type:
    return C.c_char * (n + 1)


class Engine_(C.Structure):
    """Opaque lty_engine."""


class Customer_(C.Structure):
    """Opaque lty_customer."""


class History_(C.Structure):
    """Opaque lty_history."""


class Buf_(C.Structure):
    """Opaque lty_buf."""


class Memstore_(C.Structure):
    """Opaque lty_memstore."""


class RfmSegments_(C.Structure):
    """Opaque lty_rfm_segments."""


class RfmResult_(C.Structure):
    """Opaque lty_rfm_result."""


class ClvSummary_(C.Structure):
    """Opaque lty_clv_summary."""


class Briefing_(C.Structure):
    """Opaque lty_briefing."""


class Card_(C.Structure):
    """Opaque lty_card."""


P_ENGINE = C.POINTER(Engine_)
P_CUSTOMER = C.POINTER(Customer_)
P_HISTORY = C.POINTER(History_)
P_BUF = C.POINTER(Buf_)
P_MEMSTORE = C.POINTER(Memstore_)
P_RFM_SEGMENTS = C.POINTER(RfmSegments_)
P_RFM_RESULT = C.POINTER(RfmResult_)
P_CLV_SUMMARY = C.POINTER(ClvSummary_)
P_BRIEFING = C.POINTER(Briefing_)
P_CARD = C.POINTER(Card_)


class Allocator(C.Structure):
    _fields_ = [("malloc", c_void_p), ("realloc", c_void_p), ("free", c_void_p),
                ("userdata", c_void_p)]


class Date(C.Structure):
    _fields_ = [("year", c_int), ("month", c_int), ("day", c_int)]


# --- storage ---------------------------------------------------------------

SCAN_FN = C.CFUNCTYPE(c_int, c_char_p, c_size, c_char_p, c_size, c_u64, c_void_p)
ST_BEGIN = C.CFUNCTYPE(c_int, c_void_p)
ST_GET = C.CFUNCTYPE(c_int, c_void_p, c_size, P_BUF, C.POINTER(c_u64), c_void_p)
ST_PUT = C.CFUNCTYPE(c_int, c_void_p, c_size, c_void_p, c_size, c_u64,
                     C.POINTER(c_u64), c_void_p)
ST_DEL = C.CFUNCTYPE(c_int, c_void_p, c_size, c_u64, c_void_p)
ST_SCAN = C.CFUNCTYPE(c_int, c_void_p, c_size, c_void_p, c_size,
                      SCAN_FN, c_void_p, c_void_p)
ST_ERRMSG = C.CFUNCTYPE(c_void_p, c_void_p)   # returns const char * (kept as address)
ST_DESTROY = C.CFUNCTYPE(None, c_void_p)
ST_PREFETCH = C.CFUNCTYPE(None, c_void_p, c_size, c_void_p)


class StorageOps(C.Structure):
    _fields_ = [("version", c_uint), ("begin", ST_BEGIN), ("commit", ST_BEGIN),
                ("rollback", ST_BEGIN), ("get", ST_GET), ("put", ST_PUT), ("del_", ST_DEL),
                ("scan", ST_SCAN), ("errmsg", ST_ERRMSG), ("destroy", ST_DESTROY),
                ("prefetch", ST_PREFETCH)]


CLOCK_FN = C.CFUNCTYPE(c_i64, c_void_p)
TZ_FN = C.CFUNCTYPE(c_int, c_i64, c_void_p)


class EngineOptions(C.Structure):
    _fields_ = [("version", c_uint), ("storage", C.POINTER(StorageOps)),
                ("storage_userdata", c_void_p), ("clock", CLOCK_FN), ("clock_userdata", c_void_p),
                ("utc_offset_minutes", c_int), ("tz_offset", TZ_FN), ("tz_userdata", c_void_p),
                ("currency_exponent", c_int), ("country_code", c_int), ("retry_limit", c_int),
                ("allocator", C.POINTER(Allocator))]


LOCALE_MAX = 16


class StoreSettings(C.Structure):
    _fields_ = [("version", c_uint), ("currency", C.c_char * 4), ("currency_exponent", c_int),
                ("zone_local", c_int), ("utc_offset_minutes", c_int), ("country_code", c_int),
                ("locale", _chars(LOCALE_MAX))]


class VerifyMismatch(C.Structure):
    _fields_ = [("customer_id", c_char_p), ("field", c_char_p), ("stored", c_i64),
                ("expected", c_i64), ("stored_text", c_char_p), ("expected_text", c_char_p)]


VERIFY_FN = C.CFUNCTYPE(c_int, C.POINTER(VerifyMismatch), c_void_p)
TRANSACTION_FN = C.CFUNCTYPE(c_int, c_void_p, c_void_p)

# --- customers, events -------------------------------------------------------


class CustomerFields(C.Structure):
    _fields_ = [("version", c_uint), ("id", c_char_p), ("set", c_uint), ("name", c_char_p),
                ("phone", c_char_p), ("email", c_char_p), ("birthday", Date),
                ("preferred_channel", c_int)]


class CustomerStats(C.Structure):
    _fields_ = [("version", c_uint), ("first_visit", c_i64), ("last_visit", c_i64),
                ("visits", c_i64), ("purchases", c_i64), ("net_spend", c_i64),
                ("refunds", c_i64), ("feedbacks", c_i64), ("last_item", c_char_p)]


class Event(C.Structure):
    _fields_ = [("version", c_uint), ("type", c_int), ("id", c_char_p),
                ("customer_id", c_char_p), ("time", c_i64), ("amount", c_i64),
                ("item", c_char_p), ("branch", c_char_p), ("refund_of", c_char_p),
                ("score", c_int), ("comment", c_char_p)]


class RecordOutcome(C.Structure):
    _fields_ = [("version", c_uint), ("duplicate", c_int), ("visit_counted", c_int),
                ("visits", c_i64), ("net_spend", c_i64), ("promotions", c_int),
                ("rewards", c_int), ("title", _chars(TITLE_MAX))]


# --- programs, rewards -----------------------------------------------------------


class LadderStep(C.Structure):
    _fields_ = [("visits", c_i64), ("title", c_char_p)]


class EarnRule(C.Structure):
    _fields_ = [("kind", c_int), ("per_amount", c_i64), ("earn", c_i64), ("item", c_char_p)]


class Tier(C.Structure):
    _fields_ = [("name", c_char_p), ("threshold", c_i64), ("multiplier_pct", c_int),
                ("reward_every", c_i64), ("reward_name", c_char_p), ("reward_kind", c_int),
                ("reward_value", c_i64), ("reward_valid_days", c_int)]


class Prize(C.Structure):
    _fields_ = [("name", c_char_p), ("kind", c_int), ("value", c_i64), ("odds_ppm", c_i64),
                ("daily_cap", c_i64), ("valid_days", c_int)]


class ProgramDef(C.Structure):
    _fields_ = [("version", c_uint), ("id", c_char_p), ("name", c_char_p), ("kind", c_int),
                ("medical", c_int), ("steps", C.POINTER(LadderStep)), ("step_count", c_size),
                ("rules", C.POINTER(EarnRule)), ("rule_count", c_size),
                ("tiers", C.POINTER(Tier)), ("tier_count", c_size), ("window", c_int),
                ("window_days", c_int), ("downgrade", c_int), ("grace_days", c_int),
                ("downgrade_notice_days", c_int), ("expiry", c_int), ("expiry_days", c_int),
                ("lock_days", c_int), ("expiry_notice_days", c_int),
                ("prizes", C.POINTER(Prize)), ("prize_count", c_size),
                ("staff_template", c_char_p), ("promotion_template", c_char_p),
                ("notice_template", c_char_p)]


class ProgramInfo(C.Structure):
    _fields_ = [("kind", c_int), ("def_version", c_i64), ("name", _chars(TITLE_MAX)),
                ("levels", c_size)]


class ProgramStatus(C.Structure):
    _fields_ = [("version", c_uint), ("kind", c_int), ("visits", c_i64), ("level", c_int),
                ("title", _chars(TITLE_MAX)), ("next_title", _chars(TITLE_MAX)),
                ("to_next", c_i64), ("balance", c_i64), ("locked", c_i64),
                ("earned_window", c_i64), ("earned_lifetime", c_i64), ("tier_until", c_i64),
                ("next_expiry", c_i64), ("next_expiry_amount", c_i64)]


class ProgramLogEntry(C.Structure):
    _fields_ = [("time", c_i64), ("program_id", _chars(ID_MAX)), ("kind", c_int),
                ("title", _chars(TITLE_MAX)), ("code", _chars(ID_MAX)), ("amount", c_i64),
                ("due", c_i64)]


class RewardSpec(C.Structure):
    _fields_ = [("version", c_uint), ("code", c_char_p), ("customer_id", c_char_p),
                ("program_id", c_char_p), ("name", c_char_p), ("kind", c_int),
                ("value", c_i64), ("valid_days", c_int), ("source", c_int)]


class Reward(C.Structure):
    _fields_ = [("version", c_uint), ("code", _chars(ID_MAX)), ("customer_id", _chars(ID_MAX)),
                ("program_id", _chars(ID_MAX)), ("name", _chars(TITLE_MAX)), ("kind", c_int),
                ("value", c_i64), ("source", c_int), ("state", c_int), ("issued", c_i64),
                ("expires", c_i64), ("closed", c_i64)]


# --- referrals ---------------------------------------------------------------------


class ReferralGift(C.Structure):
    _fields_ = [("kind", c_int), ("program_id", _chars(ID_MAX)), ("amount", c_i64),
                ("reward_name", _chars(TITLE_MAX)), ("reward_kind", c_int),
                ("reward_value", c_i64), ("reward_valid_days", c_int)]


class ReferralPolicy(C.Structure):
    _fields_ = [("version", c_uint), ("credit", ReferralGift), ("welcome", ReferralGift),
                ("min_purchase", c_i64), ("visit_qualifies", c_int), ("reversal_days", c_int),
                ("cap_count", c_int), ("cap_days", c_int),
                ("booked_template", _chars(MESSAGE_ID_MAX)),
                ("thanks_template", _chars(MESSAGE_ID_MAX)), ("purpose", c_int),
                ("channel", c_int)]


class ReferralGiven(C.Structure):
    _fields_ = [("kind", c_int), ("program_id", _chars(ID_MAX)), ("amount", c_i64),
                ("reward_code", _chars(ID_MAX)), ("lost", c_int)]


class Referral(C.Structure):
    _fields_ = [("version", c_uint), ("referrer", _chars(ID_MAX)), ("referred", _chars(ID_MAX)),
                ("number", c_u64), ("stage", c_int), ("registered", c_i64), ("booked", c_i64),
                ("completed", c_i64), ("credited", c_i64), ("reversed", c_i64),
                ("qualifying_event", _chars(ID_MAX)), ("qualifying_amount", c_i64),
                ("reversible_until", c_i64), ("credit", ReferralGiven),
                ("welcome", ReferralGiven)]


class ReferrerRank(C.Structure):
    _fields_ = [("version", c_uint), ("referrer", _chars(ID_MAX)), ("completed", c_i64)]


# --- appointments ----------------------------------------------------------------


class AppointmentSpec(C.Structure):
    _fields_ = [("version", c_uint), ("id", c_char_p), ("customer_id", c_char_p),
                ("start", c_i64), ("duration", c_int), ("item", c_char_p),
                ("branch", c_char_p), ("staff", c_char_p)]


class Appointment(C.Structure):
    _fields_ = [("version", c_uint), ("id", _chars(ID_MAX)), ("customer_id", _chars(ID_MAX)),
                ("start", c_i64), ("duration", c_int), ("item", _chars(CODE_MAX)),
                ("branch", _chars(CODE_MAX)), ("staff", _chars(CODE_MAX)), ("state", c_int),
                ("booked", c_i64), ("closed", c_i64), ("generation", c_int),
                ("reminders", c_int)]


class Reminder(C.Structure):
    _fields_ = [("offset", c_i64),
                ("template_id", _chars(MESSAGE_ID_MAX) * REMINDER_CHANNELS)]


class ReminderPolicy(C.Structure):
    _fields_ = [("version", c_uint), ("count", c_size), ("reminders", Reminder * REMINDERS_MAX)]


class NoshowCounts(C.Structure):
    _fields_ = [("arrived", c_i64), ("no_shows", c_i64), ("rate", c_dbl)]


class NoshowStats(C.Structure):
    _fields_ = [("version", c_uint), ("appointments", c_i64), ("cancelled", c_i64),
                ("open", c_i64), ("overall", NoshowCounts), ("reminded", NoshowCounts),
                ("not_reminded", NoshowCounts)]


class NoshowBranch(C.Structure):
    _fields_ = [("version", c_uint), ("branch", _chars(CODE_MAX)), ("overall", NoshowCounts),
                ("reminded", NoshowCounts), ("not_reminded", NoshowCounts)]


# --- messaging --------------------------------------------------------------------


class Message(C.Structure):
    _fields_ = [("id", c_char_p), ("customer_id", c_char_p), ("channel", c_int),
                ("purpose", c_int), ("address", c_char_p), ("template_id", c_char_p),
                ("text", c_char_p), ("due", c_i64), ("attempt", c_int)]


MSG_SEND = C.CFUNCTYPE(c_int, C.POINTER(Message), c_void_p)
MSG_DESTROY = C.CFUNCTYPE(None, c_void_p)


class MessengerOps(C.Structure):
    _fields_ = [("version", c_uint), ("send", MSG_SEND), ("destroy", MSG_DESTROY)]


class MessagingOptions(C.Structure):
    _fields_ = [("version", c_uint), ("quiet_start", c_int), ("quiet_end", c_int),
                ("cap_messages", c_int), ("cap_window_days", c_int),
                ("soft_bounce_limit", c_int), ("unopened_limit", c_int),
                ("max_attempts", c_int), ("retry_base_seconds", c_int),
                ("claim_seconds", c_int), ("ad_label", c_char_p), ("sender_name", c_char_p),
                ("sender_contact", c_char_p), ("opt_out_line", c_char_p),
                ("strict_consent", c_int), ("max_length", c_int * 6)]


class Param(C.Structure):
    _fields_ = [("key", c_char_p), ("value", c_char_p)]


class PlanSpec(C.Structure):
    _fields_ = [("version", c_uint), ("id", c_char_p), ("customer_id", c_char_p),
                ("template_id", c_char_p), ("purpose", c_int), ("channel", c_int),
                ("due", c_i64), ("params", C.POINTER(Param)), ("param_count", c_size)]


class OutboxEntry(C.Structure):
    _fields_ = [("version", c_uint), ("id", _chars(MESSAGE_ID_MAX)),
                ("customer_id", _chars(ID_MAX)), ("template_id", _chars(MESSAGE_ID_MAX)),
                ("purpose", c_int), ("channel", c_int), ("sent_channel", c_int),
                ("state", c_int), ("due", c_i64), ("planned", c_i64), ("sent", c_i64),
                ("attempts", c_int), ("reason", _chars(MESSAGE_ID_MAX))]


class OutboxFilter(C.Structure):
    _fields_ = [("customer_id", c_char_p), ("state", c_int), ("due_from", c_i64),
                ("due_to", c_i64)]


class DispatchReport(C.Structure):
    _fields_ = [("claimed", c_size), ("sent", c_size), ("retried", c_size), ("dead", c_size),
                ("suppressed", c_size), ("deferred", c_size)]


# --- plans, treatments, journeys ------------------------------------------------------


class TreatmentDef(C.Structure):
    _fields_ = [("version", c_uint), ("item", c_char_p), ("name", c_char_p),
                ("effect_days", c_int), ("lead_days", c_int), ("template_id", c_char_p),
                ("purpose", c_int), ("channel", c_int)]


class Treatment(C.Structure):
    _fields_ = [("version", c_uint), ("item", _chars(CODE_MAX)), ("name", _chars(TITLE_MAX)),
                ("effect_days", c_int), ("lead_days", c_int),
                ("template_id", _chars(MESSAGE_ID_MAX)), ("purpose", c_int), ("channel", c_int)]


class PlanDayOptions(C.Structure):
    _fields_ = [("version", c_uint), ("include", c_uint), ("days_ahead", c_int),
                ("local_minute", c_int), ("birthday_template", c_char_p),
                ("anniversary_template", c_char_p), ("winback_template", c_char_p),
                ("purpose", c_int), ("channel", c_int), ("lapse_days", c_int),
                ("lapse_factor_pct", c_int), ("lapse_min_visits", c_int),
                ("lapse_min_days", c_int), ("lapse_max_days", c_int)]


class JourneyStep(C.Structure):
    _fields_ = [("offset_days", c_int), ("template_id", c_char_p), ("purpose", c_int),
                ("channel", c_int)]


class JourneyDef(C.Structure):
    _fields_ = [("version", c_uint), ("id", c_char_p), ("name", c_char_p),
                ("steps", C.POINTER(JourneyStep)), ("step_count", c_size)]


class JourneyStepInfo(C.Structure):
    _fields_ = [("offset_days", c_int), ("template_id", _chars(MESSAGE_ID_MAX)),
                ("purpose", c_int), ("channel", c_int)]


class JourneyInfo(C.Structure):
    _fields_ = [("version", c_uint), ("name", _chars(TITLE_MAX)), ("step_count", c_size),
                ("steps", JourneyStepInfo * JOURNEY_STEPS_MAX)]


class JourneyEnrolment(C.Structure):
    _fields_ = [("version", c_uint), ("journey_id", _chars(ID_MAX)), ("anchor", Date),
                ("enrolled", c_i64)]


# --- RFM ----------------------------------------------------------------------------


class RfmSegment(C.Structure):
    _fields_ = [("name", c_char_p), ("r_min", c_int), ("r_max", c_int), ("f_min", c_int),
                ("f_max", c_int), ("m_min", c_int), ("m_max", c_int)]


class RfmSegmentTable(C.Structure):
    _fields_ = [("version", c_uint), ("segments", C.POINTER(RfmSegment)), ("count", c_size),
                ("other_name", c_char_p), ("exhaustive", c_int)]


class RfmOptions(C.Structure):
    _fields_ = [("version", c_uint), ("as_of", c_i64), ("window_days", c_int),
                ("frequency", c_int), ("bins", c_int), ("ties", c_int),
                ("r_cuts", C.POINTER(c_i64)), ("f_cuts", C.POINTER(c_i64)),
                ("m_cuts", C.POINTER(c_i64)), ("segments", P_RFM_SEGMENTS),
                ("no_save", c_int)]


class RfmRow(C.Structure):
    _fields_ = [("customer_id", c_char_p), ("recency_days", c_i64), ("frequency", c_i64),
                ("monetary", c_i64), ("r", c_int), ("f", c_int), ("m", c_int),
                ("score", c_int), ("segment", c_char_p), ("segment_index", c_size)]


class RfmSegmentSummary(C.Structure):
    _fields_ = [("name", c_char_p), ("customers", c_size), ("revenue", c_i64),
                ("revenue_share", c_dbl), ("mean_r", c_dbl), ("mean_f", c_dbl),
                ("mean_m", c_dbl)]


class RfmScores(C.Structure):
    _fields_ = [("version", c_uint), ("computed_at", c_i64), ("as_of", c_i64),
                ("window_days", c_int), ("bins", c_int), ("recency_days", c_i64),
                ("frequency", c_i64), ("monetary", c_i64), ("r", c_int), ("f", c_int),
                ("m", c_int), ("score", c_int), ("segment", _chars(TITLE_MAX))]


# --- CLV ----------------------------------------------------------------------------


class ClvRow(C.Structure):
    _fields_ = [("customer_id", c_char_p), ("frequency", c_dbl), ("recency", c_dbl),
                ("T", c_dbl), ("monetary", c_dbl)]


class ClvTxn(C.Structure):
    _fields_ = [("customer_id", c_char_p), ("time", c_i64), ("amount", c_i64)]


class ClvSummaryOptions(C.Structure):
    _fields_ = [("version", c_uint), ("period", c_int), ("end", c_i64),
                ("utc_offset_minutes", c_int)]


class BgnbdModel(C.Structure):
    _fields_ = [("r", c_dbl), ("alpha", c_dbl), ("a", c_dbl), ("b", c_dbl),
                ("log_likelihood", c_dbl), ("iterations", c_uint), ("gradient_norm", c_dbl),
                ("message", C.c_char * CLV_MESSAGE_MAX)]


class GamgamModel(C.Structure):
    _fields_ = [("p", c_dbl), ("q", c_dbl), ("gamma", c_dbl), ("log_likelihood", c_dbl),
                ("iterations", c_uint), ("gradient_norm", c_dbl),
                ("message", C.c_char * CLV_MESSAGE_MAX)]


class ClvOptions(C.Structure):
    _fields_ = [("version", c_uint), ("period", c_int), ("months", c_uint),
                ("discount_rate", c_dbl), ("churn_threshold", c_dbl)]


class ClvScore(C.Structure):
    _fields_ = [("p_alive", c_dbl), ("expected_purchases", c_dbl), ("expected_spend", c_dbl),
                ("clv", c_dbl), ("value_at_stake", c_dbl)]


class ClvFigures(C.Structure):
    _fields_ = [("version", c_uint), ("computed_at", c_i64), ("p_alive", c_dbl),
                ("expected_purchases", c_dbl), ("expected_spend", c_dbl), ("clv", c_dbl),
                ("value_at_stake", c_dbl), ("model_fingerprint", c_u64), ("rank", c_u64),
                ("of", c_u64)]


# --- campaigns --------------------------------------------------------------------------


class CampaignDef(C.Structure):
    _fields_ = [("version", c_uint), ("id", c_char_p), ("name", c_char_p),
                ("segments", C.POINTER(c_char_p)), ("segment_count", c_size),
                ("r_min", c_int), ("r_max", c_int), ("f_min", c_int), ("f_max", c_int),
                ("m_min", c_int), ("m_max", c_int), ("days_since_visit_min", c_int),
                ("days_since_visit_max", c_int), ("birthday_month", c_int),
                ("tags", C.POINTER(c_char_p)), ("tag_count", c_size), ("p_alive_min", c_dbl),
                ("p_alive_max", c_dbl), ("channel", c_int), ("template_id", c_char_p),
                ("purpose", c_int), ("offer_kind", c_int), ("offer_value", c_i64),
                ("offer_cost", c_i64), ("cost_per_message", c_i64), ("max_messages", c_i64),
                ("max_money", c_i64), ("control_share", c_dbl), ("attribution_days", c_int),
                ("program_id", c_char_p), ("titles", C.POINTER(c_char_p)),
                ("title_count", c_size), ("offer_valid_days", c_int)]


class CampaignReport(C.Structure):
    _fields_ = [("version", c_uint), ("customers", c_u64), ("members", c_u64),
                ("not_in_target", c_u64), ("no_consent", c_u64), ("contact_invalid", c_u64),
                ("over_budget", c_u64), ("eligible", c_u64), ("treatment", c_u64),
                ("control", c_u64), ("planned", c_u64), ("cost", c_i64)]


class CampaignMember(C.Structure):
    _fields_ = [("version", c_uint), ("group", c_int), ("launched_at", c_i64),
                ("segment", _chars(TITLE_MAX)), ("reward_code", _chars(ID_MAX))]


class CampaignFigures(C.Structure):
    _fields_ = [("treatment", c_u64), ("unsent", c_u64),
                ("control", c_u64), ("treatment_responders", c_u64),
                ("control_responders", c_u64), ("treatment_rate", c_dbl),
                ("control_rate", c_dbl), ("uplift", c_dbl), ("uplift_low", c_dbl),
                ("uplift_high", c_dbl), ("treatment_revenue", c_i64),
                ("control_revenue", c_i64), ("incremental_revenue", c_dbl), ("cost", c_i64),
                ("roi", c_dbl)]


class CampaignSegmentFigures(C.Structure):
    _fields_ = [("segment", _chars(TITLE_MAX)), ("figures", CampaignFigures)]


# LTY_CAMPAIGN_SEGMENTS_MAX: every RFM segment (32) and one for the unscored
CAMPAIGN_SEGMENTS_MAX = 33


class CampaignResult(C.Structure):
    _fields_ = [("version", c_uint), ("measured_at", c_i64), ("overall", CampaignFigures),
                ("segment_count", c_size),
                ("segments", CampaignSegmentFigures * CAMPAIGN_SEGMENTS_MAX)]


class CampaignSegmentForecast(C.Structure):
    _fields_ = [("segment", _chars(TITLE_MAX)), ("treatment", c_u64),
                ("history_responders", c_u64), ("history_nonresponders", c_u64),
                ("prior_alpha", c_dbl), ("prior_beta", c_dbl), ("posterior_alpha", c_dbl),
                ("posterior_beta", c_dbl), ("response_rate", c_dbl),
                ("expected_responders", c_dbl), ("spend_per_purchase", c_dbl),
                ("expected_revenue", c_dbl), ("history_control_responders", c_u64),
                ("history_control_nonresponders", c_u64), ("control_rate", c_dbl),
                ("expected_incremental_responders", c_dbl)]


class CampaignForecast(C.Structure):
    _fields_ = [("version", c_uint), ("eligibility", CampaignReport), ("from_history", c_int),
                ("history_campaigns", c_u64), ("history_responders", c_u64),
                ("history_nonresponders", c_u64), ("prior_alpha", c_dbl),
                ("prior_beta", c_dbl), ("posterior_alpha", c_dbl), ("posterior_beta", c_dbl),
                ("response_rate", c_dbl), ("expected_responders", c_dbl),
                ("spend_per_purchase", c_dbl), ("expected_revenue", c_dbl), ("cost", c_dbl),
                ("roi", c_dbl), ("roi_low", c_dbl), ("roi_high", c_dbl),
                ("history_control_responders", c_u64),
                ("history_control_nonresponders", c_u64),
                ("expected_incremental_responders", c_dbl),
                ("expected_incremental_revenue", c_dbl), ("incremental_roi", c_dbl),
                ("incremental_roi_low", c_dbl), ("incremental_roi_high", c_dbl),
                ("segment_count", c_size),
                ("segments", CampaignSegmentForecast * CAMPAIGN_SEGMENTS_MAX)]


CAMPAIGN_LIST_FN = C.CFUNCTYPE(c_int, c_char_p, c_char_p, c_int, c_void_p)


# --- briefing ----------------------------------------------------------------------------


class BriefingOptions(C.Structure):
    _fields_ = [("version", c_uint), ("welcome_back_days", c_int), ("occasion_days", c_int)]


class CardProgram(C.Structure):
    _fields_ = [("version", c_uint), ("program_id", c_char_p), ("name", c_char_p),
                ("kind", c_int), ("title", c_char_p), ("next_title", c_char_p),
                ("to_next", c_i64), ("balance", c_i64), ("promotion_due", c_int)]


class Occasion(C.Structure):
    _fields_ = [("version", c_uint), ("kind", c_int), ("label", c_char_p), ("date", Date),
                ("on", Date), ("days_until", c_int), ("years", c_int)]


# --- optional backends ---------------------------------------------------------------------


class SqliteOptions(C.Structure):
    _fields_ = [("version", c_uint), ("synchronous_full", c_int), ("busy_timeout_ms", c_int),
                ("create", c_int), ("checkpoint_pages", c_int)]


class PostgresOptions(C.Structure):
    _fields_ = [("version", c_uint), ("schema", c_char_p), ("table_prefix", c_char_p),
                ("create", c_int)]
