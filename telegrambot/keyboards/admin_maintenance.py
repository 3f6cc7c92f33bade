"""Maintenance mode: one switch and the way back to the admin menu."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from telegrambot import callbacks
from telegrambot.keyboards.common import back_row, button
from telegrambot.texts import admin_maintenance as texts


def screen(*, enabled: bool) -> InlineKeyboardMarkup:
    switch = (
        button(texts.TURN_OFF, callbacks.ADMIN_MAINTENANCE_SET, "off")
        if enabled
        else button(texts.TURN_ON, callbacks.ADMIN_MAINTENANCE_SET, "on")
    )
    return InlineKeyboardMarkup([[switch], back_row(callbacks.ADMIN_PANEL)])
