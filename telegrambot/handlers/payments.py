"""Paying: Telegram invoices (Stars, cards), CryptoPay, pre-checkout, successful payments.

Every payment first gets a pending row from a service; later signals
(pre-checkout, ``successful_payment``, "Check payment", the CryptoPay webhook,
the reconciliation job) move that row forward, idempotently. What people must
hear about a payment is written by the services as notices in the same
transaction; ``notices.deliver_notices`` sends them, here at once for the payment a
handler just moved, and from a job for everything else (webhook credits).
"""

from __future__ import annotations

import logging

from django.conf import settings
from telegram import LabeledPrice, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, PreCheckoutQueryHandler, filters

from catalog.selectors import manual as manual_selectors
from catalog.services import orders, rail_refunds
from monitoring import funnel
from monitoring.metrics import REFUSALS
from payments import reconciliation
from payments.models import Payment, PaymentNotice
from payments.money import to_minor_units
from payments.services import (
    check_pre_checkout,
    confirm_telegram_payment,
    star_reconciliation,
    start_top_up,
)
from shopbot.errors import ShopError
from telegrambot import callbacks, checkout_questions, providers, ratelimit, screens, staff_notices
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature, Job
from telegrambot.jobs import stock_alerts
from telegrambot.keyboards import payments as keyboards
from telegrambot.notices import deliver_notices
from telegrambot.texts import common as common_texts
from telegrambot.texts import payments as texts

logger = logging.getLogger(__name__)
RECONCILE_EVERY = 60  # seconds
STARS_RECONCILE_EVERY = 600  # seconds: how often the job asks whether the nightly run is due
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


# A direct order's way of paying, by the route of its button.
ORDER_ROUTES = {
    callbacks.PAY_STARS_PRODUCT: Payment.Provider.STARS,
    callbacks.PAY_CARD_PRODUCT: Payment.Provider.TELEGRAM,
    callbacks.PAY_STARS_CART: Payment.Provider.STARS,
    callbacks.PAY_CARD_CART: Payment.Provider.TELEGRAM,
}


@ratelimit.limited(ratelimit.PAYMENT)
async def pay_product(update: Update, context: ShopContext) -> None:
    """Sends an invoice (Stars or card) for one unit of a product, delivered on payment."""
    data = update.callback_query.data
    route = (
        callbacks.PAY_CARD_PRODUCT
        if callbacks.PAY_CARD_PRODUCT.matches(data)
        else callbacks.PAY_STARS_PRODUCT
    )
    product_id = route.parse(data)
    answered = await checkout_questions.answers_for(
        update, context, [product_id], resume=route.build(product_id)
    )
    if answered is None:
        return  # a manual product's questions are being asked first
    payment = await call(
        orders.start_product_order,
        telegram_id=context.customer.telegram_id,
        product_id=product_id,
        answers=answered.answers,
        provider=ORDER_ROUTES[route],
    )
    await send_invoice(update, context, payment)


@ratelimit.limited(ratelimit.PAYMENT)
async def pay_cart(update: Update, context: ShopContext) -> None:
    """Sends an invoice (Stars or card) for everything in the cart, delivered on payment."""
    route = (
        callbacks.PAY_CARD_CART
        if callbacks.PAY_CARD_CART.matches(update.callback_query.data)
        else callbacks.PAY_STARS_CART
    )
    telegram_id = context.customer.telegram_id
    product_ids = await call(manual_selectors.cart_product_ids, telegram_id=telegram_id)
    answered = await checkout_questions.answers_for(update, context, product_ids, resume=route.build())
    if answered is None:
        return  # a manual product's questions are being asked first
    payment = await call(
        orders.start_cart_order,
        telegram_id=telegram_id,
        answers=answered.answers,
        provider=ORDER_ROUTES[route],
    )
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
    if credit.needs_review:
        await staff_notices.deliver(context.bot)  # staff hear of it now, not at the next job tick
    if credit.purchases:
        funnel.record(step=funnel.PURCHASED)
        await stock_alerts.notify_low_stock(
            context.bot, [purchase.product_id for purchase in credit.purchases]
        )


async def refunded_payment(update: Update, context: ShopContext) -> None:
    """Records a Stars payment Telegram refunded outside the bot, and tells the customer and staff once."""
    refunded = update.message.refunded_payment
    outside = await call(
        rail_refunds.record_refunded_payment,
        telegram_id=update.effective_user.id,
        charge_id=refunded.telegram_payment_charge_id,
    )
    if outside is not None and outside.changed:
        await deliver_notices(context.bot, payment_id=outside.payment.pk)


# --- jobs ------------------------------------------------------------------------
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
    await call(reconciliation.report_to_staff, report=report)  # sent by the staff_notices job
    await deliver_notices(context.bot)


async def stars_reconcile_job(context: ShopContext) -> None:
    """Runs the nightly Stars reconciliation when it is due, then sends the notices it owes."""
    if not await call(star_reconciliation.nightly_due):
        return
    try:
        run = await providers.reconcile_stars(context.bot)
    except ShopError as error:
        logger.warning("Stars reconciliation not run: %s", error)
        return
    logger.info("Stars reconciliation #%s: %s flagged", run.pk, len(run.flagged))
    await deliver_notices(context.bot)


async def notices_job(context: ShopContext) -> None:
    """Sends notices owed for payments credited elsewhere (the CryptoPay webhook, the web admin)."""
    await deliver_notices(context.bot)


HANDLERS = [
    CallbackQueryHandler(top_up_with_stars, pattern=callbacks.TOP_UP_STARS.pattern),
    CallbackQueryHandler(top_up_with_card, pattern=callbacks.TOP_UP_CARD.pattern),
    CallbackQueryHandler(top_up_with_crypto, pattern=callbacks.TOP_UP_CRYPTO.pattern),
    CallbackQueryHandler(check_crypto, pattern=callbacks.CHECK_CRYPTO.pattern),
    CallbackQueryHandler(pay_product, pattern=callbacks.PAY_STARS_PRODUCT.pattern),
    CallbackQueryHandler(pay_product, pattern=callbacks.PAY_CARD_PRODUCT.pattern),
    CallbackQueryHandler(pay_cart, pattern=callbacks.PAY_STARS_CART.pattern),
    CallbackQueryHandler(pay_cart, pattern=callbacks.PAY_CARD_CART.pattern),
    PreCheckoutQueryHandler(pre_checkout),
    MessageHandler(filters.SUCCESSFUL_PAYMENT, successful_payment),
    MessageHandler(filters.StatusUpdate.REFUNDED_PAYMENT, refunded_payment),
]
# On one worker at a time: whichever holds the job lock (telegrambot/locks.py).
JOBS = [
    Job("reconcile_payments", reconcile_job, every=RECONCILE_EVERY, first=5),
    Job("payment_notices", notices_job, every=NOTICES_EVERY, first=3),
    Job("stars_reconciliation", stars_reconcile_job, every=STARS_RECONCILE_EVERY, first=60),
]
FEATURE = Feature("payments", handlers=HANDLERS, jobs=JOBS)
