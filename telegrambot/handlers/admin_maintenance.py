"""Maintenance mode: the admin switch (the gate gives customers the notice meanwhile)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import admin_maintenance as keyboards
from telegrambot.services import maintenance
from telegrambot.texts import admin_maintenance as texts


async def show_maintenance(update: Update, context: ShopContext) -> None:
    """Shows whether the shop is closed for maintenance, with the switch."""
    mode = await call(maintenance.get_maintenance, actor=context.customer)
    await screens.show(update, context, texts.screen(mode), keyboards.screen(enabled=mode.enabled))


async def switch_maintenance(update: Update, context: ShopContext) -> None:
    """Turns maintenance mode on or off and shows the new state."""
    enabled = callbacks.ADMIN_MAINTENANCE_SET.parse(update.callback_query.data) == "on"
    await call(maintenance.set_maintenance, actor=context.customer, enabled=enabled)
    await show_maintenance(update, context)


HANDLERS = [
    CallbackQueryHandler(show_maintenance, pattern=callbacks.ADMIN_MAINTENANCE.pattern),
    CallbackQueryHandler(switch_maintenance, pattern=callbacks.ADMIN_MAINTENANCE_SET.pattern),
]
FEATURE = Feature("admin_maintenance", handlers=HANDLERS)
