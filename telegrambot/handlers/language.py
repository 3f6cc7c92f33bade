"""Choosing the language of the bot, kept per customer."""

from __future__ import annotations

from django.utils import translation
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from accounts.services import set_language
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.common_screens import show_menu
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import start as keyboards
from telegrambot.texts import start as texts


async def choose_language(update: Update, context: ShopContext) -> None:
    """Offers the languages of the shop."""
    await screens.show(update, context, str(texts.CHOOSE_LANGUAGE), keyboards.languages())


async def save_language(update: Update, context: ShopContext) -> None:
    """Saves the chosen language and shows the menu in it."""
    language = callbacks.SET_LANGUAGE.parse(update.callback_query.data)
    context.customer = await call(set_language, telegram_id=context.customer.telegram_id, language=language)
    translation.activate(context.customer.language)
    await screens.answer(update, context, texts.language_saved())
    await show_menu(update, context)


HANDLERS = [
    CommandHandler("language", choose_language, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(choose_language, pattern=callbacks.LANGUAGE.pattern),
    CallbackQueryHandler(save_language, pattern=callbacks.SET_LANGUAGE.pattern),
]
FEATURE = Feature("language", handlers=HANDLERS)
