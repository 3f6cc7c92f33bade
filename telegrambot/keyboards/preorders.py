"""Pre-order buttons: the confirmation's Pay, and the way back to the card."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from catalog.models import PreOrder, Product
from telegrambot import callbacks
from telegrambot.keyboards.common import back_row, button
from telegrambot.texts import preorders as texts


def confirm(product: Product) -> InlineKeyboardMarkup:
    pay = button(texts.pay_button(product.price), callbacks.PREORDER_PAY, product.pk, product.price)
    return InlineKeyboardMarkup([[pay], back_row(callbacks.PRODUCT, product.pk, 1)])


def placed(preorder: PreOrder) -> InlineKeyboardMarkup:
    rows = [[button(texts.CANCEL_PREORDER, callbacks.PREORDER_CANCEL, preorder.pk)]]
    if preorder.product_id is not None:
        rows.append(back_row(callbacks.PRODUCT, preorder.product_id, 1))
    return InlineKeyboardMarkup([*rows, back_row()])


def cancelled(product_id: int | None) -> InlineKeyboardMarkup:
    if product_id is None:
        return InlineKeyboardMarkup([back_row()])
    return InlineKeyboardMarkup([back_row(callbacks.PRODUCT, product_id, 1)])
