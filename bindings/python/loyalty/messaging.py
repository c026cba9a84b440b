"""Messaging: templates, the outbox, dispatch through a messenger written in
Python, and delivery reports (``engine.messages``).

A messenger is an object with ``send(message)`` (or a plain callable taking
the :class:`~loyalty.values.Message`).  Returning normally means the gateway
accepted the message.  Raising :class:`~loyalty.errors.TemporaryError` asks
for a retry with back-off, :class:`~loyalty.errors.PermanentError` gives the
message up; those are the protocol.  Any other exception is treated as a
temporary failure (the message is retried later, nothing is lost) and is
re-raised from :meth:`Messages.dispatch` once the dispatch has finished.
An optional ``close()`` runs when the engine drops the messenger.
"""
from __future__ import annotations

import ctypes as C
import datetime as _dt
from typing import Any, Dict, List, Optional, Union

from . import _lib
from . import _types as T
from ._conv import dec, enc, from_time, to_time
from ._part import Part
from .enums import Channel, DeliveryKind, MessageState, Purpose, as_enum
from .errors import LoyaltyError
from .values import DispatchReport, Message, OutboxEntry

_OK, _ETEMPORARY = 0, -13
TimeArg = Optional[Union[_dt.datetime, int]]


class _MessengerAdapter:
    """The CFUNCTYPE callbacks over a Python messenger; kept alive by the engine."""

    def __init__(self, messenger: Any) -> None:
        send = getattr(messenger, "send", None)
        if send is None:
            if not callable(messenger):
                raise TypeError("messenger: needs a send(message) method or to be callable")
            send = messenger
        self.messenger = messenger
        self._send = send
        self.ops = T.MessengerOps(1, T.MSG_SEND(self._cb_send), T.MSG_DESTROY(self._cb_destroy))

    def _cb_send(self, m: Any, ud: Any) -> int:
        try:
            c = m.contents
            msg = Message(dec(c.id) or "", dec(c.customer_id) or "", as_enum(Channel, c.channel),
                          as_enum(Purpose, c.purpose), dec(c.address), dec(c.template_id),
                          dec(c.text), from_time(c.due), c.attempt)
            self._send(msg)
            return _OK
        except LoyaltyError as e:
            if e.code is not None:
                return e.code
            _lib.defer_exception(e)
            return _ETEMPORARY
        except BaseException as e:
            _lib.defer_exception(e)
            return _ETEMPORARY

    def _cb_destroy(self, ud: Any) -> None:
        close = getattr(self.messenger, "close", None)
        if close is not None:
            try:
                close()
            except BaseException as e:
                _lib.defer_exception(e)


