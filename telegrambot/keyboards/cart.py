"""The cart's buttons: its lines, quantities, promo codes, checkout and the receipt."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from catalog.models import Purchase
from catalog.selectors import Page
from catalog.services import Cart, CartItem
from catalog.services.cart import MAX_QUANTITY
from telegrambot import callbacks
from telegrambot.keyboards.catalog import stars_price, with_pager
from telegrambot.keyboards.common import back_row, button, pager_row
from telegrambot.keyboards.payments import pay_card_for_cart, pay_stars_for_cart, takes_cards
from telegrambot.texts import cart as texts
from telegrambot.texts import catalog as catalog_texts
from telegrambot.texts import common as common_texts

RATE_BUTTONS = 3  # a receipt offers to rate this many of its items


def shop_and_menu() -> list[InlineKeyboardButton]:
    return [button(catalog_texts.SHOP, callbacks.SHOP), button(common_texts.TO_MENU, callbacks.MENU)]


def cart(cart: Cart, page: Page[CartItem]) -> InlineKeyboardMarkup:
    rows = [[button(texts.line_button(item), callbacks.CART_LINE, item.product.pk)] for item in page.items]
    rows = with_pager(rows, pager_row(callbacks.CART_PAGE, page))
    if cart.can_checkout:
        rows.append([button(texts.checkout_button(cart.total), callbacks.CHECKOUT)])
        stars = stars_price(cart.list_total)
        if stars is not None:
            rows.append([pay_stars_for_cart(stars)])
        if takes_cards():
            rows.append([pay_card_for_cart(cart.list_total)])
    if not cart.is_empty:
        rows.append([button(texts.CLEAR, callbacks.CART_CLEAR)])
    return InlineKeyboardMarkup([*rows, shop_and_menu()])


def line(item: CartItem) -> InlineKeyboardMarkup:
    product_id, quantity = item.product.pk, item.quantity
    counter = []
    if quantity > 1:
        counter.append(button(texts.DECREASE, callbacks.CART_QUANTITY, product_id, quantity - 1))
    counter.append(button(texts.quantity_label(quantity), callbacks.NOOP))
    if quantity < MAX_QUANTITY:
        counter.append(button(texts.INCREASE, callbacks.CART_QUANTITY, product_id, quantity + 1))
    if item.promo is not None:
        promo = button(catalog_texts.REMOVE_PROMO, callbacks.CART_DROP_PROMO, product_id)
    else:
        promo = button(catalog_texts.APPLY_PROMO, callbacks.CART_PROMO, product_id)
    rows = [counter, [promo], [button(texts.REMOVE, callbacks.CART_REMOVE, product_id)]]
    return InlineKeyboardMarkup([*rows, back_row(callbacks.CART)])


def promo_prompt(product_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([back_row(callbacks.CART_LINE, product_id)])


def confirm_checkout(cart: Cart) -> InlineKeyboardMarkup:
    rows = []
    if cart.can_checkout and cart.intent_id is not None:
        rows.append([button(texts.pay_button(cart.total), callbacks.CONFIRM_CHECKOUT, cart.intent_id)])
    return InlineKeyboardMarkup([*rows, back_row(callbacks.CART)])


def receipt(purchases: Sequence[Purchase]) -> InlineKeyboardMarkup:
    products: dict[int, str] = {}
    for purchase in purchases:
        if purchase.product_id is not None and len(products) < RATE_BUTTONS:
            products.setdefault(purchase.product_id, purchase.product_name)
    rows = [
        [button(texts.rate_button(name), callbacks.RATE, product_id)] for product_id, name in products.items()
    ]
    rows.append(
        [button(catalog_texts.SHOP, callbacks.SHOP), button(catalog_texts.PURCHASES, callbacks.PURCHASES, 1)]
    )
    return InlineKeyboardMarkup([*rows, back_row()])
