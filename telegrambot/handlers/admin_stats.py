"""Statistics for holders of view_statistics."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from catalog.selectors.statistics import get_statistics
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.html import render
from telegrambot.keyboards import admin_stats as keyboards
from telegrambot.texts import admin_stats as texts


async def show_statistics(update: Update, context: ShopContext) -> None:
    """Shows users, sales, revenue, top products, payments, balances, stock and referral rewards."""
    statistics = await call(get_statistics, actor=context.customer)
    text = texts.screen(statistics)
    if shows_already(update, text):
        # Numbers are cached for a minute: a refresh within it would not change the message.
        await screens.answer(update, context, str(texts.UP_TO_DATE))
        return
    await screens.show(update, context, text, keyboards.screen())


def shows_already(update: Update, text: str) -> bool:
    """Return whether the pressed message already shows ``text`` (compared as the user sees it)."""
    message = update.callback_query.message if update.callback_query else None
    return isinstance(message, Message) and message.text == render(text).strip()


HANDLERS = [CallbackQueryHandler(show_statistics, pattern=callbacks.ADMIN_STATS.pattern)]
FEATURE = Feature("admin_stats", handlers=HANDLERS)
