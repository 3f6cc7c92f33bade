"""The admin's catalog: categories (create, rename, reorder, hide, delete) and product screens.

The product form (create and edit) lives in ``admin_products``. Every handler
reaches ``catalog.selectors.staff`` or a ``@requires`` service, which re-check
``manage_catalog`` on each call.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from catalog import services
from catalog.selectors import staff as selectors
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import admin_catalog as keyboards
from telegrambot.keyboards import common as common_keyboards
from telegrambot.prompting import ask, require
from telegrambot.services import dialog
from telegrambot.staff_screens import show_product
from telegrambot.texts import admin_catalog as texts

CATEGORY_NAME = "admin_category_name"


async def list_categories(update: Update, context: ShopContext) -> None:
    """Lists every category, hidden ones marked, with a button to add one."""
    number = callbacks.ADMIN_CATEGORIES.parse(update.callback_query.data)
    page = await call(selectors.list_categories, actor=context.customer, page=number)
    await screens.show(
        update, context, texts.categories(page.number, empty=not page.items), keyboards.categories(page)
    )


async def show_category(
    update: Update, context: ShopContext, category_id: int | None = None, number: int = 1
) -> None:
    """Shows a category's products and what can be done with the category."""
    if category_id is None:
        category_id, number = callbacks.ADMIN_CATEGORY.parse(update.callback_query.data)
    item, page = await call(
        selectors.get_category, actor=context.customer, category_id=category_id, page=number
    )
    await screens.show(
        update, context, texts.category(item, empty=not page.items), keyboards.category(item, page)
    )


async def ask_category_name(update: Update, context: ShopContext) -> None:
    """Asks for the name of a new category, or the new name of one."""
    query = update.callback_query.data
    category_id = (
        callbacks.ADMIN_CATEGORY_RENAME.parse(query)
        if callbacks.ADMIN_CATEGORY_RENAME.matches(query)
        else None
    )
    await require(context, "manage_catalog", "save_category")
    data = {"category_id": category_id}
    await ask(update, context, CATEGORY_NAME, data, str(texts.ASK_CATEGORY_NAME), common_keyboards.cancel())


