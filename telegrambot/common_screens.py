"""Screens that more than one feature shows: the main menu, the top-up methods, not enough money.

They live here rather than in one feature's module, so that no handler
module imports another.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from accounts import roles
from catalog.selectors import count_cart_items
from payments.models import Payment
from payments.money import to_stars
from payments.services import enabled_providers, shortfall_top_up
from telegrambot import screens
from telegrambot.adapter import read
from telegrambot.context import ShopContext
from telegrambot.keyboards import catalog as catalog_keyboards
from telegrambot.keyboards import start as start_keyboards
from telegrambot.keyboards import topup as topup_keyboards
from telegrambot.texts import catalog as catalog_texts
from telegrambot.texts import start as start_texts
from telegrambot.texts import topup as topup_texts


async def show_menu(update: Update, context: ShopContext) -> None:
    """Show the main menu: the admin entry only to admins, the cart with its count."""
    customer = context.customer
    is_admin = await read(roles.is_admin, customer)
    cart_count = await read(count_cart_items, customer_id=customer.pk)
    keyboard = start_keyboards.main_menu(cart_count=cart_count, is_admin=is_admin)
    await screens.show(update, context, start_texts.menu(customer), keyboard)


def methods_screen(amount: Decimal) -> tuple[str, InlineKeyboardMarkup]:
    """Return the text and buttons that offer the configured methods for ``amount``."""
    providers = enabled_providers()
    stars = to_stars(amount, settings.STARS_PER_VALUE) if Payment.Provider.STARS in providers else None
    keyboard = topup_keyboards.methods(
        stars=stars,
        card=Payment.Provider.TELEGRAM in providers,
        crypto=Payment.Provider.CRYPTOPAY in providers,
        amount=amount,
    )
    return topup_texts.choose_method(amount, has_methods=bool(providers)), keyboard


async def show_shortfall(
    update: Update, context: ShopContext, *, price: Decimal, back: list[InlineKeyboardButton]
) -> None:
    """Say that the balance does not cover ``price`` and offer to top up the difference."""
    balance = context.customer.balance
    top_up = shortfall_top_up(price=price, balance=balance)
    text = catalog_texts.insufficient(price=price, balance=balance, top_up=top_up)
    keyboard = catalog_keyboards.insufficient(top_up=top_up, back=back)
    await screens.show_changed(update, context, text, keyboard)
