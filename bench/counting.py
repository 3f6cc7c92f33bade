"""Counting what one update costs: SQL queries on every connection, and cache round trips.

    with count_costs() as cost:
        ...                      # anything, on any thread
    cost.queries, cost.cache, cost.sql, cost.cache_calls

Queries are counted with ``connection.execute_wrapper`` on each connection
that runs inside the block (Django's own hook), and with the health check
Django runs on a reused connection, which bypasses that hook. Cache round
trips are counted on the cache backend's class, so every alias and every
thread's instance is seen, and on the event loop's side (``shopbot.warmcache``),
whose reads of Redis go through redis-py's asyncio client instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.db import connections
from django.db.backends.signals import connection_created

from shopbot import warmcache

CACHE_METHODS = (
    "get",
    "set",
    "add",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "incr",
    "decr",
    "touch",
    "has_key",
    "clear",
    "get_or_set",
)
LOOP_METHODS = ("aget_many", "acount")  # shopbot.warmcache's round trips on the event loop


@dataclass
class Cost:
    queries: int = 0
    cache: int = 0
    sql: list[str] = field(default_factory=list)
    cache_calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def query(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        with self.lock:
            self.queries += 1
            self.sql.append(sql)
        return execute(sql, params, many, context)


@contextmanager
def count_costs() -> Iterator[Cost]:
    """Count queries and cache calls made anywhere in the process while the block runs."""
    cost = Cost()
    with ExitStack() as stack:
        stack.enter_context(_count_queries(cost))
        stack.enter_context(_count_cache(cost))
        yield cost


@contextmanager
def _count_queries(cost: Cost) -> Iterator[None]:
    wrapped: list[Any] = []

    def wrap(connection: Any) -> None:
        if cost.query not in connection.execute_wrappers:
            connection.execute_wrappers.append(cost.query)
            wrapped.append(connection)

    def on_created(sender: Any, connection: Any, **kwargs: Any) -> None:
        wrap(connection)

    backend = type(connections["default"])
    patched = Patch(backend)

    def is_usable(self: Any) -> bool:
        # Django checks a reused connection with a query of its own, outside execute_wrappers.
        with cost.lock:
            cost.queries += 1
            cost.sql.append("-- health check (SELECT 1)")
        return patched.original("is_usable")(self)

    def create_cursor(self: Any, name: Any = None) -> Any:
        wrap(self)  # a connection another thread opened before the block
        return patched.original("create_cursor")(self, name)

    for alias in connections:
        wrap(connections[alias])
    patched.set("is_usable", is_usable)
    patched.set("create_cursor", create_cursor)
    connection_created.connect(on_created, weak=False)
    try:
        yield
    finally:
        connection_created.disconnect(on_created)
        patched.restore()
        for connection in wrapped:
            if cost.query in connection.execute_wrappers:
                connection.execute_wrappers.remove(cost.query)


class Patch:
    """Methods replaced on a class for a while, then put back as they were."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.saved: dict[str, tuple[bool, Any]] = {}

    def original(self, name: str) -> Any:
        own, method = self.saved[name]
        return method

    def set(self, name: str, method: Any) -> None:
        self.saved[name] = (name in self.cls.__dict__, getattr(self.cls, name))
        setattr(self.cls, name, method)

    def restore(self) -> None:
        for name, (own, method) in self.saved.items():
            if own:
                setattr(self.cls, name, method)
            else:
                delattr(self.cls, name)


@contextmanager
def _count_cache(cost: Cost) -> Iterator[None]:
    patched = Patch(type(caches["default"]))
    depth = threading.local()

    def counting(method: Callable[..., Any]) -> Callable[..., Any]:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            # get_many and get_or_set may call get and add: count the outermost call only.
            level = getattr(depth, "value", 0)
            depth.value = level + 1
            try:
                if not level:
                    with cost.lock:
                        cost.cache += 1
                        cost.cache_calls.append(f"{method.__name__} {args[0] if args else ''}")
                return method(self, *args, **kwargs)
            finally:
                depth.value = level

        return call

    def counting_on_the_loop(function: Callable[..., Any]) -> Callable[..., Any]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            # The local-memory cache is read through its class on the loop too: counted there.
            if warmcache.backend() == "redis":
                with cost.lock:
                    cost.cache += 1
                    cost.cache_calls.append(f"{function.__name__} {args[0] if args else ''}")
            return await function(*args, **kwargs)

        return call

    for name in CACHE_METHODS:
        patched.set(name, counting(getattr(patched.cls, name)))
    real = {name: getattr(warmcache, name) for name in LOOP_METHODS}
    for name, function in real.items():
        setattr(warmcache, name, counting_on_the_loop(function))
    try:
        yield
    finally:
        patched.restore()
        for name, function in real.items():
            setattr(warmcache, name, function)
