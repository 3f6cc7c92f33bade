"""Reviews' buttons: the pager, the 1–5 rating and Skip."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from catalog.models import Review
from catalog.selectors import Page
from telegrambot import callbacks
from telegrambot.keyboards.catalog import with_pager
from telegrambot.keyboards.common import back_row, button, pager_row
from telegrambot.texts import reviews as texts


def reviews(product_id: int, page: Page[Review]) -> InlineKeyboardMarkup:
    rows = with_pager([], pager_row(callbacks.REVIEWS, page, product_id))
    rows.append([button(texts.WRITE, callbacks.RATE, product_id)])
    return InlineKeyboardMarkup([*rows, back_row(callbacks.PRODUCT, product_id, 1)])


def ratings(product_id: int) -> InlineKeyboardMarkup:
    choices = [
        [button(texts.rating_button(rating), callbacks.RATE_WITH, product_id, str(rating))]
        for rating in range(5, 0, -1)
    ]
    return InlineKeyboardMarkup([*choices, back_row(callbacks.REVIEWS, product_id, 1)])


def ask_text(product_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.SKIP, callbacks.SKIP_REVIEW_TEXT, product_id)]])


def done(product_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.REVIEWS, callbacks.REVIEWS, product_id, 1),
                button(texts.TO_PRODUCT, callbacks.PRODUCT, product_id, 1),
            ],
            back_row(),
        ]
    )
