"""The top-up entry point: ask for an amount, then offer the configured payment methods.

The methods themselves (invoices, Stars, CryptoPay) live in
``handlers/payments.py`` and answer the ``TOP_UP_STARS``, ``TOP_UP_CARD`` and
``TOP_UP_CRYPTO`` routes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from payments.models import Payment
from payments.money import parse_bounded_amount, to_stars
from payments.services import enabled_providers
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.keyboards import common as common_keyboards
from telegrambot.keyboards import topup as keyboards
from telegrambot.services import dialog
from telegrambot.texts import topup as texts

TOP_UP_AMOUNT = "top_up_amount"


async def ask_amount(update: Update, context: ShopContext) -> None:
    """Asks how much to put on the balance."""
    await call(dialog.set_state, telegram_id=context.customer.telegram_id, state=TOP_UP_AMOUNT)
    await screens.show(update, context, texts.ask_amount(), common_keyboards.cancel())


async def offer_methods(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Checks the typed amount and offers the payment methods the shop has configured."""
    amount = parse_bounded_amount(update.message.text)
    await call(dialog.clear_state, telegram_id=context.customer.telegram_id)
    await screens.send(update, context, *methods_screen(amount))


def methods_screen(amount: Decimal) -> tuple[str, InlineKeyboardMarkup]:
    """Return the text and buttons that offer the configured methods for ``amount``."""
    providers = enabled_providers()
    stars = to_stars(amount, settings.STARS_PER_VALUE) if Payment.Provider.STARS in providers else None
    keyboard = keyboards.methods(
        stars=stars,
        card=Payment.Provider.TELEGRAM in providers,
        crypto=Payment.Provider.CRYPTOPAY in providers,
        amount=amount,
    )
    return texts.choose_method(amount, has_methods=bool(providers)), keyboard


HANDLERS = [CallbackQueryHandler(ask_amount, pattern=callbacks.TOP_UP.pattern)]
PROMPTS = {TOP_UP_AMOUNT: offer_methods}
