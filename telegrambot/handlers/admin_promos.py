"""Promo codes for holders of manage_promos: list, card, on/off, delete, and a new code step by step."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler

from catalog.models import PromoCode
from catalog.selectors import staff
from catalog.services import promo_steps
from catalog.services.promos import delete_promo, save_promo, set_promo_active
from shopbot.errors import PromoStepExpired
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import admin_promos as keyboards
from telegrambot.services import dialog
from telegrambot.texts import admin_promos as texts

CODE, KIND, VALUE, MAX_USES, EXPIRY, BINDING = (
    "adm_promo_code",
    "adm_promo_kind",
    "adm_promo_value",
    "adm_promo_uses",
    "adm_promo_expiry",
    "adm_promo_bind",
)


# --- list, card, switch, delete ---------------------------------------------------
async def show_promos(update: Update, context: ShopContext) -> None:
    """Lists the first page of promo codes with their usage."""
    await show_list(update, context, 1)


async def show_promo_page(update: Update, context: ShopContext) -> None:
    """Lists a page of promo codes."""
    await show_list(update, context, callbacks.ADMIN_PROMO_LIST.parse(update.callback_query.data))


async def show_list(update: Update, context: ShopContext, number: int) -> None:
    page = await call(staff.list_promos, actor=context.customer, page=number)
    text = texts.promo_list(page.number, has_items=bool(page.items))
    await screens.show(update, context, text, keyboards.promo_list(page.items, page))


async def show_promo(update: Update, context: ShopContext) -> None:
    """Shows a promo code: what it gives, to what, how often it was used, until when."""
    promo_id, page = callbacks.ADMIN_PROMO.parse(update.callback_query.data)
    promo = await call(staff.get_promo, actor=context.customer, promo_id=promo_id)
    await screens.show(update, context, texts.card(promo), keyboards.card(promo, page))


async def switch_promo(update: Update, context: ShopContext) -> None:
    """Switches a promo code on or off and shows it again."""
    promo_id, state, page = callbacks.ADMIN_PROMO_ACTIVE.parse(update.callback_query.data)
    await call(set_promo_active, actor=context.customer, promo_id=promo_id, active=state == "on")
    promo = await call(staff.get_promo, actor=context.customer, promo_id=promo_id)
    await screens.show(update, context, texts.card(promo), keyboards.card(promo, page))


async def ask_delete(update: Update, context: ShopContext) -> None:
    """Asks whether to delete a promo code, saying how often it was used."""
    promo_id, page = callbacks.ADMIN_PROMO_DELETE.parse(update.callback_query.data)
    promo = await call(staff.get_promo, actor=context.customer, promo_id=promo_id)
    await screens.show(update, context, texts.confirm_delete(promo), keyboards.confirm_delete(promo, page))


async def delete(update: Update, context: ShopContext) -> None:
    """Deletes a promo code and shows the list."""
    promo_id = callbacks.ADMIN_PROMO_DELETE_YES.parse(update.callback_query.data)
    await call(delete_promo, actor=context.customer, promo_id=promo_id)
    await screens.answer(update, context, texts.deleted_toast())
    await show_list(update, context, 1)


# --- a new code, step by step --------------------------------------------------------
async def ask_code(update: Update, context: ShopContext) -> None:
    """Starts a new promo code: asks for the code."""
    await call(promo_steps.check_step, actor=context.customer)
    await call(dialog.set_state, telegram_id=context.customer.telegram_id, state=CODE)
    await screens.show(update, context, str(texts.ASK_CODE), keyboards.cancel())


async def take_code(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Checks the typed code and asks what it gives."""
    code = await call(promo_steps.check_code, actor=context.customer, text=update.message.text)
    await next_step(update, context, KIND, {"code": code}, str(texts.ASK_KIND), keyboards.kinds())


async def take_kind(update: Update, context: ShopContext) -> None:
    """Remembers the kind of code and asks for its value."""
    state = await open_step(context, KIND)
    kind = await call(
        promo_steps.check_kind,
        actor=context.customer,
        kind=callbacks.ADMIN_PROMO_KIND.parse(update.callback_query.data),
    )
    await next_step(
        update, context, VALUE, {**state.data, "kind": kind}, texts.ask_value(kind), keyboards.cancel()
    )


