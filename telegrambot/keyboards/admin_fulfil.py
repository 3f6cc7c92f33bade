"""The admin menu's Orders to fulfil: the queue, an order's actions, the refund confirmation."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from catalog.manual_models import ManualOrder
from catalog.selectors import Page
from telegrambot import callbacks
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import button, pager_row
from telegrambot.texts import admin_fulfil as texts
from telegrambot.texts import common as common_texts


def queue(page: Page[ManualOrder]) -> InlineKeyboardMarkup:
    rows = [[button(texts.order_button(item), callbacks.ADMIN_FULFIL_ORDER, item.pk)] for item in page.items]
    rows.append(pager_row(callbacks.ADMIN_FULFIL, page))
    rows.append(to_admin_row())
    return InlineKeyboardMarkup([row for row in rows if row])


def order(item: ManualOrder) -> InlineKeyboardMarkup:
    rows = []
    if item.is_waiting:
        rows.append(
            [
                button(texts.DELIVER, callbacks.ADMIN_FULFIL_DELIVER, item.pk),
                button(texts.REFUND, callbacks.ADMIN_FULFIL_REFUND, item.pk),
            ]
        )
    rows.append([button(common_texts.BACK, callbacks.ADMIN_FULFIL, 1), *to_admin_row()])
    return InlineKeyboardMarkup(rows)


def back_to_order(order_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(common_texts.BACK, callbacks.ADMIN_FULFIL_ORDER, order_id)]])


def confirm_refund(order_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.YES_REFUND, callbacks.ADMIN_FULFIL_REFUND_YES, order_id),
                button(texts.NO, callbacks.ADMIN_FULFIL_ORDER, order_id),
            ]
        ]
    )


def overdue(order_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.DELIVER, callbacks.ADMIN_FULFIL_ORDER, order_id)]])


def back_to_stock(product_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(common_texts.BACK, callbacks.ADMIN_STOCK_PRODUCT, product_id)]])
