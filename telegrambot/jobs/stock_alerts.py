"""Alerts to the stock managers when a sale leaves a product at or below its threshold."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from telegram import Bot

from catalog import selectors
from catalog.models import Purchase
from catalog.services.staff_events import notify_low_stock as notify_staff_low_stock
from telegrambot import staff_notices
from telegrambot.adapter import call

logger = logging.getLogger(__name__)
# One alert per product while it stays low; adding stock re-arms it.
ALERT_SECONDS = 24 * 60 * 60


def alert_key(product_id: int) -> str:
    return f"low-stock-alerted:{product_id}"


async def rearm(product_id: int) -> None:
    """Let the product alert again the next time it runs low (stock was added)."""
    await cache.adelete(alert_key(product_id))


def watched(purchases: Iterable[Purchase]) -> list[int]:
    """Return the ids of the sold products that have a low-stock threshold (loaded with the sale)."""
    return [
        purchase.product_id
        for purchase in purchases
        if purchase.product is not None and purchase.product.low_stock_threshold > 0
    ]


async def after_sale(bot: Bot, purchases: Iterable[Purchase]) -> None:
    """Alert about the products a sale left low; costs nothing when none has a threshold."""
    await notify_low_stock(bot, watched(purchases))


async def notify_low_stock(bot: Bot, product_ids: Iterable[int]) -> None:
    """Alert the holders of manage_stock who chose it about products now at or below their threshold.

    Called by the purchase paths after their transaction committed, with the
    ids of the products sold. Each product alerts once until stock is added again.
    """
    ids = sorted({product_id for product_id in product_ids if product_id})
    if not ids:
        return
    low = await call(selectors.low_stock_among, product_ids=ids)
    fresh = [item for item in low if await cache.aadd(alert_key(item.pk), True, ALERT_SECONDS)]
    if not fresh:
        return
    # Through the staff notices, to those who chose low stock; sent at once, or by their job.
    notice_ids = await call(notify_staff_low_stock, products=fresh)
    await staff_notices.deliver(bot, notice_ids)
