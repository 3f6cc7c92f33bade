"""The gate every update passes first: who may talk to the shop, and in which language.

Registered as a ``TypeHandler`` in group -1. It registers or refreshes the
sender, puts the customer in ``context.customer``, activates their language
for the rest of the update, and stops (``ApplicationHandlerStop``) updates
from groups and channels, from blocked users and from users who have not
joined the required channel, and ignores edited messages. Payments (pre-checkout queries, successful
and refunded payments) always pass: money Telegram took must reach the payments handlers
even for a blocked user.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from accounts import roles
from accounts.cache import BLOCK_NOTICE_SECONDS, block_notice_key
from accounts.models import Customer
from accounts.selectors import may_shop
from accounts.services import mark_bot_blocked
from telegrambot import callbacks, membership, ratelimit, screens
from telegrambot.adapter import call
from telegrambot.admission import aadmit_sender
from telegrambot.context import ShopContext
from telegrambot.keyboards import common as keyboards
from telegrambot.texts import admin_maintenance as maintenance_texts
from telegrambot.texts import common as texts

START_PAYLOAD_MAX = 64  # Telegram's limit for deep-link parameters


async def admit(update: Update, context: ShopContext) -> None:
    """Registers the sender and lets only welcome updates through to the handlers."""
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    if update.my_chat_member is not None:
        await follow_bot_membership(update)
        raise ApplicationHandlerStop
    if update.effective_message is not None and update.message is None and update.callback_query is None:
        # An edit (or a business or channel message): every handler reads update.message, and
        # an edited answer to a prompt must not act a second time. Edits are ignored.
        raise ApplicationHandlerStop
    if is_payment(update):
        return
    if not is_private(update):
        await screens.answer(update, context)
        raise ApplicationHandlerStop
    admission = await aadmit_sender(
        telegram_id=user.id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        language_code=user.language_code,
        start_payload=start_payload(update),
    )
    if admission.refusal is not None:
        await ratelimit.turn_away_flood(update, context, admission.refusal)
        raise ApplicationHandlerStop
    customer = context.customer = admission.customer
    # Undone when the update ends: ShopApplication wraps each update in translation.override().
    translation.activate(customer.language)
    if not may_shop(customer):
        await turn_away_blocked(update, context, customer)
        raise ApplicationHandlerStop
    if update.callback_query is not None and not update.callback_query.data:
        # PTB lets a press without data match every pattern; no button of this bot sends one.
        await screens.answer(update, context, texts.alert(texts.UNKNOWN_BUTTON), alert=True)
        raise ApplicationHandlerStop
    if not await is_subscribed(update, context, customer):
        await ask_to_join(update, context)
        raise ApplicationHandlerStop
    if admission.closed:
        await tell_closed(update, context)
        raise ApplicationHandlerStop


async def tell_closed(update: Update, context: ShopContext) -> None:
    """Answer a customer with the maintenance notice; the gate stops the update after it.

    Admins (and payments, which the gate lets through earlier) never get here.
    """
    if update.callback_query is not None:
        await screens.answer(update, context, texts.alert(maintenance_texts.NOTICE), alert=True)
    else:
        await screens.send(update, context, str(maintenance_texts.NOTICE))


def is_payment(update: Update) -> bool:
    message = update.message
    return update.pre_checkout_query is not None or (
        message is not None
        and (message.successful_payment is not None or message.refunded_payment is not None)
    )


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def start_payload(update: Update) -> str | None:
    """Return the deep-link parameter of ``/start <payload>``, if this is one."""
    text = update.message.text if update.message is not None else None
    if not text or not text.startswith("/start "):
        return None
    return text.removeprefix("/start ").strip()[:START_PAYLOAD_MAX] or None


async def follow_bot_membership(update: Update) -> None:
    """Remember that a user blocked the bot, so broadcasts skip them."""
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status == ChatMember.BANNED:
        await call(mark_bot_blocked, telegram_id=member.from_user.id)


async def turn_away_blocked(update: Update, context: ShopContext, customer: Customer) -> None:
    """Tell a blocked user once per block that they are blocked, and why; then stay silent.

    Presses after the notice are answered without a word, messages not at all.
    """
    if not await cache.aadd(block_notice_key(customer.telegram_id), True, BLOCK_NOTICE_SECONDS):
        await screens.answer(update, context)
        return
    if update.callback_query is not None:
        await screens.answer(update, context, texts.alert(texts.blocked(customer.block_reason)), alert=True)
    else:
        await screens.send(update, context, texts.blocked(customer.block_reason, html=True))


async def is_subscribed(update: Update, context: ShopContext, customer: Customer) -> bool:
    """Return whether the channel gate lets ``customer`` in (always, without CHANNEL_ID)."""
    if not settings.CHANNEL_ID:
        return True
    pressed_joined = update.callback_query is not None and callbacks.CHECK_SUBSCRIPTION.matches(
        update.callback_query.data
    )
    if not pressed_joined and await membership.is_remembered_member(customer.telegram_id):
        return True
    # Admins run the shop whether or not they read its channel.
    member = await call(roles.is_admin, customer) or await membership.is_channel_member(
        context.bot, customer.telegram_id
    )
    if member:
        await membership.remember_member(customer.telegram_id)
    return member


async def ask_to_join(update: Update, context: ShopContext) -> None:
    """Show the join screen; on the join screen itself, say that the check failed."""
    query = update.callback_query
    if query is not None and callbacks.CHECK_SUBSCRIPTION.matches(query.data):
        await screens.answer(update, context, texts.alert(texts.NOT_JOINED_YET), alert=True)
    elif query is not None and shows_join_screen(query.message):
        await screens.answer(update, context, texts.alert(texts.JOIN_CHANNEL), alert=True)
    else:
        await screens.show(
            update, context, str(texts.JOIN_CHANNEL), keyboards.join_channel(settings.CHANNEL_URL)
        )


def shows_join_screen(message: object) -> bool:
    markup = getattr(message, "reply_markup", None)
    buttons = [button for row in (markup.inline_keyboard if markup else ()) for button in row]
    return any(callbacks.CHECK_SUBSCRIPTION.matches(button.callback_data) for button in buttons)


HANDLERS = [TypeHandler(Update, admit)]
