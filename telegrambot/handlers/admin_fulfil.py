"""The admin menu's Orders to fulfil: the waiting orders, one with its answers, Deliver and Refund.

Every screen and decision re-checks ``fulfil_orders`` in the selector or
service it calls; the customer is told right after commit
(``telegrambot.manual_notices``), and the jobs tell what the web admin decided
and escalate orders past their deadline to staff.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from catalog.selectors import manual as selectors
from catalog.services import dynamic
from catalog.services import manual as services
from catalog.services.delivery_files import FileSpec
from telegrambot import callbacks, manual_notices, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature, Job
from telegrambot.jobs import dynamic_delivery
from telegrambot.keyboards import admin_fulfil as keyboards
from telegrambot.prompting import ask, require
from telegrambot.services import dialog
from telegrambot.texts import admin_fulfil as texts

DELIVERY = "admin_fulfil_delivery"
HOURS = "admin_fulfil_hours"
QUESTIONS = "admin_fulfil_questions"
ENDPOINT = "admin_fulfil_endpoint"
NOTICES_EVERY = 30  # seconds: decisions taken in the web admin reach the customer within half a minute
ESCALATE_EVERY = 5 * 60


async def list_orders(update: Update, context: ShopContext) -> None:
    """Lists the waiting orders, the nearest deadline first."""
    number = callbacks.ADMIN_FULFIL.parse(update.callback_query.data)
    page = await call(selectors.list_waiting_orders, actor=context.customer, page=number)
    await screens.show(update, context, texts.queue(page), keyboards.queue(page))


async def show_order(
    update: Update, context: ShopContext, order_id: int | None = None, *, sent: bool = False
) -> None:
    """Shows an order: the item, the customer, the deadline, the checkout answers, the actions."""
    if order_id is None:
        order_id = callbacks.ADMIN_FULFIL_ORDER.parse(update.callback_query.data)
    order = await call(selectors.get_order, actor=context.customer, order_id=order_id)
    show = screens.send if sent else screens.show
    await show(update, context, texts.order(order), keyboards.order(order))


async def ask_delivery(update: Update, context: ShopContext) -> None:
    """Asks for the text or document the customer receives."""
    order_id = callbacks.ADMIN_FULFIL_DELIVER.parse(update.callback_query.data)
    await require(context, "fulfil_orders", "deliver_manual_order")
    await ask(
        update,
        context,
        DELIVERY,
        {"order": order_id},
        str(texts.ASK_DELIVERY),
        keyboards.back_to_order(order_id),
    )


async def take_text(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Delivers the typed text."""
    await deliver(update, context, state, text=update.message.text, file=None)


