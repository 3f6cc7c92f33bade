"""``createInvoiceLink`` for the Mini App: the chat's invoice, as a link ``Telegram.WebApp.openInvoice`` opens.

CryptoPay top-ups take the chat's steps too (``telegrambot.providers``): a
service records the pending payment, CryptoPay is asked here at the web
view's edge with ``async_to_sync`` (never inside a service or transaction),
and a service records its answer.

The pending payment comes from the same service as the chat's ``sendInvoice``
(``catalog.services.orders`` or ``payments.services.start_top_up``), so the
pre-checkout query and ``successful_payment`` reach the bot's own payment
handlers and deliver exactly as in the chat. The call is made by the web
view, after the service committed, with ``payments.telegram_api.web_bot()``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from asgiref.sync import async_to_sync
from telegram import LabeledPrice
from telegram.error import TelegramError

from payments.cryptopay import (
    CryptoPayClient,
    CryptoPayUnavailable,
    ask_invoice,
    backing_off,
    invoice_description,
    unavailable,
)
from payments.models import Payment
from payments.money import to_minor_units
from payments.services import Credit, attach_crypto_invoice, fail_payment, start_top_up
from payments.services.cryptopay import crypto_invoice_of, record_invoice_state
from payments.telegram_api import TIMEOUT, web_bot
from telegrambot.miniapp import auth
from telegrambot.texts import payments as texts

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invoice:
    """What the link shows, computed in the request's language before the call."""

    title: str
    description: str
    payload: str
    currency: str
    label: str
    total: int


def describe(payment: Payment) -> Invoice:
    is_order = payment.purpose == Payment.Purpose.ORDER
    return Invoice(
        title=texts.order_title(payment) if is_order else texts.top_up_title(),
        description=texts.order_description(payment) if is_order else texts.top_up_description(payment),
        payload=payment.payload,
        currency=payment.provider_currency,
        label=texts.price_label(payment),
        total=to_minor_units(payment.provider_amount, payment.provider_currency),
    )


async def create_link(invoice: Invoice) -> str:
    """Return Telegram's link for the invoice, or "" when Telegram refused or did not answer (logged)."""
    simulator = auth.simulated()
    if simulator is not None:  # the chat simulator's Telegram, in this process
        return str(
            simulator.create_invoice_link(
                asdict(invoice) | {"prices": [{"label": invoice.label, "amount": invoice.total}]}
            )
        )
    try:
        bot, request = web_bot()
    except TelegramError as error:  # no usable TOKEN in this process
        logger.warning("Cannot create an invoice link: %s", error)
        return ""
    try:
        return await bot.create_invoice_link(
            title=invoice.title,
            description=invoice.description,
            payload=invoice.payload,
            currency=invoice.currency,
            prices=[LabeledPrice(invoice.label, invoice.total)],
            read_timeout=TIMEOUT,
        )
    except TelegramError as error:
        logger.warning("Telegram refused an invoice link for %s: %s", invoice.payload, error)
        return ""
    finally:
        await request.shutdown()


def open_crypto_top_up(*, telegram_id: int, amount: object) -> Payment:
    """Record a pending CryptoPay top-up, create its invoice, and return the row with its Pay link.

    As the chat's ``providers.open_crypto_top_up``: if CryptoPay does not
    answer, the row is marked failed and ``PaymentProviderUnavailable`` raised.
    """
    if backing_off():
        raise unavailable()  # no row for an invoice that cannot be created now
    payment = start_top_up(telegram_id=telegram_id, provider=Payment.Provider.CRYPTOPAY, amount=amount)
    try:
        invoice_id, pay_url = async_to_sync(CryptoPayClient().create_invoice)(
            payment, invoice_description(payment)
        )
    except CryptoPayUnavailable as error:
        fail_payment(payment_id=payment.pk, note=f"createInvoice failed: {error}"[:255])
        raise unavailable() from error
    return attach_crypto_invoice(payment_id=payment.pk, invoice_id=invoice_id, pay_url=pay_url)


def check_crypto_payment(*, payment_id: object, telegram_id: int) -> Credit:
    """Ask CryptoPay about the customer's own invoice now and credit it if it was paid (the chat's "Check payment")."""
    payment = crypto_invoice_of(payment_id=payment_id, telegram_id=telegram_id)
    if payment.status != Payment.Status.PENDING:
        return Credit(payment=payment, credited=False)
    state = async_to_sync(ask_invoice)(int(payment.external_id or 0))
    return record_invoice_state(payment=payment, state=state)
