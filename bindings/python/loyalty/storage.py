"""Storage for an engine: the memory store, the SQLite and PostgreSQL backends,
and stores written in Python.

A Python store is any object with these methods (see :class:`DictStorage`,
a complete one, and include/loyalty/storage.h for the guarantees)::

    begin() / commit() / rollback()
    get(key: bytes) -> (value: bytes, rev: int) | None
    put(key: bytes, value: bytes, expected_rev: int) -> int   # new revision
    delete(key: bytes, expected_rev: int) -> None
    scan(prefix: bytes, after: bytes | None) -> iterable of (key, value, rev)
    close() -> None                      # optional, when the engine is closed

``expected_rev`` is 0 for "must not exist" and :data:`REV_ANY` for "any".
A store signals a missing key by raising :class:`~loyalty.errors.NotFoundError`
(or returning None from get) and a revision mismatch by raising
:class:`~loyalty.errors.ConflictError`; those are the protocol, and the engine
handles them.  Any other exception becomes LTY_ESTORAGE for the engine, which
rolls the call back, and is then re-raised to the caller of the engine method.
"""
from __future__ import annotations

import bisect
import ctypes as C
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from . import _lib
from . import _types as T
from ._conv import enc
from .errors import ClosedError, ConflictError, LoyaltyError, NotFoundError

REV_NONE = 0
REV_ANY = T.REV_ANY
_OK, _ENOTFOUND, _ESTORAGE = 0, -3, -6


class _Connection:
    """A storage connection ready for lty_engine_new: ops, userdata and what
    must stay alive while the engine lives."""

    def __init__(self, ops: T.StorageOps, userdata: Optional[int], keepalive: Any = None,
                 discard: Any = None) -> None:
        self.ops = ops
        self.userdata = userdata
        self.keepalive = keepalive
        self._discard = discard

    def discard(self) -> None:
        """Close the connection when the engine was not created (it was not handed over)."""
        if self._discard is not None:
            d, self._discard = self._discard, None
            d()


class MemoryStore:
    """The built-in memory store (``lty_memstore``).

    One store may serve several engines (each gets its own connection); the
    memory is freed when the store is closed and the last engine on it is
    closed.  Nothing is persisted.
    """

    def __init__(self) -> None:
        lib = _lib.core()
        self._lib = lib
        h = T.P_MEMSTORE()
        lib.lty_memstore_new(C.byref(h), None)
        self._h: Optional[Any] = h

    def _handle(self) -> Any:
        if not self._h:
            raise ClosedError("memory store is closed")
        return self._h

    def _connect(self) -> _Connection:
        ops = T.StorageOps()
        ud = C.c_void_p()
        self._lib.lty_memstore_connect(self._handle(), C.byref(ops), C.byref(ud))

        def discard() -> None:
            if ops.destroy:
                ops.destroy(ud)
        return _Connection(ops, ud.value, None, discard)

    def count(self) -> int:
        """Number of committed records."""
        return int(self._lib.lty_memstore_count(self._handle()))

    def close(self) -> None:
        """Release this reference (idempotent); engines on the store keep it alive."""
        h, self._h = self._h, None
        if h:
            self._lib.lty_memstore_free(h)

    def __enter__(self) -> "MemoryStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


class SQLite:
    """The SQLite backend (libloyalty-sqlite): a store in the file at ``path``.

    Pass an instance as ``Engine(storage=SQLite("shop.db"))``; each engine
    opens its own connection.
    """

    def __init__(self, path: str, *, create: bool = True, synchronous_full: bool = True,
                 busy_timeout_ms: int = 5000, checkpoint_pages: int = 0) -> None:
        self.path = path
        self.options = T.SqliteOptions(1, int(synchronous_full), busy_timeout_ms, int(create),
                                       checkpoint_pages)

    def _connect(self) -> _Connection:
        lib = _lib.backend("sqlite")
        ops = T.StorageOps()
        ud = C.c_void_p()
        lib.lty_sqlite_open(enc(self.path, "path"), C.byref(self.options), C.byref(ops),
                            C.byref(ud))

        def discard() -> None:
            if ops.destroy:
                ops.destroy(ud)
        return _Connection(ops, ud.value, None, discard)