async def take_document(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Delivers the sent document (its caption as the text); a photo is refused as not a document."""
    message = update.message
    if message.document is None:
        await screens.send(
            update, context, str(texts.ASK_DELIVERY), keyboards.back_to_order(state.data["order"])
        )
        return
    document = message.document
    spec = FileSpec(
        document.file_name or "file",
        document.file_size,
        file_id=document.file_id,
        mime_type=document.mime_type or "",
    )
    await deliver(update, context, state, text=message.caption or "", file=spec)


async def deliver(
    update: Update, context: ShopContext, state: dialog.Dialog, *, text: object, file: FileSpec | None
) -> None:
    order = await call(
        dialog.finish_with,
        services.deliver_order,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        order_id=state.data["order"],
        text=text,
        file=file,
    )
    await manual_notices.tell_customers(context.bot)
    await screens.send(update, context, texts.delivered(order), keyboards.back_to_order(order.pk))


async def ask_refund(update: Update, context: ShopContext) -> None:
    """Asks to confirm refunding the order to the customer's balance."""
    order_id = callbacks.ADMIN_FULFIL_REFUND.parse(update.callback_query.data)
    order = await call(selectors.get_order, actor=context.customer, order_id=order_id)
    await screens.show(update, context, texts.confirm_refund(order), keyboards.confirm_refund(order.pk))


async def refund(update: Update, context: ShopContext) -> None:
    """Refunds the order and tells the customer."""
    order_id = callbacks.ADMIN_FULFIL_REFUND_YES.parse(update.callback_query.data)
    order = await call(services.refund_order, actor=context.customer, order_id=order_id)
    await manual_notices.tell_customers(context.bot)
    await screens.show(update, context, texts.refunded(order), keyboards.back_to_order(order.pk))


# --- a manual product's settings [manage_catalog] --------------------------------------------
async def ask_hours(update: Update, context: ShopContext) -> None:
    """Asks how many hours staff have to deliver an order of the product."""
    product_id = callbacks.ADMIN_MANUAL_HOURS.parse(update.callback_query.data)
    await require(context, "manage_catalog", "set_fulfil_hours")
    await ask(
        update,
        context,
        HOURS,
        {"product": product_id},
        str(texts.ASK_HOURS),
        keyboards.back_to_stock(product_id),
    )


async def take_hours(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Sets the typed hours (1 to 720)."""
    product = await call(
        dialog.finish_with,
        services.set_fulfil_hours,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        product_id=state.data["product"],
        hours=update.message.text,
    )
    await screens.send(
        update, context, texts.hours_set(product.fulfil_hours), keyboards.back_to_stock(product.pk)
    )


async def ask_questions(update: Update, context: ShopContext) -> None:
    """Asks for the checkout questions, showing the current ones."""
    product_id = callbacks.ADMIN_MANUAL_QUESTIONS.parse(update.callback_query.data)
    await require(context, "manage_catalog", "set_product_questions")
    current = await call(selectors.list_questions, product_ids=[product_id])
    data = {"product": product_id}
    await ask(
        update, context, QUESTIONS, data, texts.ask_questions(current), keyboards.back_to_stock(product_id)
    )


async def take_questions(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Replaces the product's checkout questions with the typed ones."""
    questions = await call(services.parse_questions, text=update.message.text)
    saved = await call(
        dialog.finish_with,
        services.set_product_questions,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        product_id=state.data["product"],
        questions=questions,
    )
    await screens.send(
        update, context, texts.questions_set(len(saved)), keyboards.back_to_stock(state.data["product"])
    )


# --- a dynamic product's endpoint [manage_catalog] ------------------------------------------------
async def ask_endpoint(update: Update, context: ShopContext) -> None:
    """Asks for the seller's endpoint address and secret (setting them makes the product dynamic)."""
    product_id = callbacks.ADMIN_DYNAMIC_ENDPOINT.parse(update.callback_query.data)
    await require(context, "manage_catalog", "set_dynamic_endpoint")
    data = {"product": product_id}
    await ask(update, context, ENDPOINT, data, str(texts.ASK_ENDPOINT), keyboards.back_to_stock(product_id))


async def take_endpoint(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Sets the typed address and secret; the message holding the secret is deleted whatever the outcome."""
    url, _newline, secret = update.message.text.strip().partition("\n")
    try:
        await update.message.delete()
    except TelegramError:
        pass  # too old or already gone: nothing else to do
    product = await call(
        dialog.finish_with,
        dynamic.set_dynamic_endpoint,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        product_id=state.data["product"],
        url=url,
        secret=secret.strip() or None,
    )
    await screens.send(update, context, texts.endpoint_set(product), keyboards.back_to_stock(product.pk))


async def tell_customers_job(context: ShopContext) -> None:
    """Tells customers of decisions taken elsewhere (the web admin) or not delivered before."""
    await manual_notices.tell_customers(context.bot)


async def escalate_job(context: ShopContext) -> None:
    """Tells staff of orders past their deadline, once each."""
    await manual_notices.escalate(context.bot)


HANDLERS = [
    CallbackQueryHandler(list_orders, pattern=callbacks.ADMIN_FULFIL.pattern),
    CallbackQueryHandler(show_order, pattern=callbacks.ADMIN_FULFIL_ORDER.pattern),
    CallbackQueryHandler(ask_delivery, pattern=callbacks.ADMIN_FULFIL_DELIVER.pattern),
    CallbackQueryHandler(ask_refund, pattern=callbacks.ADMIN_FULFIL_REFUND.pattern),
    CallbackQueryHandler(refund, pattern=callbacks.ADMIN_FULFIL_REFUND_YES.pattern),
    CallbackQueryHandler(ask_hours, pattern=callbacks.ADMIN_MANUAL_HOURS.pattern),
    CallbackQueryHandler(ask_questions, pattern=callbacks.ADMIN_MANUAL_QUESTIONS.pattern),
    CallbackQueryHandler(ask_endpoint, pattern=callbacks.ADMIN_DYNAMIC_ENDPOINT.pattern),
]
PROMPTS = {DELIVERY: take_text, HOURS: take_hours, QUESTIONS: take_questions, ENDPOINT: take_endpoint}
MEDIA_PROMPTS = {DELIVERY: take_document}
JOBS = [
    Job("manual_order_notices", tell_customers_job, every=NOTICES_EVERY, first=13),
    Job("manual_order_escalation", escalate_job, every=ESCALATE_EVERY, first=17),
    Job("dynamic_delivery", dynamic_delivery.deliver_job, every=dynamic_delivery.EVERY, first=7),
]
FEATURE = Feature("admin_fulfil", handlers=HANDLERS, prompts=PROMPTS, media_prompts=MEDIA_PROMPTS, jobs=JOBS)
