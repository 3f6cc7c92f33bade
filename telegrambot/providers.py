"""The bot's provider flows: a service prepares, the provider is awaited here, a service records the answer.

CryptoPay and the Bot API's ``refundStarPayment`` are asked on the event loop,
never on the ORM thread behind ``call()``: a provider that takes seconds to
answer must not hold up every other customer's database work. Each database
step is one short service call, so a crash between steps leaves a state the
next signal (a press, the webhook, the reconciliation job) finishes
idempotently. The web admin makes the same calls at its own edge
(``payments/admin/refunds.py``); the Mini App's product pictures kept by
Telegram are fetched here (``download_telegram_file``), from its image view.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.timezone import now
from telegram.error import TelegramError

from accounts.actors import Actor
from catalog.models import Claim
from catalog.services import rail_refunds
from monitoring.metrics import RECONCILIATION_RUNS
from payments import reconciliation, telegram_api
from payments.cryptopay import (
    CryptoPayClient,
    CryptoPayUnavailable,
    ask_invoice,
    backing_off,
    invoice_description,
    unavailable,
)
from payments.models import Payment, StarReconciliation
from payments.services import (
    Credit,
    attach_crypto_invoice,
    begin_stars_refund,
    fail_payment,
    pending_crypto_invoices,
    rechecks,
    settle_stars_refund,
    star_reconciliation,
    start_top_up,
)
from payments.services.cryptopay import crypto_invoice_of, record_invoice_state
from payments.services.star_reconciliation import StarTransaction
from shopbot.errors import PaymentProviderUnavailable
from telegrambot.adapter import call


async def open_crypto_top_up(
    *, telegram_id: int, amount: object, client: CryptoPayClient | None = None
) -> Payment:
    """Record a pending CryptoPay top-up, create its invoice, and return the row with its Pay link.

    If CryptoPay does not answer, the row is marked failed (a webhook naming
    its payload can still credit it) and ``PaymentProviderUnavailable`` is raised.
    """
    if backing_off():
        raise unavailable()  # no row for an invoice that cannot be created now
    payment = await call(
        start_top_up, telegram_id=telegram_id, provider=Payment.Provider.CRYPTOPAY, amount=amount
    )
    try:
        invoice_id, pay_url = await (client or CryptoPayClient()).create_invoice(
            payment, invoice_description(payment)
        )
    except CryptoPayUnavailable as error:
        await call(fail_payment, payment_id=payment.pk, note=f"createInvoice failed: {error}"[:255])
        raise unavailable() from error
    return await call(attach_crypto_invoice, payment_id=payment.pk, invoice_id=invoice_id, pay_url=pay_url)


async def check_crypto_payment(
    *, payment_id: int, telegram_id: int, client: CryptoPayClient | None = None
) -> Credit:
    """Ask CryptoPay about a customer's own invoice now and credit it if it was paid."""
    payment = await call(crypto_invoice_of, payment_id=payment_id, telegram_id=telegram_id)
    if payment.status != Payment.Status.PENDING:
        return Credit(payment=payment, credited=False)
    state = await ask_invoice(int(payment.external_id or 0), client=client)
    return await call(record_invoice_state, payment=payment, state=state)


async def recheck_payment(*, actor: Actor, payment_id: int, client: CryptoPayClient | None = None) -> Credit:
    """Ask CryptoPay about one payment for staff (``refund_payments``), credit it if paid, audit it."""
    invoice_id = await call(rechecks.start_recheck, actor=actor, payment_id=payment_id)
    state = await ask_invoice(invoice_id, client=client) if invoice_id is not None else None
    return await call(rechecks.record_recheck, actor=actor, payment_id=payment_id, state=state)


async def refund_stars(bot: Any, *, actor: Actor, payment_id: int, reason: str) -> Payment:
    """Return a Stars payment through Telegram and take back what it credited (``refund_payments``).

    The three steps of ``payments.services.refunds``: the amount is held
    before Telegram is asked, and Telegram's answer is recorded after.
    """
    refund = await call(begin_stars_refund, actor=actor, payment_id=payment_id, reason=reason)
    answer = await telegram_api.refund_star_payment(bot, user_id=refund.user_id, charge_id=refund.charge_id)
    return await call(settle_stars_refund, actor=actor, refund=refund, answer=answer)


