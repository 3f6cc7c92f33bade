"""A webhook worker's half of webhook mode: read the stream in the consumer group, handle, acknowledge.

Every ``runbot --webhook`` worker is one consumer of the group ``runbot`` on the
stream the web process fills (``telegrambot/stream.py``):

- it reads with ``XREADGROUP`` up to twice ``BOT_CONCURRENT_UPDATES`` entries
  ahead (the running ones and a waiting room for a customer's later presses)
  and hands each to the Application, which runs up to ``BOT_CONCURRENT_UPDATES``
  at once (``OneUpdatePerCustomer``);
- it ``XACK``s an entry only once its update is handled: answered, or refused
  by the error handler. A worker that dies leaves its entries pending;
- every ``WEBHOOK_CLAIM_SECONDS / 3`` it touches its pending entries (and
  renews its customers' leases), so only a silent worker's entries grow idle;
  every ``WEBHOOK_CLAIM_SECONDS / 5`` it claims, with ``XAUTOCLAIM``, entries
  idle for ``WEBHOOK_CLAIM_SECONDS``, and handles them unless their handled
  record says another worker finished them (``telegrambot/fleet.py``);
- when Redis is away it waits and reads again, creating the group again if a
  Redis restarted without its data lost it.

So every update is delivered at least once to the workers and takes effect once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
from typing import Any

from django.conf import settings
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from telegram import Update
from telegram.ext import Application

from monitoring.metrics import WEBHOOK_UPDATES
from telegrambot.concurrency import OneUpdatePerCustomer
from telegrambot.fleet import Fleet
from telegrambot.stream import GROUP, stream_key

logger = logging.getLogger("shopbot.bot")

READ_BLOCK_MS = 1000  # how long a read waits for new entries before looking for a stop
AHEAD = 2  # entries taken per update that may run at once
# Claim rounds per WEBHOOK_CLAIM_SECONDS: a dead worker's update waits at most 1.2 of it.
CLAIM_ROUNDS = 5
CLAIM_PAGES = 16  # XAUTOCLAIM calls per claim round at most, each scanning up to 10 x capacity entries
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def connect() -> Redis:
    """Return an asyncio client of the cache's Redis, for PTB's event loop."""
    return Redis.from_url(
        settings.CACHES["default"]["LOCATION"],
        socket_connect_timeout=2,
        socket_timeout=READ_BLOCK_MS / 1000 + 5,
    )


class StreamConsumer:
    """One worker's consumer of the update stream; ``run()`` until ``stopping`` is set."""

    def __init__(self, application: AnyApplication, client: Redis, *, name: str | None = None) -> None:
        self.application = application
        self.client = client
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.key = stream_key()
        self.claim_seconds = settings.WEBHOOK_CLAIM_SECONDS
        self.capacity = AHEAD * settings.BOT_CONCURRENT_UPDATES
        self.fleet = Fleet(client, worker=self.name, lease_seconds=self.claim_seconds)
        self.taken: dict[str, asyncio.Task[None]] = {}
        self.outage = False

    async def run(self, stopping: asyncio.Event) -> None:
        """Take entries until ``stopping`` is set, then finish and acknowledge the ones taken."""
        processor = self.application.update_processor
        assert isinstance(processor, OneUpdatePerCustomer), "webhook workers need OneUpdatePerCustomer"
        processor.fleet = self.fleet
        keeper = asyncio.create_task(self.keep_alive(stopping))
        loop = asyncio.get_running_loop()
        claim_at = 0.0
        try:
            while not stopping.is_set():
                await self.wait_for_room()
                try:
                    if loop.time() >= claim_at:
                        await self.claim()
                        claim_at = loop.time() + self.claim_seconds / CLAIM_ROUNDS
                    await self.read()
                except (RedisError, OSError) as error:
                    await self.redis_away(error)
                    continue
                self.redis_back()
        finally:
            if self.taken:
                await asyncio.wait(list(self.taken.values()))
            keeper.cancel()
            await self.leave()

    async def wait_for_room(self) -> None:
        while len(self.taken) >= self.capacity:
            await asyncio.wait(list(self.taken.values()), return_when=asyncio.FIRST_COMPLETED)

    async def ensure_group(self) -> None:
        """Create the consumer group (and the stream) unless they exist; from the start, so nothing is skipped."""
        try:
            await self.client.xgroup_create(self.key, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def read(self) -> None:
        room = self.capacity - len(self.taken)
        if room <= 0:  # a claim filled the waiting room (XREADGROUP refuses COUNT 0)
            return
        try:
            answer = await self.client.xreadgroup(
                GROUP, self.name, {self.key: ">"}, count=room, block=READ_BLOCK_MS
            )
        except ResponseError as error:
            if "NOGROUP" not in str(error):
                raise
            await self.ensure_group()
            return
        for _stream, entries in answer or []:
            for entry_id, fields in entries:
                self.take(entry_id, fields)

    async def claim(self) -> None:
        """Take over every entry a silent worker left idle for WEBHOOK_CLAIM_SECONDS, in one round.

        Not only as many as there is room for: a dead worker held up to its own
        capacity, and what is left behind waits another round (and a customer's
        later update, here, waits for it), so a busy survivor would take minutes.
        The extra entries wait in the waiting room like a customer's later presses.
        """
        claimed: list[tuple[Any, dict[bytes, bytes]]] = []
        start: Any = "0-0"
        for _ in range(CLAIM_PAGES):
            try:
                answer = await self.client.xautoclaim(
                    self.key,
                    GROUP,
                    self.name,
                    min_idle_time=self.claim_seconds * 1000,
                    start_id=start,
                    count=self.capacity,
                )
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                await self.ensure_group()
                return
            claimed += [(entry_id, fields) for entry_id, fields in answer[1] if fields is not None]
            start = answer[0]
            if start in (b"0-0", "0-0"):
                break
        taken = sum(1 for entry_id, fields in claimed if self.take(entry_id, fields))
        if taken:
            WEBHOOK_UPDATES.labels(event="claimed").inc(taken)
            logger.info("Claimed %s updates a silent worker had taken", taken)

    def take(self, entry_id: Any, fields: dict[bytes, bytes]) -> bool:
        entry = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        if entry in self.taken:
            return False  # this worker's own, claimed back while it ran: it is acknowledged once
        self.taken[entry] = asyncio.create_task(self.handle(entry, fields))
        return True

    async def handle(self, entry: str, fields: dict[bytes, bytes]) -> None:
        try:
            try:
                update = Update.de_json(json.loads(fields[b"update"]), self.application.bot)
            except (KeyError, ValueError, TypeError):
                logger.error("Stream entry %s holds no update: dropped", entry)
            else:
                await self.application.update_processor.process_update(
                    update, self.application.process_update(update)
                )
            await self.client.xack(self.key, GROUP, entry)
        except (RedisError, OSError) as error:
            # Left pending: claimed again after WEBHOOK_CLAIM_SECONDS, run then unless it was finished.
            logger.warning("Update of stream entry %s left for another try: %r", entry, error)
        except Exception:
            logger.exception("Update of stream entry %s failed outside its handlers", entry)
        finally:
            del self.taken[entry]

    async def keep_alive(self, stopping: asyncio.Event) -> None:
        """Keep this worker's entries from looking abandoned, and its customers' leases alive."""
        while True:
            await asyncio.sleep(self.claim_seconds / 3)
            try:
                if self.taken:
                    await self.client.xclaim(
                        self.key, GROUP, self.name, min_idle_time=0, message_ids=list(self.taken), justid=True
                    )
                await self.fleet.renew()
            except (RedisError, OSError) as error:
                logger.warning("Could not renew this worker's updates: %r", error)

    async def redis_away(self, error: Exception) -> None:
        if not self.outage:
            logger.warning("Cannot read the update stream: %r", error)
        self.outage = True
        await asyncio.sleep(1)

    def redis_back(self) -> None:
        if self.outage:
            logger.info("The update stream is reachable again")
            self.outage = False

    async def leave(self) -> None:
        """Remove this consumer from the group on a clean stop (nothing of it is pending then)."""
        try:
            mine = await self.client.xpending_range(
                self.key, GROUP, min="-", max="+", count=1, consumername=self.name
            )
            if not mine:  # deleting a consumer drops its pending entries: only when there are none
                await self.client.xgroup_delconsumer(self.key, GROUP, self.name)
        except (RedisError, OSError) as error:
            logger.warning("Could not leave the consumer group: %r", error)


async def consume(application: AnyApplication, stopping: asyncio.Event) -> None:
    """Serve the update stream until ``stopping`` is set (``runbot --webhook``)."""
    client = connect()
    consumer = StreamConsumer(application, client)
    try:
        while True:
            try:
                await consumer.ensure_group()
                break
            except (RedisError, OSError) as error:
                await consumer.redis_away(error)
                if stopping.is_set():
                    return
        consumer.redis_back()
        logger.info("Taking updates from the stream as consumer %s", consumer.name)
        await consumer.run(stopping)
    finally:
        await client.aclose()
