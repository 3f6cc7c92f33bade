"""Order lookup: the admin types an order number and sees the order with what was delivered."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from catalog.selectors import staff as selectors
from telegrambot import callbacks, delivery, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import common as common_keyboards
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import button
from telegrambot.prompting import ask, finish, require
from telegrambot.services import dialog
from telegrambot.texts import admin_orders as texts

ORDER_NUMBER = "admin_order_number"


async def ask_order_number(update: Update, context: ShopContext) -> None:
    """Asks for the number of the order to find."""
    await require(context, "manage_users", "find_order")
    await ask(update, context, ORDER_NUMBER, {}, str(texts.ASK_ORDER), common_keyboards.cancel())


async def show_order(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Shows the order with the typed number: buyer, product, price, time and, if allowed, the value."""
    purchase = await call(selectors.get_order, actor=context.customer, order_number=update.message.text)
    shows_value = await call(selectors.shows_delivered_values, actor=context.customer)
    await finish(context)
    keyboard = InlineKeyboardMarkup(
        [
            [button(texts.BUYER, callbacks.ADMIN_USER, purchase.buyer.telegram_id)],
            [button(texts.ANOTHER, callbacks.ADMIN_ORDER_LOOKUP), *to_admin_row()],
        ]
    )
    if not shows_value:
        await screens.send(update, context, texts.order(purchase, shows_value=False), keyboard)
        return
    receipt = delivery.receipt(
        [purchase],
        full=texts.order(purchase, shows_value=True),
        short=texts.order(purchase, shows_value=True, with_value=False),
    )
    await screens.send(update, context, receipt.text, keyboard)
    await delivery.send_file(context.bot, context.customer.telegram_id, receipt)


HANDLERS = [CallbackQueryHandler(ask_order_number, pattern=callbacks.ADMIN_ORDER_LOOKUP.pattern)]
PROMPTS = {ORDER_NUMBER: show_order}
FEATURE = Feature("admin_orders", handlers=HANDLERS, prompts=PROMPTS)
