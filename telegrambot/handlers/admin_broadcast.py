"""Broadcasts for holders of the broadcast permission: compose, preview, confirm, watch, cancel."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from telegrambot import callbacks, ratelimit, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.jobs import broadcast as broadcast_job
from telegrambot.keyboards import admin_broadcast as keyboards
from telegrambot.services import broadcasts, dialog, paid_broadcasts
from telegrambot.texts import admin_broadcast as texts

TEXT, PHOTO, BUTTON, AUDIENCE, CONFIRM = (
    "adm_bc_text",
    "adm_bc_photo",
    "adm_bc_button",
    "adm_bc_audience",
    "adm_bc_confirm",
)


async def show_broadcasts(update: Update, context: ShopContext) -> None:
    """Shows the latest broadcasts and the button to write a new one."""
    recent = await call(broadcasts.list_recent, actor=context.customer)
    await screens.show(update, context, texts.menu(recent), keyboards.menu())


async def ask_text(update: Update, context: ShopContext) -> None:
    """Starts a broadcast: asks for its text."""
    await call(broadcasts.check_allowed, actor=context.customer)
    await call(dialog.set_state, telegram_id=context.customer.telegram_id, state=TEXT)
    await screens.show(update, context, str(texts.ASK_TEXT), keyboards.cancel())


async def take_text(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Checks the text as Telegram's HTML and asks for a photo."""
    draft = await call(broadcasts.create_draft, actor=context.customer, text=update.message.text)
    await next_step(update, context, PHOTO, draft.pk, str(texts.ASK_PHOTO), keyboards.skip(draft.pk))


