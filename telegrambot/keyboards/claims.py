"""Buttons of reporting a problem with a purchase (handlers/claims.py)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from telegrambot import callbacks
from telegrambot.keyboards.common import back_row, button
from telegrambot.texts import claims as texts
from telegrambot.texts import common as common_texts


def reasons(purchase_id: int) -> InlineKeyboardMarkup:
    rows = [
        [button(label, callbacks.CLAIM_REASON, purchase_id, reason)]
        for reason, label in texts.REASONS.items()
    ]
    return InlineKeyboardMarkup([*rows, back_row(callbacks.PURCHASES, 1)])


def skip(purchase_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.SKIP, callbacks.CLAIM_SKIP, purchase_id),
                button(common_texts.CANCEL, callbacks.CANCEL),
            ]
        ]
    )


def back_to_purchases() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([back_row(callbacks.PURCHASES, 1)])
