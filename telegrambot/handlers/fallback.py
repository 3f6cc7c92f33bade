"""Last resorts: refuse what no feature handled, and answer every press.

Registered after every feature, so a press or a message reaches these only
when no route matched it: an outdated, malformed or forged button, or text the
bot does not expect.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from telegrambot import screens
from telegrambot.context import ShopContext
from telegrambot.keyboards import common as keyboards
from telegrambot.texts import common as texts


async def unknown_button(update: Update, context: ShopContext) -> None:
    """Refuses a press that no route matches: an outdated, malformed or forged button."""
    await screens.answer(update, context, texts.alert(texts.UNKNOWN_BUTTON), alert=True)


async def unknown_message(update: Update, context: ShopContext) -> None:
    """Answers a message the bot does not expect (an unknown command, a sticker, a photo)."""
    await screens.send(update, context, str(texts.UNKNOWN_TEXT), keyboards.back_to_menu())


async def ensure_answered(update: Update, context: ShopContext) -> None:
    """Answers a press that its handler left unanswered, so no button keeps spinning."""
    await screens.answer(update, context)


PRIVATE = filters.ChatType.PRIVATE

HANDLERS = [
    CallbackQueryHandler(unknown_button),
    # Payments are never "not understood": they belong to handlers/payments.py.
    MessageHandler(PRIVATE & ~filters.UpdateType.EDITED & ~filters.SUCCESSFUL_PAYMENT, unknown_message),
]
# In a later group: runs after the feature's handler, whatever it did.
SAFETY_NET = [CallbackQueryHandler(ensure_answered)]
