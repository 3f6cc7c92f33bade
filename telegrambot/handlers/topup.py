"""The top-up entry point: ask for an amount, then offer the configured payment methods.

The methods themselves (invoices, Stars, CryptoPay) live in
``handlers/payments.py`` and answer the ``TOP_UP_STARS``, ``TOP_UP_CARD`` and
``TOP_UP_CRYPTO`` routes.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from payments.money import parse_bounded_amount
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.common_screens import methods_screen
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import common as common_keyboards
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


HANDLERS = [CallbackQueryHandler(ask_amount, pattern=callbacks.TOP_UP.pattern)]
PROMPTS = {TOP_UP_AMOUNT: offer_methods}
FEATURE = Feature("topup", handlers=HANDLERS, prompts=PROMPTS)
