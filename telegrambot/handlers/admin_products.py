"""The product form: create a product step by step, or edit one field of it.

The answers so far are a draft in the dialog state; nothing is written until
the last step calls ``save_product`` (or ``edit_product`` for one field), so
Cancel, or simply walking away, leaves nothing half-made. Every step checks
its answer through ``check_product_field``, which re-checks
``manage_catalog``: a draft outlives no permission.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler

from catalog import services
from catalog.selectors import staff as selectors
from catalog.services import drafts
from shopbot.errors import InvalidInput
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import admin_catalog as keyboards
from telegrambot.keyboards import common as common_keyboards
from telegrambot.prompting import ask, current_state, require, step_over
from telegrambot.services import dialog
from telegrambot.staff_screens import show_product
from telegrambot.texts import admin_catalog as texts

PRODUCT_FORM = "admin_product"
CREATE_STEPS = ("name", "description", "price", "image", "kind", "unlimited_value")
QUESTIONS = {
    "name": texts.ASK_NAME,
    "description": texts.ASK_DESCRIPTION,
    "price": texts.ASK_PRICE,
    "image": texts.ASK_IMAGE,
    "kind": texts.ASK_KIND,
    "unlimited_value": texts.ASK_UNLIMITED_VALUE,
    "category": texts.ASK_CHOOSE_CATEGORY,
    "warranty_hours": texts.ASK_WARRANTY,
}
# The edit buttons' fields, as the form's steps.
EDIT_STEPS = {
    "name": "name",
    "desc": "description",
    "price": "price",
    "cat": "category",
    "image": "image",
    "kind": "kind",
    "warranty": "warranty_hours",
}
TEXT_STEPS = {"name", "description", "price", "image", "unlimited_value", "warranty_hours"}
SKIPPABLE = {"description", "image"}
# The draft's answers, as save_product's keywords.
SAVED_AS = {
    "name": "name",
    "description": "description",
    "price": "price",
    "image": "image",
    "category": "category_id",
}


async def ask_step(update: Update, context: ShopContext, data: dict[str, Any]) -> None:
    """Ask the question of the draft's current step."""
    step = data["step"]
    question = QUESTIONS[step]
    if data["mode"] == "create":
        question = texts.draft_step(
            CREATE_STEPS.index(step) + 1, 5 if step != "unlimited_value" else 6, question
        )
    if step == "kind":
        keyboard = keyboards.kinds()
    elif step == "category":
        keyboard = keyboards.category_choices(
            await call(selectors.list_category_choices, actor=context.customer)
        )
    elif step in SKIPPABLE:
        keyboard = keyboards.with_skip()
    else:
        keyboard = common_keyboards.cancel()
    await ask(update, context, PRODUCT_FORM, data, str(question), keyboard)


async def start_create(update: Update, context: ShopContext) -> None:
    """Starts writing a new product in a category."""
    category_id = callbacks.ADMIN_PRODUCT_ADD.parse(update.callback_query.data)
    category_id = await call(
        drafts.check_product_field, actor=context.customer, field="category", value=category_id
    )
    await ask_step(update, context, {"mode": "create", "step": "name", "category_id": category_id})


async def start_edit(update: Update, context: ShopContext) -> None:
    """Asks for the new value of one field of a product."""
    product_id, field = callbacks.ADMIN_PRODUCT_EDIT.parse(update.callback_query.data)
    card = await call(selectors.get_product, actor=context.customer, product_id=product_id)
    data = {
        "mode": "edit",
        "step": EDIT_STEPS[field],
        "product_id": product_id,
        "category_id": card.category.pk,
    }
    await ask_step(update, context, data)


async def answer(update: Update, context: ShopContext, state: dialog.Dialog, value: object) -> None:
    """Checks the answer to the current step, then saves the field or asks the next question."""
    data = dict(state.data)
    step = data["step"]
    cleaned = await call(
        drafts.check_product_field,
        actor=context.customer,
        field=step,
        value=value,
        category_id=data.get("category_id"),
        product_id=data.get("product_id"),
    )
    if data["mode"] == "edit" and step == "warranty_hours":
        await save_warranty(update, context, data["product_id"], cleaned)
        return
    if data["mode"] == "edit":
        changes = {"is_unlimited": True} if step == "unlimited_value" else {}
        changes[SAVED_AS.get(step, step)] = cleaned
        await save_edit(update, context, data["product_id"], changes)
        return
    if step == "unlimited_value":
        await create(update, context, data, is_unlimited=True, unlimited_value=cleaned)
        return
    data[step] = cleaned
    data["step"] = CREATE_STEPS[CREATE_STEPS.index(step) + 1]
    await ask_step(update, context, data)


