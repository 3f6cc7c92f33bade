"""Last resorts: refuse what no feature handled, and answer every press.

Registered after every feature. The placeholders for the shop, the cart, the
payment methods and the admin sections answer only until the features that
own those routes register their handlers earlier in ``application.py``.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from telegrambot import callbacks, screens
from telegrambot.context import ShopContext
from telegrambot.keyboards import common as keyboards
from telegrambot.texts import common as texts
from telegrambot.texts import topup as topup_texts


async def not_available(update: Update, context: ShopContext) -> None:
    """Says that this section is not available yet."""
    if update.callback_query is not None:
        await screens.answer(update, context, texts.alert(texts.COMING_SOON), alert=True)
    else:
        await screens.send(update, context, str(texts.COMING_SOON), keyboards.back_to_menu())


async def method_not_available(update: Update, context: ShopContext) -> None:
    """Says that this payment method is not available yet."""
    await screens.answer(update, context, texts.alert(topup_texts.method_unavailable()), alert=True)


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
    CommandHandler("shop", not_available, filters=PRIVATE),
    CallbackQueryHandler(not_available, pattern=callbacks.SHOP.pattern),
    CallbackQueryHandler(not_available, pattern=callbacks.CART.pattern),
    CallbackQueryHandler(method_not_available, pattern=callbacks.TOP_UP_STARS.pattern),
    CallbackQueryHandler(method_not_available, pattern=callbacks.TOP_UP_CARD.pattern),
    CallbackQueryHandler(method_not_available, pattern=callbacks.TOP_UP_CRYPTO.pattern),
    # Admin sections whose features are not registered yet.
    *(
        CallbackQueryHandler(not_available, pattern=route.pattern)
        for route in (callbacks.ADMIN_PROMOS, callbacks.ADMIN_BROADCAST, callbacks.ADMIN_STATS,
                      callbacks.ADMIN_AUDIT, callbacks.ADMIN_MAINTENANCE)
    ),
    CallbackQueryHandler(unknown_button),
    # Payments are never "not understood": they belong to handlers/payments.py.
    MessageHandler(PRIVATE & ~filters.UpdateType.EDITED & ~filters.SUCCESSFUL_PAYMENT, unknown_message),
]
# In a later group: runs after the feature's handler, whatever it did.
SAFETY_NET = [CallbackQueryHandler(ensure_answered)]
