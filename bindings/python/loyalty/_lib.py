"""Finding and loading the C libraries, and the one table of C functions.

Loading order for the core library (the first that loads wins):

1. the file named by the environment variable ``LOYALTY_LIBRARY``
   (if it is set and does not load, that is an error: no silent fallback);
2. a ``libloyalty`` shared library in this package's directory;
3. the installed soname (``libloyalty.so.0`` on Linux);
4. ``ctypes.util.find_library("loyalty")``.

The optional backends follow the same order with ``LOYALTY_SQLITE_LIBRARY`` /
``libloyalty-sqlite`` and ``LOYALTY_POSTGRES_LIBRARY`` / ``libloyalty-postgres``.

Every public C function is declared once, in ``_TABLE`` below, with its
argument types, return type and how its result is checked.  The checker turns
negative codes into :mod:`loyalty.errors` exceptions and re-raises exceptions
that Python callbacks (storage, messenger, clock) raised during the call.
"""
from __future__ import annotations

import ctypes as C
import ctypes.util
import os
import sys
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import _types as T
from .errors import LibraryError, make_error

#: The major version of libloyalty these bindings are written for.
REQUIRED_MAJOR = 0
SONAME_MAJOR = 0

_P = C.POINTER
_cp = C.c_char_p
_vp = C.c_void_p
_int = C.c_int
_sz = C.c_size_t
_i64 = C.c_int64
_u64 = C.c_uint64
_dbl = C.c_double
_E = T.P_ENGINE
_CU = T.P_CUSTOMER
_psz = _P(C.c_size_t)
_pi64 = _P(C.c_int64)
_pint = _P(C.c_int)
_pdbl = _P(C.c_double)
_pcp = _P(C.c_char_p)
_Date = _P(T.Date)
_Card = T.P_CARD
_Res = T.P_RFM_RESULT
_IDS = _P(C.c_char * (T.ID_MAX + 1))
_CODES = _P(C.c_char * (T.CODE_MAX + 1))

# check kinds
CODE = "code"      # int result; negative -> exception (message: the engine's, or strerror)
VALUE = "value"    # any result returned as is (void, pointers, counts, booleans)


def _errbuf(i: int) -> Tuple[str, int]:
    """CODE whose message is in the caller's error buffer at argument i."""
    return ("errbuf", i)


