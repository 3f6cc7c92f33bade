"""Manual orders' messages, sent after commit: the customer told of the decision, staff of a late order.

A decided order is marked told only once Telegram accepted the message (a
blocked bot counts as done), so one that failed stays owed for the next sweep.
An overdue order is marked escalated once the staff were sent the notice.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import translation
from telegram.error import Forbidden, TelegramError

from accounts.services import mark_bot_blocked
from catalog.manual_models import ManualOrder
from catalog.services import manual as services
from telegrambot import delivery
from telegrambot.adapter import call
from telegrambot.keyboards import admin_fulfil as keyboards
from telegrambot.texts import admin_fulfil as texts

logger = logging.getLogger(__name__)


async def tell_customers(bot: Any) -> int:
    """Send every decided order's customer the news in their language; return how many were told."""
    return await delivery.tell_each(
        await call(services.orders_to_tell),
        lambda order: tell(bot, order),
        lambda order: services.mark_told(order_id=order.pk),
    )


async def tell(bot: Any, order: ManualOrder) -> bool:
    telegram_id = order.customer.telegram_id
    with translation.override(order.customer.language or None):
        if order.status == ManualOrder.Status.DELIVERED:
            purchase = order.purchase
            full = texts.customer_delivered(order)
            receipt = delivery.receipt(
                [purchase], full=full, short=texts.customer_delivered(order, with_value=False)
            )
        else:
            receipt = delivery.Receipt(texts.customer_refunded(order))
    try:
        await delivery.send(bot, telegram_id, receipt)
    except Forbidden:
        await call(mark_bot_blocked, telegram_id=telegram_id)  # the delivery stays in their history
    except TelegramError as error:
        logger.warning("manual order %s: the customer was not told: %s", order.pk, error)
        return False
    return True


async def escalate(bot: Any) -> int:
    """Tell every staff member who fulfils orders of each order past its deadline, once; return how many."""
    overdue = await call(services.overdue_orders)
    if not overdue:
        return 0
    staff = await call(services.fulfil_staff)
    for order in overdue:
        for telegram_id in staff:
            try:
                await bot.send_message(
                    telegram_id, texts.overdue(order), reply_markup=keyboards.overdue(order.pk)
                )
            except TelegramError as error:
                logger.warning("manual order %s: staff %s not told: %s", order.pk, telegram_id, error)
    return await call(services.mark_escalated, order_ids=[order.pk for order in overdue])
