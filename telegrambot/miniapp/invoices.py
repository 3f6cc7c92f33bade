"""``createInvoiceLink`` for the Mini App: the chat's invoice, as a link ``Telegram.WebApp.openInvoice`` opens.

The pending payment comes from the same service as the chat's ``sendInvoice``
(``catalog.services.orders`` or ``payments.services.start_top_up``), so the
pre-checkout query and ``successful_payment`` reach the bot's own payment
handlers and deliver exactly as in the chat. The call is made by the web
view, after the service committed, with ``payments.telegram_api.web_bot()``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from telegram import LabeledPrice
from telegram.error import TelegramError

from payments.models import Payment
from payments.money import to_minor_units
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
