"""Builds the PTB Application that ``manage.py runbot`` runs and the tests drive."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import translation
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults
from telegram.request import BaseRequest

from monitoring.metrics import HANDLER_LATENCY, UPDATES
from shopbot import warmcache
from telegrambot.concurrency import OneUpdatePerCustomer
from telegrambot.context import ShopBot, ShopContext
from telegrambot.features import Feature, Job, check_features, media_prompts_of, prompts_of
from telegrambot.handlers import (
    admin_audit,
    admin_broadcast,
    admin_catalog,
    admin_claims,
    admin_fulfil,
    admin_maintenance,
    admin_menu,
    admin_notifications,
    admin_orders,
    admin_payments,
    admin_products,
    admin_promos,
    admin_roles,
    admin_stats,
    admin_stock,
    admin_tickets,
    admin_users,
    cart,
    catalog,
    checkout_answers,
    claims,
    errors,
    fallback,
    gate,
    language,
    payments,
    preorders,
    profile,
    prompts,
    referrals,
    reviews,
    start,
    tickets,
    topup,
)
from telegrambot.jobs import broadcast as broadcast_job
from telegrambot.locks import run_exclusively
from telegrambot.miniapp import launch
from telegrambot.request import JsonRequest
from telegrambot.runtime import CountingRequest
from telegrambot.texts import start as start_texts

logger = logging.getLogger(__name__)
LANGUAGES = ("en", "ru")
ADMIN_FEATURES = [
    admin_menu.FEATURE,
    admin_catalog.FEATURE,
    admin_products.FEATURE,
    admin_stock.FEATURE,
    admin_orders.FEATURE,
    admin_users.FEATURE,
    admin_roles.FEATURE,
    admin_payments.FEATURE,
    admin_claims.FEATURE,
    admin_fulfil.FEATURE,
    admin_tickets.FEATURE,
    admin_promos.FEATURE,
    admin_broadcast.FEATURE,
    admin_stats.FEATURE,
    admin_audit.FEATURE,
    admin_maintenance.FEATURE,
    admin_notifications.FEATURE,
]
# Order matters: within a group, the first matching handler wins.
FEATURES = [
    start.FEATURE,
    language.FEATURE,
    catalog.FEATURE,
    preorders.FEATURE,
    cart.FEATURE,
    checkout_answers.FEATURE,
    reviews.FEATURE,
    profile.FEATURE,
    claims.FEATURE,
    tickets.FEATURE,
    referrals.FEATURE,
    topup.FEATURE,
    payments.FEATURE,
    *ADMIN_FEATURES,
]


ROUTE_MAX = 64  # Telegram's limit for a button's data; a longer one is no route (forged, or a text)


class ShopApplication(Application):  # type: ignore[type-arg]
    """An Application that handles each update in its own translation scope."""

    async def process_update(self, update: object) -> None:
        kind = update_kind(update)
        started = time.perf_counter()
        # The gate activates the customer's language; leaving the block restores the default,
        # so one customer's language never leaks into the next update.
        # Its reads on the event loop share what they fetched (``warmcache.UpdateScope``).
        with translation.override(settings.BOT_LOCALE), warmcache.UpdateScope(route_of(update)):
            await super().process_update(update)
        handled, latency = update_metrics(kind)
        handled.inc()
        latency.observe(time.perf_counter() - started)


def route_of(update: object) -> str | None:
    """What an update asks for, whoever sends it: a button's data or a command, else None."""
    if not isinstance(update, Update):
        return None
    if update.callback_query is not None:
        data = update.callback_query.data
        return f"button:{data}" if isinstance(data, str) and len(data) <= ROUTE_MAX else None
    text = update.message.text if update.message is not None else None
    if text and text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        return f"command:{command}" if len(command) <= ROUTE_MAX else None
    return None


@functools.cache
def update_metrics(kind: str) -> tuple[Any, Any]:
    """The handled-updates counter and the latency histogram of a kind (a handful: looked up once)."""
    return UPDATES.labels(kind=kind, handler="bot"), HANDLER_LATENCY.labels(handler=kind)


