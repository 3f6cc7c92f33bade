"""The shop's buttons: categories, products, the product card, buying and its receipt."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from catalog.models import Category, Product, Purchase
from catalog.selectors import Page, ProductCard
from catalog.services import Quote
from payments.money import to_stars
from telegrambot import callbacks
from telegrambot.keyboards.common import back_row, button, pager_row
from telegrambot.keyboards.payments import pay_card_for_product, pay_stars_for_product, takes_cards
from telegrambot.texts import catalog as texts
from telegrambot.texts import preorders as preorder_texts

Rows = list[list[InlineKeyboardButton]]


def stars_price(amount: Decimal) -> int | None:
    """Return ``amount`` in Telegram Stars, or None when the shop does not take Stars."""
    return to_stars(amount, settings.STARS_PER_VALUE) if settings.STARS_PER_VALUE > 0 else None


def with_pager(rows: Rows, pager: list[InlineKeyboardButton]) -> Rows:
    return [*rows, pager] if pager else rows


def categories(page: Page[Category]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.category_button(category), callbacks.CATEGORY, category.pk, 1)]
        for category in page.items
    ]
    return InlineKeyboardMarkup([*with_pager(rows, pager_row(callbacks.CATEGORIES, page)), back_row()])


def products(category: Category, page: Page[Product]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.product_button(product), callbacks.PRODUCT, product.pk, page.number)]
        for product in page.items
    ]
    rows = with_pager(rows, pager_row(callbacks.CATEGORY, page, category.pk))
    return InlineKeyboardMarkup([*rows, back_row(callbacks.CATEGORIES, 1)])


def card(
    card: ProductCard,
    *,
    page: int,
    promo_code: str | None,
    waiting: bool = False,
    preorder_id: int | None = None,
) -> InlineKeyboardMarkup:
    """Buy, Stars, cart and promo buttons while the item is in stock; reviews and the way back always.

    Sold out: Pre-order (when the product takes them) with Cancel for the customer's open
    pre-order ``preorder_id``, and Notify me.
    """
    product_id = card.product.pk
    rows: Rows = []
    if card.in_stock:
        rows.append([button(texts.BUY, callbacks.BUY, product_id)])
        stars = stars_price(card.product.price)
        if stars is not None:
            rows.append([pay_stars_for_product(product_id, stars)])
        if takes_cards():
            rows.append([pay_card_for_product(product_id, card.product.price)])
        rows.append(
            [button(texts.ADD_TO_CART, callbacks.CART_ADD, product_id), button(texts.CART, callbacks.CART)]
        )
        if promo_code:
            rows.append([button(texts.REMOVE_PROMO, callbacks.DROP_PRODUCT_PROMO, product_id)])
        else:
            rows.append([button(texts.APPLY_PROMO, callbacks.PRODUCT_PROMO, product_id)])
    else:
        if takes_preorders(card):
            price = preorder_texts.preorder_button(card.product.price)
            rows.append([button(price, callbacks.PREORDER, product_id)])
        if preorder_id is not None:
            rows.append([button(preorder_texts.CANCEL_PREORDER, callbacks.PREORDER_CANCEL, preorder_id)])
        label = texts.STOP_NOTIFYING if waiting else texts.NOTIFY_ME
        rows.append([button(label, callbacks.WAITLIST, product_id, page)])
    rows.append([button(texts.reviews_button(card.review_count), callbacks.REVIEWS, product_id, 1)])
    return InlineKeyboardMarkup([*rows, back_row(callbacks.CATEGORY, card.category.pk, page)])


def takes_preorders(card: ProductCard) -> bool:
    """Whether a card offers Pre-order: sold out, pre-orders on, delivered from stock units."""
    return not card.in_stock and card.product.preorders and not card.product.is_unlimited


def confirm_buy(quote: Quote) -> InlineKeyboardMarkup:
    product_id = quote.product.pk
    rows = [[button(texts.pay_button(quote.price), callbacks.CONFIRM_BUY, quote.intent_id)]]
    if quote.promo is not None:
        rows.append([button(texts.REMOVE_PROMO, callbacks.DROP_PRODUCT_PROMO, product_id)])
    return InlineKeyboardMarkup([*rows, back_row(callbacks.PRODUCT, product_id, 1)])


def promo_prompt(product_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([back_row(callbacks.PRODUCT, product_id, 1)])


def receipt(purchase: Purchase) -> InlineKeyboardMarkup:
    rows: Rows = []
    if purchase.product_id is not None:
        rows.append([button(texts.RATE_ITEM, callbacks.RATE, purchase.product_id)])
    rows.append([button(texts.SHOP, callbacks.SHOP), button(texts.PURCHASES, callbacks.PURCHASES, 1)])
    return InlineKeyboardMarkup([*rows, back_row()])


def insufficient(*, top_up: Decimal, back: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """The button to top up what is missing, and the way back to the item or the cart."""
    return InlineKeyboardMarkup(
        [[button(texts.top_up_button(top_up), callbacks.TOP_UP_SHORTFALL, top_up)], back]
    )


def back_in_stock(product_id: int) -> InlineKeyboardMarkup:
    """The waitlist notice's one button: the product's card."""
    return InlineKeyboardMarkup([[button(texts.OPEN_PRODUCT, callbacks.PRODUCT, product_id, 1)]])
