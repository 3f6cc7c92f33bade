"""Buttons under invoices and payment screens."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from payments.models import Payment
from telegrambot import callbacks
from telegrambot.keyboards.common import back_row, button, url_button
from telegrambot.texts import payments as texts


def crypto_invoice(payment: Payment) -> InlineKeyboardMarkup:
    """The Pay link to CryptoPay and the "Check payment" button."""
    return InlineKeyboardMarkup(
        [
            [url_button(texts.PAY, payment.pay_url)],
            [button(texts.CHECK_PAYMENT, callbacks.CHECK_CRYPTO, payment.pk)],
            back_row(),
        ]
    )


def pay_stars_for_product(product_id: int, stars: int) -> InlineKeyboardButton:
    """The button a product card shows to pay for one unit in Stars."""
    return button(texts.pay_stars_button(stars), callbacks.PAY_STARS_PRODUCT, product_id)


def pay_stars_for_cart(stars: int) -> InlineKeyboardButton:
    """The button the cart shows to pay for everything in Stars."""
    return button(texts.pay_stars_button(stars), callbacks.PAY_STARS_CART)


def takes_cards() -> bool:
    """Whether orders can be paid by card (a Telegram Payments provider token is set)."""
    return bool(settings.TELEGRAM_PROVIDER_TOKEN)


def pay_card_for_product(product_id: int, amount: Decimal) -> InlineKeyboardButton:
    """The button a product card shows to pay for one unit by card."""
    return button(texts.pay_card_button(amount), callbacks.PAY_CARD_PRODUCT, product_id)


def pay_card_for_cart(amount: Decimal) -> InlineKeyboardButton:
    """The button the cart shows to pay for everything by card."""
    return button(texts.pay_card_button(amount), callbacks.PAY_CARD_CART)