async def refund_claim_stars(bot: Any, *, actor: Actor, claim_id: int) -> Claim:
    """Refund a claim's Stars order through Telegram and decide the claim once Telegram accepted.

    ``manage_claims`` and ``refund_payments``; the steps of
    ``catalog.services.rail_refunds``. A refusal leaves the claim undecided.
    """
    held = await call(rail_refunds.begin_claim_stars_refund, actor=actor, claim_id=claim_id)
    refund = held.refund
    answer = await telegram_api.refund_star_payment(bot, user_id=refund.user_id, charge_id=refund.charge_id)
    return await call(rail_refunds.settle_claim_stars_refund, actor=actor, refund=held, answer=answer)


async def reconcile_payments(*, client: CryptoPayClient | None = None) -> reconciliation.ReconcileReport:
    """Credit paid and expire expired CryptoPay invoices; expire overdue Telegram invoices."""
    report = await call(reconciliation.start_reconciliation)
    if settings.CRYPTO_PAY_TOKEN:
        report = await reconcile_cryptopay(report, client or CryptoPayClient())
    RECONCILIATION_RUNS.labels(outcome=report.cryptopay).inc()
    return report


async def reconcile_cryptopay(
    report: reconciliation.ReconcileReport, client: CryptoPayClient
) -> reconciliation.ReconcileReport:
    if backing_off():
        report.cryptopay = "backing_off"
        return report
    invoice_ids = await call(pending_crypto_invoices)
    try:
        states = await client.get_invoices(invoice_ids) if invoice_ids else []
    except CryptoPayUnavailable:
        report.cryptopay = "failing"
        return report
    return await call(reconciliation.record_invoice_states, report=report, states=states)


STAR_PAGE = 100  # the most getStarTransactions returns at once


async def fetch_star_transactions(bot: Any, *, page: int = STAR_PAGE) -> list[StarTransaction]:
    """Page through the bot's ``getStarTransactions`` (oldest first) and return them as plain rows.

    Raises ``TelegramError`` when Telegram does not answer a page: a partial
    list would make every charge after it look missing.
    """
    found: list[StarTransaction] = []
    while True:
        answer = await bot.get_star_transactions(
            offset=len(found), limit=page, read_timeout=telegram_api.TIMEOUT
        )
        found += [star_transaction(item) for item in answer.transactions]
        if len(answer.transactions) < page:
            return found


async def reconcile_stars(bot: Any, *, actor: Actor | None = None) -> StarReconciliation:
    """Match every Stars transaction Telegram lists with the payments here and write the report.

    ``actor`` None is the nightly job; staff need ``refund_payments`` (checked
    before Telegram is asked). Refuses when Telegram does not
    answer (``PaymentProviderUnavailable``): nothing is recorded from a partial list.
    """
    if actor is not None:
        await call(star_reconciliation.start_star_reconciliation, actor=actor)
    fetched_at = now()
    try:
        transactions = await fetch_star_transactions(bot)
    except TelegramError as error:
        raise PaymentProviderUnavailable(provider="Telegram") from error
    return await call(
        star_reconciliation.reconcile_stars, transactions=transactions, fetched_at=fetched_at, actor=actor
    )


def star_transaction(item: Any) -> StarTransaction:
    """A ``telegram.StarTransaction`` as plain data: who paid or was refunded, and the invoice payload."""
    partner = item.source or item.receiver
    user = getattr(partner, "user", None)
    return StarTransaction(
        id=item.id,
        amount=abs(int(item.amount)),
        date=int(item.date.timestamp()),
        incoming=item.source is not None,
        telegram_id=user.id if user is not None else None,
        payload=getattr(partner, "invoice_payload", None) or "",
    )


async def download_telegram_file(file_id: str, *, max_bytes: int) -> bytes | None:
    """Resolve a Telegram file id with ``getFile`` and download it, with the web process's bot.

    None when there is no usable TOKEN, Telegram refuses or fails, or the file
    is larger than ``max_bytes`` (Telegram serves bots files of up to 20 MB).
    """
    try:
        bot, request = telegram_api.web_bot()
    except TelegramError:
        return None
    try:
        found = await bot.get_file(file_id, read_timeout=telegram_api.TIMEOUT)
        if found.file_size is not None and found.file_size > max_bytes:
            return None
        content = bytes(await found.download_as_bytearray(read_timeout=telegram_api.TIMEOUT))
    except TelegramError:
        return None
    finally:
        await request.shutdown()
    return content if len(content) <= max_bytes else None
