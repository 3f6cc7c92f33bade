"""Outages: the database restarted under a running bot, and the answer while the database or Redis is away."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from telegrambot import callbacks
from telegrambot.simulator.fake_telegram import ChatMessage, FakeTelegram
from telegrambot.testing.server import FakeTelegramServer
from telegrambot.testing.workers import (
    BASE_DIR,
    BotProcess,
    ThrowawayPostgres,
    ThrowawayRedis,
    bot_env,
    user_message,
)
from telegrambot.tests.helpers import BotTestCase
from telegrambot.texts import operations as texts

USER = {"id": 4242, "is_bot": False, "first_name": "Pat", "language_code": "en"}
KEY = "KEY-SECRET-0042"
UNAVAILABLE = "temporarily unavailable"

SEED = f"""
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopbot.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from catalog.models import Category
from shopbot.test import make_customer, make_product
make_customer({USER["id"]}, username="pat", first_name="Pat", balance="50.00")
games = Category.objects.create(name="Games", position=1)
print(make_product(games, "Game key", "9.99", units=["{KEY}", "OTHER-KEY-0043"]).pk)
"""
LEDGER = f"""
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopbot.settings")
django.setup()
from accounts.models import Customer
from catalog.models import Purchase
print(Purchase.objects.count(), Customer.objects.get(telegram_id={USER["id"]}).balance)
"""


def python(script: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class Chat:
    """The user's side of the chat with a bot in another process."""

    def __init__(self, server: FakeTelegramServer) -> None:
        self.server, self.telegram = server, server.telegram
        self.telegram.add_user(USER)

    def send(self, text: str) -> None:
        message = self.telegram.add_user_message(USER["id"], text)
        self.server.push_update(
            {"message": user_message(USER, text, message_id=message.message_id, date=int(time.time()))}
        )

    def press(self, data: str) -> str:
        message = self.screen_message()
        query_id = self.telegram.open_callback_query()
        query = {
            "id": query_id,
            "from": USER,
            "chat_instance": "ci",
            "data": data,
            "message": self.telegram.as_telegram(message),
        }
        self.server.push_update({"callback_query": query})
        return query_id

    def screen_message(self) -> ChatMessage:
        return [message for message in self.telegram.bot_messages(USER["id"]) if message.buttons][-1]

    def button(self, label: str) -> str:
        buttons = [button for row in self.screen_message().buttons for button in row]
        return next(button["callback_data"] for button in buttons if button["text"].startswith(label))

    def shows(self, fragment: str) -> bool:
        return any(fragment in message.text for message in self.telegram.bot_messages(USER["id"]))

    async def wait_for_text(self, fragment: str) -> None:
        await self.server.wait_until(lambda: self.shows(fragment), timeout=30)

    async def wait_for_answer(self, query_id: str) -> str:
        await self.server.wait_until(
            lambda: self.telegram.callback_queries.get(query_id) is not None, timeout=30
        )
        return str(self.telegram.callback_queries[query_id].get("text") or "")


@dataclass
class Stage:
    """A seeded shop on a PostgreSQL of the test's own, and the fake Bot API a runbot will use."""

    directory: Path
    database: ThrowawayPostgres
    server: FakeTelegramServer
    env: dict[str, str]
    chat: Chat
    product_id: str


