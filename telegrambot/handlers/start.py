"""/start, the main menu, /help, /terms, rules and support (/paysupport: handlers/tickets.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from telegrambot import callbacks, screens
from telegrambot.adapter import read
from telegrambot.common_screens import show_menu
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import common as common_keyboards
from telegrambot.keyboards import start as keyboards
from telegrambot.services import dialog
from telegrambot.texts import start as texts

PRIVATE = filters.ChatType.PRIVATE


async def start(update: Update, context: ShopContext) -> None:
    """Shows the main menu; the gate has already registered the user and any referrer."""
    await read(dialog.clear_state, telegram_id=context.customer.telegram_id)
    await show_menu(update, context)


async def menu(update: Update, context: ShopContext) -> None:
    """Shows the main menu in place of the current screen, leaving any prompt."""
    await read(dialog.clear_state, telegram_id=context.customer.telegram_id)
    await show_menu(update, context)


async def help_command(update: Update, context: ShopContext) -> None:
    """Explains how the shop works and lists the commands."""
    await screens.show(update, context, texts.help_text(), common_keyboards.back_to_menu())


async def terms(update: Update, context: ShopContext) -> None:
    """Shows the terms of service, which Telegram requires of bots that take payments."""
    await screens.show(update, context, texts.terms(), common_keyboards.back_to_menu())


async def rules(update: Update, context: ShopContext) -> None:
    """Shows the shop's rules from the RULES setting."""
    await screens.show(update, context, texts.rules(), common_keyboards.back_to_menu())


async def support(update: Update, context: ShopContext) -> None:
    """Shows whom to write to for help."""
    await screens.show(update, context, texts.support(), keyboards.support())


async def noop(update: Update, context: ShopContext) -> None:
    """Answers a press of the page indicator, which changes nothing."""
    await screens.answer(update, context)


HANDLERS = [
    CommandHandler("start", start, filters=PRIVATE),
    CommandHandler("help", help_command, filters=PRIVATE),
    CommandHandler("terms", terms, filters=PRIVATE),
    CallbackQueryHandler(menu, pattern=callbacks.MENU.pattern),
    CallbackQueryHandler(menu, pattern=callbacks.CANCEL.pattern),
    CallbackQueryHandler(menu, pattern=callbacks.CHECK_SUBSCRIPTION.pattern),
    CallbackQueryHandler(rules, pattern=callbacks.RULES.pattern),
    CallbackQueryHandler(support, pattern=callbacks.SUPPORT.pattern),
    CallbackQueryHandler(noop, pattern=callbacks.NOOP.pattern),
]
FEATURE = Feature("start", handlers=HANDLERS)
