"""Showing a screen: edit the pressed message, or send a new one for typed text.

Every handler presents through ``show``, so navigation edits the current
message, photos (which cannot become text) are replaced, each press is
answered once, and a second press of the same button is harmless.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from monitoring.metrics import TELEGRAM_API_ERRORS
from telegrambot.context import ShopContext
from telegrambot.texts.catalog import visible_text

logger = logging.getLogger("shopbot.bot")
# Telegram's refusal of an answer to a query answered before (or too old to answer).
ANSWERED_BEFORE = "query is too old and response timeout expired or query id is invalid"


async def answer(
    update: Update, context: ShopContext, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer the pressed button unless it was answered already; a no-op for messages."""
    query = update.callback_query
    if query is None or context.bot.was_answered(query.id):
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        if ANSWERED_BEFORE not in error.message.lower():
            raise
        # A worker that died after answering left this press to another (webhook mode), or the
        # press waited too long: the answer is gone, the screen is still owed.
        logger.debug("Press %s was answered before or expired; showing its screen anyway", query.id)
        TELEGRAM_API_ERRORS.labels(kind="callback_query_expired").inc()


async def show(
    update: Update, context: ShopContext, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message | bool:
    """Show ``text`` with ``keyboard``: in place of the pressed message (True), or as a new message."""
    query = update.callback_query
    if query is None:
        return await send(update, context, text, keyboard)
    await answer(update, context)
    message = query.message
    if not isinstance(message, Message) or message.text is None:
        # An old inaccessible message or a photo card cannot be edited into text.
        sent = await send(update, context, text, keyboard)
        if isinstance(message, Message):
            await delete_quietly(message)
        return sent
    try:
        await context.bot.edit_screen(message.chat_id, message.message_id, text, keyboard)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
    return True


async def show_changed(
    update: Update, context: ShopContext, text: str, keyboard: InlineKeyboardMarkup
) -> None:
    """Show a screen like ``show``; a press that would change nothing is only answered.

    Telegram refuses an edit that changes nothing ("message is not modified"):
    a forged or repeated press that asks for the screen already shown gets no edit.
    """
    message = update.callback_query.message if update.callback_query is not None else None
    if (
        isinstance(message, Message)
        and message.text is not None
        and message.text == visible_text(text)
        and message.reply_markup == keyboard
    ):
        await answer(update, context)
        return
    await show(update, context, text, keyboard)


async def send(
    update: Update, context: ShopContext, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message:
    """Send ``text`` as a new message to the chat of the update."""
    assert update.effective_chat is not None  # the gate admits private chats only
    return await context.bot.send_message(update.effective_chat.id, text, reply_markup=keyboard)


async def delete_quietly(message: Message) -> None:
    """Delete a message, accepting that Telegram refuses for messages older than 48 hours."""
    try:
        await message.delete()
    except BadRequest:
        pass
