"""The profile, purchase and operation histories, and referrals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup

from telegrambot import callbacks
from telegrambot.keyboards.common import PageLike, back_row, button, pager_row
from telegrambot.texts import claims as claim_texts
from telegrambot.texts import profile as texts
from telegrambot.texts import referrals as referral_texts


def profile() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.PURCHASES, callbacks.PURCHASES, 1), button(texts.LEDGER, callbacks.LEDGER, 1)],
            [button(texts.REDEEM_PROMO, callbacks.REDEEM_PROMO), button(texts.TOP_UP, callbacks.TOP_UP)],
            back_row(),
        ]
    )


def purchases(items: Sequence[Any], page: PageLike) -> InlineKeyboardMarkup:
    rows = [[button(texts.purchase_button(item), callbacks.PURCHASE, item.id, page.number)] for item in items]
    pager = pager_row(callbacks.PURCHASES, page)
    return InlineKeyboardMarkup([*rows, *([pager] if pager else []), back_row(callbacks.PROFILE)])


def purchase(
    page: int, *, claimable_id: int | None = None, late_id: int | None = None
) -> InlineKeyboardMarkup:
    """The order's buttons; ``claimable_id`` (a purchase sold with a warranty) adds Report a problem,
    ``late_id`` (a manual order past its deadline) adds its refund."""
    rows = [[button(claim_texts.REPORT, callbacks.CLAIM_START, claimable_id)]] if claimable_id else []
    if late_id:
        rows.append([button(texts.REFUND_LATE, callbacks.REFUND_LATE, late_id)])
    return InlineKeyboardMarkup([*rows, back_row(callbacks.PURCHASES, page)])


def ledger(page: PageLike) -> InlineKeyboardMarkup:
    pager = pager_row(callbacks.LEDGER, page)
    return InlineKeyboardMarkup([*([pager] if pager else []), back_row(callbacks.PROFILE)])


def referrals() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(referral_texts.REFERRAL_LIST, callbacks.REFERRAL_LIST, 1)], back_row()]
    )


def referral_list(page: PageLike) -> InlineKeyboardMarkup:
    pager = pager_row(callbacks.REFERRAL_LIST, page)
    return InlineKeyboardMarkup([*([pager] if pager else []), back_row(callbacks.REFERRALS)])
