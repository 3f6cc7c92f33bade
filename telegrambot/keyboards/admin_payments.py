"""Payments in the admin menu: the section, the lists, a payment's card and the refund steps."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from accounts.selectors import Page
from payments.models import Payment
from payments.selectors.staff import PaymentCard, PaymentsOverview
from telegrambot import callbacks
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import button, pager_row
from telegrambot.texts import admin_payments as texts
from telegrambot.texts import common as common_texts


def overview(counts: PaymentsOverview) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.FIND, callbacks.ADMIN_PAYMENT_FIND)],
            [button(texts.list_button("review", counts.review), callbacks.ADMIN_PAYMENT_LIST, "review", 1)],
            [
                button(
                    texts.list_button("pending", counts.pending), callbacks.ADMIN_PAYMENT_LIST, "pending", 1
                )
            ],
            [button(texts.RECONCILE_STARS, callbacks.ADMIN_STARS_RECONCILE)],
            to_admin_row(),
        ]
    )


def stars_report() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(
                    texts.list_button("review", 0).split(" (")[0], callbacks.ADMIN_PAYMENT_LIST, "review", 1
                )
            ],
            to_section_row(),
        ]
    )


def to_section_row() -> list[InlineKeyboardButton]:
    return [button(texts.SECTION, callbacks.ADMIN_PAYMENTS), *to_admin_row()]


def payment_list(which: str, page: Page[Payment]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.payment_button(payment), callbacks.ADMIN_PAYMENT, payment.pk)] for payment in page.items
    ]
    pager = pager_row(callbacks.ADMIN_PAYMENT_LIST, page, which)
    return InlineKeyboardMarkup([*rows, *([pager] if pager else []), to_section_row()])


def found(payments: Sequence[Payment]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.payment_button(payment), callbacks.ADMIN_PAYMENT, payment.pk)] for payment in payments
    ]
    return InlineKeyboardMarkup(
        [*rows, [button(texts.FIND_ANOTHER, callbacks.ADMIN_PAYMENT_FIND)], to_section_row()]
    )


def card(found_card: PaymentCard, codenames: frozenset[str]) -> InlineKeyboardMarkup:
    """The actions the payment's state allows (the services check again), and the way back."""
    payment = found_card.payment
    rows = []
    if found_card.refund_stars:
        rows.append([button(texts.REFUND_STARS, callbacks.ADMIN_PAYMENT_REFUND, payment.pk, "stars")])
    if found_card.manual_refund:
        rows.append([button(texts.MANUAL_REFUND, callbacks.ADMIN_PAYMENT_REFUND, payment.pk, "manual")])
    if found_card.recheck:
        rows.append([button(texts.RECHECK, callbacks.ADMIN_PAYMENT_RECHECK, payment.pk)])
    if "manage_users" in codenames:
        rows.append([button(texts.CUSTOMER, callbacks.ADMIN_USER, payment.customer.telegram_id)])
    rows.append([button(texts.FIND_ANOTHER, callbacks.ADMIN_PAYMENT_FIND)])
    return InlineKeyboardMarkup([*rows, to_section_row()])


def cancel_to(payment_id: int) -> InlineKeyboardMarkup:
    """Cancel a question about a payment: back to its card."""
    return InlineKeyboardMarkup([[button(common_texts.CANCEL, callbacks.ADMIN_PAYMENT, payment_id)]])


def cancel_to_section() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(common_texts.CANCEL, callbacks.ADMIN_PAYMENTS)]])


def confirm(payment_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.CONFIRM, callbacks.ADMIN_PAYMENT_REFUND_YES, payment_id)],
            [button(common_texts.CANCEL, callbacks.ADMIN_PAYMENT, payment_id)],
        ]
    )