async def save_edit(update: Update, context: ShopContext, product_id: int, changes: dict[str, Any]) -> None:
    await call(
        dialog.finish_with,
        drafts.edit_product,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        product_id=product_id,
        **changes,
    )
    await show_product(update, context, product_id)


async def save_warranty(update: Update, context: ShopContext, product_id: int, hours: int) -> None:
    await call(
        dialog.finish_with,
        services.set_warranty_hours,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        product_id=product_id,
        hours=hours,
    )
    await show_product(update, context, product_id)


async def create(update: Update, context: ShopContext, data: dict[str, Any], **delivery: Any) -> None:
    """Creates the product from the draft: the only write of the whole form."""
    product = await call(
        dialog.finish_with,
        services.save_product,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        category_id=data["category_id"],
        name=data["name"],
        description=data["description"],
        price=data["price"],
        image=data["image"],
        **delivery,
    )
    await screens.send(update, context, texts.product_created(product))
    await show_product(update, context, product.pk)


async def typed_answer(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Takes a typed answer to the product form."""
    if state.data.get("step") not in TEXT_STEPS:
        raise InvalidInput(reason=str(texts.CHOOSE_WITH_BUTTONS))
    await answer(update, context, state, update.message.text)


async def media_answer(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Takes a photo as the product's picture; any other file is refused."""
    photos = update.message.photo
    if state.data.get("step") != "image" or not photos:
        raise InvalidInput(
            reason=str(texts.PHOTO_EXPECTED if state.data.get("step") == "image" else texts.TEXT_EXPECTED)
        )
    await answer(update, context, state, photos[-1].file_id)  # the largest size


async def form_state(context: ShopContext) -> dialog.Dialog | None:
    """Return the admin's product form, checking first that they may still write products."""
    await require(context, "manage_catalog", "save_product")
    return await current_state(context, PRODUCT_FORM)


async def skip(update: Update, context: ShopContext) -> None:
    """Leaves an optional field (description, picture) empty."""
    state = await form_state(context)
    if state is None or state.data.get("step") not in SKIPPABLE:
        await step_over(update, context)
        return
    await answer(update, context, state, "")


async def choose_category(update: Update, context: ShopContext) -> None:
    """Moves the product being edited to the chosen category."""
    category_id = callbacks.ADMIN_DRAFT_CATEGORY.parse(update.callback_query.data)
    state = await form_state(context)
    if state is None or state.data.get("step") != "category":
        await step_over(update, context)
        return
    await answer(update, context, state, category_id)


async def choose_kind(update: Update, context: ShopContext) -> None:
    """Makes the product stock-based, or asks for the value of an unlimited one."""
    kind = callbacks.ADMIN_DRAFT_KIND.parse(update.callback_query.data)
    state = await form_state(context)
    if state is None or state.data.get("step") != "kind":
        await step_over(update, context)
        return
    data = dict(state.data)
    if kind == "unlimited":
        await ask_step(update, context, {**data, "step": "unlimited_value"})
    elif data["mode"] == "edit":
        await save_edit(update, context, data["product_id"], {"is_unlimited": False})
    else:
        await create(update, context, data, is_unlimited=False)


HANDLERS = [
    CallbackQueryHandler(start_create, pattern=callbacks.ADMIN_PRODUCT_ADD.pattern),
    CallbackQueryHandler(start_edit, pattern=callbacks.ADMIN_PRODUCT_EDIT.pattern),
    CallbackQueryHandler(skip, pattern=callbacks.ADMIN_DRAFT_SKIP.pattern),
    CallbackQueryHandler(choose_category, pattern=callbacks.ADMIN_DRAFT_CATEGORY.pattern),
    CallbackQueryHandler(choose_kind, pattern=callbacks.ADMIN_DRAFT_KIND.pattern),
]
PROMPTS = {PRODUCT_FORM: typed_answer}
MEDIA_PROMPTS = {PRODUCT_FORM: media_answer}
FEATURE = Feature("admin_products", handlers=HANDLERS, prompts=PROMPTS, media_prompts=MEDIA_PROMPTS)
