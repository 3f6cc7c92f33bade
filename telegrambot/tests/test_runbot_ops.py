"""What runbot does for operators: metrics, heartbeat, Bot API errors, the job lock, retention, clean logs."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import override_settings
from telegram.error import Forbidden, TelegramError

from monitoring.metrics import TELEGRAM_API_ERRORS
from telegrambot import locks, logs, runtime
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.server import FakeTelegramServer
from telegrambot.testing.workers import BotProcess, bot_env, migrate, user_message
from telegrambot.tests.helpers import BotTestCase

TOKEN = "123456:OPS-SECRET-TOKEN"
USER = {"id": 4343, "is_bot": False, "first_name": "Ops", "language_code": "en"}


def api_errors(kind: str) -> float:
    return TELEGRAM_API_ERRORS.labels(kind=kind)._value.get()


async def test_it_serves_metrics_records_the_heartbeat_and_keeps_the_token_out_of_the_logs(
    tmp_path: Path,
) -> None:
    telegram = FakeTelegram()
    telegram.add_user(USER)
    server = FakeTelegramServer(telegram)
    logfile = tmp_path / "bot.log"
    env = bot_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        REDIS_URL="",
        TOKEN=TOKEN,
        DEBUG="1",
        TELEGRAM_API_URL=await server.start(),
        LOG_TO_FILE="1",
        BOT_LOGFILE=str(logfile),
        BOT_AUDITFILE=str(tmp_path / "audit.log"),
    )
    await migrate(env)
    bot = await BotProcess.start(env)
    try:
        server.push_update({"message": user_message(USER, "/start", message_id=1, date=int(time.time()))})
        await server.wait_until(lambda: telegram.bot_messages(USER["id"]), timeout=30)
        deadline = time.monotonic() + 20
        while await bot.metric("shopbot_bot_heartbeat_timestamp") == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        metrics = await bot.metrics()
    finally:
        code = await bot.stop()
        await server.stop()

    assert code == 0, bot.output
    assert 'shopbot_updates_total{handler="bot",kind="message"} 1.0' in metrics
    assert await_value(metrics, "shopbot_bot_heartbeat_timestamp") > time.time() - 60, bot.output
    assert "shopbot_telegram_api_errors_total" in metrics
    assert telegram.calls_to("getMe")
    written = logfile.read_text()
    assert "Starting the bot (long polling)" in written
    assert TOKEN not in written and TOKEN not in bot.output


def await_value(metrics: str, name: str) -> float:
    line = next(line for line in metrics.splitlines() if line.startswith(name + " "))
    return float(line.split()[1])


@override_settings(MONITORING_PORT=0)
def test_it_serves_no_metrics_with_port_zero() -> None:
    assert runtime.start_exporter() is None


def test_it_redacts_secrets_from_messages_and_tracebacks() -> None:
    redaction = logs.RedactSecrets([TOKEN, "short"])
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError as error:
        record = logging.LogRecord(
            "httpx",
            logging.WARNING,
            __file__,
            1,
            "HTTP Request: %s",
            (f"/bot{TOKEN}/getMe",),
            (type(error), error, error.__traceback__),
        )
    redaction.filter(record)
    formatted = logging.Formatter().format(record)

    assert TOKEN not in formatted
    assert "/bot[redacted]/getMe" in formatted
    assert "short" in redaction.redact("a short word")  # too short to be a secret worth masking


class ErrorLogTests(BotTestCase):
    async def test_it_logs_a_failed_update_without_what_was_typed(self) -> None:
        _shop, owner = await self.start_chat(self.owner.telegram_id)
        await owner.send("/start")
        with (
            mock.patch("telegrambot.handlers.start.show_menu", side_effect=RuntimeError("boom")),
            self.assertLogs("telegrambot.handlers.errors", level="ERROR") as logged,
        ):
            await owner.send("/start KEY-UPLOADED-0001", strict=False)

        output = "\n".join(logged.output)
        self.assertNotIn("KEY-UPLOADED-0001", output)
        self.assertIn('"text": "<24 characters>"', output)
        self.assertIn("Something went wrong", owner.screen.text)

    async def test_it_records_the_error_for_the_dashboard(self) -> None:
        from monitoring.models import RecentError

        _shop, alice = await self.start_chat()
        with mock.patch("telegrambot.handlers.start.show_menu", side_effect=RuntimeError("AAA-111 leaked?")):
            await alice.send("/start", strict=False)

        error = await RecentError.objects.aget()
        self.assertEqual(error.exception, "RuntimeError")
        self.assertTrue(error.summary.startswith("message: "), error.summary)
        self.assertNotIn("AAA-111", error.summary)

    async def test_it_counts_what_telegram_refused(self) -> None:
        shop, alice = await self.start_chat()
        bad_request, forbidden = api_errors("bad_request"), api_errors("forbidden")
        with self.assertRaises(TelegramError):
            await shop.application.bot.edit_message_text("gone", chat_id=alice.id, message_id=999_999)
        shop.telegram.blocked_by.add(alice.id)
        with self.assertRaises(Forbidden):
            await shop.application.bot.send_message(alice.id, "hello")

        self.assertEqual(api_errors("bad_request") - bad_request, 1)
        self.assertEqual(api_errors("forbidden") - forbidden, 1)


class RetentionJobTests(BotTestCase):
    async def test_it_keeps_everything_with_retention_days_zero(self) -> None:
        with (
            override_settings(RETENTION_DAYS=0),
            mock.patch("telegrambot.runtime.delete_old_records") as delete,
        ):
            await runtime.retention_job(mock.Mock())
        delete.assert_not_called()

    async def test_it_deletes_what_is_older_than_retention_days(self) -> None:
        with (
            override_settings(RETENTION_DAYS=30),
            mock.patch("telegrambot.runtime.delete_old_records", return_value={}) as delete,
        ):
            await runtime.retention_job(mock.Mock())
        delete.assert_called_once_with(days=30)


def test_it_gives_the_job_lock_to_one_worker_and_takes_it_from_a_silent_one() -> None:
    seconds = 1
    first, second = (
        locks.JobLock(seconds=seconds, key="test:job-lock"),
        locks.JobLock(seconds=seconds, key="test:job-lock"),
    )

    assert first.hold() is True
    assert second.hold() is False
    assert first.hold() is True  # renewed by its holder

    time.sleep(seconds + 0.3)  # the holder went silent past the expiry
    assert second.hold() is True
    assert first.hold() is False

    second.release()
    assert first.hold() is True
    first.release()


async def test_it_skips_a_tick_without_the_lock() -> None:
    ran: list[str] = []

    async def job(context: Any) -> None:
        ran.append("ran")

    holder, other = mock.Mock(bot_data={}), mock.Mock(bot_data={})
    exclusive = locks.run_exclusively("test", job)
    with override_settings(JOB_LOCK_SECONDS=5):
        await exclusive(mock.Mock(application=holder))
        await exclusive(mock.Mock(application=other))
        await exclusive(mock.Mock(application=holder))
        await locks.job_lock(holder).arelease()

    assert ran == ["ran", "ran"]


class BackupJobTests(BotTestCase):
    async def test_it_writes_no_backup_unless_backup_daily_is_on(self) -> None:
        with (
            override_settings(BACKUP_DAILY=False),
            mock.patch("telegrambot.runtime.backup_database") as backup,
        ):
            await runtime.backup_job(mock.Mock())
        backup.assert_not_called()

    async def test_it_keeps_the_newest_backups_when_on(self) -> None:
        with (
            override_settings(BACKUP_DAILY=True, BACKUP_DIR=Path("/nonexistent"), BACKUP_KEEP=3),
            mock.patch("telegrambot.runtime.backup_database", return_value=Path("shopbot-1.dump")) as backup,
        ):
            await runtime.backup_job(mock.Mock())
        backup.assert_called_once_with(directory=Path("/nonexistent"), keep=3)

    async def test_it_logs_a_failed_backup_and_carries_on(self) -> None:
        from monitoring.backups import BackupError

        with (
            override_settings(BACKUP_DAILY=True),
            mock.patch("telegrambot.runtime.backup_database", side_effect=BackupError("disk full")),
            self.assertLogs("shopbot.bot", level="ERROR") as logged,
        ):
            await runtime.backup_job(mock.Mock())
        self.assertIn("disk full", logged.output[0])


class FunnelJobTests(BotTestCase):
    async def test_it_moves_the_funnel_counts_to_the_database(self) -> None:
        from monitoring import funnel
        from monitoring.models import DailyCounter

        _shop, alice = await self.start_chat()
        await alice.press("🛍 Shop")
        self.assertFalse(await DailyCounter.objects.filter(name=funnel.SHOP_OPENED).aexists())

        await runtime.funnel_job(mock.Mock())

        counter = await DailyCounter.objects.aget(name=funnel.SHOP_OPENED)
        self.assertEqual(counter.count, 1)

    async def test_it_adds_this_workers_counts_to_the_cache_every_few_seconds_and_when_it_stops(self) -> None:
        from django.core.cache import cache
        from django.utils.timezone import localdate

        from monitoring import funnel

        key = funnel.pending_key(localdate(), funnel.SHOP_OPENED)
        shop, alice = await self.start_chat()
        await alice.press("🛍 Shop")
        self.assertIsNone(await cache.aget(key))  # counted in memory only

        await runtime.funnel_push_job(mock.Mock())
        self.assertEqual(await cache.aget(key), 1)

        await alice.press("🏠 Menu")
        await alice.press("🛍 Shop")
        await runtime.after_stop(shop.application)
        self.assertEqual(await cache.aget(key), 2)