@asynccontextmanager
async def seeded_shop(prefix: str, **env: str) -> AsyncIterator[Stage]:
    """Create and seed the database and start the fake Bot API; remove both afterwards."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    directory.chmod(0o755)
    database = ThrowawayPostgres(directory)
    server = FakeTelegramServer(FakeTelegram())
    try:
        await asyncio.to_thread(database.create)
        environment = bot_env(DATABASE_URL=database.url, TELEGRAM_API_URL=await server.start(), **env)
        product_id = await asyncio.to_thread(python, SEED, environment)
        yield Stage(directory, database, server, environment, Chat(server), product_id)
    finally:
        await server.stop()
        await asyncio.to_thread(database.remove)


@pytest.mark.skipif(not ThrowawayPostgres.available(), reason="needs PostgreSQL's server binaries")
async def test_it_rides_out_a_database_restart_without_losing_or_doubling_a_purchase() -> None:
    async with seeded_shop("shopbot-recovery-", CACHE_KEY_PREFIX="recovery") as stage:
        await ride_out_a_database_restart(stage)


async def ride_out_a_database_restart(stage: Stage) -> None:
    database, env, chat, product_id = stage.database, stage.env, stage.chat, stage.product_id
    bot = await BotProcess.start(env)
    try:
        chat.send("/start")
        await chat.wait_for_text("Hello")
        chat.press(callbacks.PRODUCT.build(product_id, 1))
        await chat.wait_for_text("Game key")
        chat.press(chat.button("💰 Buy"))
        await chat.wait_for_text("Confirm the purchase")
        pay = chat.button("✅ Pay")

        await asyncio.to_thread(database.stop)
        assert UNAVAILABLE in await chat.wait_for_answer(chat.press(pay))
        chat.send("/start")
        await chat.wait_for_text(UNAVAILABLE)

        await asyncio.to_thread(database.start)
        assert await chat.wait_for_answer(chat.press(pay)) == ""
        await chat.wait_for_text(KEY)
        chat.press(pay)  # the old button again: the confirmation is used up
        await asyncio.sleep(1)

        assert await asyncio.to_thread(python, LEDGER, env) == "1 40.01"
    finally:
        code = await bot.stop()
    assert code == 0, bot.output
    assert KEY not in bot.output and env["TOKEN"] not in bot.output, bot.output
    assert "Database or cache unavailable" in bot.output


@pytest.mark.skipif(
    not (ThrowawayPostgres.available() and ThrowawayRedis.available()),
    reason="needs PostgreSQL's server binaries and redis-server",
)
async def test_it_rides_out_a_redis_restart_and_answers_again_without_a_restart(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    redis = ThrowawayRedis(tmp_path)
    await asyncio.to_thread(redis.start)
    try:
        async with seeded_shop("shopbot-redis-recovery-", REDIS_URL=redis.url) as stage:
            await ride_out_a_redis_restart(stage, redis)
    finally:
        await asyncio.to_thread(redis.stop)


async def ride_out_a_redis_restart(stage: Stage, redis: ThrowawayRedis) -> None:
    env, chat = stage.env, stage.chat
    bot = await BotProcess.start(env)
    try:
        chat.send("/start")
        await chat.wait_for_text("Hello")

        await asyncio.to_thread(redis.stop)
        chat.send("/start")
        await chat.wait_for_text(UNAVAILABLE)

        await asyncio.to_thread(redis.start)
        greetings = sum("Hello" in message.text for message in chat.telegram.bot_messages(USER["id"]))
        chat.send("/start")
        await chat.server.wait_until(
            lambda: sum("Hello" in m.text for m in chat.telegram.bot_messages(USER["id"])) > greetings,
            timeout=30,
        )
        assert await asyncio.to_thread(python, LEDGER, env) == "0 50.00"  # nothing half-written
    finally:
        code = await bot.stop()
    assert code == 0, bot.output


@pytest.mark.skipif(not ThrowawayPostgres.available(), reason="needs PostgreSQL's server binaries")
async def test_it_finishes_the_update_in_flight_when_stopped() -> None:
    # Its own cache prefix: this bot's job lock must not be the one other tests' workers wait for.
    async with seeded_shop("shopbot-graceful-", CACHE_KEY_PREFIX="graceful") as stage:
        await finish_the_update_in_flight(stage)


async def finish_the_update_in_flight(stage: Stage) -> None:
    server, chat = stage.server, stage.chat
    bot = await BotProcess.start(stage.env)
    try:
        chat.send("/start")
        await chat.wait_for_text("Hello")

        server.slow_methods["sendMessage"] = 3
        sent = server.calls_started.count("sendMessage")
        chat.send("/help")
        await server.wait_until(lambda: server.calls_started.count("sendMessage") > sent, timeout=30)
        code = await bot.stop()  # SIGTERM while the bot waits for Telegram's answer

        assert code == 0, bot.output
        assert chat.shows("How the shop works")  # the answer went out before the process ended
    finally:
        await bot.stop()


class OutageAnswerTests(BotTestCase):
    async def test_it_says_unavailable_while_the_database_is_away(self) -> None:
        shop = await self.start_shop()
        alice = await shop.user(self.alice.telegram_id)
        failure = OperationalError("connection refused")
        with mock.patch("telegrambot.admission.register_customer", side_effect=failure):
            await alice.send("/start", strict=False)

        self.assertEqual(alice.screen.text, "⚠️ " + str(texts.UNAVAILABLE))

    async def test_it_says_unavailable_on_a_press_while_redis_is_away(self) -> None:
        _shop, alice = await self.start_chat()
        with mock.patch("telegrambot.admission.check_update", side_effect=RedisConnectionError("refused")):
            await alice.press("🛍", strict=False)

        self.assertEqual(alice.alert, str(texts.UNAVAILABLE))

    async def test_it_answers_again_once_the_outage_is_over(self) -> None:
        _shop, alice = await self.start_chat()
        with mock.patch("telegrambot.admission.check_update", side_effect=RedisConnectionError("refused")):
            await alice.send("/start", strict=False)

        await alice.send("/start")

        self.assertIn("Hello", alice.screen.text)
