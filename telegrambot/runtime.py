"""What ``runbot`` adds around the Application: metrics, heartbeat, jobs, serving, stopping.

- ``CountingRequest`` wraps the Bot API client and counts errors and 429s in
  ``TELEGRAM_API_ERRORS``;
- ``start_exporter()`` serves this process's Prometheus metrics on
  ``MONITORING_HOST:MONITORING_PORT`` (``0`` turns it off);
- ``register_jobs()`` adds, on every worker, the heartbeat (``getMe`` every
  30 s, then ``record_heartbeat()``) and the job lock's renewal, and, under the
  job lock, the daily retention (``RETENTION_DAYS``);
- ``serve_polling()`` and ``serve_webhook()`` run until SIGINT or SIGTERM and
  stop gracefully: no new updates are taken, the ones taken are finished,
  running jobs finish (broadcasts stop after their batch), the job lock is
  released and the database connections are closed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from prometheus_client import start_http_server
from telegram import Update
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from monitoring import funnel
from monitoring.backups import BackupError, backup_database
from monitoring.heartbeat import record_heartbeat
from monitoring.metrics import TELEGRAM_API_ERRORS
from monitoring.retention import delete_old_records
from shopbot import warmcache
from telegrambot import adapter, consumer, locks, webhook
from telegrambot.adapter import call
from telegrambot.context import ShopContext

logger = logging.getLogger("shopbot.bot")

HEARTBEAT_EVERY = 30  # seconds; /health calls the bot stale after HEALTH_BOT_MAX_AGE (180)
RETENTION_EVERY = 24 * 60 * 60
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


# --- Bot API errors ---------------------------------------------------------------------
class CountingRequest(BaseRequest):
    """A Bot API client that counts what Telegram refused and what never arrived."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        try:
            code, payload = await self.inner.do_request(url, method, request_data, **kwargs)
        except TimedOut:
            TELEGRAM_API_ERRORS.labels(kind="timeout").inc()
            raise
        except NetworkError:
            TELEGRAM_API_ERRORS.labels(kind="network").inc()
            raise
        if code >= 400:
            TELEGRAM_API_ERRORS.labels(kind=error_kind(code)).inc()
        return code, payload


def error_kind(code: int) -> str:
    kinds = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        429: "retry_after",
    }
    return kinds.get(code, "server" if code >= 500 else "other")


# --- the exporter -------------------------------------------------------------------------
def start_exporter() -> Any | None:
    """Serve Prometheus metrics on MONITORING_HOST:MONITORING_PORT; return the server, or None when off."""
    if not settings.MONITORING_PORT:
        return None
    server, _thread = start_http_server(settings.MONITORING_PORT, addr=settings.MONITORING_HOST)
    logger.info("Metrics on http://%s:%s/metrics", settings.MONITORING_HOST, settings.MONITORING_PORT)
    return server


# --- jobs -----------------------------------------------------------------------------------
async def heartbeat_job(context: ShopContext) -> None:
    """Asks Telegram who the bot is and, when it answers, records the heartbeat for /health."""
    try:
        await context.bot.get_me()
    except TelegramError as error:
        logger.warning("Telegram did not answer getMe: %s", error)
        return
    await call(record_heartbeat)


async def retention_job(context: ShopContext) -> None:
    """Deletes audit entries, abandoned payments and spent purchase intents older than RETENTION_DAYS (0 keeps all)."""
    if settings.RETENTION_DAYS <= 0:
        return
    deleted = await call(delete_old_records, days=settings.RETENTION_DAYS)
    logger.info("Retention: deleted %s", deleted)


async def funnel_job(context: ShopContext) -> None:
    """Moves the funnel counts from the cache to the database, for the dashboard."""
    await call(funnel.flush)


async def funnel_push_job(context: ShopContext) -> None:
    """Adds this worker's funnel counts to the shared cache (every worker, not under the lock)."""
    await call(funnel.push)


async def backup_job(context: ShopContext) -> None:
    """Writes the daily backup to BACKUP_DIR and keeps the newest BACKUP_KEEP, when BACKUP_DAILY is on."""
    if not settings.BACKUP_DAILY:
        return
    try:
        path = await call(backup_database, directory=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP)
    except (BackupError, OSError) as error:
        logger.error("Daily backup failed: %s", error)
        return
    logger.info("Daily backup written to %s", path.name)


def register_jobs(application: AnyApplication) -> None:
    """Schedule the heartbeat and the job lock on this worker, and retention under the lock."""
    job_queue = application.job_queue
    if job_queue is None:
        logger.warning("No JobQueue: install python-telegram-bot[job-queue] for the heartbeat and retention")
        return
    locks.schedule_renewal(application)
    job_queue.run_repeating(heartbeat_job, interval=HEARTBEAT_EVERY, first=1, name="heartbeat")
    job_queue.run_repeating(
        locks.run_exclusively("retention", retention_job),
        interval=RETENTION_EVERY,
        first=60,
        name="retention",
    )
    job_queue.run_repeating(
        locks.run_exclusively("backup", backup_job), interval=RETENTION_EVERY, first=120, name="backup"
    )
    job_queue.run_repeating(locks.run_exclusively("funnel", funnel_job), interval=60, first=30, name="funnel")
    job_queue.run_repeating(
        funnel_push_job, interval=funnel.PUSH_SECONDS, first=funnel.PUSH_SECONDS, name="funnel-push"
    )


# --- stopping -----------------------------------------------------------------------------
async def after_stop(application: AnyApplication) -> None:
    """Keep the funnel counts and give the job lock up once updates and jobs have finished (``post_stop``)."""
    await call(funnel.push)
    await locks.job_lock(application).arelease()


async def after_shutdown(application: AnyApplication) -> None:
    """Close the database connections of the ORM threads and the loop's cache client (PTB's ``post_shutdown``)."""
    await sync_to_async(connections.close_all)()
    await asyncio.to_thread(adapter.close_pool)
    await warmcache.close_clients()
    exporter = application.bot_data.get("exporter")
    if exporter is not None:
        exporter.shutdown()


def prepare(application: AnyApplication) -> None:
    """Add the jobs, the exporter and the stopping steps to an Application built for runbot."""
    register_jobs(application)
    application.bot_data["exporter"] = start_exporter()
    application.post_stop = after_stop
    application.post_shutdown = after_shutdown


# --- serving ------------------------------------------------------------------------------
def serve_polling(application: AnyApplication) -> None:
    """Long-poll until SIGINT or SIGTERM; PTB's run_polling stops in the order described above."""
    application.run_polling(allowed_updates=Update.ALL_TYPES)


def serve_webhook(application: AnyApplication) -> None:
    """Take updates from the update stream until SIGINT or SIGTERM, then stop gracefully."""
    asyncio.run(run_webhook_worker(application))


async def run_webhook_worker(application: AnyApplication, stopping: asyncio.Event | None = None) -> None:
    stopping = stopping or asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stopping.set)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await webhook.set_webhook(application.bot)
        await application.start()
        await consumer.consume(application, stopping)
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
