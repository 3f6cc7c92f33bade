"""Promo codes in the admin menu: list, card, deletion, and the buttons of each step of a new code."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from catalog.models import Category, Product, PromoCode
from telegrambot import callbacks
from telegrambot.keyboards.common import PageLike, back_row, button, pager_row
from telegrambot.texts import admin_promos as texts
from telegrambot.texts import common as common_texts


def cancel_row() -> list:
    return [button(common_texts.CANCEL, callbacks.CANCEL)]


def promo_list(items: Sequence[PromoCode], page: PageLike) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.list_label(promo), callbacks.ADMIN_PROMO, promo.pk, page.number)] for promo in items
    ]
    pager = pager_row(callbacks.ADMIN_PROMO_LIST, page)
    return InlineKeyboardMarkup(
        [
            *rows,
            *([pager] if pager else []),
            [button(texts.NEW, callbacks.ADMIN_PROMO_ADD)],
            back_row(callbacks.ADMIN_PANEL),
        ]
    )


def card(promo: PromoCode, page: int) -> InlineKeyboardMarkup:
    switch = (
        button(texts.DEACTIVATE, callbacks.ADMIN_PROMO_ACTIVE, promo.pk, "off", page)
        if promo.is_active
        else button(texts.ACTIVATE, callbacks.ADMIN_PROMO_ACTIVE, promo.pk, "on", page)
    )
    return InlineKeyboardMarkup(
        [
            [switch, button(texts.DELETE, callbacks.ADMIN_PROMO_DELETE, promo.pk, page)],
            back_row(callbacks.ADMIN_PROMO_LIST, page),
        ]
    )


def confirm_delete(promo: PromoCode, page: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.DELETE_YES, callbacks.ADMIN_PROMO_DELETE_YES, promo.pk)],
            back_row(callbacks.ADMIN_PROMO, promo.pk, page),
        ]
    )


def cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([cancel_row()])


def skip_or_cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.SKIP, callbacks.ADMIN_PROMO_SKIP)], cancel_row()])


def kinds() -> InlineKeyboardMarkup:
    rows = [
        [button(label, callbacks.ADMIN_PROMO_KIND, kind)]
        for kind, label in (
            (PromoCode.Kind.PERCENT, texts.PERCENT),
            (PromoCode.Kind.FIXED, texts.FIXED),
            (PromoCode.Kind.BALANCE, texts.BALANCE),
        )
    ]
    return InlineKeyboardMarkup([*rows, cancel_row()])


def bindings() -> InlineKeyboardMarkup:
    rows = [
        [button(texts.BIND_NONE, callbacks.ADMIN_PROMO_BIND, "none")],
        [
            button(texts.BIND_CATEGORY, callbacks.ADMIN_PROMO_BIND, "cat"),
            button(texts.BIND_PRODUCT, callbacks.ADMIN_PROMO_BIND, "prod"),
        ],
    ]
    return InlineKeyboardMarkup([*rows, cancel_row()])


def categories(items: Sequence[Category], page: PageLike, mode: str) -> InlineKeyboardMarkup:
    if mode == "cat":
        rows = [
            [button(category.name, callbacks.ADMIN_PROMO_BIND_CATEGORY, category.pk)] for category in items
        ]
    else:
        rows = [[button(category.name, callbacks.ADMIN_PROMO_PRODUCTS, category.pk, 1)] for category in items]
    pager = pager_row(callbacks.ADMIN_PROMO_CATEGORIES, page, mode)
    return InlineKeyboardMarkup([*rows, *([pager] if pager else []), cancel_row()])


def products(items: Sequence[Product], page: PageLike, category_id: int) -> InlineKeyboardMarkup:
    rows = [[button(product.name, callbacks.ADMIN_PROMO_BIND_PRODUCT, product.pk)] for product in items]
    pager = pager_row(callbacks.ADMIN_PROMO_PRODUCTS, page, category_id)
    return InlineKeyboardMarkup([*rows, *([pager] if pager else []), cancel_row()])
