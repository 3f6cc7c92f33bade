"""Broadcasts: compose steps, audience, confirmation, the progress message and the recipients' link button."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from telegrambot import callbacks
from telegrambot.keyboards.common import back_row, button, url_button
from telegrambot.models import Broadcast
from telegrambot.texts import admin_broadcast as texts
from telegrambot.texts import common as common_texts


def menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(texts.NEW, callbacks.ADMIN_BROADCAST_NEW)], back_row(callbacks.ADMIN_PANEL)]
    )


def cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(common_texts.CANCEL, callbacks.CANCEL)]])


def skip(broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.SKIP, callbacks.ADMIN_BROADCAST_SKIP, broadcast_id)],
            [button(common_texts.CANCEL, callbacks.CANCEL)],
        ]
    )


def audiences(broadcast_id: int) -> InlineKeyboardMarkup:
    route = callbacks.ADMIN_BROADCAST_AUDIENCE
    return InlineKeyboardMarkup(
        [
            [button(texts.EVERYONE, route, broadcast_id, "all")],
            [
                button(texts.BUYERS, route, broadcast_id, "buyers"),
                button(texts.NEVER_BOUGHT, route, broadcast_id, "new"),
            ],
            [button(label, route, broadcast_id, code) for code, label in texts.LANGUAGE_NAMES.items()],
            [button(common_texts.CANCEL, callbacks.CANCEL)],
        ]
    )


def confirm(broadcast: Broadcast, count: int, *, offer_paid: bool = False) -> InlineKeyboardMarkup:
    """Send and Cancel; for the owner of an eligible bot, the switch between free and paid speed."""
    rows = [[button(texts.send_button(count), callbacks.ADMIN_BROADCAST_SEND, broadcast.pk)]]
    if offer_paid and broadcast.paid:
        rows.append([button(texts.PAID_OFF, callbacks.ADMIN_BROADCAST_PAID, broadcast.pk, "off")])
    elif offer_paid:
        rows.append([button(texts.paid_button(count), callbacks.ADMIN_BROADCAST_PAID, broadcast.pk, "on")])
    rows.append([button(common_texts.CANCEL, callbacks.CANCEL)])
    return InlineKeyboardMarkup(rows)


def progress(broadcast: Broadcast) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.STOP, callbacks.ADMIN_BROADCAST_STOP, broadcast.pk)]])


def link(text: str, url: str) -> InlineKeyboardMarkup:
    """The link button under the broadcast, as recipients see it."""
    return InlineKeyboardMarkup([[url_button(text, url)]])
