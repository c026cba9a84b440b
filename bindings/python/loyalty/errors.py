"""Exceptions: one class per libloyalty error code (include/loyalty/common.h).

Every negative code a C function returns becomes an instance of the matching
subclass of :class:`LoyaltyError`, carrying the code and the library's
message (the engine's last error when the call had an engine, otherwise
``lty_strerror``).  Messages never contain personal data: the C library
guarantees it, and the bindings add only field names.
"""
from __future__ import annotations

from typing import Dict, Optional, Type


class LoyaltyError(Exception):
    """Base of every error raised by the bindings for a libloyalty code.

    Attributes:
        code: the negative ``LTY_E*`` code, or ``None`` for errors raised by
            the bindings themselves (:class:`ClosedError`).
        message: the library's explanation.
    """

    code: Optional[int] = None

    def __init__(self, message: str, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidError(LoyaltyError, ValueError):
    """LTY_EINVALID: an argument or field is out of range or malformed."""
    code = -1


class OutOfMemoryError(LoyaltyError, MemoryError):
    """LTY_ENOMEM: an allocation failed."""
    code = -2


class NotFoundError(LoyaltyError, LookupError):
    """LTY_ENOTFOUND: no such customer, appointment, message, key..."""
    code = -3


class ExistsError(LoyaltyError):
    """LTY_EEXISTS: the id is already taken."""
    code = -4


class ConflictError(LoyaltyError):
    """LTY_ECONFLICT: a concurrent writer won more often than the retry limit."""
    code = -5


class StorageError(LoyaltyError):
    """LTY_ESTORAGE: the storage backend failed."""
    code = -6


class CorruptError(LoyaltyError):
    """LTY_ECORRUPT: a stored record does not decode."""
    code = -7


class RangeError(LoyaltyError, OverflowError):
    """LTY_ERANGE: arithmetic would overflow or a value is beyond a limit."""
    code = -8


class StateError(LoyaltyError):
    """LTY_ESTATE: the object is not in a state that allows the operation."""
    code = -9


class ConsentError(LoyaltyError):
    """LTY_ECONSENT: the customer has not consented to this message."""
    code = -10


class VersionError(LoyaltyError):
    """LTY_EVERSION: unsupported struct, store or file version."""
    code = -11


class ParseError(LoyaltyError):
    """LTY_EPARSE: a file or text does not parse (the message names the line)."""
    code = -12


class TemporaryError(LoyaltyError):
    """LTY_ETEMPORARY: try again later.  A messenger raises it to ask for a retry."""
    code = -13


class PermanentError(LoyaltyError):
    """LTY_EPERMANENT: will never succeed.  A messenger raises it to give up."""
    code = -14


class UserError(LoyaltyError):
    """LTY_EUSER: a caller-supplied callback asked to stop."""
    code = -15


class ClosedError(LoyaltyError):
    """The object was closed (or its owner was); it can no longer be used."""


class LibraryError(OSError):
    """The C library could not be found, loaded, or has the wrong version."""


_BY_CODE: Dict[int, Type[LoyaltyError]] = {
    cls.code: cls for cls in (
        InvalidError, OutOfMemoryError, NotFoundError, ExistsError, ConflictError,
        StorageError, CorruptError, RangeError, StateError, ConsentError, VersionError,
        ParseError, TemporaryError, PermanentError, UserError)
}


def error_class(code: int) -> Type[LoyaltyError]:
    """The exception class for a negative code (LoyaltyError for unknown codes)."""
    return _BY_CODE.get(code, LoyaltyError)


def make_error(code: int, message: str) -> LoyaltyError:
    """An exception instance for ``code`` carrying ``message``."""
    return error_class(code)(message, code)
