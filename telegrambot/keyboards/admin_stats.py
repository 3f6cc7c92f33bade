"""Statistics: refresh, and back to the admin menu."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from telegrambot import callbacks
from telegrambot.keyboards.common import back_row, button
from telegrambot.texts import admin_stats as texts


def screen() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(texts.REFRESH, callbacks.ADMIN_STATS)], back_row(callbacks.ADMIN_PANEL)]
    )
