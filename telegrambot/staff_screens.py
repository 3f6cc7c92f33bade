"""Admin screens that more than one admin section shows (so no handler module imports another)."""

from __future__ import annotations

from telegram import Update

from accounts import roles
from catalog.selectors import staff as selectors
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.keyboards import admin_catalog as keyboards
from telegrambot.texts import admin_catalog as texts


async def show_product(update: Update, context: ShopContext, product_id: int | None = None) -> None:
    """Shows a product as the admin sees it, with its fields to edit."""
    if product_id is None:
        product_id = callbacks.ADMIN_PRODUCT.parse(update.callback_query.data)
    card = await call(selectors.get_product, actor=context.customer, product_id=product_id)
    with_stock = await call(roles.has_permission, context.customer, "manage_stock")
    await screens.show(update, context, texts.product(card), keyboards.product(card, with_stock=with_stock))