async def take_value(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Checks the typed value and asks for the number of uses."""
    value = await call(
        promo_steps.check_value,
        actor=context.customer,
        kind=state.data.get("kind", ""),
        text=update.message.text,
    )
    await next_step(
        update,
        context,
        MAX_USES,
        {**state.data, "value": value},
        str(texts.ASK_MAX_USES),
        keyboards.skip_or_cancel(),
    )


async def take_max_uses(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Checks the typed number of uses and asks for the expiry."""
    max_uses = await call(promo_steps.check_max_uses, actor=context.customer, text=update.message.text)
    await next_step(
        update,
        context,
        EXPIRY,
        {**state.data, "max_uses": max_uses},
        str(texts.ASK_EXPIRY),
        keyboards.skip_or_cancel(),
    )


async def take_expiry(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Checks the typed expiry, then asks what the code applies to (or saves a balance code)."""
    expires_at = await call(promo_steps.check_expiry, actor=context.customer, text=update.message.text)
    await after_expiry(update, context, {**state.data, "expires_at": expires_at})


async def skip_step(update: Update, context: ShopContext) -> None:
    """Skips the number of uses (no limit) or the expiry (never)."""
    state = await open_step(context, MAX_USES, EXPIRY)
    if state.state == MAX_USES:
        await next_step(
            update,
            context,
            EXPIRY,
            {**state.data, "max_uses": None},
            str(texts.ASK_EXPIRY),
            keyboards.skip_or_cancel(),
        )
    else:
        await after_expiry(update, context, {**state.data, "expires_at": None})


async def after_expiry(update: Update, context: ShopContext, draft: dict[str, Any]) -> None:
    if draft.get("kind") == PromoCode.Kind.BALANCE:
        await save(update, context, draft)
    else:
        await next_step(update, context, BINDING, draft, str(texts.ASK_BINDING), keyboards.bindings())


async def take_binding(update: Update, context: ShopContext) -> None:
    """Saves a code for everything, or lists the categories to bind it to a category or a product."""
    state = await open_step(context, BINDING)
    choice = callbacks.ADMIN_PROMO_BIND.parse(update.callback_query.data)
    if choice == "none":
        await save(update, context, state.data)
        return
    await show_categories(update, context, choice, 1)


async def categories_page(update: Update, context: ShopContext) -> None:
    """Lists a page of categories to bind the code to, or to pick a product from."""
    await open_step(context, BINDING)
    mode, page = callbacks.ADMIN_PROMO_CATEGORIES.parse(update.callback_query.data)
    await show_categories(update, context, mode, page)


async def show_categories(update: Update, context: ShopContext, mode: str, number: int) -> None:
    page = await call(staff.list_categories, actor=context.customer, page=number, codename="manage_promos")
    text = texts.CHOOSE_CATEGORY if mode == "cat" else texts.CHOOSE_PRODUCT_CATEGORY
    await screens.show(update, context, str(text), keyboards.categories(page.items, page, mode))


async def products_page(update: Update, context: ShopContext) -> None:
    """Lists a page of a category's products to bind the code to."""
    await open_step(context, BINDING)
    category_id, number = callbacks.ADMIN_PROMO_PRODUCTS.parse(update.callback_query.data)
    page = await call(staff.list_products, actor=context.customer, category_id=category_id, page=number)
    await screens.show(
        update, context, str(texts.CHOOSE_PRODUCT), keyboards.products(page.items, page, category_id)
    )


async def bind_category(update: Update, context: ShopContext) -> None:
    """Saves the code bound to the chosen category."""
    state = await open_step(context, BINDING)
    category_id = callbacks.ADMIN_PROMO_BIND_CATEGORY.parse(update.callback_query.data)
    await save(update, context, {**state.data, "category_id": category_id})


async def bind_product(update: Update, context: ShopContext) -> None:
    """Saves the code bound to the chosen product."""
    state = await open_step(context, BINDING)
    product_id = callbacks.ADMIN_PROMO_BIND_PRODUCT.parse(update.callback_query.data)
    await save(update, context, {**state.data, "product_id": product_id})


async def use_buttons(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Reminds that this step is answered with the buttons, and shows them again."""
    await call(promo_steps.check_step, actor=context.customer)
    if state.state == KIND:
        await screens.send(update, context, str(texts.ASK_KIND), keyboards.kinds())
    else:
        await screens.send(update, context, str(texts.ASK_BINDING), keyboards.bindings())


async def open_step(context: ShopContext, *states: str) -> dialog.Dialog:
    """Return the draft if its user is at one of ``states`` and still may manage promo codes."""
    await call(promo_steps.check_step, actor=context.customer)
    state = await call(dialog.get_state, telegram_id=context.customer.telegram_id)
    if state is None or state.state not in states:
        raise PromoStepExpired()
    return state


async def next_step(
    update: Update, context: ShopContext, step: str, draft: dict[str, Any], text: str, keyboard: Any
) -> None:
    await call(dialog.set_state, telegram_id=context.customer.telegram_id, state=step, data=draft)
    await screens.show(update, context, text, keyboard)


async def save(update: Update, context: ShopContext, draft: dict[str, Any]) -> None:
    """Save the finished draft through the catalog service and show the new code."""
    promo = await call(
        dialog.finish_with,
        save_promo,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        code=draft.get("code", ""),
        kind=draft.get("kind", ""),
        value=draft.get("value"),
        max_uses=draft.get("max_uses"),
        expires_at=promo_steps.parse_expiry(draft.get("expires_at")),
        category_id=draft.get("category_id"),
        product_id=draft.get("product_id"),
    )
    promo = await call(staff.get_promo, actor=context.customer, promo_id=promo.pk)
    await screens.show(update, context, texts.card(promo, saved=True), keyboards.card(promo, 1))


HANDLERS = [
    CallbackQueryHandler(show_promos, pattern=callbacks.ADMIN_PROMOS.pattern),
    CallbackQueryHandler(show_promo_page, pattern=callbacks.ADMIN_PROMO_LIST.pattern),
    CallbackQueryHandler(show_promo, pattern=callbacks.ADMIN_PROMO.pattern),
    CallbackQueryHandler(switch_promo, pattern=callbacks.ADMIN_PROMO_ACTIVE.pattern),
    CallbackQueryHandler(ask_delete, pattern=callbacks.ADMIN_PROMO_DELETE.pattern),
    CallbackQueryHandler(delete, pattern=callbacks.ADMIN_PROMO_DELETE_YES.pattern),
    CallbackQueryHandler(ask_code, pattern=callbacks.ADMIN_PROMO_ADD.pattern),
    CallbackQueryHandler(take_kind, pattern=callbacks.ADMIN_PROMO_KIND.pattern),
    CallbackQueryHandler(skip_step, pattern=callbacks.ADMIN_PROMO_SKIP.pattern),
    CallbackQueryHandler(take_binding, pattern=callbacks.ADMIN_PROMO_BIND.pattern),
    CallbackQueryHandler(categories_page, pattern=callbacks.ADMIN_PROMO_CATEGORIES.pattern),
    CallbackQueryHandler(products_page, pattern=callbacks.ADMIN_PROMO_PRODUCTS.pattern),
    CallbackQueryHandler(bind_category, pattern=callbacks.ADMIN_PROMO_BIND_CATEGORY.pattern),
    CallbackQueryHandler(bind_product, pattern=callbacks.ADMIN_PROMO_BIND_PRODUCT.pattern),
]
PROMPTS = {
    CODE: take_code,
    KIND: use_buttons,
    VALUE: take_value,
    MAX_USES: take_max_uses,
    EXPIRY: take_expiry,
    BINDING: use_buttons,
}
FEATURE = Feature("admin_promos", handlers=HANDLERS, prompts=PROMPTS)
