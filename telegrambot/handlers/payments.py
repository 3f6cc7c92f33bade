"""Paying: Telegram invoices (Stars, cards), CryptoPay, pre-checkout, successful payments.

Every payment first gets a pending row from a service; later signals
(pre-checkout, ``successful_payment``, "Check payment", the CryptoPay webhook,
the reconciliation job) move that row forward, idempotently. What people must
hear about a payment is written by the services as notices in the same
transaction; ``deliver_notices`` sends them, here at once for the payment a
handler just moved, and from a job for everything else (webhook credits).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils import translation
from telegram import LabeledPrice, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, PreCheckoutQueryHandler, filters

from accounts.services import mark_bot_blocked
from catalog.services import orders
from monitoring import funnel
from monitoring.metrics import REFUSALS
from payments.models import Payment, PaymentNotice
from payments.money import to_minor_units
from payments.services import (
    Notice,
    check_pre_checkout,
    claim_notices,
    confirm_telegram_payment,
    mark_notices_sent,
    start_top_up,
)
from shopbot.errors import ShopError
from telegrambot import callbacks, delivery, providers, ratelimit, screens, stock_alerts
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.keyboards import payments as keyboards
from telegrambot.locks import run_exclusively
from telegrambot.texts import common as common_texts
from telegrambot.texts import payments as texts

logger = logging.getLogger(__name__)
RECONCILE_EVERY = 60  # seconds
NOTICES_EVERY = 10  # seconds: how long a webhook-credited customer may wait for the message


# --- starting a payment ---------------------------------------------------------
@ratelimit.limited(ratelimit.PAYMENT)
async def top_up_with_stars(update: Update, context: ShopContext) -> None:
    """Sends a Telegram Stars invoice for the chosen amount."""
    amount = callbacks.TOP_UP_STARS.parse(update.callback_query.data)
    payment = await call(
        start_top_up, telegram_id=context.customer.telegram_id, provider=Payment.Provider.STARS, amount=amount
    )
    await send_invoice(update, context, payment)


@ratelimit.limited(ratelimit.PAYMENT)
async def top_up_with_card(update: Update, context: ShopContext) -> None:
    """Sends a Telegram Payments invoice (card) for the chosen amount."""
    amount = callbacks.TOP_UP_CARD.parse(update.callback_query.data)
    payment = await call(
        start_top_up,
        telegram_id=context.customer.telegram_id,
        provider=Payment.Provider.TELEGRAM,
        amount=amount,
    )
    await send_invoice(update, context, payment)


@ratelimit.limited(ratelimit.PAYMENT)
async def pay_product_in_stars(update: Update, context: ShopContext) -> None:
    """Sends a Stars invoice for one unit of a product, delivered on payment."""
    product_id = callbacks.PAY_STARS_PRODUCT.parse(update.callback_query.data)
    payment = await call(
        orders.start_product_order, telegram_id=context.customer.telegram_id, product_id=product_id
    )
    await send_invoice(update, context, payment)


@ratelimit.limited(ratelimit.PAYMENT)
async def pay_cart_in_stars(update: Update, context: ShopContext) -> None:
    """Sends a Stars invoice for everything in the cart, delivered on payment."""
    payment = await call(orders.start_cart_order, telegram_id=context.customer.telegram_id)
    await send_invoice(update, context, payment)


async def send_invoice(update: Update, context: ShopContext, payment: Payment) -> None:
    """Send the Telegram invoice of a pending payment (Stars or card) and answer the press."""
    is_order = payment.purpose == Payment.Purpose.ORDER
    total = to_minor_units(payment.provider_amount, payment.provider_currency)
    await context.bot.send_invoice(
        chat_id=context.customer.telegram_id,
        title=texts.order_title(payment) if is_order else texts.top_up_title(),
        description=texts.order_description(payment) if is_order else texts.top_up_description(payment),
        payload=payment.payload,
        currency=payment.provider_currency,
        prices=[LabeledPrice(texts.price_label(payment), total)],
        provider_token=settings.TELEGRAM_PROVIDER_TOKEN
        if payment.provider == Payment.Provider.TELEGRAM
        else None,
    )
    await screens.answer(update, context)


@ratelimit.limited(ratelimit.PAYMENT)
async def top_up_with_crypto(update: Update, context: ShopContext) -> None:
    """Creates a CryptoPay invoice and shows its Pay link with a "Check payment" button."""
    amount = callbacks.TOP_UP_CRYPTO.parse(update.callback_query.data)
    payment = await providers.open_crypto_top_up(telegram_id=context.customer.telegram_id, amount=amount)
    await screens.show(update, context, texts.crypto_invoice(payment), keyboards.crypto_invoice(payment))


async def check_crypto(update: Update, context: ShopContext) -> None:
    """Asks CryptoPay whether the invoice was paid, and credits it if so."""
    payment_id = callbacks.CHECK_CRYPTO.parse(update.callback_query.data)
    credit = await providers.check_crypto_payment(
        payment_id=payment_id, telegram_id=context.customer.telegram_id
    )
    status = credit.payment.status
    if status == Payment.Status.PENDING:
        await screens.answer(update, context, common_texts.alert(texts.NOT_PAID_YET), alert=True)
        return
    if status == Payment.Status.EXPIRED:
        await screens.show(update, context, str(texts.EXPIRED))
        return
    if status == Payment.Status.PAID:
        await screens.show(update, context, texts.crypto_paid(credit.payment))
    # Shown on screen already; other notices (a review, the referrer's reward) still go out.
    await deliver_notices(context.bot, payment_id=payment_id, skip={PaymentNotice.Kind.CREDITED})
    await screens.answer(update, context)


# --- Telegram's payment updates -------------------------------------------------
async def pre_checkout(update: Update, context: ShopContext) -> None:
    """Tells Telegram whether to take the money: only for this user's pending, unexpired invoice."""
    query = update.pre_checkout_query
    try:
        await call(
            check_pre_checkout,
            telegram_id=query.from_user.id,
            payload=query.invoice_payload,
            currency=query.currency,
            total_amount=query.total_amount,
        )
    except ShopError as error:
        REFUSALS.labels(error=type(error).__name__).inc()
        await query.answer(ok=False, error_message=str(error))
        return
    except Exception:
        # Telegram waits ten seconds for an answer; a bug must still say no before it is reported.
        await query.answer(ok=False, error_message=str(common_texts.UNEXPECTED_ERROR))
        raise
    await query.answer(ok=True)


