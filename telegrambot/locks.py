"""The job lock: background jobs run on one ``runbot`` worker at a time.

Every worker schedules the same jobs (payment reconciliation, the notice
sweep, retention); each job is wrapped in ``run_exclusively`` and a tick runs
only on the worker that holds the job lock. Other workers skip the tick; they
do not queue it. The lock is one key in the shared cache with an expiry of
``JOB_LOCK_SECONDS`` (30 s):

- with Redis it is a redis-py ``Lock`` (a random token, checked and extended
  atomically by Redis scripts). Its holder renews it every third of the expiry
  (``renew_job_lock``, scheduled on every worker, also takes a free lock); a
  worker that dies or hangs loses it after the expiry, and a graceful stop
  releases it at once, so another worker takes over within seconds;
- with the embedded local-memory cache there is one process, and the lock is
  that process's own.

Before each tick the holder renews the lock; a worker that cannot reach the
cache runs nothing. A tick therefore runs on one worker, but a job must not
count on running at a given tick: each job does whatever is due when it runs.
Broadcasts are not under this lock: each has its own lease in the database
(``telegrambot.services.broadcasts``), so the worker that confirmed it sends it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import LockError
from telegram.ext import Application

from telegrambot.context import ShopContext

logger = logging.getLogger("shopbot.bot")

KEY = "runbot:job-lock"
Job = Callable[[ShopContext], Awaitable[None]]


class JobLock:
    """One worker's handle on the shared job lock."""

    def __init__(self, *, seconds: float, key: str = KEY) -> None:
        self.key, self.seconds = key, seconds
        self.token = uuid.uuid4().hex
        self.held = False
        self.redis_lock: Any = None

    def hold(self) -> bool:
        """Take the lock or extend it; return whether this worker holds it now. Never raises."""
        was_held = self.held
        try:
            self.held = self.hold_redis() if hasattr(cache, "lock") else self.hold_local()
        except Exception as error:  # noqa: BLE001 - the cache is away: hold nothing, run nothing
            if self.held:
                logger.warning("Lost the job lock: the cache cannot be reached (%r)", error)
            self.held = False
        if self.held and not was_held:
            logger.info("This worker now runs the background jobs")
        return self.held

    def hold_redis(self) -> bool:
        if self.redis_lock is None:
            self.redis_lock = cache.lock(self.key, timeout=self.seconds, thread_local=False)
        if self.held:
            try:
                self.redis_lock.reacquire()
                return True
            except LockError:
                logger.warning("The job lock expired or was taken over; trying to take it again")
        return bool(self.redis_lock.acquire(blocking=False))

    def hold_local(self) -> bool:
        if cache.get(self.key) == self.token:
            cache.set(self.key, self.token, timeout=self.seconds)
            return True
        return cache.add(self.key, self.token, timeout=self.seconds)

    def release(self) -> None:
        """Give the lock up, so another worker takes it at its next renewal. Never raises."""
        if not self.held:
            return
        self.held = False
        try:
            if self.redis_lock is not None:
                self.redis_lock.release()
            elif cache.get(self.key) == self.token:
                cache.delete(self.key)
        except Exception:
            logger.warning("Could not release the job lock; it expires in %s s", self.seconds, exc_info=True)

    async def ahold(self) -> bool:
        # In a thread: a cache that does not answer must not stall the updates on the event loop.
        return await asyncio.to_thread(self.hold)

    async def arelease(self) -> None:
        await asyncio.to_thread(self.release)


def job_lock(application: Application[Any, Any, Any, Any, Any, Any]) -> JobLock:
    """Return this worker's job lock (one per application)."""
    lock = application.bot_data.get("job_lock")
    if lock is None:
        lock = application.bot_data["job_lock"] = JobLock(seconds=settings.JOB_LOCK_SECONDS)
    return lock


def run_exclusively(name: str, job: Job) -> Job:
    """Wrap a JobQueue callback so that a tick runs only on the worker holding the job lock."""

    @functools.wraps(job)
    async def exclusive(context: ShopContext) -> None:
        if not await job_lock(context.application).ahold():
            logger.debug("Skipping %s: another worker holds the job lock", name)
            return
        await job(context)

    return exclusive


async def renew_job_lock(context: ShopContext) -> None:
    """Keeps (or takes) the job lock between ticks; runs on every worker."""
    await job_lock(context.application).ahold()


def schedule_renewal(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if application.job_queue is not None:
        interval = job_lock(application).seconds / 3
        # first=0 would wait a whole interval (APScheduler), hence half a second.
        application.job_queue.run_repeating(renew_job_lock, interval=interval, first=0.5, name="job_lock")
