"""The warm read path: cached reads answered on the bot's event loop, without the ORM thread.

A screen whose data is all in the shared cache (the gate's admission, the
shop's cached pages) needs no database, yet a call through the adapter costs a
hop to the ORM thread and back on every update. ``telegrambot.adapter.read``
runs such a read on the event loop instead, *in loop mode*:

- every cache read of the code it runs goes through ``get_many`` (or ``get``)
  here, which answers from the values fetched so far, or asks for the keys it
  lacks (``NeedKeys``); the runner fetches them on the loop (``aget_many``:
  the same ``caches["default"]`` object directly for the in-process local
  memory cache, redis-py's asyncio client for Redis, with django-redis' keys
  and serializer) and runs the code again;
- anything that would need the database or write to the cache calls
  ``needs_orm()`` first, which raises ``Miss`` in loop mode: the runner then
  runs the whole read on the ORM thread as before, where it builds what is
  missing. So a read gives the same answer on either path.

Outside loop mode (the ORM thread, the web process) these functions are the
cache's own.

Inside one update (``UpdateScope``) the values fetched on the loop are kept
for the update's later reads until it next goes to the ORM thread (which may
change anything): the gate's round trip fetches what the handler's reads need
of the customer's state too. Another update of the same customer waits its
turn, so nothing else changes those values meanwhile.

An update has a *route* (a button's data, a command): the keys its reads
asked for on the loop, beyond the gate's own, are remembered for the route,
and the gate's round trip of the next update with the same route, whoever
sends it, fetches them as well (``route_keys``). So a warm shop page takes
one round trip in all. Remembered keys only save a round trip: a key that is
gone or not needed any more costs a read, never a wrong answer.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache, caches

ABSENT = object()  # a key fetched and not found in the cache
_fetched: ContextVar[dict[str, Any] | None] = ContextVar("warm_cache_fetched", default=None)
_asked: ContextVar[set[str] | None] = ContextVar("warm_cache_asked", default=None)
_carried: ContextVar[dict[str, Any] | None] = ContextVar("warm_cache_carried", default=None)
_scope: ContextVar[UpdateScope | None] = ContextVar("warm_cache_scope", default=None)
ROUTES_MAX = 10_000  # routes whose keys are remembered (button data and commands in use)
# The event loop's only: updates begin and end there.
_route_keys: OrderedDict[str, tuple[str, ...]] = OrderedDict()


# Both are BaseExceptions, as CancelledError is: control flow that a broad ``except Exception``
# on the way (a cache read that falls back to the table, say) must not swallow.
class Miss(BaseException):
    """The read needs the database or a cache write: it runs on the ORM thread instead."""


class NeedKeys(BaseException):
    """The read wants cache keys not fetched yet."""

    def __init__(self, keys: list[str]) -> None:
        super().__init__(keys)
        self.keys = keys


def on_the_loop() -> bool:
    return _fetched.get() is not None


def needs_orm() -> None:
    """Call before a database query or a cache write that a warm read may reach."""
    if _fetched.get() is not None:
        raise Miss


def get_many(keys: Iterable[str]) -> dict[str, Any]:
    """``cache.get_many``, answered from the fetched values in loop mode."""
    fetched = _fetched.get()
    keys = list(keys)
    if fetched is None:
        return cache.get_many(keys)
    _asked.get().update(keys)
    wanted = [key for key in keys if key not in fetched]
    if wanted:
        raise NeedKeys(wanted)
    return {key: fetched[key] for key in keys if fetched[key] is not ABSENT}


def get(key: str, default: Any = None) -> Any:
    """``cache.get``, answered from the fetched values in loop mode."""
    if _fetched.get() is None:
        return cache.get(key, default)
    return get_many([key]).get(key, default)


class LoopMode:
    """Run sync code in loop mode with the values fetched so far (``with LoopMode(fetched):``).

    ``asked`` collects every key the code read, for the next time it runs.
    """

    def __init__(self, fetched: dict[str, Any]) -> None:
        self.fetched = fetched
        self.asked: set[str] = set()

    def __enter__(self) -> None:
        self.tokens = (_fetched.set(self.fetched), _asked.set(self.asked))

    def __exit__(self, *exc: object) -> None:
        fetched, asked = self.tokens
        _fetched.reset(fetched)
        _asked.reset(asked)


class UpdateScope:
    """``with UpdateScope(route):`` around one update, whose loop reads then share what they fetched.

    The keys those reads asked for, beyond the gate's (``route_keys``), are
    remembered for ``route`` when the update ends.
    """

    def __init__(self, route: str | None = None) -> None:
        self.route = route
        self.asked: set[str] = set()
        self.gates: set[str] = set()

    def __enter__(self) -> None:
        self.tokens = (_carried.set({}), _scope.set(self))

    def __exit__(self, *exc: object) -> None:
        carried, scope = self.tokens
        _carried.reset(carried)
        _scope.reset(scope)
        learned = self.asked - self.gates
        if self.route is not None and learned:
            _route_keys[self.route] = tuple(sorted(learned))
            _route_keys.move_to_end(self.route)
            while len(_route_keys) > ROUTES_MAX:
                _route_keys.popitem(last=False)


def route_keys(gates: list[str]) -> list[str]:
    """The gate's ``gates`` keys and those the last update of this route read on the loop after it."""
    scope = _scope.get()
    if scope is None:
        return gates
    scope.gates.update(gates)
    learned = _route_keys.get(scope.route, ()) if scope.route is not None else ()
    return [*gates, *(key for key in learned if key not in scope.gates)]


