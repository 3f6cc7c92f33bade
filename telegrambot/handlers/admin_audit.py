"""The audit log for holders of view_audit: recent actions by admin and by action, and the log files."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler

from accounts.selectors.staff import list_audit_entries, list_audit_filters, read_log_file
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import admin_audit as keyboards
from telegrambot.texts import admin_audit as texts
from telegrambot.texts import common as common_texts


async def show_audit(update: Update, context: ShopContext) -> None:
    """Shows the latest audit entries, unfiltered."""
    await show_page(update, context, admin_id=0, action="-", page=1)


async def show_audit_page(update: Update, context: ShopContext) -> None:
    """Shows a page of audit entries by one admin and/or of one action."""
    admin_id, action, page = callbacks.ADMIN_AUDIT_PAGE.parse(update.callback_query.data)
    await show_page(update, context, admin_id=admin_id, action=action, page=page)


async def show_page(update: Update, context: ShopContext, *, admin_id: int, action: str, page: int) -> None:
    found = await call(
        list_audit_entries,
        actor=context.customer,
        page=page,
        admin_id=admin_id or None,
        action=None if action == "-" else action,
    )
    entries, admin = found.entries, found.admin
    text = texts.screen(entries.items, entries.number, admin=admin, action=action)
    await screens.show(update, context, text, keyboards.screen(entries, admin=admin, action=action))


async def choose_filter(update: Update, context: ShopContext) -> None:
    """Offers the admins or the actions seen recently, keeping the other filter."""
    kind, admin_id, action = callbacks.ADMIN_AUDIT_FILTER.parse(update.callback_query.data)
    choices = await call(list_audit_filters, actor=context.customer)
    if kind == "actor":
        await screens.show(update, context, str(texts.CHOOSE_ADMIN), keyboards.admins(choices.actors, action))
    else:
        await screens.show(
            update, context, str(texts.CHOOSE_ACTION), keyboards.actions(choices.actions, admin_id)
        )


async def send_log_file(update: Update, context: ShopContext) -> None:
    """Sends the bot's log or audit log file as a document, or says that there is none."""
    which = callbacks.ADMIN_AUDIT_FILE.parse(update.callback_query.data)
    log = await call(read_log_file, actor=context.customer, which=which)
    if log is None or not log.content:
        message = texts.NO_FILE if log is None else texts.EMPTY_FILE
        await screens.answer(update, context, common_texts.alert(message), alert=True)
        return
    await screens.answer(update, context)
    document = InputFile(log.content, filename=log.name)
    caption = texts.file_caption(log.name, truncated=log.truncated)
    await context.bot.send_document(context.customer.telegram_id, document, caption=caption)


HANDLERS = [
    CallbackQueryHandler(show_audit, pattern=callbacks.ADMIN_AUDIT.pattern),
    CallbackQueryHandler(show_audit_page, pattern=callbacks.ADMIN_AUDIT_PAGE.pattern),
    CallbackQueryHandler(choose_filter, pattern=callbacks.ADMIN_AUDIT_FILTER.pattern),
    CallbackQueryHandler(send_log_file, pattern=callbacks.ADMIN_AUDIT_FILE.pattern),
]
FEATURE = Feature("admin_audit", handlers=HANDLERS)
