"""Where the chat opens the Mini App: the bot's menu button (set when runbot starts) and the main menu's button.

Telegram opens a Mini App over HTTPS only, so with ``MINIAPP_URL`` (by
default ``SITE_URL`` + ``/app/``) not on ``https://`` the bot keeps the chat
shop alone: no menu button, no button on the main menu.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import translation
from telegram import Bot, InlineKeyboardButton, MenuButtonDefault, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from telegrambot.texts import start as texts

logger = logging.getLogger(__name__)


def miniapp_url() -> str:
    """Return the Mini App's address, or "" when Telegram could not open it."""
    url = settings.MINIAPP_URL.strip()
    return url if url.startswith("https://") else ""


def open_button() -> InlineKeyboardButton | None:
    """The main menu's "Open the shop" button, when the Mini App can be opened."""
    url = miniapp_url()
    return InlineKeyboardButton(str(texts.OPEN_SHOP), web_app=WebAppInfo(url)) if url else None


async def set_menu_button(bot: Bot) -> None:
    """Point the bot's menu button at the Mini App (or back to the command list); a refusal is logged."""
    url = miniapp_url()
    with translation.override(settings.BOT_LOCALE):
        button = MenuButtonWebApp(str(texts.MENU_BUTTON), WebAppInfo(url)) if url else MenuButtonDefault()
    try:
        await bot.set_chat_menu_button(menu_button=button)
    except TelegramError as error:
        # The chat shop works without it: a start must not fail on a menu button.
        logger.warning("Could not set the menu button to %s: %s", url or "the commands", error)
