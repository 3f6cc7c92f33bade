"""Buttons of the admin menu's Claims section (handlers/admin_claims.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from catalog.models import Claim
from telegrambot import callbacks
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import PageLike, button, pager_row
from telegrambot.texts import admin_claims as texts
from telegrambot.texts import common as common_texts


def claims(items: Sequence[Claim], page: PageLike) -> InlineKeyboardMarkup:
    rows = [[button(texts.claim_button(claim), callbacks.ADMIN_CLAIM, claim.pk)] for claim in items]
    pager = pager_row(callbacks.ADMIN_CLAIMS, page)
    return InlineKeyboardMarkup([*rows, *([pager] if pager else []), to_admin_row()])


def card(claim: Claim, *, stars_order: bool = False) -> InlineKeyboardMarkup:
    """The decisions on an undecided claim: a Stars order offers its refund in Stars, any other a manual one."""
    rows = []
    if claim.is_undecided:
        rail = (texts.REFUND_STARS, "stars") if stars_order else (texts.REFUND_MANUAL, "manual")
        rows += [
            [button(texts.REPLACE, callbacks.ADMIN_CLAIM_DECIDE, claim.pk, "replace")],
            [button(texts.REFUND, callbacks.ADMIN_CLAIM_DECIDE, claim.pk, "refund")],
            [button(texts.RESTOCK, callbacks.ADMIN_CLAIM_DECIDE, claim.pk, "restock")],
            [button(rail[0], callbacks.ADMIN_CLAIM_DECIDE, claim.pk, rail[1])],
            [button(texts.REJECT, callbacks.ADMIN_CLAIM_REJECT, claim.pk)],
        ]
        if claim.status == Claim.Status.OPEN:
            rows.insert(1, [button(texts.WAIT, callbacks.ADMIN_CLAIM_DECIDE, claim.pk, "wait")])
    if claim.attachment_id:
        rows.append([button(texts.ATTACHMENT, callbacks.ADMIN_CLAIM_FILE, claim.pk)])
    rows.append([button(common_texts.BACK, callbacks.ADMIN_CLAIMS, 1), *to_admin_row()])
    return InlineKeyboardMarkup(rows)


def confirm(claim_id: int, decision: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.YES, callbacks.ADMIN_CLAIM_YES, claim_id, decision)],
            [button(common_texts.BACK, callbacks.ADMIN_CLAIM, claim_id)],
        ]
    )


def back_to_claim(claim_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(common_texts.BACK, callbacks.ADMIN_CLAIM, claim_id),
                button(texts.LIST, callbacks.ADMIN_CLAIMS, 1),
            ]
        ]
    )