async def save_category_name(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Creates or renames the category with the typed name."""
    category_id = state.data.get("category_id")
    item = await call(
        dialog.finish_with,
        services.save_category,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        name=update.message.text,
        category_id=category_id,
    )
    await show_category(update, context, item.pk)


async def move_category(update: Update, context: ShopContext) -> None:
    """Moves a category one place up or down in the shop."""
    category_id, direction = callbacks.ADMIN_CATEGORY_MOVE.parse(update.callback_query.data)
    before, _page = await call(
        selectors.get_category, actor=context.customer, category_id=category_id, page=1
    )
    moved = await call(
        services.move_category, actor=context.customer, category_id=category_id, direction=direction
    )
    if moved.position == before.position:
        await screens.answer(update, context, str(texts.AT_THE_EDGE))
        return
    await show_category(update, context, category_id)


async def show_or_hide_category(update: Update, context: ShopContext) -> None:
    """Shows or hides a category, and with it all its products."""
    category_id, state = callbacks.ADMIN_CATEGORY_SHOW.parse(update.callback_query.data)
    await call(
        services.set_category_active, actor=context.customer, category_id=category_id, active=state == "on"
    )
    await show_category(update, context, category_id)


async def hide_category_when_sold_out(update: Update, context: ShopContext) -> None:
    """Says whether the category's sold-out products (and the category once all are) leave the lists."""
    category_id, state = callbacks.ADMIN_CATEGORY_SOLD_OUT.parse(update.callback_query.data)
    await call(
        services.set_category_hide_when_sold_out,
        actor=context.customer,
        category_id=category_id,
        hide=state == "on",
    )
    await show_category(update, context, category_id)


async def ask_delete_category(update: Update, context: ShopContext) -> None:
    """Asks to confirm deleting a category, saying how many products and units go with it."""
    category_id = callbacks.ADMIN_CATEGORY_DELETE.parse(update.callback_query.data)
    item, deleted = await call(
        selectors.count_category_contents, actor=context.customer, category_id=category_id
    )
    keyboard = keyboards.confirm(callbacks.ADMIN_CATEGORY_DELETE_YES, callbacks.ADMIN_CATEGORY, item.pk, 1)
    await screens.show(update, context, texts.confirm_delete_category(item, deleted), keyboard)


async def delete_category(update: Update, context: ShopContext) -> None:
    """Deletes a category with its products and unsold units."""
    category_id = callbacks.ADMIN_CATEGORY_DELETE_YES.parse(update.callback_query.data)
    deleted = await call(services.delete_category, actor=context.customer, category_id=category_id)
    page = await call(selectors.list_categories, actor=context.customer, page=1)
    text = texts.category_deleted(deleted) + "\n\n" + texts.categories(1, empty=not page.items)
    await screens.show(update, context, text, keyboards.categories(page))


async def show_or_hide_product(update: Update, context: ShopContext) -> None:
    """Shows or hides a product in the shop."""
    product_id, state = callbacks.ADMIN_PRODUCT_SHOW.parse(update.callback_query.data)
    await call(
        services.set_product_active, actor=context.customer, product_id=product_id, active=state == "on"
    )
    await show_product(update, context, product_id)


async def hide_product_when_sold_out(update: Update, context: ShopContext) -> None:
    """Says whether the product leaves the lists while sold out, or stays with a badge."""
    product_id, state = callbacks.ADMIN_PRODUCT_SOLD_OUT.parse(update.callback_query.data)
    await call(
        services.set_product_hide_when_sold_out,
        actor=context.customer,
        product_id=product_id,
        hide=state == "on",
    )
    await show_product(update, context, product_id)


async def take_preorders(update: Update, context: ShopContext) -> None:
    """Says whether the product, sold out, can be pre-ordered (paid now, delivered first on restock)."""
    product_id, state = callbacks.ADMIN_PRODUCT_PREORDERS.parse(update.callback_query.data)
    await call(
        services.set_product_preorders, actor=context.customer, product_id=product_id, preorders=state == "on"
    )
    await show_product(update, context, product_id)


async def ask_delete_product(update: Update, context: ShopContext) -> None:
    """Asks to confirm deleting a product, saying how many unsold units go with it."""
    product_id = callbacks.ADMIN_PRODUCT_DELETE.parse(update.callback_query.data)
    card = await call(selectors.get_product, actor=context.customer, product_id=product_id)
    keyboard = keyboards.confirm(callbacks.ADMIN_PRODUCT_DELETE_YES, callbacks.ADMIN_PRODUCT, product_id)
    await screens.show(update, context, texts.confirm_delete_product(card), keyboard)


async def delete_product(update: Update, context: ShopContext) -> None:
    """Deletes a product with its unsold units and goes back to its category."""
    product_id = callbacks.ADMIN_PRODUCT_DELETE_YES.parse(update.callback_query.data)
    card = await call(selectors.get_product, actor=context.customer, product_id=product_id)
    deleted = await call(services.delete_product, actor=context.customer, product_id=product_id)
    item, page = await call(
        selectors.get_category, actor=context.customer, category_id=card.category.pk, page=1
    )
    text = texts.product_deleted(deleted) + "\n\n" + texts.category(item, empty=not page.items)
    await screens.show(update, context, text, keyboards.category(item, page))


HANDLERS = [
    CallbackQueryHandler(list_categories, pattern=callbacks.ADMIN_CATEGORIES.pattern),
    CallbackQueryHandler(show_category, pattern=callbacks.ADMIN_CATEGORY.pattern),
    CallbackQueryHandler(ask_category_name, pattern=callbacks.ADMIN_CATEGORY_ADD.pattern),
    CallbackQueryHandler(ask_category_name, pattern=callbacks.ADMIN_CATEGORY_RENAME.pattern),
    CallbackQueryHandler(move_category, pattern=callbacks.ADMIN_CATEGORY_MOVE.pattern),
    CallbackQueryHandler(show_or_hide_category, pattern=callbacks.ADMIN_CATEGORY_SHOW.pattern),
    CallbackQueryHandler(hide_category_when_sold_out, pattern=callbacks.ADMIN_CATEGORY_SOLD_OUT.pattern),
    CallbackQueryHandler(ask_delete_category, pattern=callbacks.ADMIN_CATEGORY_DELETE.pattern),
    CallbackQueryHandler(delete_category, pattern=callbacks.ADMIN_CATEGORY_DELETE_YES.pattern),
    CallbackQueryHandler(show_product, pattern=callbacks.ADMIN_PRODUCT.pattern),
    CallbackQueryHandler(show_or_hide_product, pattern=callbacks.ADMIN_PRODUCT_SHOW.pattern),
    CallbackQueryHandler(hide_product_when_sold_out, pattern=callbacks.ADMIN_PRODUCT_SOLD_OUT.pattern),
    CallbackQueryHandler(take_preorders, pattern=callbacks.ADMIN_PRODUCT_PREORDERS.pattern),
    CallbackQueryHandler(ask_delete_product, pattern=callbacks.ADMIN_PRODUCT_DELETE.pattern),
    CallbackQueryHandler(delete_product, pattern=callbacks.ADMIN_PRODUCT_DELETE_YES.pattern),
]
PROMPTS = {CATEGORY_NAME: save_category_name}
FEATURE = Feature("admin_catalog", handlers=HANDLERS, prompts=PROMPTS)
