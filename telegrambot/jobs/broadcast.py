"""The broadcast job: sends a confirmed broadcast from runbot's JobQueue, resumable after a restart.

Messages go out through a dedicated bot with PTB's ``AIORateLimiter`` (about
30 per second over all chats, waiting out ``RetryAfter``); the bot that answers
customers has no limiter, so a broadcast never slows the shop down. Each batch
is claimed in the database before it is sent and settled after
(``telegrambot.services.broadcasts`` explains the exactly-once trade-off). The
author's progress message is edited every few seconds and ends as the report.

A graceful stop of runbot (``Application.stop()`` clears ``running`` and then
waits for running jobs) lets the current batch finish and releases the
lease, so the next start resumes at once; ``resume_broadcasts`` runs from the
application's ``post_init``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from django.conf import settings
from django.utils import translation
from telegram import InlineKeyboardMarkup, Message
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ExtBot

from monitoring.metrics import BROADCAST_MESSAGES
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.keyboards import admin_broadcast as keyboards
from telegrambot.keyboards import catalog as catalog_keyboards
from telegrambot.models import Broadcast, BroadcastDelivery
from telegrambot.services import broadcasts
from telegrambot.texts import admin_broadcast as texts
from telegrambot.texts import catalog as catalog_texts

logger = logging.getLogger(__name__)

MESSAGES_PER_SECOND = 30  # Telegram's guidance for bulk messages from one bot
PAID_MESSAGES_PER_SECOND = 1000  # with allow_paid_broadcast (telegrambot.services.paid_broadcasts)
PAID_BURST = 10  # paid sends leave in tens: a burst of 10 plus 99% of the rate fits in any second
# Sends are spaced 2% wider than the limit: at exactly 1/30 s, a message that leaves a few
# milliseconds late and the next on time put 31 in one second, and Telegram answers 429.
HEADROOM = 1.02
MAX_RETRIES = 3  # RetryAfter waits the limiter sits out before a recipient is put back in the queue
BATCH = 10  # sent concurrently; also the most a hard crash can leave unconfirmed
PAID_BATCH = 100  # a paid broadcast claims ten times as many at once: 33 times the speed, 3 times the claims
PROGRESS_EVERY = 3.0  # seconds between edits of the progress message
Status = BroadcastDelivery.Status


def worker_id(application: Application[Any, Any, Any, Any, Any, Any]) -> str:
    """Return this application's identity for broadcast leases (new after every restart)."""
    return application.bot_data.setdefault("broadcast_worker", uuid.uuid4().hex[:16])


async def sender(application: Application[Any, Any, Any, Any, Any, Any]) -> ExtBot[Any]:
    """Return the rate-limited bot broadcasts are sent with, built once per application.

    It shares the HTTP client of the application's bot (which owns its
    lifecycle) and adds only the limiter.
    """
    bot = application.bot_data.get("broadcast_bot")
    if bot is None:
        main = application.bot
        bot = ExtBot(
            token=main.token,
            base_url=f"{settings.TELEGRAM_API_URL}/bot",
            base_file_url=f"{settings.TELEGRAM_API_URL}/file/bot",
            defaults=main.defaults,
            request=main.request,
            # One message every 1/30 s rather than bursts of 30: a burst at the end of one
            # second and another at the start of the next would exceed Telegram's limit.
            rate_limiter=AIORateLimiter(
                overall_max_rate=1,
                overall_time_period=HEADROOM / MESSAGES_PER_SECOND,
                max_retries=MAX_RETRIES,
            ),
        )
        await bot.initialize()
        application.bot_data["broadcast_bot"] = bot
    return bot


def is_paid(broadcast: Broadcast) -> bool:
    """A paid broadcast is sent as one while the operator keeps paid broadcasts on."""
    return broadcast.paid and settings.PAID_BROADCASTS


def paid_pace(application: Application[Any, Any, Any, Any, Any, Any]) -> AsyncLimiter:
    """Return the spacing of paid sends, shared by this worker's paid broadcasts.

    PTB's limiter lets ``allow_paid_broadcast`` requests past the 30-a-second
    limit through a bucket of 1000 that starts full, so a broadcast's first
    second could carry 2000; this spaces them evenly instead.
    """
    period = HEADROOM * PAID_BURST / PAID_MESSAGES_PER_SECOND
    return application.bot_data.setdefault("broadcast_paid_pace", AsyncLimiter(PAID_BURST, period))


async def deliver(
    bot: Any, chat_id: int, broadcast: Broadcast, language: str = "", *, paid: bool = False
) -> Message:
    """Send the broadcast to one chat exactly as every recipient sees it (also the preview).

    A back-in-stock notice is written in the recipient's ``language``, with a button to the card.
    ``paid`` sends it with ``allow_paid_broadcast`` (the author's preview never is).
    """
    extra = {"allow_paid_broadcast": True} if paid else {}
    if broadcast.audience == Broadcast.Audience.WAITLIST:
        with translation.override(language or settings.LANGUAGE_CODE):
            text, markup = (
                catalog_texts.back_in_stock(broadcast.product),
                catalog_keyboards.back_in_stock(broadcast.product_id),
            )
        return await bot.send_message(chat_id, text, reply_markup=markup, **extra)
    markup = keyboards.link(broadcast.button_text, broadcast.button_url) if broadcast.button_url else None
    if broadcast.photo:
        return await bot.send_photo(
            chat_id, broadcast.photo, caption=broadcast.text, reply_markup=markup, **extra
        )
    return await bot.send_message(chat_id, broadcast.text, reply_markup=markup, **extra)