#: (name, restype, argtypes, check)
_TABLE: List[Tuple[str, Any, Sequence[Any], Any]] = [
    # common, engine, version
    ("lty_strerror", _cp, [_int], VALUE),
    ("lty_free", None, [_vp], VALUE),
    ("lty_version", _cp, [_pint, _pint, _pint], VALUE),
    ("lty_engine_new", _int, [_P(_E), _P(T.EngineOptions)], CODE),
    ("lty_engine_free", None, [_E], VALUE),
    ("lty_engine_last_error", _cp, [_E], VALUE),
    ("lty_engine_now", _i64, [_E], VALUE),
    ("lty_engine_local_date", _int, [_E, _i64, _Date], CODE),
    ("lty_verify", _int, [_E, _psz, T.VERIFY_FN, _vp], CODE),
    ("lty_transaction", _int, [_E, T.TRANSACTION_FN, _vp], CODE),
    ("lty_store_settings_set", _int, [_E, _P(T.StoreSettings)], CODE),
    ("lty_store_settings_get", _int, [_E, _P(T.StoreSettings)], CODE),
    ("lty_store_settings_apply", _int, [_P(T.StoreSettings), _P(T.EngineOptions)], CODE),
    # storage
    ("lty_buf_set", _int, [T.P_BUF, _vp, _sz], CODE),
    ("lty_memstore_new", _int, [_P(T.P_MEMSTORE), _P(T.Allocator)], CODE),
    ("lty_memstore_connect", _int, [T.P_MEMSTORE, _P(T.StorageOps), _P(_vp)], CODE),
    ("lty_memstore_count", _sz, [T.P_MEMSTORE], VALUE),
    ("lty_memstore_free", None, [T.P_MEMSTORE], VALUE),
    # customers
    ("lty_customer_create", _int, [_E, _P(T.CustomerFields)], CODE),
    ("lty_customer_update", _int, [_E, _P(T.CustomerFields)], CODE),
    ("lty_customer_get", _int, [_E, _cp, _P(_CU)], CODE),
    ("lty_customer_find_by_phone", _int, [_E, _cp, _P(_CU)], CODE),
    ("lty_customer_find_by_email", _int, [_E, _cp, _P(_CU)], CODE),
    ("lty_customer_set_preference", _int, [_E, _cp, _cp, _cp], CODE),
    ("lty_customer_set_note", _int, [_E, _cp, _cp, _cp], CODE),
    ("lty_customer_add_tag", _int, [_E, _cp, _cp], CODE),
    ("lty_customer_remove_tag", _int, [_E, _cp, _cp], CODE),
    ("lty_customer_set_anniversary", _int, [_E, _cp, _cp, _Date], CODE),
    ("lty_customer_set_consent", _int, [_E, _cp, _int, _int, _int], CODE),
    ("lty_customer_erase", _int, [_E, _cp], CODE),
    ("lty_customer_free", None, [_CU], VALUE),
    ("lty_customer_id", _cp, [_CU], VALUE),
    ("lty_customer_name", _cp, [_CU], VALUE),
    ("lty_customer_phone", _cp, [_CU], VALUE),
    ("lty_customer_email", _cp, [_CU], VALUE),
    ("lty_customer_birthday", _int, [_CU, _Date], VALUE),
    ("lty_customer_preferred_channel", _int, [_CU], VALUE),
    ("lty_customer_created", _i64, [_CU], VALUE),
    ("lty_customer_preference_count", _sz, [_CU], VALUE),
    ("lty_customer_preference_at", _int, [_CU, _sz, _pcp, _pcp], CODE),
    ("lty_customer_preference", _cp, [_CU, _cp], VALUE),
    ("lty_customer_note_count", _sz, [_CU], VALUE),
    ("lty_customer_note_at", _int, [_CU, _sz, _pcp, _pcp], CODE),
    ("lty_customer_note", _cp, [_CU, _cp], VALUE),
    ("lty_customer_tag_count", _sz, [_CU], VALUE),
    ("lty_customer_tag_at", _cp, [_CU, _sz], VALUE),
    ("lty_customer_has_tag", _int, [_CU, _cp], VALUE),
    ("lty_customer_anniversary_count", _sz, [_CU], VALUE),
    ("lty_customer_anniversary_at", _int, [_CU, _sz, _pcp, _Date], CODE),
    ("lty_customer_consent", _int, [_CU, _int, _int, _pint, _pi64], CODE),
    ("lty_customer_stats_get", _int, [_CU, _P(T.CustomerStats)], CODE),
    # events and history
    ("lty_record", _int, [_E, _P(T.Event), _P(T.RecordOutcome)], CODE),
    ("lty_record_batch", _int, [_E, _P(T.Event), _sz, _P(T.RecordOutcome), _psz], CODE),
    ("lty_history_list", _int, [_E, _cp, _cp, _sz, _P(T.P_HISTORY)], CODE),
    ("lty_history_count", _sz, [T.P_HISTORY], VALUE),
    ("lty_history_get", _int, [T.P_HISTORY, _sz, _P(T.Event)], CODE),
    ("lty_history_refunded", _i64, [T.P_HISTORY, _sz], VALUE),
    ("lty_history_cursor", _cp, [T.P_HISTORY], VALUE),
    ("lty_history_free", None, [T.P_HISTORY], VALUE),
    # programs and rewards
    ("lty_program_define", _int, [_E, _P(T.ProgramDef)], CODE),
    ("lty_program_load_file", _int, [_E, _cp], CODE),
    ("lty_program_load_text", _int, [_E, _cp, _sz, _cp], CODE),
    ("lty_program_info_get", _int, [_E, _cp, _P(T.ProgramInfo)], CODE),
    ("lty_program_list", _int, [_E, _IDS, _sz, _psz], CODE),
    ("lty_program_status_get", _int, [_E, _cp, _cp, _P(T.ProgramStatus)], CODE),
    ("lty_program_history", _int, [_E, _cp, _P(T.ProgramLogEntry), _sz, _psz], CODE),
    ("lty_points_spend", _int, [_E, _cp, _cp, _cp, _i64, _cp], CODE),
    ("lty_programs_tick", _int, [_E, _i64, _psz], CODE),
    ("lty_programs_rebuild", _int, [_E, _cp], CODE),
    ("lty_reward_issue", _int, [_E, _P(T.RewardSpec)], CODE),
    ("lty_reward_redeem", _int, [_E, _cp, _i64], CODE),
    ("lty_reward_void", _int, [_E, _cp], CODE),
    ("lty_reward_get", _int, [_E, _cp, _P(T.Reward)], CODE),
    ("lty_reward_list", _int, [_E, _cp, _P(T.Reward), _sz, _psz], CODE),
    # referrals
    ("lty_referral_policy_set", _int, [_E, _P(T.ReferralPolicy)], CODE),
    ("lty_referral_policy_get", _int, [_E, _P(T.ReferralPolicy)], CODE),
    ("lty_referral_register", _int, [_E, _cp, _cp], CODE),
    ("lty_referral_get", _int, [_E, _cp, _P(T.Referral)], CODE),
    ("lty_referral_list", _int, [_E, _cp, _P(T.Referral), _sz, _psz], CODE),
    ("lty_referral_top", _int, [_E, _i64, _i64, _P(T.ReferrerRank), _sz, _psz], CODE),
    # appointments
    ("lty_appointment_book", _int, [_E, _P(T.AppointmentSpec)], CODE),
    ("lty_appointment_reschedule", _int, [_E, _cp, _i64, _int], CODE),
    ("lty_appointment_cancel", _int, [_E, _cp], CODE),
    ("lty_appointment_arrive", _int, [_E, _cp, _i64, _P(T.RecordOutcome)], CODE),
    ("lty_appointment_no_show", _int, [_E, _cp], CODE),
    ("lty_appointment_get", _int, [_E, _cp, _P(T.Appointment)], CODE),
    ("lty_appointment_list", _int, [_E, _cp, _P(T.Appointment), _sz, _psz], CODE),
    ("lty_appointment_list_day", _int, [_E, _Date, _P(T.Appointment), _sz, _psz], CODE),
    ("lty_appointment_reminders_set", _int, [_E, _P(T.ReminderPolicy)], CODE),
    ("lty_appointment_reminders_get", _int, [_E, _P(T.ReminderPolicy)], CODE),
    ("lty_appointment_noshow_stats", _int,
     [_E, _i64, _i64, _P(T.NoshowStats), _P(T.NoshowBranch), _sz, _psz], CODE),
    # messaging
    ("lty_messenger_register", _int, [_E, _P(T.MessengerOps), _vp], CODE),
    ("lty_messaging_configure", _int, [_E, _P(T.MessagingOptions)], CODE),
    ("lty_template_set", _int, [_E, _cp, _int, _cp, _cp], CODE),
    ("lty_template_remove", _int, [_E, _cp, _int, _cp], CODE),
    ("lty_outbox_plan", _int, [_E, _P(T.PlanSpec)], CODE),
    ("lty_outbox_cancel", _int, [_E, _cp], CODE),
    ("lty_outbox_get", _int, [_E, _cp, _P(T.OutboxEntry)], CODE),
    ("lty_outbox_list", _int, [_E, _P(T.OutboxFilter), _P(T.OutboxEntry), _sz, _psz], CODE),
    ("lty_outbox_dispatch", _int, [_E, _i64, _sz, _P(T.DispatchReport)], CODE),
    ("lty_delivery_report", _int, [_E, _cp, _int, _i64], CODE),
    # plans, treatments, journeys
    ("lty_treatment_define", _int, [_E, _P(T.TreatmentDef)], CODE),
    ("lty_treatment_remove", _int, [_E, _cp], CODE),
    ("lty_treatment_get", _int, [_E, _cp, _P(T.Treatment)], CODE),
    ("lty_treatment_list", _int, [_E, _CODES, _sz, _psz], CODE),
    ("lty_plan_day", _int, [_E, _Date, _P(T.PlanDayOptions), _psz], CODE),
    ("lty_journey_define", _int, [_E, _P(T.JourneyDef)], CODE),
    ("lty_journey_get", _int, [_E, _cp, _P(T.JourneyInfo)], CODE),
    ("lty_journey_enrol", _int, [_E, _cp, _cp, _Date], CODE),
    ("lty_journey_unenrol", _int, [_E, _cp, _cp], CODE),
    ("lty_journey_list_enrolments", _int,
     [_E, _cp, _P(T.JourneyEnrolment), _sz, _psz], CODE),
    # RFM
    ("lty_rfm_segments_new", _int,
     [_P(T.P_RFM_SEGMENTS), _P(T.RfmSegmentTable), _int, _vp, _sz], _errbuf(3)),
    ("lty_rfm_default_segments", _P(T.RfmSegmentTable), [], VALUE),
    ("lty_rfm_segments_free", None, [T.P_RFM_SEGMENTS], VALUE),
    ("lty_rfm_compute", _int, [_E, _P(T.RfmOptions), _P(_Res)], CODE),
    ("lty_rfm_customer_get", _int, [_E, _cp, _P(T.RfmScores)], CODE),
    ("lty_rfm_from_transactions", _int,
     [_P(_Res), _pcp, _pi64, _pi64, _sz, _P(T.RfmOptions), _vp, _sz], _errbuf(6)),
    ("lty_rfm_from_csv", _int, [_P(_Res), _cp, _P(T.RfmOptions), _vp, _sz], _errbuf(3)),
    ("lty_rfm_result_free", None, [_Res], VALUE),
    ("lty_rfm_result_count", _sz, [_Res], VALUE),
    ("lty_rfm_result_row", _int, [_Res, _sz, _P(T.RfmRow)], CODE),
    ("lty_rfm_result_find", _int, [_Res, _cp, _P(T.RfmRow)], CODE),
    ("lty_rfm_result_segment_count", _sz, [_Res], VALUE),
    ("lty_rfm_result_segment", _int, [_Res, _sz, _P(T.RfmSegmentSummary)], CODE),
    ("lty_rfm_result_pareto", _dbl, [_Res], VALUE),
    ("lty_rfm_result_concentration", _int, [_Res, _P(_dbl * 10)], CODE),
    ("lty_rfm_result_levels", _int, [_Res, C.c_char], CODE),
    ("lty_rfm_result_as_of", _i64, [_Res], VALUE),
    # CLV
    ("lty_clv_summary_from_txns", _int,
     [_P(T.P_CLV_SUMMARY), _P(T.ClvTxn), _sz, _P(T.ClvSummaryOptions)], CODE),
    ("lty_clv_summary_from_csv", _int,
     [_P(T.P_CLV_SUMMARY), _cp, _P(T.ClvSummaryOptions), _vp, _sz], _errbuf(3)),
    ("lty_clv_summary_from_store", _int,
     [_P(T.P_CLV_SUMMARY), _E, _P(T.ClvSummaryOptions)], CODE),
    ("lty_clv_summary_rows", _P(T.ClvRow), [T.P_CLV_SUMMARY, _psz], VALUE),
    ("lty_clv_summary_free", None, [T.P_CLV_SUMMARY], VALUE),
    ("lty_bgnbd_fit", _int, [_P(T.BgnbdModel), _P(T.ClvRow), _sz], CODE),
    ("lty_bgnbd_log_likelihood", _int, [_P(T.BgnbdModel), _P(T.ClvRow), _sz, _pdbl], CODE),
    ("lty_bgnbd_p_alive", _dbl, [_P(T.BgnbdModel), _dbl, _dbl, _dbl], VALUE),
    ("lty_bgnbd_expected_purchases", _int,
     [_P(T.BgnbdModel), _dbl, _dbl, _dbl, _dbl, _pdbl], CODE),
    ("lty_gamgam_fit", _int, [_P(T.GamgamModel), _P(T.ClvRow), _sz], CODE),
    ("lty_gamgam_expected_spend", _dbl, [_P(T.GamgamModel), _dbl, _dbl], VALUE),
    ("lty_clv_compute", _int,
     [_P(T.ClvScore), _P(T.ClvRow), _sz, _P(T.BgnbdModel), _P(T.GamgamModel),
      _P(T.ClvOptions)], CODE),
    ("lty_clv_churn_risk", _int, [_P(_psz), _psz, _P(T.ClvScore), _sz, _dbl], CODE),
    ("lty_clv_model_fingerprint", _u64, [_P(T.BgnbdModel), _P(T.GamgamModel)], VALUE),
    ("lty_clv_store", _int,
     [_E, _P(T.ClvScore), _P(T.ClvRow), _sz, _P(T.BgnbdModel), _P(T.GamgamModel)], CODE),
    ("lty_clv_customer_get", _int, [_E, _cp, _P(T.ClvFigures)], CODE),
    ("lty_clv_figures_top_decile", _int, [_P(T.ClvFigures)], VALUE),
    # briefing and recognition
    ("lty_briefing_day", _int, [_E, _Date, _P(T.P_BRIEFING)], CODE),
    ("lty_briefing_day_with", _int,
     [_E, _Date, _P(T.BriefingOptions), _P(T.P_BRIEFING)], CODE),
    ("lty_briefing_free", None, [T.P_BRIEFING], VALUE),
    ("lty_briefing_date", _int, [T.P_BRIEFING, _Date], CODE),
    ("lty_briefing_count", _sz, [T.P_BRIEFING], VALUE),
    ("lty_briefing_entry", _Card, [T.P_BRIEFING, _sz], VALUE),
    ("lty_briefing_render_text", _int, [T.P_BRIEFING, _P(_vp), _psz], CODE),
    ("lty_recognize_phone", _int, [_E, _cp, _P(_Card)], CODE),
    ("lty_recognize_phone_with", _int, [_E, _cp, _P(T.BriefingOptions), _P(_Card)], CODE),
    ("lty_card_free", None, [_Card], VALUE),
    ("lty_card_render_text", _int, [_Card, _P(_vp), _psz], CODE),
    ("lty_card_customer_id", _cp, [_Card], VALUE),
    ("lty_card_name", _cp, [_Card], VALUE),
    ("lty_card_customer", _CU, [_Card], VALUE),
    ("lty_card_appointment", _int, [_Card, _P(T.Appointment)], VALUE),
    ("lty_card_visits", _i64, [_Card], VALUE),
    ("lty_card_last_visit", _i64, [_Card], VALUE),
    ("lty_card_last_item", _cp, [_Card], VALUE),
    ("lty_card_first_visit", _int, [_Card], VALUE),
    ("lty_card_welcome_back", _int, [_Card, _pi64], VALUE),
    ("lty_card_program_count", _sz, [_Card], VALUE),
    ("lty_card_program_at", _int, [_Card, _sz, _P(T.CardProgram)], CODE),
    ("lty_card_title", _cp, [_Card], VALUE),
    ("lty_card_tier", _cp, [_Card], VALUE),
    ("lty_card_promotion_due", _cp, [_Card], VALUE),
    ("lty_card_occasion_count", _sz, [_Card], VALUE),
    ("lty_card_occasion_at", _int, [_Card, _sz, _P(T.Occasion)], CODE),
    ("lty_card_reward_count", _sz, [_Card], VALUE),
    ("lty_card_reward_at", _int, [_Card, _sz, _P(T.Reward)], CODE),
    ("lty_card_referrer_id", _cp, [_Card], VALUE),
    ("lty_card_referrer_name", _cp, [_Card], VALUE),
    ("lty_card_came_together", _int, [_Card], VALUE),
    ("lty_card_referral_count", _sz, [_Card], VALUE),
    ("lty_card_segment", _cp, [_Card], VALUE),
    ("lty_card_rfm", _int, [_Card, _pint, _pint, _pint], VALUE),
    ("lty_card_p_alive", _int, [_Card, _pdbl], VALUE),
    ("lty_card_clv", _int, [_Card, _pdbl], VALUE),
    ("lty_card_vip", _int, [_Card], VALUE),
    # campaigns (kept last: the campaign API is still growing on main)
    ("lty_campaign_preset_vip", _int, [_P(T.CampaignDef)], CODE),
    ("lty_campaign_preset_winback", _int, [_P(T.CampaignDef), _int], CODE),
    ("lty_campaign_preset_birthday", _int, [_P(T.CampaignDef), _int], CODE),
    ("lty_campaign_define", _int, [_E, _P(T.CampaignDef)], CODE),
    ("lty_campaign_eligibility", _int, [_E, _cp, _P(T.CampaignReport)], CODE),
    ("lty_campaign_launch", _int, [_E, _cp, _i64, _P(T.CampaignReport)], CODE),
    ("lty_campaign_member_get", _int, [_E, _cp, _cp, _P(T.CampaignMember)], CODE),
    ("lty_campaign_measure", _int, [_E, _cp, _i64, _P(T.CampaignResult)], CODE),
    ("lty_campaign_simulate", _int, [_E, _cp, _u64, _P(T.CampaignForecast)], CODE),
    ("lty_campaign_result_get", _int, [_E, _cp, _P(T.CampaignResult)], CODE),
    ("lty_campaign_get", _int, [_E, _cp, _P(_P(T.CampaignDef))], CODE),
    ("lty_campaign_list", _int, [_E, T.CAMPAIGN_LIST_FN, _vp], CODE),
]

