"""Asking for a typed answer: shared by every feature that keeps a prompt in ``DialogState``.

The admin sections ask through ``ask`` (state, then question), refuse a
question screen to those without the permission with ``require``, read
their own step with ``current_state`` and end it with ``finish``; a button
of a step that is over gets ``step_over``. ``clean_code`` is the first check
of a typed promo code wherever one is asked for.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update

from accounts.services import require_permission
from telegrambot import screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.keyboards import admin_menu as admin_keyboards
from telegrambot.services import dialog
from telegrambot.texts import admin_menu as admin_texts
from telegrambot.texts import common as common_texts

PROMO_CODE_MAX = 32


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
    """Tell that a button of a finished or abandoned step was pressed."""
    if update.callback_query is not None:
        await screens.answer(update, context, common_texts.alert(admin_texts.EXPIRED_STEP), alert=True)
    else:
        await screens.send(update, context, str(admin_texts.EXPIRED_STEP), admin_keyboards.back_to_admin())


def clean_code(text: str | None) -> str | None:
    """Return the typed text if it can be a promo code (one short word); the service checks the rest."""
    code = (text or "").strip()
    if not code or len(code) > PROMO_CODE_MAX or any(char.isspace() for char in code):
        return None
    return code
