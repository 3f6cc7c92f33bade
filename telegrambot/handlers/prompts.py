"""Typed text goes to the prompt the user is answering, read from ``DialogState``.

Each feature declares its ``prompts`` (``features.Feature``);
``application.py`` merges them into one dispatcher. A prompt handler receives the update, the context
and the ``Dialog`` (state and draft), validates the text through a service,
and clears the state once the answer is accepted. A refusal (``ShopError``)
reaches the error handler and the state stays, so the user can try again.
"""

from __future__ import annotations

from collections.abc import Mapping

from telegram import Update
from telegram.ext import MessageHandler, filters

from telegrambot import screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import PromptHandler
from telegrambot.keyboards import common as keyboards
from telegrambot.services import dialog
from telegrambot.texts import common as texts


def build_handler(prompts: Mapping[str, PromptHandler]) -> MessageHandler:
    """Return the handler that passes typed text to the registered prompt handlers."""

    async def answer_prompt(update: Update, context: ShopContext) -> None:
        """Passes typed text to the prompt the user is answering."""
        state = await call(dialog.get_state, telegram_id=context.customer.telegram_id)
        if state is None:
            await screens.send(update, context, str(texts.UNKNOWN_TEXT), keyboards.back_to_menu())
            return
        handler = prompts.get(state.state)
        if handler is None:
            # A state from an older version of the bot: forget it rather than guess.
            await call(dialog.clear_state, telegram_id=context.customer.telegram_id)
            await screens.send(update, context, str(texts.EXPIRED_PROMPT), keyboards.back_to_menu())
            return
        await handler(update, context, state)

    typed = filters.TEXT & ~filters.COMMAND
    return MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED & typed, answer_prompt)


def build_media_handler(prompts: Mapping[str, PromptHandler]) -> MessageHandler:
    """Return the handler that passes a photo or a document to the prompt waiting for one.

    Features declare ``media_prompts`` for prompts that accept
    a file (a product picture, a stock file); a photo or a document sent while
    no such prompt waits is not understood.
    """

    async def answer_with_media(update: Update, context: ShopContext) -> None:
        """Passes a photo or a document to the prompt the user is answering."""
        state = await call(dialog.get_state, telegram_id=context.customer.telegram_id)
        handler = prompts.get(state.state) if state is not None else None
        if handler is None:
            await screens.send(update, context, str(texts.UNKNOWN_TEXT), keyboards.back_to_menu())
            return
        await handler(update, context, state)

    media = filters.PHOTO | filters.Document.ALL
    return MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED & media, answer_with_media)
