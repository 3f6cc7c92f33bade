"""The admin's catalog: lists of categories and products, their actions, the product form."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from catalog.models import Category, Product
from catalog.selectors import Page, ProductCard
from telegrambot import callbacks
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import back_row, button, pager_row
from telegrambot.texts import admin_catalog as texts
from telegrambot.texts import common as common_texts


def categories(page: Page[Category]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.visible_name(item.name, item.is_active), callbacks.ADMIN_CATEGORY, item.pk, 1)]
        for item in page.items
    ]
    rows.append([button(texts.NEW_CATEGORY, callbacks.ADMIN_CATEGORY_ADD)])
    rows.append(pager_row(callbacks.ADMIN_CATEGORIES, page))
    rows.append(to_admin_row())
    return InlineKeyboardMarkup([row for row in rows if row])


def category(item: Category, page: Page[Product]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.product_button(product), callbacks.ADMIN_PRODUCT, product.pk)] for product in page.items
    ]
    rows.append(pager_row(callbacks.ADMIN_CATEGORY, page, item.pk))
    rows.append([button(texts.NEW_PRODUCT, callbacks.ADMIN_PRODUCT_ADD, item.pk)])
    rows.append(
        [
            button(texts.RENAME, callbacks.ADMIN_CATEGORY_RENAME, item.pk),
            button(texts.UP, callbacks.ADMIN_CATEGORY_MOVE, item.pk, "up"),
            button(texts.DOWN, callbacks.ADMIN_CATEGORY_MOVE, item.pk, "down"),
        ]
    )
    shown = (
        button(texts.HIDE, callbacks.ADMIN_CATEGORY_SHOW, item.pk, "off")
        if item.is_active
        else button(texts.SHOW, callbacks.ADMIN_CATEGORY_SHOW, item.pk, "on")
    )
    rows.append([shown, button(texts.DELETE, callbacks.ADMIN_CATEGORY_DELETE, item.pk)])
    rows.append([sold_out_toggle(callbacks.ADMIN_CATEGORY_SOLD_OUT, item.pk, item.hide_when_sold_out)])
    rows.append([button(common_texts.BACK, callbacks.ADMIN_CATEGORIES, 1), *to_admin_row()])
    return InlineKeyboardMarkup([row for row in rows if row])


def product(card: ProductCard, *, with_stock: bool) -> InlineKeyboardMarkup:
    item = card.product
    edits = [
        button(label, callbacks.ADMIN_PRODUCT_EDIT, item.pk, field)
        for field, label in texts.EDIT_LABELS.items()
    ]
    rows = [edits[index : index + 3] for index in range(0, len(edits), 3)]
    shown = (
        button(texts.HIDE, callbacks.ADMIN_PRODUCT_SHOW, item.pk, "off")
        if item.is_active
        else button(texts.SHOW, callbacks.ADMIN_PRODUCT_SHOW, item.pk, "on")
    )
    rows.append([shown, button(texts.DELETE, callbacks.ADMIN_PRODUCT_DELETE, item.pk)])
    rows.append([sold_out_toggle(callbacks.ADMIN_PRODUCT_SOLD_OUT, item.pk, item.hide_when_sold_out)])
    if not item.is_unlimited:  # only a product of units is ever sold out and restocked
        label, state = (texts.STOP_PREORDERS, "off") if item.preorders else (texts.TAKE_PREORDERS, "on")
        rows.append([button(label, callbacks.ADMIN_PRODUCT_PREORDERS, item.pk, state)])
    if with_stock and not item.is_unlimited:
        rows.append([button(texts.STOCK, callbacks.ADMIN_STOCK_PRODUCT, item.pk)])
    rows.append([button(common_texts.BACK, callbacks.ADMIN_CATEGORY, item.category_id, 1), *to_admin_row()])
    return InlineKeyboardMarkup(rows)


def sold_out_toggle(route: callbacks.Route, item_id: int, hides: bool) -> InlineKeyboardButton:
    """The switch between leaving the lists while sold out and staying in them with a badge."""
    if hides:
        return button(texts.SHOW_WHEN_SOLD_OUT, route, item_id, "off")
    return button(texts.HIDE_WHEN_SOLD_OUT, route, item_id, "on")


def confirm(
    yes: callbacks.Route, no: callbacks.Route, item_id: int, *no_values: object
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(texts.YES_DELETE, yes, item_id), button(texts.NO, no, item_id, *no_values)]]
    )


def cancel_row() -> list[InlineKeyboardButton]:
    return [button(common_texts.CANCEL, callbacks.CANCEL)]


def with_skip() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.SKIP, callbacks.ADMIN_DRAFT_SKIP)], cancel_row()])


def kinds() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.KIND_STOCK, callbacks.ADMIN_DRAFT_KIND, "stock")],
            [button(texts.KIND_UNLIMITED, callbacks.ADMIN_DRAFT_KIND, "unlimited")],
            cancel_row(),
        ]
    )


def category_choices(items: list[Category]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.visible_name(item.name, item.is_active), callbacks.ADMIN_DRAFT_CATEGORY, item.pk)]
        for item in items
    ]
    return InlineKeyboardMarkup([*rows, cancel_row()])


def after_save(product_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(common_texts.BACK, callbacks.ADMIN_PRODUCT, product_id)], back_row()]
    )