async def successful_payment(update: Update, context: ShopContext) -> None:
    """Credits the top-up or delivers the order Telegram says was paid, and tells the customer once."""
    paid = update.message.successful_payment
    credit = await call(
        confirm_telegram_payment,
        telegram_id=update.effective_user.id,
        payload=paid.invoice_payload,
        currency=paid.currency,
        total_amount=paid.total_amount,
        telegram_charge_id=paid.telegram_payment_charge_id,
        provider_charge_id=paid.provider_payment_charge_id or "",
    )
    await deliver_notices(context.bot, payment_id=credit.payment.pk)
    if credit.purchases:
        funnel.record(step=funnel.PURCHASED)
        await stock_alerts.notify_low_stock(
            context.bot, [purchase.product_id for purchase in credit.purchases]
        )


# --- notices and jobs -------------------------------------------------------------
async def deliver_notices(bot: Any, *, payment_id: int | None = None, skip: set[str] = frozenset()) -> int:
    """Claim the notices owed (for one payment, or all) and send each in its recipient's language.

    ``skip`` names kinds the caller has just shown on screen. A claim holds a
    notice so several workers never send it twice; it is marked sent only once
    Telegram accepted it, so one that failed is sent again after its claim
    runs out (and logged meanwhile).
    """
    notices = await call(claim_notices, payment_id=payment_id)
    sent = [notice.id for notice in notices if notice.kind in skip or await send_notice(bot, notice)]
    await call(mark_notices_sent, notice_ids=sent)
    return len(notices)


async def send_notice(bot: Any, notice: Notice) -> bool:
    """Send one notice; return whether it is done with (accepted, or the bot is blocked)."""
    purchases = []
    if notice.kind == PaymentNotice.Kind.ORDER_DELIVERED:
        purchases = await call(
            orders.list_order_purchases, telegram_id=notice.telegram_id, payment_id=notice.payment_id
        )
    with translation.override(notice.language):
        text = texts.notice(notice.kind, notice.params, payment_id=notice.payment_id, purchases=purchases)
        receipt = (
            delivery.receipt(purchases, full=text, short=texts.short_receipt(purchases))
            if purchases
            else delivery.Receipt(text)
        )
    try:
        await delivery.send(bot, notice.telegram_id, receipt)
    except Forbidden:
        # Blocked: nothing reaches them; the order stays in their purchase history.
        await call(mark_bot_blocked, telegram_id=notice.telegram_id)
    except TelegramError as error:
        if isinstance(error, BadRequest) and "chat not found" in error.message.lower():
            return True  # the recipient never opened the bot: sending again cannot help
        logger.warning(
            "Could not send the %s notice of payment %s: %s", notice.kind, notice.payment_id, error
        )
        return False
    return True


async def reconcile_job(context: ShopContext) -> None:
    """Runs payment reconciliation, then sends what it owes people."""
    report = await providers.reconcile_payments()
    if report.credited or report.flagged or report.expired:
        logger.info(
            "Reconciliation: %s credited, %s expired, %s flagged, CryptoPay %s",
            len(report.credited),
            report.expired,
            report.flagged,
            report.cryptopay,
        )
    await deliver_notices(context.bot)


async def notices_job(context: ShopContext) -> None:
    """Sends notices owed for payments credited elsewhere (the CryptoPay webhook, the web admin)."""
    await deliver_notices(context.bot)


def register_jobs(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Schedule reconciliation every minute and the notice sweep every few seconds."""
    if application.job_queue is None:
        logger.warning("No JobQueue: install python-telegram-bot[job-queue] to reconcile payments")
        return
    # On one worker at a time: whichever holds the job lock (telegrambot/locks.py).
    application.job_queue.run_repeating(
        run_exclusively("reconcile_payments", reconcile_job),
        interval=RECONCILE_EVERY,
        first=5,
        name="reconcile_payments",
    )
    application.job_queue.run_repeating(
        run_exclusively("payment_notices", notices_job),
        interval=NOTICES_EVERY,
        first=3,
        name="payment_notices",
    )


HANDLERS = [
    CallbackQueryHandler(top_up_with_stars, pattern=callbacks.TOP_UP_STARS.pattern),
    CallbackQueryHandler(top_up_with_card, pattern=callbacks.TOP_UP_CARD.pattern),
    CallbackQueryHandler(top_up_with_crypto, pattern=callbacks.TOP_UP_CRYPTO.pattern),
    CallbackQueryHandler(check_crypto, pattern=callbacks.CHECK_CRYPTO.pattern),
    CallbackQueryHandler(pay_product_in_stars, pattern=callbacks.PAY_STARS_PRODUCT.pattern),
    CallbackQueryHandler(pay_cart_in_stars, pattern=callbacks.PAY_STARS_CART.pattern),
    PreCheckoutQueryHandler(pre_checkout),
    MessageHandler(filters.SUCCESSFUL_PAYMENT, successful_payment),
]