async def send_one(
    bot: Any, recipient: broadcasts.Recipient, broadcast: Broadcast, pace: AsyncLimiter | None = None
) -> tuple[str, float]:
    """Send to one recipient; return the outcome and, after a flood wait, how long to pause.

    ``pace`` (a paid broadcast's) spaces the send; the bot's own limiter spaces the others.
    """
    try:
        async with pace or contextlib.nullcontext():
            await deliver(bot, recipient.telegram_id, broadcast, recipient.language, paid=pace is not None)
    except Forbidden:
        return Status.BLOCKED, 0.0
    except RetryAfter as error:
        # Still refused after the limiter's own retries: back to the queue, and pause.
        wait = error.retry_after
        return Status.PENDING, wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
    except TelegramError as error:
        logger.warning("Broadcast %s to %s failed: %s", broadcast.pk, recipient.telegram_id, error)
        return Status.FAILED, 0.0
    return Status.SENT, 0.0


def is_stopping(application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    """Return whether runbot is stopping: ``stop()`` clears ``running`` while the job queue still runs."""
    job_queue = application.job_queue
    return job_queue is not None and job_queue.scheduler.running and not application.running


async def send_broadcast(application: Application[Any, Any, Any, Any, Any, Any], broadcast_id: int) -> None:
    """Send a broadcast batch by batch until it is done, cancelled or runbot stops."""
    # The lease keeps other workers out; this keeps a second job of this worker out
    # (queued at confirmation and again by a resume).
    running: set[int] = application.bot_data.setdefault("broadcasts_running", set())
    if broadcast_id in running:
        return
    running.add(broadcast_id)
    try:
        await send_batches(application, broadcast_id)
    finally:
        running.discard(broadcast_id)


async def send_batches(application: Application[Any, Any, Any, Any, Any, Any], broadcast_id: int) -> None:
    worker = worker_id(application)
    lease = await call(broadcasts.acquire, broadcast_id=broadcast_id, worker=worker)
    if lease.broadcast is None:
        if lease.retry_in is not None:
            schedule(application, broadcast_id, when=lease.retry_in + 1)
        return
    broadcast, bot = lease.broadcast, await sender(application)
    pace = paid_pace(application) if is_paid(broadcast) else None
    shown = time.monotonic()
    while True:
        if is_stopping(application):
            await call(broadcasts.release, broadcast_id=broadcast_id, worker=worker)
            return
        size = BATCH if pace is None else PAID_BATCH
        batch = await call(broadcasts.claim_batch, broadcast_id=broadcast_id, worker=worker, size=size)
        if not batch:
            break
        progress, pause = await send_batch(bot, broadcast, batch, pace)
        if pause:
            await asyncio.sleep(pause)
        if time.monotonic() - shown >= PROGRESS_EVERY:
            await show_progress(
                application.bot, progress, texts.progress(progress), keyboards.progress(progress)
            )
            shown = time.monotonic()
    final = await call(broadcasts.finish, broadcast_id=broadcast_id, worker=worker)
    if final is not None:
        await show_progress(application.bot, final, texts.report(final), None)


async def send_batch(
    bot: Any, broadcast: Broadcast, batch: list[broadcasts.Recipient], pace: AsyncLimiter | None = None
) -> tuple[Broadcast, float]:
    """Send a claimed batch at once (the limiter spaces it out), record the outcomes, return the pause."""
    results = await asyncio.gather(*(send_one(bot, recipient, broadcast, pace) for recipient in batch))
    outcomes = [(recipient, outcome) for recipient, (outcome, _pause) in zip(batch, results, strict=True)]
    progress = await call(
        broadcasts.record_outcomes,
        broadcast_id=broadcast.pk,
        outcomes={recipient.delivery_id: outcome for recipient, outcome in outcomes},
        blocked_ids=[recipient.telegram_id for recipient, outcome in outcomes if outcome == Status.BLOCKED],
    )
    for _recipient, outcome in outcomes:
        BROADCAST_MESSAGES.labels(outcome="retry" if outcome == Status.PENDING else outcome).inc()
    return progress, max(pause for _outcome, pause in results)


async def show_progress(
    bot: Any, broadcast: Broadcast, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Edit the author's progress message; send the report anew if that message is gone."""
    if broadcast.progress_chat_id is None:
        return
    try:
        await bot.edit_message_text(
            text, broadcast.progress_chat_id, broadcast.progress_message_id, reply_markup=keyboard
        )
    except TelegramError as error:
        if keyboard is not None or "not modified" in str(error).lower():
            return  # progress is best effort; the report is not
        try:
            await bot.send_message(broadcast.progress_chat_id, text)
        except TelegramError as again:
            logger.warning("Could not report broadcast %s: %s", broadcast.pk, again)


async def broadcast_job(context: ShopContext) -> None:
    """Sends the broadcast named by the job's data."""
    await send_broadcast(context.application, int(context.job.data))  # type: ignore[union-attr]


def schedule(
    application: Application[Any, Any, Any, Any, Any, Any], broadcast_id: int, *, when: float = 0
) -> None:
    """Queue the sending job of a broadcast in runbot's JobQueue."""
    if application.job_queue is None:
        logger.warning("No JobQueue: install python-telegram-bot[job-queue] to send broadcasts")
        return
    application.job_queue.run_once(
        broadcast_job, when=when, data=broadcast_id, name=f"broadcast:{broadcast_id}"
    )


async def resume_broadcasts(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Queue every broadcast left unfinished by a stop or a crash (called from post_init)."""
    for broadcast_id in await call(broadcasts.list_unfinished):
        logger.info("Resuming broadcast %s", broadcast_id)
        schedule(application, broadcast_id, when=1)