class PostgreSQL:
    """The PostgreSQL backend (libloyalty-postgres), reached by a libpq
    connection string such as ``"host=db dbname=shop"``."""

    def __init__(self, conninfo: str, *, schema: Optional[str] = None,
                 table_prefix: Optional[str] = None, create: bool = True) -> None:
        self.conninfo = conninfo
        self._schema = enc(schema, "schema")
        self._prefix = enc(table_prefix, "table_prefix")
        self.options = T.PostgresOptions(1, self._schema, self._prefix, int(create))

    def _connect(self) -> _Connection:
        lib = _lib.backend("postgres")
        ops = T.StorageOps()
        ud = C.c_void_p()
        lib.lty_postgres_open(enc(self.conninfo, "conninfo"), C.byref(self.options),
                              C.byref(ops), C.byref(ud))

        def discard() -> None:
            if ops.destroy:
                ops.destroy(ud)
        return _Connection(ops, ud.value, None, discard)


class _PythonStoreAdapter:
    """CFUNCTYPE callbacks over a Python store object.  Kept alive by the engine."""

    def __init__(self, store: Any) -> None:
        for m in ("begin", "commit", "rollback", "get", "put", "delete", "scan"):
            if not callable(getattr(store, m, None)):
                raise TypeError(f"storage object lacks the method {m}()")
        self.store = store
        self._lib = _lib.core()
        self._msg = C.create_string_buffer(256)
        ops = T.StorageOps()
        ops.version = 1
        ops.begin = T.ST_BEGIN(lambda ud: self._guard(store.begin))
        ops.commit = T.ST_BEGIN(lambda ud: self._guard(store.commit))
        ops.rollback = T.ST_BEGIN(lambda ud: self._guard(store.rollback))
        ops.get = T.ST_GET(self._get)
        ops.put = T.ST_PUT(self._put)
        ops.del_ = T.ST_DEL(self._del)
        ops.scan = T.ST_SCAN(self._scan)
        ops.errmsg = T.ST_ERRMSG(lambda ud: C.addressof(self._msg) if self._msg.value else None)
        ops.destroy = T.ST_DESTROY(self._destroy)
        self.ops = ops

    def _fail(self, exc: BaseException) -> int:
        if isinstance(exc, LoyaltyError) and exc.code is not None:
            # The protocol: the store chose a code (not found, conflict...).
            self._set_msg(str(exc))
            return exc.code
        self._set_msg(f"Python storage raised {type(exc).__name__}")
        _lib.defer_exception(exc)
        return _ESTORAGE

    def _set_msg(self, text: str) -> None:
        self._msg.value = text.encode("utf-8", "replace")[:255]

    def _guard(self, fn: Any, *args: Any) -> int:
        try:
            fn(*args)
            return _OK
        except BaseException as e:  # noqa: B902 - re-raised after the C call
            return self._fail(e)

    def _get(self, key: int, keylen: int, buf: Any, rev: Any, ud: Any) -> int:
        try:
            r = self.store.get(C.string_at(key, keylen))
            if r is None:
                return _ENOTFOUND
            value, revision = r
            self._lib.lty_buf_set(buf, value, len(value))
            rev[0] = revision
            return _OK
        except BaseException as e:
            return self._fail(e)

    def _put(self, key: int, keylen: int, value: int, length: int, expected: int,
             new_rev: Any, ud: Any) -> int:
        try:
            data = C.string_at(value, length) if length else b""
            r = self.store.put(C.string_at(key, keylen), data, expected)
            if new_rev:
                new_rev[0] = int(r)
            return _OK
        except BaseException as e:
            return self._fail(e)

    def _del(self, key: int, keylen: int, expected: int, ud: Any) -> int:
        try:
            self.store.delete(C.string_at(key, keylen), expected)
            return _OK
        except BaseException as e:
            return self._fail(e)

    def _scan(self, prefix: int, prefixlen: int, after: int, afterlen: int, each: Any,
              ctx: Any, ud: Any) -> int:
        try:
            p = C.string_at(prefix, prefixlen) if prefixlen else b""
            a = C.string_at(after, afterlen) if afterlen else None
            it = iter(self.store.scan(p, a))
            try:
                for k, v, rev in it:
                    rc = each(k, len(k), v, len(v), rev, ctx)
                    if rc < 0:
                        return rc
                    if rc > 0:
                        break
            finally:
                close = getattr(it, "close", None)
                if close:
                    close()
            return _OK
        except BaseException as e:
            return self._fail(e)

    def _destroy(self, ud: Any) -> None:
        close = getattr(self.store, "close", None)
        if close is not None:
            try:
                close()
            except BaseException as e:
                _lib.defer_exception(e)

    def _connect(self) -> _Connection:
        return _Connection(self.ops, None, self, None)


