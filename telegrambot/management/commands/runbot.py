"""``manage.py runbot``: the Telegram bot, with long polling until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from telegram import Update

from telegrambot.application import build_application

REQUIRED = ("TOKEN", "OWNER_ID")
logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the Telegram bot with long polling until interrupted."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in REQUIRED:
            if not getattr(settings, name):
                raise CommandError(f"{name} is not set: the bot cannot start without it.")
        logger.info("Starting the bot against %s", settings.TELEGRAM_API_URL)
        # run_polling stops on SIGINT and SIGTERM and shuts the application down cleanly.
        build_application().run_polling(allowed_updates=Update.ALL_TYPES)
        logger.info("The bot has stopped.")
