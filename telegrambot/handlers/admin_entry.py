"""The door to the admin panel: shown only to customers holding an admin permission."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from accounts import roles
from shopbot.errors import PermissionDenied
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.keyboards import common as keyboards
from telegrambot.texts import start as texts


async def admin_panel(update: Update, context: ShopContext) -> None:
    """Opens the admin panel for admins; anyone else gets a refusal."""
    if not await call(roles.is_admin, context.customer):
        raise PermissionDenied()
    await screens.show(update, context, str(texts.ADMIN_PANEL_SOON), keyboards.back_to_menu())


HANDLERS = [CallbackQueryHandler(admin_panel, pattern=callbacks.ADMIN_PANEL.pattern)]
