"""Two ``runbot --webhook`` workers serving one bot: updates shared out, each job tick run once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.test import Client

from monitoring.models import DailyCounter
from telegrambot import webhook
from telegrambot.testing.server import FakeTelegramServer
from telegrambot.testing.workers import BASE_DIR, BotProcess, bot_env, user_message
from telegrambot.tests.webhook_workers import SECRET, WebhookTelegram, worker_env

PROBE_EVERY = 0.5
IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.skipif(
        not (IS_POSTGRES and webhook.uses_redis()), reason="several workers need PostgreSQL and Redis"
    ),
    pytest.mark.django_db(transaction=True),
]


def post_update(update: dict[str, Any]) -> int:
    """Play Telegram: post one update to the web process's webhook."""
    with_secret = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": SECRET}
    return (
        Client()
        .post("/telegram/webhook/", data=update, content_type="application/json", **with_secret)
        .status_code
    )


def probe_counts() -> dict[str, int]:
    return dict(DailyCounter.objects.filter(name__startswith="probe-").values_list("name", "count"))


async def wait_for(condition: Any, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_it_serves_one_bot_with_two_webhook_workers_and_runs_each_job_tick_once(settings: Any) -> None:
    settings.WEBHOOK_SECRET = SECRET
    telegram = WebhookTelegram()
    server = FakeTelegramServer(telegram)
    env = worker_env(await server.start())
    users = [
        {"id": 5000 + n, "is_bot": False, "first_name": f"User{n}", "language_code": "en"} for n in range(12)
    ]
    for user in users:
        telegram.add_user(user)
    workers = [await BotProcess.start(env, "--webhook", probe_every=PROBE_EVERY) for _ in range(2)]
    try:
        await server.wait_until(lambda: len(telegram.webhooks) == 2, timeout=60)
        for number, user in enumerate(users):
            update = {
                "update_id": 100 + number,
                "message": user_message(user, "/start", message_id=1, date=int(time.time())),
            }
            assert await sync_to_async(post_update)(update) == 200
        await server.wait_until(lambda: all(telegram.bot_messages(user["id"]) for user in users), timeout=30)

        # An update is counted when its handling ends, a moment after its answer reached Telegram.
        await wait_for(lambda: _served_at_least(workers, len(users)), timeout=30, what="every update counted")
        served = await _served(workers)
        assert sum(served) == len(users), served
        assert all(count > 0 for count in served), served  # both workers took updates
        assert {hook["url"] for hook in telegram.webhooks} == {"https://shop.example.com/telegram/webhook/"}
        assert {hook["secret_token"] for hook in telegram.webhooks} == {SECRET}

        # One worker holds the job lock: the probe's ticks are counted under one name only.
        counts = sync_to_async(probe_counts)
        await wait_for(lambda: _total_at_least(counts, 2), timeout=20, what="the probe job")
        before = await counts()
        # Counted in ticks, not seconds: how fast they come depends on the machine.
        await wait_for(
            lambda: _total_at_least(counts, sum(before.values()) + 4), timeout=30, what="four more ticks"
        )
        after = await counts()
        grown = {
            name: after[name] - before.get(name, 0) for name in after if after[name] > before.get(name, 0)
        }
        assert len(grown) == 1, grown

        # A graceful stop of the holder gives the lock up: the other worker runs the next ticks.
        (leader_name,) = grown
        leader = next(worker for worker in workers if leader_name == f"probe-{worker.pid}")
        follower = next(worker for worker in workers if worker is not leader)
        assert await leader.stop() == 0, leader.output
        # A wait, not a timing claim: on a loaded machine the follower's next tick may be slow to come.
        await wait_for(lambda: _has_name(counts, f"probe-{follower.pid}"), timeout=45, what="the takeover")
    finally:
        codes = [await worker.stop() for worker in workers]
        await server.stop()
        await sync_to_async(connections.close_all)()
    outputs = "\n".join(worker.output for worker in workers)
    assert codes == [0, 0], outputs
    assert "now runs the background jobs" in outputs
    assert env["TOKEN"] not in outputs


async def _total_at_least(counts: Any, number: int) -> bool:
    return sum((await counts()).values()) >= number


async def _has_name(counts: Any, name: str) -> bool:
    return name in await counts()


def run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "runbot", *args],
        check=False,
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_needs_the_webhook_settings_and_redis() -> None:
    result = run_bot(bot_env(WEBHOOK_URL="https://shop.example.com/telegram/webhook/", WEBHOOK_SECRET=""))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "CommandError: WEBHOOK_SECRET is not set: the bot cannot start without it."
    ]

    env = bot_env(WEBHOOK_URL="", WEBHOOK_SECRET=SECRET)
    assert "WEBHOOK_URL is not set" in run_bot(env, "--webhook").stderr

    env = bot_env(
        WEBHOOK_URL="https://shop.example.com/telegram/webhook/", WEBHOOK_SECRET=SECRET, REDIS_URL=""
    )
    assert "REDIS_URL is not set" in run_bot(env, "--webhook").stderr


async def _served(workers: list[BotProcess]) -> list[float]:
    return [await worker.metric('shopbot_updates_total{handler="bot",kind="message"}') for worker in workers]


async def _served_at_least(workers: list[BotProcess], number: int) -> bool:
    return sum(await _served(workers)) >= number
