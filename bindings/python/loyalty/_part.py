"""Base of the engine's namespaces (engine.customers, engine.events, ...)."""
from __future__ import annotations

import ctypes as C
from typing import Any, Callable, List, Type, TypeVar

S = TypeVar("S")


class Part:
    """A view of one module of an engine; holds the engine, not a handle."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._lib = engine._lib

    @property
    def _h(self) -> Any:
        return self._engine._handle()

    def _list(self, fn: Callable[..., int], args: List[Any], ctype: Type[S],
              version: int = 0, start: int = 16) -> List[S]:
        """Call a fill-an-array function with growing capacity until all fit.

        The C listing functions fill up to ``cap`` entries and report the total
        count, so a second call with the full size gets everything."""
        cap = start
        while True:
            arr = (ctype * cap)()
            if version:
                for i in range(cap):
                    arr[i].version = version
            n = C.c_size_t()
            fn(*args, arr, cap, C.byref(n))
            if n.value <= cap:
                return [arr[i] for i in range(n.value)]
            cap = n.value
