"""``manage.py runbot``: the Telegram bot, until SIGINT or SIGTERM.

Long polling by default (one process for one machine). With ``--webhook``, or
with ``WEBHOOK_URL`` set, it is one of any number of webhook workers taking
updates from the queue the web process fills (``telegrambot/webhook.py``).
Either way it serves its metrics on ``MONITORING_HOST:MONITORING_PORT``,
records its heartbeat, and runs the background jobs while it holds the job
lock (``telegrambot/locks.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from telegrambot import logs, runtime, webhook
from telegrambot.application import build_application

REQUIRED = ("TOKEN", "OWNER_ID")
WEBHOOK_REQUIRED = ("WEBHOOK_URL", "WEBHOOK_SECRET")
logger = logging.getLogger("shopbot.bot")


class Command(BaseCommand):
    help = "Run the Telegram bot: long polling, or a webhook worker with --webhook or WEBHOOK_URL set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--webhook",
            action="store_true",
            help="Take updates from the webhook queue (the default when WEBHOOK_URL is set).",
        )
        parser.add_argument("--polling", action="store_true", help="Long-poll even when WEBHOOK_URL is set.")

    def handle(self, *args: Any, **options: Any) -> None:
        use_webhook = options["webhook"] or (bool(settings.WEBHOOK_URL) and not options["polling"])
        for name in (*REQUIRED, *(WEBHOOK_REQUIRED if use_webhook else ())):
            if not getattr(settings, name):
                raise CommandError(f"{name} is not set: the bot cannot start without it.")
        if use_webhook and not webhook.uses_redis():
            raise CommandError("REDIS_URL is not set: webhook workers take their updates from Redis.")
        logs.install_redaction()
        application = build_application()
        try:
            runtime.prepare(application)
        except OSError as error:
            raise CommandError(
                f"Cannot serve metrics on {settings.MONITORING_HOST}:{settings.MONITORING_PORT}: {error}"
            ) from None
        mode = "webhook worker" if use_webhook else "long polling"
        logger.info("Starting the bot (%s) against %s", mode, settings.TELEGRAM_API_URL)
        if use_webhook:
            runtime.serve_webhook(application)
        else:
            runtime.serve_polling(application)
        logger.info("The bot has stopped.")