def connection_for(storage: Any) -> _Connection:
    """The connection an engine uses for ``storage`` (see Engine)."""
    if storage is None:
        store = MemoryStore()
        try:
            return store._connect()
        finally:
            store.close()   # the connection keeps the store alive
    if hasattr(storage, "_connect"):
        return storage._connect()
    return _PythonStoreAdapter(storage)._connect()


class DictStorage:
    """A complete storage backend in plain Python over a dict.

    For tests, prototypes and as a model for a store over your own database.
    One connection only (one engine); transactions keep an undo journal, so
    rollback restores values and revisions exactly.  Revisions come from a
    store-wide counter and are never reused.
    """

    def __init__(self) -> None:
        self.data: Dict[bytes, Tuple[bytes, int]] = {}
        self._keys: List[bytes] = []
        self._rev = 0
        self._journal: Optional[List[Tuple[bytes, Optional[Tuple[bytes, int]]]]] = None
        self.closed = False

    def begin(self) -> None:
        if self._journal is not None:
            raise RuntimeError("transaction already open")
        self._journal = []

    def commit(self) -> None:
        self._journal = None

    def rollback(self) -> None:
        journal, self._journal = self._journal or [], None
        for key, old in reversed(journal):
            self._set(key, old)

    def _set(self, key: bytes, entry: Optional[Tuple[bytes, int]]) -> None:
        present = key in self.data
        if entry is None:
            if present:
                del self.data[key]
                i = bisect.bisect_left(self._keys, key)
                del self._keys[i]
        else:
            if not present:
                bisect.insort(self._keys, key)
            self.data[key] = entry

    def _write(self, key: bytes, entry: Optional[Tuple[bytes, int]]) -> None:
        if self._journal is not None:
            self._journal.append((key, self.data.get(key)))
        self._set(key, entry)

    def get(self, key: bytes) -> Optional[Tuple[bytes, int]]:
        return self.data.get(key)

    def _check(self, key: bytes, expected: int) -> Optional[Tuple[bytes, int]]:
        cur = self.data.get(key)
        if expected == REV_ANY:
            return cur
        if expected == REV_NONE:
            if cur is not None:
                raise ConflictError("key exists")
        elif cur is None or cur[1] != expected:
            raise ConflictError("revision mismatch")
        return cur

    def put(self, key: bytes, value: bytes, expected_rev: int) -> int:
        self._check(key, expected_rev)
        self._rev += 1
        self._write(key, (bytes(value), self._rev))
        return self._rev

    def delete(self, key: bytes, expected_rev: int) -> None:
        if key not in self.data:
            raise NotFoundError("no such key")
        self._check(key, expected_rev)
        self._write(key, None)

    def scan(self, prefix: bytes, after: Optional[bytes]) -> Iterator[Tuple[bytes, bytes, int]]:
        if after is not None and after >= prefix:
            i = bisect.bisect_right(self._keys, after)
        else:
            i = bisect.bisect_left(self._keys, prefix)
        keys = self._keys
        while i < len(keys) and keys[i].startswith(prefix):
            k = keys[i]
            v, rev = self.data[k]
            yield k, v, rev
            i += 1

    def close(self) -> None:
        self.closed = True
