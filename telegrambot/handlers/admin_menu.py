"""The admin menu (/admin and the menu button) and the one-time link to the web admin.

Each section is shown only to holders of its permission, and every admin
handler checks the permission again on the server through the service or
selector it calls: a button is a convenience, never the check.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from accounts.selectors import staff
from accounts.services import require_permission, signin
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.keyboards import admin_menu as keyboards
from telegrambot.services import dialog
from telegrambot.texts import admin_menu as texts
from telegrambot.texts import common as common_texts


async def admin_panel(update: Update, context: ShopContext) -> None:
    """Shows the sections the admin's permissions open; anyone else gets a refusal."""
    codenames = await call(staff.get_admin_permissions, actor=context.customer)
    await call(dialog.clear_state, telegram_id=context.customer.telegram_id)
    await screens.show(update, context, texts.menu(codenames), keyboards.menu(codenames))


async def sign_in_link(update: Update, context: ShopContext) -> None:
    """Sends a one-time link that signs the admin in to the web admin."""
    url = await call(signin.create_sign_in_link, actor=context.customer)
    await screens.answer(update, context)
    await screens.send(update, context, texts.sign_in_link(url), keyboards.back_to_admin())


# --- helpers for every admin module ---------------------------------------------
async def ask(
    update: Update,
    context: ShopContext,
    state: str,
    data: dict[str, Any],
    text: str,
    keyboard: InlineKeyboardMarkup,
) -> None:
    """Remember what the admin is asked for, then show the question."""
    await call(dialog.set_state, telegram_id=context.customer.telegram_id, state=state, data=data)
    await screens.show(update, context, text, keyboard)


async def require(context: ShopContext, codename: str, action: str) -> None:
    """Refuse (audited) unless the admin holds ``codename``: for screens that only ask a question."""
    await call(require_permission, actor=context.customer, codename=codename, action=action)


async def current_state(context: ShopContext, state: str) -> dialog.Dialog | None:
    """Return the admin's dialog if it is ``state``, else None."""
    found = await call(dialog.get_state, telegram_id=context.customer.telegram_id)
    return found if found is not None and found.state == state else None


async def finish(context: ShopContext) -> None:
    await call(dialog.clear_state, telegram_id=context.customer.telegram_id)


async def step_over(update: Update, context: ShopContext) -> None:
    """Tells that a button of a finished or abandoned step was pressed."""
    if update.callback_query is not None:
        await screens.answer(update, context, common_texts.alert(texts.EXPIRED_STEP), alert=True)
    else:
        await screens.send(update, context, str(texts.EXPIRED_STEP), keyboards.back_to_admin())


HANDLERS = [
    CommandHandler("admin", admin_panel, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(admin_panel, pattern=callbacks.ADMIN_PANEL.pattern),
    CallbackQueryHandler(sign_in_link, pattern=callbacks.ADMIN_SIGN_IN.pattern),
]
