"""The choice of payment method for a top-up."""

from __future__ import annotations

from decimal import Decimal

from telegram import InlineKeyboardMarkup

from telegrambot import callbacks
from telegrambot.keyboards.common import back_row, button
from telegrambot.texts import topup as texts


def methods(*, stars: int | None, card: bool, crypto: bool, amount: Decimal) -> InlineKeyboardMarkup:
    """Offer the configured methods; ``stars`` is the price in stars, None when Stars are off."""
    rows = []
    if stars is not None:
        rows.append([button(texts.stars_button(stars), callbacks.TOP_UP_STARS, amount)])
    if card:
        rows.append([button(texts.card_button(amount), callbacks.TOP_UP_CARD, amount)])
    if crypto:
        rows.append([button(texts.crypto_button(amount), callbacks.TOP_UP_CRYPTO, amount)])
    return InlineKeyboardMarkup([*rows, back_row()])