#: Functions of the optional backend libraries: library key -> table.
_BACKEND_TABLES: Dict[str, List[Tuple[str, Any, Sequence[Any], Any]]] = {
    "sqlite": [
        ("lty_sqlite_open", _int,
         [_cp, _P(T.SqliteOptions), _P(T.StorageOps), _P(_vp)], ("global", "lty_sqlite_open_error")),
        ("lty_sqlite_open_error", _cp, [], VALUE),
    ],
    "postgres": [
        ("lty_postgres_open", _int,
         [_cp, _P(T.PostgresOptions), _P(T.StorageOps), _P(_vp)],
         ("global", "lty_postgres_open_error")),
        ("lty_postgres_open_error", _cp, [], VALUE),
    ],
}

# ---------------------------------------------------------------------------
# Exceptions raised by Python callbacks during a C call.
# ---------------------------------------------------------------------------

_pending = threading.local()


def defer_exception(exc: BaseException) -> None:
    """Remember an exception a callback raised; the C call's check re-raises it."""
    lst = getattr(_pending, "excs", None)
    if lst is None:
        lst = _pending.excs = []
    lst.append(exc)


def raise_deferred() -> None:
    """Re-raise the first exception a callback raised during the last C call."""
    lst = getattr(_pending, "excs", None)
    if lst:
        exc = lst[0]
        lst.clear()
        raise exc