class Messages(Part):
    """``engine.messages``."""

    def register_messenger(self, messenger: Any) -> None:
        """Hand due messages to ``messenger`` (replaces the previous one)."""
        a = _MessengerAdapter(messenger)
        self._engine.register_keepalive(a)
        self._lib.lty_messenger_register(self._h, C.byref(a.ops), None)

    def configure(self, *, quiet_start: int = 21 * 60, quiet_end: int = 8 * 60,
                  cap_messages: int = 4, cap_window_days: int = 7, soft_bounce_limit: int = 5,
                  unopened_limit: int = 10, max_attempts: int = 5, retry_base_seconds: int = 60,
                  claim_seconds: int = 300, ad_label: Optional[str] = None,
                  sender_name: Optional[str] = None, sender_contact: Optional[str] = None,
                  opt_out_line: Optional[str] = None, strict_consent: bool = False,
                  max_length: Optional[List[int]] = None) -> None:
        """Set the messaging rules (defaults as LTY_MESSAGING_OPTIONS_INIT;
        quiet hours in local minutes after midnight)."""
        keep = [enc(ad_label, "ad_label"), enc(sender_name, "sender_name"),
                enc(sender_contact, "sender_contact"), enc(opt_out_line, "opt_out_line")]
        o = T.MessagingOptions(1, quiet_start, quiet_end, cap_messages, cap_window_days,
                               soft_bounce_limit, unopened_limit, max_attempts,
                               retry_base_seconds, claim_seconds, *keep, int(strict_consent))
        lengths = max_length if max_length is not None else [0, 2000, 100000, 1000, 1000, 2000]
        for i, v in enumerate(lengths):
            o.max_length[i] = v
        self._lib.lty_messaging_configure(self._h, C.byref(o))

    def set_template(self, template_id: str, channel: Channel, text: str, *,
                     locale: Optional[str] = None) -> None:
        """Set a message template ({placeholders} as docs/guide/messaging.md)."""
        self._lib.lty_template_set(self._h, enc(template_id, "template_id"), int(channel),
                                   enc(locale, "locale"), enc(text, "text"))

    def remove_template(self, template_id: str, channel: Channel, *,
                        locale: Optional[str] = None) -> None:
        self._lib.lty_template_remove(self._h, enc(template_id, "template_id"), int(channel),
                                      enc(locale, "locale"))

    def plan(self, id: str, customer_id: str, template_id: str, purpose: Purpose, *,
             channel: Channel = Channel.NONE, due: TimeArg = None,
             params: Optional[Dict[str, str]] = None) -> None:
        """Plan a message into the outbox (idempotent by ``id``); ``due`` defaults to now."""
        keep: List[Any] = [enc(id, "id"), enc(customer_id, "customer_id"),
                           enc(template_id, "template_id")]
        items = list((params or {}).items())
        arr = (T.Param * max(len(items), 1))()
        for i, (k, v) in enumerate(items):
            kb, vb = enc(k, "param key"), enc(v, "param value")
            keep += [kb, vb]
            arr[i].key, arr[i].value = kb, vb
        s = T.PlanSpec(1, keep[0], keep[1], keep[2], int(purpose), int(channel),
                       to_time(due, "due") if due is not None
                       else self._lib.lty_engine_now(self._h),
                       C.cast(arr, C.POINTER(T.Param)) if items else None, len(items))
        self._lib.lty_outbox_plan(self._h, C.byref(s))

    def cancel(self, message_id: str) -> None:
        self._lib.lty_outbox_cancel(self._h, enc(message_id, "message_id"))

    def get(self, message_id: str) -> OutboxEntry:
        out = T.OutboxEntry()
        out.version = 1
        self._lib.lty_outbox_get(self._h, enc(message_id, "message_id"), C.byref(out))
        return OutboxEntry.from_c(out)

    def list(self, *, customer_id: Optional[str] = None, state: Optional[MessageState] = None,
             due_from: TimeArg = None, due_to: TimeArg = None) -> List[OutboxEntry]:
        """Outbox entries matching the filter (every field optional)."""
        cid = enc(customer_id, "customer_id")
        f = T.OutboxFilter(cid, int(state or 0),
                           to_time(due_from, "due_from") if due_from is not None else 0,
                           to_time(due_to, "due_to") if due_to is not None else 0)
        rows = self._list(self._lib.lty_outbox_list, [self._h, C.byref(f)], T.OutboxEntry,
                          version=1)
        return [OutboxEntry.from_c(r) for r in rows]

    def dispatch(self, now: TimeArg = None, max: int = 1000) -> DispatchReport:
        """Send due messages through the registered messenger (at most ``max``, 1..10,000)."""
        r = T.DispatchReport()
        self._lib.lty_outbox_dispatch(self._h, to_time(now), max, C.byref(r))
        return DispatchReport.from_c(r)

    def delivery_report(self, message_id: str, kind: DeliveryKind, when: TimeArg = None) -> None:
        """Feed a gateway's delivery report (bounces and opens drive contact hygiene)."""
        self._lib.lty_delivery_report(self._h, enc(message_id, "message_id"), int(kind),
                                      to_time(when))