def note_asked(keys: Iterable[str]) -> None:
    """Record keys a read answered on the loop asked for, for this update's route."""
    scope = _scope.get()
    if scope is not None:
        scope.asked.update(keys)


def forget_route_keys() -> None:
    """Forget every route's keys (for tests)."""
    _route_keys.clear()


def carried() -> dict[str, Any]:
    """A copy of the values this update fetched on the loop so far (empty outside an update)."""
    return dict(_carried.get() or {})


def carry(values: dict[str, Any]) -> None:
    """Keep ``values`` fetched on the loop for the rest of this update."""
    kept = _carried.get()
    if kept is not None:
        kept.update(values)


def drop_carried() -> None:
    """Forget what this update fetched: it went to the ORM thread, which may have changed it."""
    kept = _carried.get()
    if kept is not None:
        kept.clear()


# --- the event loop's side of the cache ---------------------------------------------------------
def backend() -> str | None:
    """``"locmem"``, ``"redis"``, or None for a cache the loop cannot read (then nothing is warm)."""
    default = caches["default"]
    name = type(default).__module__
    if name == "django.core.cache.backends.locmem":
        return "locmem"
    if name.startswith("django_redis"):
        return "redis"
    return None


# event loop -> its redis.asyncio client (a client's connections belong to one loop)
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()


def redis_client() -> Any:
    """The asyncio client of the cache's Redis for the running event loop (one per loop)."""
    from django.conf import settings
    from redis.asyncio import Redis

    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        options = settings.CACHES["default"].get("OPTIONS", {})
        client = _clients[loop] = Redis.from_url(
            settings.CACHES["default"]["LOCATION"],
            socket_connect_timeout=options.get("SOCKET_CONNECT_TIMEOUT", 2),
            socket_timeout=options.get("SOCKET_TIMEOUT", 2),
        )
    return client


async def close_clients() -> None:
    """Close this loop's Redis client (at shutdown)."""
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()


async def aget_many(keys: list[str]) -> dict[str, Any]:
    """Read ``keys`` on the event loop; a key not in the cache maps to ``ABSENT``."""
    kind = backend()
    if kind == "locmem":
        # In-process memory behind a lock held for microseconds: no thread needed.
        found = caches["default"].get_many(keys)
    elif kind == "redis":
        default = caches["default"]
        raw = await redis_client().mget([default.make_key(key) for key in keys])
        decode = default.client.decode
        found = {key: decode(value) for key, value in zip(keys, raw, strict=True) if value is not None}
    else:
        raise Miss
    return {key: found.get(key, ABSENT) for key in keys}


async def acount(key: str, timeout: int, *, also: list[str] | None = None) -> int:
    """Add one to the counter ``key`` (created at 1, expiring after ``timeout`` s); return it.

    The same value as ``cache.add(key, 1, timeout)`` or else ``cache.incr(key)``, as
    django-ratelimit counts, so both sides count into one window. The keys
    ``also`` are read in the same round trip and kept for the update (``carry``).
    """
    kind = backend()
    if kind == "locmem":
        default = caches["default"]
        if also:
            found = default.get_many(also)  # in-process memory, as in ``aget_many``
            carry({name: found.get(name, ABSENT) for name in also})
        if default.add(key, 1, timeout):
            return 1
        try:
            return int(default.incr(key))
        except ValueError:  # expired between the two calls: a new window
            default.add(key, 1, timeout)
            return 1
    if kind == "redis":
        default = caches["default"]
        full = default.make_key(key)
        # django-redis stores integers as plain Redis integers, so INCR counts its values too.
        async with redis_client().pipeline(transaction=True) as pipe:
            pipe.set(full, 0, nx=True, ex=timeout)
            pipe.incr(full)
            if also:
                pipe.mget([default.make_key(name) for name in also])
            answers = await pipe.execute()
        if also:
            raw = answers[2]
            found = {
                name: default.client.decode(value)
                for name, value in zip(also, raw, strict=True)
                if value is not None
            }
            carry({name: found.get(name, ABSENT) for name in also})
        return int(answers[1])
    raise Miss