def _decode(b: Optional[bytes]) -> str:
    return b.decode("utf-8", "replace") if b else ""


# ---------------------------------------------------------------------------
# Call counting (used by the test-suite to prove every function is exercised).
# ---------------------------------------------------------------------------

#: name -> number of calls, filled only when LOYALTY_COUNT_CALLS=1 at import.
call_counts: Dict[str, int] = {}
_counting = os.environ.get("LOYALTY_COUNT_CALLS") == "1"


class _Lib:
    """Namespace of the declared C functions of one loaded library."""

    def __init__(self, cdll: C.CDLL, path: str) -> None:
        self.cdll = cdll
        self.path = path


def _make_errcheck(name: str, argtypes: Sequence[Any], check: Any,
                   core: "_Lib", own: "_Lib") -> Callable[..., Any]:
    engine_index = next((i for i, a in enumerate(argtypes) if a is _E), None)
    counting = _counting

    def value_check(result: Any, func: Any, args: Tuple[Any, ...]) -> Any:
        if counting:
            call_counts[name] = call_counts.get(name, 0) + 1
        if getattr(_pending, "excs", None):
            raise_deferred()
        return result

    def code_check(result: int, func: Any, args: Tuple[Any, ...]) -> int:
        if counting:
            call_counts[name] = call_counts.get(name, 0) + 1
        if getattr(_pending, "excs", None):
            exc = _pending.excs[0]
            _pending.excs.clear()
            if result < 0:
                raise exc from make_error(result, _message(result, args))
            raise exc
        if result < 0:
            raise make_error(result, _message(result, args))
        return result

    def _message(code: int, args: Tuple[Any, ...]) -> str:
        text = ""
        if engine_index is not None and args[engine_index]:
            text = _decode(core.lty_engine_last_error(args[engine_index]))
        elif isinstance(check, tuple) and check[0] == "errbuf":
            buf = args[check[1]]
            if buf is not None:
                text = C.string_at(buf).decode("utf-8", "replace")
        elif isinstance(check, tuple) and check[0] == "global":
            text = _decode(getattr(own, check[1])())
        if not text:
            text = _decode(core.lty_strerror(code))
        return f"{name}: {text}"

    return value_check if check == VALUE else code_check


