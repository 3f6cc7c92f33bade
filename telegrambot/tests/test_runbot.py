"""``manage.py runbot`` as a real process against the fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.server import FakeTelegramServer
from telegrambot.testing.workers import migrate

BASE_DIR = Path(__file__).resolve().parents[2]
USER = {"id": 4242, "is_bot": False, "first_name": "Process", "language_code": "en"}


def bot_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "TOKEN": "123456:PROCESS",
        "OWNER_ID": "9000",
        "LOG_TO_FILE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(overrides)
    return env


async def start_runbot(env: dict[str, str]) -> asyncio.subprocess.Process:
    """Migrate the bot's database, then start ``manage.py runbot`` on it (output piped)."""
    await migrate(env)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "manage.py",
        "runbot",
        cwd=BASE_DIR,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


@pytest.mark.parametrize("missing", ["TOKEN", "OWNER_ID"])
def test_it_refuses_to_start_without_a_required_setting(tmp_path: Path, missing: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "runbot"],
        cwd=BASE_DIR,
        env=bot_env(tmp_path, **{missing: ""}),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {missing} is not set: the bot cannot start without it."
    ]


async def test_it_answers_start_over_http_and_stops_on_sigterm(tmp_path: Path) -> None:
    telegram = FakeTelegram()
    telegram.add_user(USER)
    server = FakeTelegramServer(telegram)
    bot = await start_runbot(bot_env(tmp_path, TELEGRAM_API_URL=await server.start()))
    try:
        message = {
            "message_id": 1,
            "date": int(time.time()),
            "from": USER,
            "text": "/start",
            "chat": {"id": USER["id"], "type": "private", "first_name": "Process"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }
        server.push_update({"message": message})
        await server.wait_until(lambda: telegram.bot_messages(USER["id"]), timeout=30)
    finally:
        bot.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(bot.wait(), timeout=30)
        output = (await bot.stdout.read()).decode()
        await server.stop()

    assert "Hello, Process" in telegram.bot_messages(USER["id"])[0].text, output
    assert telegram.commands["ru"] and telegram.commands["en"], output
    assert telegram.rejections == [], output
    assert returncode == 0, output


async def test_it_serves_another_customer_while_one_waits_and_keeps_each_customers_order(
    tmp_path: Path,
) -> None:
    other = {"id": 4343, "is_bot": False, "first_name": "Other", "language_code": "en"}
    telegram = FakeTelegram()
    telegram.add_user(USER)
    telegram.add_user(other)
    server = FakeTelegramServer(telegram)
    bot = await start_runbot(bot_env(tmp_path, TELEGRAM_API_URL=await server.start()))
    stalled = server.held_chats[USER["id"]] = asyncio.Event()
    try:
        for user, text in ((USER, "/help"), (USER, "/start"), (other, "/help")):
            server.push_update({"message": command(user, text)})

        await server.wait_until(lambda: telegram.bot_messages(other["id"]), timeout=30)
        assert telegram.bot_messages(USER["id"]) == []  # still waiting for its Telegram
        stalled.set()
        await server.wait_until(lambda: len(telegram.bot_messages(USER["id"])) == 2, timeout=30)
    finally:
        stalled.set()
        bot.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(bot.wait(), timeout=30)
        output = (await bot.stdout.read()).decode()
        await server.stop()

    first, second = telegram.bot_messages(USER["id"])
    assert "How the shop works" in first.text and "Hello, Process" in second.text, output
    assert returncode == 0, output


def command(user: dict[str, object], text: str) -> dict[str, object]:
    return {
        "message_id": int(time.time_ns() % 1_000_000_000),
        "date": int(time.time()),
        "from": user,
        "text": text,
        "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
