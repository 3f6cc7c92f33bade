"""Users in the admin menu: find one, see the profile, credit or debit, block with a reason, change the role, anonymise.

Each action goes through its ``@requires`` service (``adjust_balance``,
``set_blocked``, ``assign_role``), which checks the permission and the
escalation rules and writes the audit entry; the user is told of what
concerns them (a balance change, an unblock) in their own language; a
blocked user hears of the block once, from the gate.
"""

from __future__ import annotations

import logging

from django.utils import translation
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from accounts import roles
from accounts.models import Customer
from accounts.selectors import staff
from accounts.services import assign_role, check_blockable, set_blocked
from accounts.services.anonymise import anonymise_customer, check_anonymisable
from catalog.selectors import staff as selectors
from payments.money import parse_bounded_amount
from payments.services import adjust_balance
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import admin_users as keyboards
from telegrambot.keyboards import common as common_keyboards
from telegrambot.keyboards.admin_menu import back_to_admin
from telegrambot.prompting import ask, finish, require
from telegrambot.services import dialog
from telegrambot.texts import admin_users as texts

logger = logging.getLogger(__name__)

FIND_USER = "admin_find_user"
AMOUNT = "admin_balance_amount"
REASON = "admin_balance_reason"
BLOCK_REASON = "admin_block_reason"


async def ask_user(update: Update, context: ShopContext) -> None:
    """Asks for the Telegram id or @username of the user to find."""
    await require(context, "manage_users", "find_customer")
    await ask(update, context, FIND_USER, {}, str(texts.ASK_USER), common_keyboards.cancel())


