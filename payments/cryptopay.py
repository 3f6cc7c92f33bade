"""The CryptoPay side of payments: a thin async client over aiocryptopay, and nothing else.

No database here: a face (the bot's ``telegrambot.providers``, the web admin)
runs a service that records the pending row, awaits CryptoPay here, then runs
a service that stores the answer, each step in its own short transaction and
none of them on the ORM thread while CryptoPay is asked. While CryptoPay keeps
failing, calls back off (the state is in the shared cache, so every process
sees it) and people get ``PaymentProviderUnavailable`` at once instead of
waiting for a timeout.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiocryptopay import AioCryptoPay
from aiocryptopay.exceptions.factory import CodeErrorFactory
from aiohttp import ClientError
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from pydantic import ValidationError

from payments.models import Payment
from payments.services.cryptopay import InvoiceState, to_decimal
from shopbot.errors import PaymentProviderUnavailable

log = logging.getLogger("shopbot.payments")
TIMEOUT = 10  # seconds; aiohttp's own default is five minutes
BATCH = 100  # invoice ids per getInvoices call
BACKOFF_KEY = "payments:cryptopay:backoff"
BACKOFF_STEPS = (30, 60, 120, 300, 600)  # seconds to wait after the 1st, 2nd, ... failure in a row
# Everything the client can raise when CryptoPay is down, slow or answers nonsense.
API_FAILURES = (
    CodeErrorFactory,
    ClientError,
    asyncio.TimeoutError,
    ValidationError,
    KeyError,
    TypeError,
    ValueError,
)


def backing_off() -> bool:
    """Return whether CryptoPay failed recently enough that calls should wait."""
    state = cache.get(BACKOFF_KEY)
    return state is not None and state["until"] > time.time()


def note_failure(error: BaseException) -> None:
    state = cache.get(BACKOFF_KEY) or {"failures": 0}
    failures = state["failures"] + 1
    wait = BACKOFF_STEPS[min(failures, len(BACKOFF_STEPS)) - 1]
    log.warning("CryptoPay failed (%s in a row), waiting %ss: %r", failures, wait, error)
    cache.set(BACKOFF_KEY, {"failures": failures, "until": time.time() + wait}, wait * 4)


def note_success() -> None:
    cache.delete(BACKOFF_KEY)


class CryptoPayUnavailable(Exception):
    """CryptoPay did not answer usefully; the flows turn this into a ShopError."""


class CryptoPayClient:
    """The two calls the shop makes, with a timeout, Decimal amounts and one error type."""

    def __init__(self, token: str | None = None, url: str | None = None) -> None:
        self.token = token or settings.CRYPTO_PAY_TOKEN
        self.url = url or settings.CRYPTO_PAY_API_URL

    async def call(self, method: Callable[[AioCryptoPay], Awaitable[Any]]) -> Any:
        if backing_off():
            raise CryptoPayUnavailable("backing off")
        api = AioCryptoPay(self.token, network=self.url)
        try:
            result = await asyncio.wait_for(method(api), TIMEOUT)
        except API_FAILURES as error:
            note_failure(error)
            raise CryptoPayUnavailable(repr(error)) from error
        finally:
            await api.close()
        note_success()
        return result

    async def create_invoice(self, payment: Payment, description: str) -> tuple[int, str]:
        """Create a fiat invoice for a pending payment; return its id and the link to pay it."""
        invoice = await self.call(
            lambda api: api.create_invoice(
                amount=format(payment.provider_amount.normalize(), "f"),  # type: ignore[arg-type]
                currency_type="fiat",
                fiat=payment.provider_currency,
                accepted_assets=list(settings.CRYPTO_PAY_ASSETS),
                description=description[:1024],
                payload=payment.payload,
                expires_in=settings.PAYMENT_TIME,
                allow_comments=False,
            )
        )
        url = invoice.mini_app_invoice_url or invoice.bot_invoice_url
        return int(invoice.invoice_id), str(url)

    async def get_invoices(self, invoice_ids: list[int]) -> list[InvoiceState]:
        """Return what CryptoPay says about these invoices, in batches of ``BATCH``."""
        states: list[InvoiceState] = []
        for start in range(0, len(invoice_ids), BATCH):
            batch = list(invoice_ids[start : start + BATCH])
            found = await self.call(lambda api, ids=batch: api.get_invoices(invoice_ids=ids, count=len(ids)))
            states.extend(invoice_state(invoice) for invoice in found or [])
        return states


def invoice_state(invoice: Any) -> InvoiceState:
    currency = invoice.fiat if invoice.currency_type == "fiat" else invoice.asset
    return InvoiceState(
        invoice_id=int(invoice.invoice_id),
        status=str(invoice.status),
        amount=to_decimal(invoice.amount),
        currency=str(currency or ""),
        payload=invoice.payload or "",
    )


def invoice_description(payment: Payment) -> str:
    return _("Top-up of %(amount)s %(currency)s") % {
        "amount": payment.amount,
        "currency": payment.provider_currency,
    }


def unavailable() -> PaymentProviderUnavailable:
    return PaymentProviderUnavailable(provider="CryptoPay")


async def ask_invoice(invoice_id: int, *, client: CryptoPayClient | None = None) -> InvoiceState | None:
    """Return what CryptoPay says about one invoice now, or None if it knows none.

    Raises ``PaymentProviderUnavailable`` when CryptoPay does not answer.
    """
    try:
        states = await (client or CryptoPayClient()).get_invoices([invoice_id])
    except CryptoPayUnavailable as error:
        raise unavailable() from error
    return states[0] if states else None
