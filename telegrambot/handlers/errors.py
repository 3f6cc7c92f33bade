"""The single error handler: refusals become short answers, anything else is a logged bug."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from accounts.services import mark_bot_blocked
from monitoring.errors import record_error
from monitoring.metrics import HANDLER_ERRORS, REFUSALS
from shopbot.errors import ShopError
from telegrambot import logs, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.outages import is_outage
from telegrambot.texts import common as texts
from telegrambot.texts import operations as operations_texts

logger = logging.getLogger(__name__)


async def handle_error(update: object, context: ShopContext) -> None:
    """Answers a refusal with its message, or logs the error and apologises."""
    await report(update, context)
    # Later groups must not run after a failure: a handler there would find no customer
    # when the gate failed, and the press is answered already.
    raise ApplicationHandlerStop


async def report(update: object, context: ShopContext) -> None:
    error = context.error
    if not isinstance(update, Update):
        logger.error("Error outside an update", exc_info=error)
        HANDLER_ERRORS.labels(exception=type(error).__name__).inc()
        if not is_outage(error):
            await call(record_error, exception_class=type(error), summary=logs.error_summary(update, error))
        return
    if isinstance(error, Forbidden) and update.effective_user is not None:
        # The user blocked the bot: nothing can be shown to them any more.
        await call(mark_bot_blocked, telegram_id=update.effective_user.id)
        return
    if isinstance(error, ShopError):
        REFUSALS.labels(error=type(error).__name__).inc()
        await tell(update, context, str(error))
        return
    if isinstance(error, BadRequest) and "not modified" in error.message.lower():
        await screens.answer(update, context)
        return
    HANDLER_ERRORS.labels(exception=type(error).__name__).inc()
    if is_outage(error):
        # The database or the cache is away: nothing was written; the next update reconnects.
        logger.warning("Database or cache unavailable for update %s: %r", update.update_id, error)
        await tell(update, context, str(operations_texts.UNAVAILABLE))
        return
    # Never the raw update: texts and captions can hold keys (an admin's stock upload, a receipt).
    logger.error("Error while handling %s", logs.describe_update(update), exc_info=error)
    await call(record_error, exception_class=type(error), summary=logs.error_summary(update, error))
    await tell(update, context, str(texts.UNEXPECTED_ERROR))


async def tell(update: Update, context: ShopContext, message: str) -> None:
    """Show ``message`` as an alert on an unanswered press, else as a message in the chat."""
    try:
        query = update.callback_query
        if query is not None and not context.bot.was_answered(query.id):
            await query.answer(texts.alert(message), show_alert=True)
        elif update.effective_chat is not None and update.pre_checkout_query is None:
            await screens.send(update, context, texts.refusal(message))
    except TelegramError as error:
        # Nothing more can be done for this update; the original error was already handled.
        logger.warning("Could not tell %s about an error: %s", update.effective_user, error)
