"""Payments in the admin menu: find one, the lists needing attention, refunds and re-checks.

Everything here needs ``refund_payments``. Each handler reaches a function of
``payments.selectors.staff`` or a refund service, which checks the permission again
(and audits a refusal) whatever button or text arrived. A refund asks for a
reason, shows what it will do, and runs only when the admin confirms the
payment the reason was typed for; the customer is then told through the
payment notices the refund owes.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from accounts import roles
from catalog.selectors import staff as catalog_admin_selectors
from payments.selectors import staff
from payments.services import clean_reason, record_manual_refund
from telegrambot import callbacks, providers, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import admin_payments as keyboards
from telegrambot.notices import deliver_notices
from telegrambot.prompting import ask, current_state, finish, require, step_over
from telegrambot.services import dialog
from telegrambot.texts import admin_payments as texts

FIND_PAYMENT = "admin_find_payment"
REFUND_REASON = "admin_refund_reason"
REFUND_CONFIRM = "admin_refund_confirm"


async def section(update: Update, context: ShopContext) -> None:
    """Shows how many payments need review or wait to be paid, with the look-up and the lists."""
    counts = await call(staff.get_overview, actor=context.customer)
    await finish(context)
    await screens.show(update, context, texts.overview(counts), keyboards.overview(counts))


async def ask_payment(update: Update, context: ShopContext) -> None:
    """Asks for the payment id, Telegram charge id or CryptoPay invoice id to find."""
    await require(context, staff.PERMISSION, "find_payment")
    await ask(update, context, FIND_PAYMENT, {}, str(texts.ASK_PAYMENT), keyboards.cancel_to_section())


async def payment_found(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Shows the payment the admin named, or the several that match."""
    found = await call(staff.find_payments, actor=context.customer, query=update.message.text)
    await finish(context)
    if len(found) == 1:
        await show_card(update, context, found[0].pk)
        return
    await screens.send(update, context, str(texts.SEVERAL_FOUND), keyboards.found(found))


async def payment_list(update: Update, context: ShopContext) -> None:
    """Lists a page of the payments needing review, or of those waiting to be paid."""
    which, page = callbacks.ADMIN_PAYMENT_LIST.parse(update.callback_query.data)
    rows = await call(staff.list_payments, actor=context.customer, which=which, page=page)
    await screens.show(update, context, texts.payment_list(which, rows), keyboards.payment_list(which, rows))


async def payment(update: Update, context: ShopContext) -> None:
    """Shows a payment's card, leaving any question about it."""
    await show_card(update, context, callbacks.ADMIN_PAYMENT.parse(update.callback_query.data))


async def show_card(update: Update, context: ShopContext, payment_id: int, note: str = "") -> None:
    found = await call(staff.get_payment_card, actor=context.customer, payment_id=payment_id)
    await finish(context)
    codenames = await call(roles.permissions_of, context.customer)
    await screens.show(update, context, texts.card(found, note), keyboards.card(found, codenames))


async def ask_reason(update: Update, context: ShopContext) -> None:
    """Asks why the payment is refunded, once it is clear that it can be."""
    payment_id, kind = callbacks.ADMIN_PAYMENT_REFUND.parse(update.callback_query.data)
    manual = kind == "manual"
    found = await call(staff.prepare_refund, actor=context.customer, payment_id=payment_id, manual=manual)
    data = {"payment_id": payment_id, "manual": manual}
    text = texts.ask_reason(found, manual=manual)
    await ask(update, context, REFUND_REASON, data, text, keyboards.cancel_to(payment_id))


async def reason_typed(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Shows what the refund will do, with the typed reason, and asks to confirm it."""
    data = state.data
    found = await call(
        staff.prepare_refund, actor=context.customer, payment_id=data["payment_id"], manual=data["manual"]
    )
    reason = clean_reason(update.message.text)
    await call(
        dialog.set_state,
        telegram_id=context.customer.telegram_id,
        state=REFUND_CONFIRM,
        data={**data, "reason": reason},
    )
    effects = await call(
        catalog_admin_selectors.get_refund_effects, actor=context.customer, payment_id=data["payment_id"]
    )
    text = texts.confirm_refund(found, reason, manual=data["manual"], effects=effects)
    await screens.send(update, context, text, keyboards.confirm(data["payment_id"]))


async def refund(update: Update, context: ShopContext) -> None:
    """Refunds the payment with the confirmed reason, tells the customer, and shows the card again."""
    payment_id = callbacks.ADMIN_PAYMENT_REFUND_YES.parse(update.callback_query.data)
    await require(context, staff.PERMISSION, "refund_payment")
    state = await current_state(context, REFUND_CONFIRM)
    if state is None or state.data.get("payment_id") != payment_id:
        await step_over(update, context)  # a reason was typed for another payment, or none at all
        return
    reason = state.data["reason"]
    if state.data["manual"]:
        await call(record_manual_refund, actor=context.customer, payment_id=payment_id, reason=reason)
    else:
        await providers.refund_stars(
            context.bot, actor=context.customer, payment_id=payment_id, reason=reason
        )
    await deliver_notices(context.bot, payment_id=payment_id)
    await show_card(update, context, payment_id, str(texts.REFUNDED))


async def recheck(update: Update, context: ShopContext) -> None:
    """Asks CryptoPay about the payment now; if it was paid, credits it and tells the customer."""
    payment_id = callbacks.ADMIN_PAYMENT_RECHECK.parse(update.callback_query.data)
    credit = await providers.recheck_payment(actor=context.customer, payment_id=payment_id)
    await deliver_notices(context.bot, payment_id=payment_id)
    await show_card(update, context, payment_id, texts.recheck_outcome(credit))


async def reconcile_stars(update: Update, context: ShopContext) -> None:
    """Matches Telegram's Stars transactions with the payments now and shows the report (audited)."""
    run = await providers.reconcile_stars(context.bot, actor=context.customer)
    await screens.show(update, context, texts.stars_report(run), keyboards.stars_report())
    await deliver_notices(context.bot)  # a lost charge credited, a refund outside the bot


HANDLERS = [
    CallbackQueryHandler(section, pattern=callbacks.ADMIN_PAYMENTS.pattern),
    CallbackQueryHandler(ask_payment, pattern=callbacks.ADMIN_PAYMENT_FIND.pattern),
    CallbackQueryHandler(payment_list, pattern=callbacks.ADMIN_PAYMENT_LIST.pattern),
    CallbackQueryHandler(payment, pattern=callbacks.ADMIN_PAYMENT.pattern),
    CallbackQueryHandler(ask_reason, pattern=callbacks.ADMIN_PAYMENT_REFUND.pattern),
    CallbackQueryHandler(refund, pattern=callbacks.ADMIN_PAYMENT_REFUND_YES.pattern),
    CallbackQueryHandler(recheck, pattern=callbacks.ADMIN_PAYMENT_RECHECK.pattern),
    CallbackQueryHandler(reconcile_stars, pattern=callbacks.ADMIN_STARS_RECONCILE.pattern),
]
# Text typed on the confirmation replaces the reason, and the refund is asked for again.
PROMPTS = {FIND_PAYMENT: payment_found, REFUND_REASON: reason_typed, REFUND_CONFIRM: reason_typed}
FEATURE = Feature("admin_payments", handlers=HANDLERS, prompts=PROMPTS)
