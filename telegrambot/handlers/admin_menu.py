"""The admin menu (/admin and the menu button) and the one-time link to the web admin.

Each section is shown only to holders of its permission, and every admin
handler checks the permission again on the server through the service or
selector it calls: a button is a convenience, never the check.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from accounts.selectors import staff
from accounts.services import signin
from catalog.selectors import claims as claim_selectors
from catalog.selectors import manual as manual_selectors
from catalog.selectors import tickets as ticket_selectors
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import admin_menu as keyboards
from telegrambot.services import dialog
from telegrambot.texts import admin_menu as texts


async def admin_panel(update: Update, context: ShopContext) -> None:
    """Shows the sections the admin's permissions open; anyone else gets a refusal."""
    codenames = await call(staff.get_admin_permissions, actor=context.customer)
    await call(dialog.clear_state, telegram_id=context.customer.telegram_id)
    open_claims = await call(claim_selectors.count_open_claims) if "manage_claims" in codenames else 0
    open_tickets = await call(ticket_selectors.count_open_tickets) if "manage_support" in codenames else 0
    waiting = await call(manual_selectors.count_waiting_orders) if "fulfil_orders" in codenames else 0
    keyboard = keyboards.menu(
        codenames, open_claims=open_claims, open_tickets=open_tickets, waiting_orders=waiting
    )
    await screens.show(update, context, texts.menu(codenames), keyboard)


async def sign_in_link(update: Update, context: ShopContext) -> None:
    """Sends a one-time link that signs the admin in to the web admin."""
    url = await call(signin.create_sign_in_link, actor=context.customer)
    await screens.answer(update, context)
    await screens.send(update, context, texts.sign_in_link(url), keyboards.back_to_admin())


HANDLERS = [
    CommandHandler("admin", admin_panel, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(admin_panel, pattern=callbacks.ADMIN_PANEL.pattern),
    CallbackQueryHandler(sign_in_link, pattern=callbacks.ADMIN_SIGN_IN.pattern),
]
FEATURE = Feature("admin_menu", handlers=HANDLERS)