def _declare(lib: _Lib, table: Sequence[Tuple[str, Any, Sequence[Any], Any]],
             core: _Lib) -> None:
    for name, restype, argtypes, check in table:
        try:
            fn = getattr(lib.cdll, name)
        except AttributeError:
            raise LibraryError(f"{lib.path} does not export {name}: "
                               "it is older than these bindings") from None
        fn.restype = restype
        fn.argtypes = list(argtypes)
        fn.errcheck = _make_errcheck(name, argtypes, check, core, lib)
        setattr(lib, name, fn)


def declared_names() -> List[str]:
    """Names of the core library's functions in the table (for tests)."""
    return [row[0] for row in _TABLE]


# ---------------------------------------------------------------------------
# Finding the libraries.
# ---------------------------------------------------------------------------

_ENV = {"loyalty": "LOYALTY_LIBRARY", "sqlite": "LOYALTY_SQLITE_LIBRARY",
        "postgres": "LOYALTY_POSTGRES_LIBRARY"}
_BASE = {"loyalty": "loyalty", "sqlite": "loyalty-sqlite", "postgres": "loyalty-postgres"}


def _sonames(base: str) -> List[str]:
    if sys.platform == "darwin":
        return [f"lib{base}.{SONAME_MAJOR}.dylib", f"lib{base}.dylib"]
    if sys.platform == "win32":
        return [f"lib{base}-{SONAME_MAJOR}.dll", f"{base}.dll"]
    return [f"lib{base}.so.{SONAME_MAJOR}"]