def update_kind(update: object) -> str:
    if isinstance(update, Update):
        for kind in ("callback_query", "message", "pre_checkout_query", "my_chat_member"):
            if getattr(update, kind) is not None:
                return kind
    return "other"


def build_application(
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    features: Sequence[Feature] = FEATURES,
) -> ShopApplication:
    """Return the bot with every feature registered, ready to run.

    ``request`` replaces the HTTP client (the tests pass the fake Bot API).
    """
    defaults = Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
    bot = ShopBot(
        token=token or settings.TOKEN,
        base_url=f"{settings.TELEGRAM_API_URL}/bot",
        base_file_url=f"{settings.TELEGRAM_API_URL}/file/bot",
        defaults=defaults,
        # No rate limiter here: it would cap every reply and edit at 30 per second over all
        # chats. Only broadcasts are throttled, on their own path.
        request=CountingRequest(
            request or JsonRequest(connection_pool_size=256, read_timeout=settings.TELEGRAM_READ_TIMEOUT)
        ),
        get_updates_request=CountingRequest(
            get_updates_request or request or JsonRequest(connection_pool_size=1)
        ),
    )
    application: ShopApplication = (
        Application.builder()
        .bot(bot)
        .application_class(ShopApplication)
        .context_types(ContextTypes(context=ShopContext))
        .concurrent_updates(OneUpdatePerCustomer(settings.BOT_CONCURRENT_UPDATES))
        .post_init(post_init)
        .build()
    )
    register_handlers(application, features)
    return application


def register_handlers(
    application: Application[Any, Any, Any, Any, Any, Any], features: Sequence[Feature] = FEATURES
) -> None:
    """Register the gate, each feature in order, the prompts, the fallbacks and the error handler.

    Two features that claim the same prompt state, route or job stop the start
    with ``FeatureConflict`` naming both, before anything is registered.
    """
    check_features(features)
    # Group -1 runs before everything else and may stop further processing.
    application.add_handlers(gate.HANDLERS, group=-1)

    # Order matters: within a group, the first matching handler wins. Commands and
    # buttons first, then typed text for prompts, then the fallbacks that refuse the rest.
    for feature in features:
        application.add_handlers(list(feature.handlers))
    application.add_handler(prompts.build_handler(prompts_of(features)))
    # Photos and documents go to the prompt waiting for a file (a product picture, a stock file).
    application.add_handler(prompts.build_media_handler(media_prompts_of(features)))
    application.add_handlers(fallback.HANDLERS)

    # Group 1 runs after the feature's handler: no press is left unanswered.
    application.add_handlers(fallback.SAFETY_NET, group=1)
    application.add_error_handler(errors.handle_error)
    schedule_jobs(application, [job for feature in features for job in feature.jobs])


def schedule_jobs(application: Application[Any, Any, Any, Any, Any, Any], jobs: Sequence[Job]) -> None:
    """Schedule the features' repeating jobs, each on one worker at a time."""
    if application.job_queue is None:
        logger.warning(
            "No JobQueue: install python-telegram-bot[job-queue] to run %s", [job.name for job in jobs]
        )
        return
    for job in jobs:
        # On one worker at a time: whichever holds the job lock (telegrambot/locks.py).
        application.job_queue.run_repeating(
            run_exclusively(job.name, job.callback), interval=job.every, first=job.first, name=job.name
        )


async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the commands and the Mini App's menu button, and queue the broadcasts a stop or a crash left unfinished."""
    await set_commands(application)
    await launch.set_menu_button(application.bot)
    await broadcast_job.resume_broadcasts(application)


async def set_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the command list in every language, and the default one for everyone else."""
    for language_code in (None, *LANGUAGES):
        with translation.override(language_code or settings.BOT_LOCALE):
            commands = [BotCommand(name, str(description)) for name, description in start_texts.COMMANDS]
        await application.bot.set_my_commands(commands, language_code=language_code)
