"""The admin menu's Notifications: which events each staff member is told of; and the job that tells them.

The choices are checked by the service against the staff member's own
permissions (an event needs the permission of the screen that handles it).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from accounts.selectors.staff_notices import list_notification_choices
from accounts.services.staff_notices import set_staff_notification
from telegrambot import callbacks, screens, staff_notices
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature, Job
from telegrambot.keyboards import admin_notifications as keyboards
from telegrambot.texts import admin_notifications as texts

STAFF_NOTICES_EVERY = 5  # seconds: notices written by the web process or another worker go out within this


async def show_choices(update: Update, context: ShopContext) -> None:
    """Shows the events the admin may be told of, each with its switch."""
    items = await call(list_notification_choices, actor=context.customer)
    await screens.show(update, context, texts.screen(), keyboards.choices(items))


async def set_choice(update: Update, context: ShopContext) -> None:
    """Turns one event on or off for the admin and shows the choices again."""
    event, state = callbacks.ADMIN_NOTIFICATION_SET.parse(update.callback_query.data)
    await call(set_staff_notification, actor=context.customer, event=event, on=state == "on")
    await show_choices(update, context)


async def send_owed(context: ShopContext) -> None:
    """Sends the staff notices owed (new claims, large purchases, payments to review, low stock, reports)."""
    await staff_notices.deliver(context.bot)


HANDLERS = [
    CallbackQueryHandler(show_choices, pattern=callbacks.ADMIN_NOTIFICATIONS.pattern),
    CallbackQueryHandler(set_choice, pattern=callbacks.ADMIN_NOTIFICATION_SET.pattern),
]
JOBS = [Job("staff_notices", send_owed, every=STAFF_NOTICES_EVERY, first=4)]
FEATURE = Feature("admin_notifications", handlers=HANDLERS, jobs=JOBS)