def candidates(kind: str) -> List[Tuple[str, str]]:
    """The places tried for a library, in order, as (how, path-or-name)."""
    base = _BASE[kind]
    out: List[Tuple[str, str]] = []
    env = os.environ.get(_ENV[kind])
    if env:
        return [(f"${_ENV[kind]}", env)]
    here = os.path.dirname(os.path.abspath(__file__))
    for so in _sonames(base) + [f"lib{base}.so", f"lib{base}.dylib", f"{base}.dll"]:
        p = os.path.join(here, so)
        if os.path.exists(p):
            out.append(("package directory", p))
    for so in _sonames(base):
        out.append(("installed soname", so))
    found = ctypes.util.find_library(base)
    if found:
        out.append(("ctypes.util.find_library", found))
    return out


def _open(kind: str) -> Tuple[C.CDLL, str, str]:
    tried: List[str] = []
    for how, path in candidates(kind):
        try:
            return C.CDLL(path, mode=C.RTLD_GLOBAL), path, how
        except OSError as e:
            tried.append(f"{how} {path}: {e}")
            if how.startswith("$"):
                break
    where = "; ".join(tried) if tried else "nothing found"
    raise LibraryError(
        f"cannot load lib{_BASE[kind]} (tried {where}). Build and install "
        f"libloyalty, or set {_ENV[kind]} to the library file.")


