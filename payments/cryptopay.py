"""The CryptoPay side of payments: a thin client over aiocryptopay, and the async flows.

Network calls are never made inside a transaction: a flow records the pending
row, calls CryptoPay, then stores the answer, each step in its own short
transaction. While CryptoPay keeps failing, calls back off (the state is in
the shared cache, so every process sees it) and people get
``PaymentProviderUnavailable`` at once instead of waiting for a timeout.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from aiocryptopay import AioCryptoPay
from aiocryptopay.exceptions.factory import CodeErrorFactory
from aiohttp import ClientError
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.utils.translation import gettext as _
from pydantic import ValidationError

from payments.models import Payment
from payments.services.crediting import Credit
from payments.services.cryptopay import InvoiceState, credit_crypto_invoice, to_decimal
from payments.services.top_ups import attach_crypto_invoice, fail_payment, start_top_up
from shopbot.errors import PaymentNotFound, PaymentProviderUnavailable

log = logging.getLogger("shopbot.payments")
P = ParamSpec("P")
R = TypeVar("R")
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


async def db(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a service in Django's ORM thread, as ``telegrambot.adapter.call`` does for the bot."""

    def run() -> R:
        # A long-running process has no request cycle to drop connections the
        # server closed; skipped inside a transaction, i.e. in tests.
        if not connection.in_atomic_block:
            close_old_connections()
        return func(*args, **kwargs)

    return await sync_to_async(run)()


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


async def open_crypto_top_up(
    *, telegram_id: int, amount: object, client: CryptoPayClient | None = None
) -> Payment:
    """Record a pending CryptoPay top-up, create its invoice, and return the row with its Pay link.

    If CryptoPay does not answer, the row is marked failed (a webhook naming
    its payload can still credit it) and ``PaymentProviderUnavailable`` is raised.
    """
    if backing_off():
        raise unavailable()  # no row for an invoice that cannot be created now
    payment = await db(
        start_top_up, telegram_id=telegram_id, provider=Payment.Provider.CRYPTOPAY, amount=amount
    )
    client = client or CryptoPayClient()
    try:
        invoice_id, pay_url = await client.create_invoice(payment, invoice_description(payment))
    except CryptoPayUnavailable as error:
        await db(fail_payment, payment_id=payment.pk, note=f"createInvoice failed: {error}"[:255])
        raise unavailable() from error
    return await db(attach_crypto_invoice, payment_id=payment.pk, invoice_id=invoice_id, pay_url=pay_url)


def crypto_invoice_of(*, payment_id: int, telegram_id: int | None) -> Payment:
    """Return a CryptoPay payment with an invoice, of ``telegram_id`` when given."""
    rows = Payment.objects.filter(
        pk=payment_id, provider=Payment.Provider.CRYPTOPAY, external_id__isnull=False
    )
    if telegram_id is not None:
        rows = rows.filter(customer__telegram_id=telegram_id)
    payment = rows.first()
    if payment is None:
        raise PaymentNotFound()
    return payment


async def check_crypto_payment(
    *, payment_id: int, telegram_id: int | None, client: CryptoPayClient | None = None
) -> Credit:
    """Ask CryptoPay about one invoice now and credit it if it was paid.

    ``telegram_id`` restricts the check to the customer's own payment (the
    "Check payment" button); staff pass None. Idempotent like every signal.
    """
    payment = await db(crypto_invoice_of, payment_id=payment_id, telegram_id=telegram_id)
    if payment.status != Payment.Status.PENDING:
        return Credit(payment=payment, credited=False)
    try:
        states = await (client or CryptoPayClient()).get_invoices([int(payment.external_id or 0)])
    except CryptoPayUnavailable as error:
        raise unavailable() from error
    if not states:
        return Credit(payment=payment, credited=False)
    state = states[0]
    return await db(
        credit_crypto_invoice,
        invoice_id=state.invoice_id,
        status=state.status,
        amount=state.amount,
        currency=state.currency,
        payload=state.payload,
    )
