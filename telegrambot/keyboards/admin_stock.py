"""The admin's stock screens."""

from __future__ import annotations

from django.conf import settings
from telegram import InlineKeyboardMarkup

from catalog.models import Category, Product, StockUnit
from catalog.selectors import Page, ProductCard
from telegrambot import callbacks
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import button, pager_row
from telegrambot.texts import admin_catalog as catalog_texts
from telegrambot.texts import admin_stock as texts
from telegrambot.texts import common as common_texts


def overview(page: Page[Category]) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                catalog_texts.visible_name(item.name, item.is_active),
                callbacks.ADMIN_STOCK_CATEGORY,
                item.pk,
                1,
            )
        ]
        for item in page.items
    ]
    rows.append(pager_row(callbacks.ADMIN_STOCK, page))
    rows.append(to_admin_row())
    return InlineKeyboardMarkup([row for row in rows if row])


def category(item: Category, page: Page[Product]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.product_button(product), callbacks.ADMIN_STOCK_PRODUCT, product.pk)]
        for product in page.items
    ]
    rows.append(pager_row(callbacks.ADMIN_STOCK_CATEGORY, page, item.pk))
    rows.append([button(common_texts.BACK, callbacks.ADMIN_STOCK, 1), *to_admin_row()])
    return InlineKeyboardMarkup([row for row in rows if row])


Kind = Product.DeliveryKind
OTHER_KIND = {
    Kind.STOCK: Kind.FILE,
    Kind.FILE: Kind.STOCK,
    Kind.SHARED: Kind.SHARED_FILE,
    Kind.SHARED_FILE: Kind.SHARED,
    Kind.MANUAL: Kind.STOCK,
    Kind.DYNAMIC: Kind.STOCK,
}


def product(card: ProductCard) -> InlineKeyboardMarkup:
    item = card.product
    rows = []
    if not item.is_unlimited:
        add = texts.ADD_FILES if item.delivery == Kind.FILE else texts.ADD
        rows.append(
            [
                button(add, callbacks.ADMIN_STOCK_ADD, item.pk),
                button(texts.UNITS, callbacks.ADMIN_STOCK_UNITS, item.pk, 1),
            ]
        )
        rows.append([button(texts.THRESHOLD, callbacks.ADMIN_STOCK_THRESHOLD, item.pk)])
    if item.delivery == Kind.SHARED_FILE:
        rows.append([button(texts.SET_SHARED_FILE, callbacks.ADMIN_STOCK_SHARED_FILE, item.pk)])
    # The other nature on the same side: text units <-> file units, shared text <-> shared file.
    other = OTHER_KIND[item.delivery]
    rows.append([button(texts.switch_kind_button(other), callbacks.ADMIN_STOCK_KIND, item.pk, other)])
    if item.is_manual:
        rows.append(
            [
                button(texts.FULFIL_HOURS, callbacks.ADMIN_MANUAL_HOURS, item.pk),
                button(texts.QUESTIONS, callbacks.ADMIN_MANUAL_QUESTIONS, item.pk),
            ]
        )
    else:
        rows.append(
            [button(texts.switch_kind_button(Kind.MANUAL), callbacks.ADMIN_STOCK_KIND, item.pk, Kind.MANUAL)]
        )
    # Setting the seller's endpoint makes the product dynamic; a failed order falls back to the hours.
    endpoint = texts.ENDPOINT if item.is_dynamic else texts.switch_kind_button(Kind.DYNAMIC)
    rows.append([button(endpoint, callbacks.ADMIN_DYNAMIC_ENDPOINT, item.pk)])
    if item.is_dynamic:
        rows.append([button(texts.FULFIL_HOURS, callbacks.ADMIN_MANUAL_HOURS, item.pk)])
    rows.append(
        [button(common_texts.BACK, callbacks.ADMIN_STOCK_CATEGORY, item.category_id, 1), *to_admin_row()]
    )
    return InlineKeyboardMarkup(rows)


def preview(product_id: int, new: int) -> InlineKeyboardMarkup:
    rows = [[button(texts.confirm_button(new), callbacks.ADMIN_STOCK_CONFIRM, product_id)]] if new else []
    return InlineKeyboardMarkup(
        [*rows, [button(common_texts.CANCEL, callbacks.ADMIN_STOCK_PRODUCT, product_id)]]
    )


def added(product_id: int, *, new: int) -> InlineKeyboardMarkup:
    rows = []
    if new and settings.CHANNEL_ID:
        rows.append([button(texts.ANNOUNCE, callbacks.ADMIN_STOCK_ANNOUNCE, product_id)])
    rows.append([button(common_texts.BACK, callbacks.ADMIN_STOCK_PRODUCT, product_id), *to_admin_row()])
    return InlineKeyboardMarkup(rows)


def units(product_id: int, page: Page[StockUnit]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.unit_button(unit), callbacks.ADMIN_STOCK_UNIT, unit.pk, page.number)]
        for unit in page.items
    ]
    rows.append(pager_row(callbacks.ADMIN_STOCK_UNITS, page, product_id))
    rows.append([button(common_texts.BACK, callbacks.ADMIN_STOCK_PRODUCT, product_id), *to_admin_row()])
    return InlineKeyboardMarkup([row for row in rows if row])


def unit(item: StockUnit, page: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.DELETE_UNIT, callbacks.ADMIN_STOCK_UNIT_DELETE, item.pk, page)],
            [button(common_texts.BACK, callbacks.ADMIN_STOCK_UNITS, item.product_id, page), *to_admin_row()],
        ]
    )


def cancel_to(product_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(common_texts.CANCEL, callbacks.ADMIN_STOCK_PRODUCT, product_id)]])
