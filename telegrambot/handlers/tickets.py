"""Writing to support: /paysupport, the Support screen's button, Reply under a support message, My tickets.

The ticket and the message are written once the text arrives, by
``catalog.services.tickets``, which re-checks the ticket's or the Stars
order's owner and the rate limit; staff get the message right after commit.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from catalog.selectors import tickets as selectors
from catalog.services import tickets as services
from telegrambot import callbacks, screens, ticket_notices
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import common as common_keyboards
from telegrambot.keyboards import tickets as keyboards
from telegrambot.prompting import ask
from telegrambot.services import dialog
from telegrambot.texts import start as start_texts
from telegrambot.texts import tickets as texts

TEXT = "ticket_text"


async def pay_support(update: Update, context: ShopContext) -> None:
    """Offers the customer's recent Stars orders and Write to support (Telegram requires /paysupport)."""
    orders = await call(selectors.list_recent_stars_orders, telegram_id=context.customer.telegram_id)
    text = start_texts.pay_support() + ("\n\n" + texts.pay_support_orders() if orders else "")
    await screens.show(update, context, text, keyboards.pay_support(orders))


async def write(update: Update, context: ShopContext) -> None:
    """Asks for the message to support (a general question)."""
    await ask(
        update,
        context,
        TEXT,
        {"payment": None, "ticket": None},
        str(texts.ASK_TEXT),
        common_keyboards.cancel(),
    )


async def write_about_order(update: Update, context: ShopContext) -> None:
    """Asks for the message about one of the customer's Stars orders (the service checks the owner)."""
    payment_id = callbacks.SUPPORT_ORDER.parse(update.callback_query.data)
    data = {"payment": payment_id, "ticket": None}
    await ask(update, context, TEXT, data, str(texts.ASK_TEXT), common_keyboards.cancel())


async def reply(update: Update, context: ShopContext) -> None:
    """Asks for the customer's reply in their ticket, checked to be theirs and open first."""
    ticket_id = callbacks.TICKET_REPLY.parse(update.callback_query.data)
    card = await call(
        selectors.get_customer_ticket, telegram_id=context.customer.telegram_id, ticket_id=ticket_id
    )
    if not card.ticket.is_open:
        await screens.show(
            update,
            context,
            texts.conversation(card, staff_view=False),
            keyboards.customer_ticket(card.ticket),
        )
        return
    data = {"payment": None, "ticket": ticket_id}
    await ask(update, context, TEXT, data, str(texts.ASK_REPLY), common_keyboards.cancel())


async def take_text(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Writes the typed message to support and confirms it."""
    await send_to_support(update, context, state, update.message.text, None)


async def take_file(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Writes a photo or document (its caption as the text) to support."""
    message = update.message
    if message.photo:
        attachment = services.Attachment("photo", message.photo[-1].file_id)
    else:
        attachment = services.Attachment("document", message.document.file_id)
    await send_to_support(update, context, state, message.caption or "", attachment)


async def send_to_support(
    update: Update, context: ShopContext, state: dialog.Dialog, text: str | None, attachment: object
) -> None:
    telegram_id = context.customer.telegram_id
    if state.data.get("ticket") is not None:
        write_with, target = services.add_customer_message, {"ticket_id": state.data["ticket"]}
    else:
        write_with, target = services.open_ticket, {"payment_id": state.data.get("payment")}
    message = await call(
        dialog.finish_with,
        write_with,
        answered_by=telegram_id,
        telegram_id=telegram_id,
        text=text,
        attachment=attachment,
        **target,
    )
    await screens.send(update, context, texts.written(message), keyboards.customer_ticket(message.ticket))
    await ticket_notices.relay(context.bot, [message.pk])


async def my_tickets(update: Update, context: ShopContext) -> None:
    """Lists the customer's tickets, open ones first."""
    tickets = await call(selectors.list_customer_tickets, telegram_id=context.customer.telegram_id)
    await screens.show(update, context, texts.tickets_list(tickets), keyboards.customer_tickets(tickets))


async def show_ticket(update: Update, context: ShopContext) -> None:
    """Shows one of the customer's tickets with its conversation."""
    ticket_id = callbacks.TICKET.parse(update.callback_query.data)
    card = await call(
        selectors.get_customer_ticket, telegram_id=context.customer.telegram_id, ticket_id=ticket_id
    )
    await screens.show(
        update, context, texts.conversation(card, staff_view=False), keyboards.customer_ticket(card.ticket)
    )


HANDLERS = [
    CommandHandler("paysupport", pay_support, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(write, pattern=callbacks.SUPPORT_WRITE.pattern),
    CallbackQueryHandler(write_about_order, pattern=callbacks.SUPPORT_ORDER.pattern),
    CallbackQueryHandler(reply, pattern=callbacks.TICKET_REPLY.pattern),
    CallbackQueryHandler(my_tickets, pattern=callbacks.TICKETS.pattern),
    CallbackQueryHandler(show_ticket, pattern=callbacks.TICKET.pattern),
]
PROMPTS = {TEXT: take_text}
MEDIA_PROMPTS = {TEXT: take_file}
FEATURE = Feature("tickets", handlers=HANDLERS, prompts=PROMPTS, media_prompts=MEDIA_PROMPTS)