async def found_user(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Shows the profile of the user the admin typed."""
    customer = await call(staff.find_customer, actor=context.customer, query=update.message.text)
    await finish(context)
    await show_profile(update, context, customer.telegram_id)


async def profile(update: Update, context: ShopContext) -> None:
    """Shows a user's profile, leaving any question about them."""
    telegram_id = callbacks.ADMIN_USER.parse(update.callback_query.data)
    await show_profile(update, context, telegram_id)


async def show_profile(update: Update, context: ShopContext, telegram_id: int) -> None:
    found = await call(selectors.get_customer_profile, actor=context.customer, telegram_id=telegram_id)
    await finish(context)
    codenames = await call(roles.permissions_of, context.customer)
    await screens.show(update, context, texts.profile(found), keyboards.profile(found.customer, codenames))


async def ask_amount(update: Update, context: ShopContext) -> None:
    """Asks how much to credit or debit."""
    telegram_id, direction = callbacks.ADMIN_USER_BALANCE.parse(update.callback_query.data)
    await require(context, "manage_balances", "adjust_balance")
    data = {"telegram_id": telegram_id, "credit": direction == "credit"}
    await ask(
        update, context, AMOUNT, data, texts.ask_amount(data["credit"]), keyboards.cancel_to(telegram_id)
    )


async def amount_typed(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Checks the typed amount against MIN_AMOUNT..MAX_AMOUNT, then asks for the reason."""
    await require(context, "manage_balances", "adjust_balance")
    amount = parse_bounded_amount(update.message.text)
    data = {**state.data, "amount": str(amount)}
    await ask(update, context, REASON, data, str(texts.ASK_REASON), keyboards.cancel_to(data["telegram_id"]))


async def reason_typed(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Credits or debits the balance with the typed reason, ends the question, and tells the user."""
    data = state.data
    entry = await call(
        dialog.finish_with,
        adjust_balance,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        telegram_id=data["telegram_id"],
        amount=data["amount"],
        reason=update.message.text,
        credit=data["credit"],
    )
    customer = entry.customer  # loaded and locked by the service: no profile permission needed
    with translation.override(customer.language):
        text = texts.balance_changed(
            abs(entry.amount), entry.balance_after, entry.reason, credit=data["credit"]
        )
    await tell(context, customer, text)
    if "manage_users" in await call(roles.permissions_of, context.customer):
        await show_profile(update, context, data["telegram_id"])
        return
    await screens.send(update, context, texts.balance_adjusted(entry), back_to_admin())


async def block(update: Update, context: ShopContext) -> None:
    """Asks for the reason of a block; unblocks at once and tells the user."""
    telegram_id, state = callbacks.ADMIN_USER_BLOCK.parse(update.callback_query.data)
    if state == "on":
        await call(check_blockable, actor=context.customer, telegram_id=telegram_id)
        data = {"telegram_id": telegram_id}
        await ask(
            update, context, BLOCK_REASON, data, str(texts.ASK_BLOCK_REASON), keyboards.cancel_to(telegram_id)
        )
        return
    customer = await call(set_blocked, actor=context.customer, telegram_id=telegram_id, blocked=False)
    with translation.override(customer.language):
        text = texts.unblocked()
    await tell(context, customer, text)
    await show_profile(update, context, telegram_id)


async def block_reason_typed(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Blocks the user with the typed reason; the gate tells them once, at their next message."""
    telegram_id = state.data["telegram_id"]
    await call(
        dialog.finish_with,
        set_blocked,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        telegram_id=telegram_id,
        blocked=True,
        reason=update.message.text,
    )
    await show_profile(update, context, telegram_id)


async def choose_role(update: Update, context: ShopContext) -> None:
    """Lists the roles the admin may give this user."""
    telegram_id = callbacks.ADMIN_USER_ROLES.parse(update.callback_query.data)
    choices = await call(staff.list_roles, actor=context.customer)
    customer = await call(staff.get_customer, actor=context.customer, telegram_id=telegram_id)
    await screens.show(update, context, str(texts.CHOOSE_ROLE), keyboards.roles(customer, choices))


async def set_role(update: Update, context: ShopContext) -> None:
    """Gives the user the chosen role; escalations are refused by the service."""
    telegram_id, role_id = callbacks.ADMIN_USER_SET_ROLE.parse(update.callback_query.data)
    await call(assign_role, actor=context.customer, telegram_id=telegram_id, role_id=role_id)
    await show_profile(update, context, telegram_id)


async def anonymise(update: Update, context: ShopContext) -> None:
    """Asks to confirm anonymising a customer, then anonymises them (names and texts gone, ledger kept)."""
    telegram_id, step = callbacks.ADMIN_USER_ANONYMISE.parse(update.callback_query.data)
    if step == "ask":
        await call(check_anonymisable, actor=context.customer, telegram_id=telegram_id)
        keyboard = keyboards.confirm_anonymise(telegram_id)
        await screens.show(update, context, str(texts.CONFIRM_ANONYMISE), keyboard)
        return
    await call(anonymise_customer, actor=context.customer, telegram_id=telegram_id)
    await show_profile(update, context, telegram_id)


async def tell(context: ShopContext, customer: Customer, text: str) -> None:
    """Send a notice to a user; one who blocked the bot simply does not get it."""
    try:
        await context.bot.send_message(customer.telegram_id, text)
    except TelegramError as error:
        logger.info("Could not notify %s: %s", customer.telegram_id, error)


HANDLERS = [
    CallbackQueryHandler(ask_user, pattern=callbacks.ADMIN_USERS.pattern),
    CallbackQueryHandler(profile, pattern=callbacks.ADMIN_USER.pattern),
    CallbackQueryHandler(ask_amount, pattern=callbacks.ADMIN_USER_BALANCE.pattern),
    CallbackQueryHandler(block, pattern=callbacks.ADMIN_USER_BLOCK.pattern),
    CallbackQueryHandler(choose_role, pattern=callbacks.ADMIN_USER_ROLES.pattern),
    CallbackQueryHandler(set_role, pattern=callbacks.ADMIN_USER_SET_ROLE.pattern),
    CallbackQueryHandler(anonymise, pattern=callbacks.ADMIN_USER_ANONYMISE.pattern),
]
PROMPTS = {
    FIND_USER: found_user,
    AMOUNT: amount_typed,
    REASON: reason_typed,
    BLOCK_REASON: block_reason_typed,
}
FEATURE = Feature("admin_users", handlers=HANDLERS, prompts=PROMPTS)
