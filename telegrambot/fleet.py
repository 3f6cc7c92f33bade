"""One customer's updates one at a time, in ``update_id`` order, across every webhook worker.

Each update queued by the web process is also noted in its sender's sorted set
(``telegrambot/stream.py``). A worker may run an update when it is the lowest
id left in that set and the worker holds the customer's lease, a Redis key
renewed while the update runs, deleted when it ends and expiring after
``WEBHOOK_CLAIM_SECONDS`` when the worker dies. Other customers' updates are
not held up meanwhile.

A finished update is remembered for a day (its handled record, written with the
lease given up, in one script): when a dead worker's entry is claimed by
another worker, or a stalled worker's by a live one, the update is run only
if it was not finished already, so nothing is answered twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError

from monitoring.metrics import WEBHOOK_UPDATES
from telegrambot.stream import DAY, customer_queue_key

logger = logging.getLogger("shopbot.bot")

ACQUIRED, DONE_BEFORE, HELD, EARLIER_WAITING = 1, 2, 0, -1
# KEYS: lease, the customer's queue, handled record; ARGV: token, update id, lease ms, drop the head
ACQUIRE = """
if redis.call('EXISTS', KEYS[3]) == 1 then
    redis.call('ZREM', KEYS[2], ARGV[2])
    return 2
end
local held = redis.call('EXISTS', KEYS[1]) == 1
local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
if head and head ~= ARGV[2] then
    if held then return 0 end
    if ARGV[4] == '1' then redis.call('ZREM', KEYS[2], head) end
    return -1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then return 1 end
return 0
"""
# KEYS: lease, the customer's queue, handled record; ARGV: token, update id, record ttl, finished
RELEASE = """
if ARGV[4] == '1' then
    redis.call('SET', KEYS[3], 1, 'EX', ARGV[3])
    redis.call('ZREM', KEYS[2], ARGV[2])
end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""
# KEYS: leases; ARGV: their tokens, then the lease ms
RENEW = """
local renewed = 0
for i, key in ipairs(KEYS) do
    if redis.call('GET', key) == ARGV[i] then
        redis.call('PEXPIRE', key, ARGV[#ARGV])
        renewed = renewed + 1
    end
end
return renewed
"""
FIRST_RETRY, LAST_RETRY = 0.005, 0.1  # seconds between looks at a customer's turn


def lease_key(sender: int) -> str:
    return str(cache.make_key(f"telegram:customer:{sender}:lease"))


def handled_key(update_id: int) -> str:
    return str(cache.make_key(f"telegram:handled:{update_id}"))


class Fleet:
    """The Redis side of ``OneUpdatePerCustomer`` for webhook workers (``redis.asyncio`` client)."""

    def __init__(self, client: Any, *, worker: str, lease_seconds: float) -> None:
        self.client = client
        self.worker = worker
        self.lease_ms = int(lease_seconds * 1000)
        # An earlier update nobody runs for this long is taken as lost (trimmed unread): skipped.
        self.order_wait = 3 * lease_seconds
        self.held: dict[str, str] = {}  # lease key -> token, renewed by renew()
        self._acquire = client.register_script(ACQUIRE)
        self._release = client.register_script(RELEASE)
        self._renew = client.register_script(RENEW)

    @asynccontextmanager
    async def turn(self, sender: int | None, update_id: int) -> AsyncIterator[bool]:
        """Wait for this update's turn and yield whether it was handled before (then skip it).

        Leaving the block normally records the update as handled; an exception
        leaves it to be redelivered.
        """
        if sender is None:
            if await self.client.exists(handled_key(update_id)):
                WEBHOOK_UPDATES.labels(event="already_done").inc()
                yield True
                return
            yield False
            await self.until_written(lambda: self.client.set(handled_key(update_id), 1, ex=DAY))
            WEBHOOK_UPDATES.labels(event="handled").inc()
            return
        keys = [lease_key(sender), customer_queue_key(sender), handled_key(update_id)]
        token = f"{self.worker}:{update_id}"
        if await self.wait_for_turn(keys, token, update_id) == DONE_BEFORE:
            WEBHOOK_UPDATES.labels(event="already_done").inc()
            yield True
            return
        self.held[keys[0]] = token
        finished = False
        try:
            yield False
            finished = True
        finally:
            self.held.pop(keys[0], None)
            await self.until_written(
                lambda: self._release(keys=keys, args=[token, update_id, DAY, int(finished)])
            )
        WEBHOOK_UPDATES.labels(event="handled").inc()

    async def wait_for_turn(self, keys: list[str], token: str, update_id: int) -> int:
        loop = asyncio.get_running_loop()
        retry, unclaimed_since = FIRST_RETRY, None
        while True:
            drop_head = unclaimed_since is not None and loop.time() - unclaimed_since > self.order_wait
            code = int(await self._acquire(keys=keys, args=[token, update_id, self.lease_ms, int(drop_head)]))
            if code in (ACQUIRED, DONE_BEFORE):
                return code
            if drop_head:
                logger.warning("Update %s stopped waiting for an earlier one that never came", update_id)
                unclaimed_since = None
                continue
            if code == EARLIER_WAITING and unclaimed_since is None:
                unclaimed_since = loop.time()
            elif code == HELD:
                unclaimed_since = None
            await asyncio.sleep(retry)
            retry = min(retry * 2, LAST_RETRY)

    async def until_written(self, write: Callable[[], Awaitable[Any]]) -> None:
        """Retry an idempotent write through a short Redis outage, for as long as the lease lasts.

        The handled record is what keeps a redelivered update from being answered
        again: it is worth waiting for, where giving up would answer twice.
        """
        deadline = asyncio.get_running_loop().time() + self.lease_ms / 1000
        retry = FIRST_RETRY
        while True:
            try:
                await write()
                return
            except (RedisError, OSError):
                if asyncio.get_running_loop().time() > deadline:
                    raise
            await asyncio.sleep(retry)
            retry = min(retry * 2, 1.0)

    async def renew(self) -> None:
        """Extend the leases of the customers this worker is serving."""
        held = dict(self.held)
        if held:
            await self._renew(keys=list(held), args=[*held.values(), self.lease_ms])
