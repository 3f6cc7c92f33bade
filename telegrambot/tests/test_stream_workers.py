"""Webhook workers on the update stream, with the web process (gunicorn) in front, as in production.

A worker killed while handling leaves its update to another, which answers it
once; a finished update the stream delivers again is not answered again; one
customer's presses, spread over three workers, are handled in order and one at
a time; a Redis restart loses nothing Telegram was told was received. Counted
and compared, never timed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from telegrambot import stream
from telegrambot.testing.server import FakeTelegramServer
from telegrambot.testing.workers import BotProcess, ThrowawayRedis, WebProcess, user_message
from telegrambot.tests.webhook_workers import SECRET, WebhookTelegram, worker_env

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
HANDLED = 'shopbot_webhook_updates_total{event="handled"}'
CLAIMED = 'shopbot_webhook_updates_total{event="claimed"}'
ALREADY_DONE = 'shopbot_webhook_updates_total{event="already_done"}'
pytestmark = [
    pytest.mark.skipif(
        not (IS_POSTGRES and stream.uses_redis()), reason="webhook workers need PostgreSQL and Redis"
    ),
    pytest.mark.django_db(transaction=True),
]


def customer(number: int) -> dict[str, Any]:
    return {"id": 7000 + number, "is_bot": False, "first_name": f"User{number}", "language_code": "en"}


def start_update(user: dict[str, Any], update_id: int, command: str = "/start") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": user_message(user, command, message_id=update_id, date=int(time.time())),
    }


class Fleet:
    """The fake Bot API, the web process and the workers of one test."""

    def __init__(self, telegram: WebhookTelegram, server: FakeTelegramServer, env: dict[str, str]) -> None:
        self.telegram, self.server, self.env = telegram, server, env
        self.web: WebProcess | None = None
        self.workers: list[BotProcess] = []

    async def add_worker(self, **env: str) -> BotProcess:
        worker = await BotProcess.start({**self.env, **env}, "--webhook")
        self.workers.append(worker)
        await self.server.wait_until(lambda: len(self.telegram.webhooks) >= len(self.workers), timeout=90)
        return worker

    async def post(self, update: dict[str, Any]) -> int:
        assert self.web is not None
        return await self.web.post_update(update, secret=SECRET)

    def answers(self, user: dict[str, Any]) -> int:
        return len(self.telegram.bot_messages(user["id"]))

    async def total(self, sample: str) -> float:
        return sum([await worker.metric(sample) for worker in self.workers])


@asynccontextmanager
async def fleet_of(*, outage: bool = False, **env: str) -> AsyncIterator[Fleet]:
    telegram = WebhookTelegram()
    server = FakeTelegramServer(telegram)
    # Short claims keep the test short; RATE_LIMITS off: one customer presses twenty times.
    environment = worker_env(
        await server.start(), **{"WEBHOOK_CLAIM_SECONDS": "5", "RATE_LIMITS": "0", **env}
    )
    fleet = Fleet(telegram, server, environment)
    try:
        fleet.web = await WebProcess.start(environment)
        yield fleet
    finally:
        codes = [await worker.stop() for worker in fleet.workers if worker.process.returncode is None]
        if fleet.web is not None:
            await fleet.web.stop()
        await server.stop()
        await sync_to_async(connections.close_all)()
    outputs = "\n".join(worker.output for worker in fleet.workers)
    assert set(codes) <= {0}, outputs
    assert outage or "Traceback" not in outputs, outputs  # an outage logs the heartbeat's failures


async def until(condition: Callable[[], Any], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def test_it_hands_a_killed_workers_update_to_another_that_answers_it_once() -> None:
    async with fleet_of() as fleet:
        telegram, server = fleet.telegram, fleet.server
        users = [customer(n) for n in range(8)]
        for user in users:
            telegram.add_user(user)
        victim, others = users[0], users[1:]
        first = await fleet.add_worker()
        # The first worker takes the victim's /start and stalls in its first Bot API call.
        server.track = lambda method, params: "victim" if params.get("chat_id") == victim["id"] else None
        stalled = server.held_chats[victim["id"]] = asyncio.Event()
        assert await fleet.post(start_update(victim, 1)) == 200
        await server.wait_until(lambda: server.in_flight.get("victim") == 1, timeout=30)

        second = await fleet.add_worker()
        for number, user in enumerate(others, start=2):
            assert await fleet.post(start_update(user, number)) == 200
        await server.wait_until(lambda: all(fleet.answers(user) for user in others), timeout=60)
        # Killed after the others are recorded as handled: between an answer and its record a
        # kill would answer that update again (at least once); the victim is mid-handling.
        await until(lambda: _handled_at_least(fleet, len(others)), timeout=30, what="the others handled")
        handled_by_second = await second.metric(HANDLED)
        first.process.kill()  # SIGKILL: no goodbye, its entry stays pending
        await first.process.wait()
        await server.wait_until(server.held_callers_gone, timeout=30)
        stalled.set()  # the killed worker's call never reached Telegram (it hung up)
        await server.wait_until(lambda: fleet.answers(victim), timeout=60)
        await until(
            lambda: _at_least(second, HANDLED, handled_by_second + 1), timeout=30, what="the victim's record"
        )

        # The stream delivers a finished update again (e.g. a replica's replay): not answered twice.
        answered = [fleet.answers(user) for user in users]
        await sync_to_async(stream.redis().xadd)(
            stream.stream_key(), {"update": json.dumps(start_update(others[0], 2))}
        )
        await until(lambda: _at_least(second, ALREADY_DONE, 1), timeout=30, what="the redelivery")

        assert [fleet.answers(user) for user in users] == answered
        assert len(set(answered)) == 1, answered  # each customer answered once, the victim too
        assert await second.metric(CLAIMED) >= 1
        assert await second.metric(ALREADY_DONE) == 1


async def test_it_answers_each_update_a_killed_worker_held_once_and_in_each_customers_order() -> None:
    async with fleet_of() as fleet:
        telegram, server = fleet.telegram, fleet.server
        users = [customer(200 + n) for n in range(7)]
        for user in users:
            telegram.add_user(user)
        firsts, twice, split = users[:5], users[5], users[6]
        # What the victim holds when it dies: five customers' first updates (new customers), a
        # customer's two updates, and a customer's first update whose second comes after the kill.
        held = [start_update(user, n) for n, user in enumerate(firsts, start=1)]
        held += [start_update(twice, 10), start_update(twice, 11, "/shop"), start_update(split, 20)]
        stalled = asyncio.Event()
        chats = {user["id"] for user in users}
        server.track = lambda method, params: "held" if params.get("chat_id") in chats else None
        for user in users:
            server.held_chats[user["id"]] = stalled
        victim = await fleet.add_worker()
        for update in held:
            assert await fleet.post(update) == 200
        # Each customer's first update is in a call to Telegram; ``twice``'s second waits for its turn.
        await server.wait_until(lambda: server.in_flight.get("held") == len(users), timeout=60)
        # Room for two updates only: fewer than the victim holds, as a survivor busy with everyone else.
        survivor = await fleet.add_worker(BOT_CONCURRENT_UPDATES="1")

        victim.process.kill()
        await victim.process.wait()
        await server.wait_until(server.held_callers_gone, timeout=30)
        stalled.set()
        assert await fleet.post(start_update(split, 21, "/shop")) == 200  # read by the survivor
        await until(lambda: _at_least(survivor, CLAIMED, 1), timeout=60, what="the survivor's claim")
        # One claim round takes everything the dead worker held, not just what fits the room.
        assert await survivor.metric(CLAIMED) == len(held)
        await until(
            lambda: _at_least(survivor, HANDLED, len(held) + 1), timeout=90, what="every update handled"
        )

        for user in firsts:
            assert fleet.answers(user) == 1, user  # answered, once
        for user in (twice, split):
            texts = [message.text for message in telegram.bot_messages(user["id"])]
            assert len(texts) == 2, texts
            assert [is_shop(text) for text in texts] == [False, True], texts  # the menu, then the shop
        assert await survivor.metric(HANDLED) == len(held) + 1
        assert await survivor.metric(ALREADY_DONE) == 0


def is_shop(text: str) -> bool:
    return "Choose a category:" in text or "nothing for sale" in text


async def _at_least(worker: BotProcess, sample: str, number: float) -> bool:
    return await worker.metric(sample) >= number


async def test_it_handles_one_customers_presses_in_order_one_at_a_time_across_three_workers() -> None:
    # Two at a time each: the presses must spread over the three workers.
    async with fleet_of(BOT_CONCURRENT_UPDATES="2") as fleet:
        telegram, server = fleet.telegram, fleet.server
        user = customer(50)
        telegram.add_user(user)
        for _ in range(3):
            await fleet.add_worker()
        assert await fleet.post(start_update(user, 1)) == 200
        await server.wait_until(lambda: any(m.buttons for m in telegram.bot_messages(user["id"])), timeout=60)
        screen = [message for message in telegram.bot_messages(user["id"]) if message.buttons][-1]
        data = screen.buttons[0][0]["callback_data"]

        pressed: list[str] = []
        server.latency = 0.02  # as a real network: overlapping presses would show
        server.track = lambda method, params: (
            "customer"
            if params.get("chat_id") == user["id"] or str(params.get("callback_query_id")) in pressed
            else None
        )
        for update_id in range(2, 22):
            query_id = telegram.open_callback_query()
            pressed.append(query_id)
            query = {
                "id": query_id,
                "from": user,
                "chat_instance": "ci",
                "data": data,
                "message": telegram.as_telegram(screen),
            }
            assert await fleet.post({"update_id": update_id, "callback_query": query}) == 200
        await server.wait_until(
            lambda: all(telegram.callback_queries[query_id] is not None for query_id in pressed), timeout=90
        )

        answered = [
            str(call.params["callback_query_id"])
            for call in telegram.calls_to("answerCallbackQuery")
            if str(call.params["callback_query_id"]) in pressed
        ]
        assert answered == pressed  # in order, each once
        assert server.most_in_flight["customer"] == 1  # never two of its updates at once
        # A worker counts an update handled just after its last answer: wait for the count, then compare.
        await until(lambda: _handled_at_least(fleet, 21), timeout=30, what="every update counted")
        served = [await worker.metric(HANDLED) for worker in fleet.workers]
        assert sum(served) == 21, served
        assert sum(count > 0 for count in served) >= 2, served  # spread over the workers


@pytest.mark.skipif(not ThrowawayRedis.available(), reason="needs redis-server")
async def test_it_waits_out_a_redis_restart_and_loses_nothing_telegram_was_told_was_received(
    tmp_path: Path,
) -> None:
    tmp_path.chmod(0o755)
    redis = ThrowawayRedis(tmp_path, persistent=True)
    await asyncio.to_thread(redis.start)
    try:
        # Claims later than the restart takes: the stalled workers keep their updates.
        async with fleet_of(outage=True, REDIS_URL=redis.url, WEBHOOK_CLAIM_SECONDS="8") as fleet:
            await wait_out_a_redis_restart(fleet, redis)
    finally:
        await asyncio.to_thread(redis.stop)


async def wait_out_a_redis_restart(fleet: Fleet, redis: ThrowawayRedis) -> None:
    telegram, server = fleet.telegram, fleet.server
    users = [customer(100 + n) for n in range(12)]
    for user in users:
        telegram.add_user(user)
    before, during, after = users[:4], users[4:8], users[8:]
    for _ in range(2):
        await fleet.add_worker()
    # The workers are in the middle of answering the first four when Redis goes away.
    stalled = asyncio.Event()
    ids = {user["id"] for user in before}
    server.track = lambda method, params: "stalled" if params.get("chat_id") in ids else None
    for user in before:
        server.held_chats[user["id"]] = stalled
    for update_id, user in enumerate(before, start=1):
        assert await fleet.post(start_update(user, update_id)) == 200
    await server.wait_until(lambda: server.in_flight.get("stalled") == len(before), timeout=60)

    await asyncio.to_thread(redis.stop)
    # Telegram posts meanwhile; what the web process cannot queue it is not told it received.
    posting = [
        asyncio.ensure_future(fleet.post(start_update(user, update_id)))
        for update_id, user in enumerate(during, start=10)
    ]
    await asyncio.sleep(0.5)
    await asyncio.to_thread(redis.start)
    stalled.set()
    for (update_id, user), posted in zip(enumerate(during, start=10), posting, strict=True):
        if await posted != 200:
            assert await fleet.post(start_update(user, update_id)) == 200  # Telegram posts it again
    for update_id, user in enumerate(after, start=20):
        assert await fleet.post(start_update(user, update_id)) == 200

    await server.wait_until(lambda: all(fleet.answers(user) for user in users), timeout=90)
    await until(lambda: _handled_at_least(fleet, len(users)), timeout=30, what="every update handled")
    answered = [fleet.answers(user) for user in users]
    assert len(set(answered)) == 1, answered  # each answered, none twice
    assert await fleet.total(HANDLED) == len(users)


async def _handled_at_least(fleet: Fleet, number: int) -> bool:
    return await fleet.total(HANDLED) >= number