async def take_photo(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Attaches the photo sent and asks for a link button."""
    photos = update.message.photo
    if not photos:
        await call(broadcasts.check_allowed, actor=context.customer)
        await screens.send(update, context, str(texts.PHOTO_EXPECTED), keyboards.skip(state.data["id"]))
        return
    draft = await call(
        broadcasts.set_photo,
        actor=context.customer,
        broadcast_id=state.data["id"],
        file_id=photos[-1].file_id,
    )
    await next_step(update, context, BUTTON, draft.pk, str(texts.ASK_BUTTON), keyboards.skip(draft.pk))


async def photo_expected(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Reminds that this step takes a photo (or Skip), not text."""
    await take_photo(update, context, state)


async def take_button(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Adds the link button written as "text | https://address" and asks for the audience."""
    draft = await call(
        broadcasts.set_button,
        actor=context.customer,
        broadcast_id=state.data["id"],
        text=update.message.text,
    )
    await next_step(
        update, context, AUDIENCE, draft.pk, str(texts.ASK_AUDIENCE), keyboards.audiences(draft.pk)
    )


async def use_buttons(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Reminds that the audience and the confirmation are answered with the buttons."""
    await call(broadcasts.check_allowed, actor=context.customer)
    if state.state == AUDIENCE:
        await screens.send(update, context, str(texts.ASK_AUDIENCE), keyboards.audiences(state.data["id"]))
    else:
        await screens.send(update, context, str(texts.USE_BUTTONS))


async def skip_step(update: Update, context: ShopContext) -> None:
    """Skips the photo or the button."""
    broadcast_id = callbacks.ADMIN_BROADCAST_SKIP.parse(update.callback_query.data)
    state = await open_step(context, broadcast_id, PHOTO, BUTTON)
    if state.state == PHOTO:
        await next_step(
            update, context, BUTTON, broadcast_id, str(texts.ASK_BUTTON), keyboards.skip(broadcast_id)
        )
    else:
        await next_step(
            update,
            context,
            AUDIENCE,
            broadcast_id,
            str(texts.ASK_AUDIENCE),
            keyboards.audiences(broadcast_id),
        )


async def choose_audience(update: Update, context: ShopContext) -> None:
    """Sends the preview exactly as recipients will see it, then asks to confirm."""
    broadcast_id, audience = callbacks.ADMIN_BROADCAST_AUDIENCE.parse(update.callback_query.data)
    await open_step(context, broadcast_id, AUDIENCE, CONFIRM)
    draft, count = await call(
        broadcasts.set_audience, actor=context.customer, broadcast_id=broadcast_id, audience=audience
    )
    await screens.answer(update, context)
    await broadcast_job.deliver(context.bot, context.customer.telegram_id, draft)
    await call(
        dialog.set_state, telegram_id=context.customer.telegram_id, state=CONFIRM, data={"id": broadcast_id}
    )
    offer_paid = paid_broadcasts.may_choose_paid(context.customer)
    await screens.send(
        update, context, texts.confirm(draft, count), keyboards.confirm(draft, count, offer_paid=offer_paid)
    )


async def choose_speed(update: Update, context: ShopContext) -> None:
    """The owner switches the draft between the free speed and a paid broadcast; the confirmation says the cost."""
    broadcast_id, choice = callbacks.ADMIN_BROADCAST_PAID.parse(update.callback_query.data)
    await open_step(context, broadcast_id, CONFIRM)
    draft, count = await call(
        paid_broadcasts.set_paid, actor=context.customer, broadcast_id=broadcast_id, paid=choice == "on"
    )
    await screens.show(
        update, context, texts.confirm(draft, count), keyboards.confirm(draft, count, offer_paid=True)
    )


@ratelimit.limited(ratelimit.BROADCAST)
async def send(update: Update, context: ShopContext) -> None:
    """Starts sending (the permission is checked again) and turns this message into the live progress."""
    broadcast_id = callbacks.ADMIN_BROADCAST_SEND.parse(update.callback_query.data)
    await open_step(context, broadcast_id, CONFIRM)
    message = update.callback_query.message
    broadcast = await call(
        broadcasts.start_broadcast,
        actor=context.customer,
        broadcast_id=broadcast_id,
        chat_id=context.customer.telegram_id,
        message_id=message.message_id if isinstance(message, Message) else 0,
    )
    await call(dialog.clear_state, telegram_id=context.customer.telegram_id)
    await screens.show(update, context, texts.progress(broadcast), keyboards.progress(broadcast))
    broadcast_job.schedule(context.application, broadcast.pk)


async def stop(update: Update, context: ShopContext) -> None:
    """Cancels a broadcast being sent; the job stops and turns the progress into the report."""
    broadcast_id = callbacks.ADMIN_BROADCAST_STOP.parse(update.callback_query.data)
    await call(broadcasts.cancel_broadcast, actor=context.customer, broadcast_id=broadcast_id)
    await screens.answer(update, context, str(texts.STOPPING))


async def open_step(context: ShopContext, broadcast_id: int, *states: str) -> dialog.Dialog:
    """Return the draft's dialog if its author is at one of ``states`` and may still broadcast."""
    await call(broadcasts.check_allowed, actor=context.customer)
    state = await call(dialog.get_state, telegram_id=context.customer.telegram_id)
    if state is None or state.state not in states or state.data.get("id") != broadcast_id:
        raise broadcasts.StepExpired()
    return state


async def next_step(
    update: Update, context: ShopContext, step: str, broadcast_id: int, text: str, keyboard: Any
) -> None:
    await call(
        dialog.set_state, telegram_id=context.customer.telegram_id, state=step, data={"id": broadcast_id}
    )
    await screens.show(update, context, text, keyboard)


HANDLERS = [
    CallbackQueryHandler(show_broadcasts, pattern=callbacks.ADMIN_BROADCAST.pattern),
    CallbackQueryHandler(ask_text, pattern=callbacks.ADMIN_BROADCAST_NEW.pattern),
    CallbackQueryHandler(skip_step, pattern=callbacks.ADMIN_BROADCAST_SKIP.pattern),
    CallbackQueryHandler(choose_audience, pattern=callbacks.ADMIN_BROADCAST_AUDIENCE.pattern),
    CallbackQueryHandler(send, pattern=callbacks.ADMIN_BROADCAST_SEND.pattern),
    CallbackQueryHandler(choose_speed, pattern=callbacks.ADMIN_BROADCAST_PAID.pattern),
    CallbackQueryHandler(stop, pattern=callbacks.ADMIN_BROADCAST_STOP.pattern),
]
PROMPTS = {
    TEXT: take_text,
    PHOTO: photo_expected,
    BUTTON: take_button,
    AUDIENCE: use_buttons,
    CONFIRM: use_buttons,
}
MEDIA_PROMPTS = {PHOTO: take_photo}
FEATURE = Feature("admin_broadcast", handlers=HANDLERS, prompts=PROMPTS, media_prompts=MEDIA_PROMPTS)
