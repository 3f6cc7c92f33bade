"""The admin menu's Support: the open tickets, a ticket's conversation, Reply, Close, a Stars refund.

Every screen and write re-checks ``manage_support`` in the selector or
service it calls; a reply reaches the customer right after commit
(``telegrambot.ticket_notices``), and the job relays what the web admin wrote.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from accounts import roles
from catalog.selectors import tickets as selectors
from catalog.services import tickets as services
from telegrambot import callbacks, screens, ticket_notices
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature, Job
from telegrambot.keyboards import tickets as keyboards
from telegrambot.prompting import ask, require
from telegrambot.services import dialog
from telegrambot.texts import tickets as texts

REPLY = "admin_ticket_reply"
RELAY_EVERY = 30  # seconds: replies written in the web admin reach the customer within half a minute


async def list_tickets(update: Update, context: ShopContext) -> None:
    """Lists the open tickets, the longest waiting first."""
    tickets = await call(selectors.list_open_tickets, actor=context.customer)
    await screens.show(update, context, texts.open_list(tickets), keyboards.open_tickets(tickets))


async def show_ticket(update: Update, context: ShopContext) -> None:
    """Shows a ticket: the customer, the Stars order and charge id, the conversation, the actions."""
    await show_card(update, context, callbacks.ADMIN_TICKET.parse(update.callback_query.data))


async def show_card(update: Update, context: ShopContext, ticket_id: int, *, sent: bool = False) -> None:
    card = await call(selectors.get_ticket_card, actor=context.customer, ticket_id=ticket_id)
    codenames = await call(roles.permissions_of, context.customer)
    keyboard = keyboards.staff_card(card, may_refund="refund_payments" in codenames)
    text = texts.conversation(card, staff_view=True)
    if sent:
        await screens.send(update, context, text, keyboard)
    else:
        await screens.show(update, context, text, keyboard)


async def ask_reply(update: Update, context: ShopContext) -> None:
    """Asks for the reply the customer will get."""
    ticket_id = callbacks.ADMIN_TICKET_REPLY.parse(update.callback_query.data)
    await require(context, "manage_support", "reply_to_ticket")
    await ask(
        update,
        context,
        REPLY,
        {"ticket": ticket_id},
        str(texts.ASK_REPLY),
        keyboards.back_to_ticket(ticket_id),
    )


async def take_reply(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Writes the typed reply and relays it to the customer."""
    await write_reply(update, context, state, update.message.text, None)


async def take_reply_file(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Writes a photo or document reply (its caption as the text) and relays it."""
    message = update.message
    if message.photo:
        attachment = services.Attachment("photo", message.photo[-1].file_id)
    else:
        attachment = services.Attachment("document", message.document.file_id)
    await write_reply(update, context, state, message.caption or "", attachment)


async def write_reply(
    update: Update, context: ShopContext, state: dialog.Dialog, text: str | None, attachment: object
) -> None:
    message = await call(
        dialog.finish_with,
        services.reply_to_ticket,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        ticket_id=state.data["ticket"],
        text=text,
        attachment=attachment,
    )
    await ticket_notices.relay(context.bot, [message.pk])
    await screens.send(
        update, context, texts.replied(message.ticket_id), keyboards.back_to_ticket(message.ticket_id)
    )


async def close(update: Update, context: ShopContext) -> None:
    """Closes the ticket, tells the customer and shows the ticket again."""
    ticket_id = callbacks.ADMIN_TICKET_CLOSE.parse(update.callback_query.data)
    message = await call(services.close_ticket, actor=context.customer, ticket_id=ticket_id)
    await ticket_notices.relay(context.bot, [message.pk])
    await screens.answer(update, context, texts.closed(ticket_id))
    await show_card(update, context, ticket_id)


async def send_attachment(update: Update, context: ShopContext) -> None:
    """Sends the photo or document of one message of a ticket."""
    message_id = callbacks.ADMIN_TICKET_FILE.parse(update.callback_query.data)
    found = await call(selectors.get_ticket_attachment, actor=context.customer, message_id=message_id)
    await screens.answer(update, context)
    if found.attachment_kind == "photo":
        await context.bot.send_photo(context.customer.telegram_id, found.attachment_id)
    elif found.attachment_id:
        await context.bot.send_document(context.customer.telegram_id, found.attachment_id)


async def relay_owed(context: ShopContext) -> None:
    """Relays ticket messages written elsewhere (the web admin) or not delivered before."""
    await ticket_notices.relay(context.bot, None)


HANDLERS = [
    CallbackQueryHandler(list_tickets, pattern=callbacks.ADMIN_TICKETS.pattern),
    CallbackQueryHandler(show_ticket, pattern=callbacks.ADMIN_TICKET.pattern),
    CallbackQueryHandler(ask_reply, pattern=callbacks.ADMIN_TICKET_REPLY.pattern),
    CallbackQueryHandler(close, pattern=callbacks.ADMIN_TICKET_CLOSE.pattern),
    CallbackQueryHandler(send_attachment, pattern=callbacks.ADMIN_TICKET_FILE.pattern),
]
PROMPTS = {REPLY: take_reply}
MEDIA_PROMPTS = {REPLY: take_reply_file}
JOBS = [Job("ticket_notices", relay_owed, every=RELAY_EVERY, first=11)]
FEATURE = Feature("admin_tickets", handlers=HANDLERS, prompts=PROMPTS, media_prompts=MEDIA_PROMPTS, jobs=JOBS)
