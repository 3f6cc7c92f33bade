"""The one bridge from PTB's event loop to the synchronous service layer.

On PostgreSQL the calls run on a pool of ``BOT_DB_THREADS`` database threads,
each with its own connection, so the ORM work of concurrent updates does not
queue on one thread; services are transactional and lock what they change, so
none needs a particular thread. On SQLite (one writer at a time) and with
``BOT_DB_THREADS=1`` they run on asgiref's one thread-sensitive thread, where
the tests' transaction lives too.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.db import close_old_connections, connection, connections

from monitoring.metrics import WARM_READS
from shopbot import warmcache

P = ParamSpec("P")
R = TypeVar("R")
# The check below costs a query (CONN_HEALTH_CHECKS): once a second is enough for
# persistent connections, where once a call doubled the queries of a screen.
CHECK_EVERY = 1.0
FETCH_ROUNDS = 4  # cache round trips a warm read may take before it goes to the ORM thread
LEARNED_MAX = 10_000  # reads whose keys are remembered (a few per active customer)
# The event loop's only: reads run there, one at a time.
_learned: OrderedDict[tuple | None, tuple[str, ...]] = OrderedDict()
_checked = threading.local()
LOOP_READS, ORM_READS = WARM_READS.labels(path="loop"), WARM_READS.labels(path="orm")
_pool: ThreadPoolExecutor | None = None


def _run(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    # No request/response cycle closes connections in a long-running bot, so a
    # connection idle past the server's timeout would fail on first use.
    # Skipped inside a transaction, i.e. in tests (as in healthchecks' sendalerts);
    # at once after a database error.
    if not connection.in_atomic_block:
        started = time.monotonic()
        if connection.errors_occurred or started - getattr(_checked, "at", -CHECK_EVERY) >= CHECK_EVERY:
            close_old_connections()
            _checked.at = started
    return func(*args, **kwargs)


def pool_size() -> int:
    sqlite = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    return 1 if sqlite else settings.BOT_DB_THREADS


def database_threads() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=pool_size(), thread_name_prefix="orm")
    return _pool


async def call(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a service or selector on a database thread and return its result."""
    try:
        if pool_size() <= 1:
            return await sync_to_async(_run)(func, *args, **kwargs)
        return await sync_to_async(_run, thread_sensitive=False, executor=database_threads())(
            func, *args, **kwargs
        )
    finally:
        warmcache.drop_carried()  # it may have changed what this update read on the loop


async def read(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a cached read on the event loop (``shopbot.warmcache``); on a miss, through ``call``.

    Only for reads whose code marks every database query and cache write with
    ``warmcache.needs_orm()``: the cached pages and the gate's admission.
    """
    return await read_keys((), func, *args, **kwargs)


async def read_keys(keys: Iterable[str], func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``read``, fetching ``keys`` (those it is known to read) in its first round trip.

    The first round trip also fetches the keys the same read with the same
    arguments asked for last time (so a warm screen takes one round trip and
    one run of its code), and none this update fetched already
    (``warmcache.UpdateScope``).
    """
    fetched = warmcache.carried()
    shape = call_shape(func, args, kwargs)
    wanted = [key for key in dict.fromkeys([*keys, *_learned.get(shape, ())]) if key not in fetched]
    if wanted:
        try:
            fetched.update(await warmcache.aget_many(wanted))
        except Exception:  # noqa: BLE001 - a backend the loop cannot read, or the cache away: the ORM side
            ORM_READS.inc()
            return await call(func, *args, **kwargs)
    for _ in range(FETCH_ROUNDS):
        mode = warmcache.LoopMode(fetched)
        try:
            with mode:
                result = func(*args, **kwargs)
        except warmcache.NeedKeys as need:
            try:
                fetched.update(await warmcache.aget_many(need.keys))
            except Exception:  # noqa: BLE001 - a backend the loop cannot read, or the cache away: the ORM side
                break
            continue
        except (warmcache.Miss, SynchronousOnlyOperation):
            break
        LOOP_READS.inc()
        learn(shape, mode.asked)
        warmcache.note_asked(mode.asked)
        warmcache.carry(fetched)
        return result
    ORM_READS.inc()
    return await call(func, *args, **kwargs)


def call_shape(func: Callable[..., object], args: tuple, kwargs: dict) -> tuple | None:
    """What identifies a read for remembering its keys: the function and its arguments, if hashable."""
    shape = (func, args, tuple(sorted(kwargs.items())))
    try:
        hash(shape)
    except TypeError:
        return None
    return shape


def learn(shape: tuple | None, asked: set[str]) -> None:
    """Remember the keys a read asked for, for its next first round trip (the newest LEARNED_MAX reads)."""
    if shape is None:
        return
    _learned[shape] = tuple(asked)
    _learned.move_to_end(shape)
    if len(_learned) > LEARNED_MAX:
        _learned.popitem(last=False)


def forget_learned_keys() -> None:
    """Forget every read's and route's remembered keys (tests that count round trips start from none)."""
    _learned.clear()
    warmcache.forget_route_keys()


def close_pool() -> None:
    """Close every database thread's connection and stop the threads (at shutdown)."""
    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    size = pool._max_workers
    # Connections belong to threads: one close per thread, so each waits until all threads hold one.
    barrier = threading.Barrier(size)

    def close() -> None:
        barrier.wait(timeout=30)
        connections.close_all()

    for future in [pool.submit(close) for _ in range(size)]:
        future.result()
    pool.shutdown()