_lock = threading.Lock()
_libs: Dict[str, _Lib] = {}


def core() -> _Lib:
    """The core library, loaded, version-checked and declared on first use."""
    lib = _libs.get("loyalty")
    if lib is not None:
        return lib
    with _lock:
        if "loyalty" in _libs:
            return _libs["loyalty"]
        cdll, path, how = _open("loyalty")
        lib = _Lib(cdll, path)
        try:
            ver = cdll.lty_version
        except AttributeError:
            raise LibraryError(f"{path} (from {how}) is not libloyalty: no lty_version") from None
        ver.restype = C.c_char_p
        ver.argtypes = [_pint, _pint, _pint]
        major, minor, patch = C.c_int(), C.c_int(), C.c_int()
        text = ver(C.byref(major), C.byref(minor), C.byref(patch))
        if major.value != REQUIRED_MAJOR:
            raise LibraryError(
                f"libloyalty {_decode(text)} found at {path} (from {how}) has major version "
                f"{major.value}; these bindings need major version {REQUIRED_MAJOR}")
        lib.version = (major.value, minor.value, patch.value)
        lib.how = how
        _declare(lib, _TABLE, lib)
        _libs["loyalty"] = lib
        return lib


def backend(kind: str) -> _Lib:
    """An optional backend library ("sqlite" or "postgres"), loaded on first use."""
    c = core()
    lib = _libs.get(kind)
    if lib is not None:
        return lib
    with _lock:
        if kind in _libs:
            return _libs[kind]
        cdll, path, how = _open(kind)
        lib = _Lib(cdll, path)
        lib.how = how
        _declare(lib, _BACKEND_TABLES[kind], c)
        _libs[kind] = lib
        return lib
