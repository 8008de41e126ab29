"""An attribute computed on first use, once, even when several request threads ask at the same time.

``functools.cached_property`` stopped locking in Python 3.12: two threads asking for the model at
once would both load it (seconds of work and a second copy in memory). Here each instance has one
lock per attribute, taken only while the value does not exist yet (double-checked), so loading the
model never blocks a thread that only needs the index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")
_LOCKS = "_lazy_locks"
_GUARD = threading.Lock()  # guards only the creation of an instance's per-attribute locks


class lazy(Generic[T]):  # noqa: N801 - used as a decorator, like cached_property
    """``@lazy`` on a method: its result replaces it as an instance attribute on first access.

    The value is stored in the instance's ``__dict__`` under the method's name, so later reads are
    plain attribute reads, and a caller may provide the value up front (``obj.__dict__[name] = v``).
    """

    def __init__(self, build: Callable[[Any], T]) -> None:
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> lazy[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> T | lazy[T]:
        if obj is None:
            return self
        values = obj.__dict__
        if self.name in values:
            return values[self.name]
        with _GUARD:
            lock = values.setdefault(_LOCKS, {}).setdefault(self.name, threading.Lock())
        with lock:
            if self.name not in values:  # another thread may have built it while this one waited
                values[self.name] = self.build(obj)
            return values[self.name]
