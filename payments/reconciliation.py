"""The reconciliation job: finish every payment whose signal went missing.

``runbot`` runs ``reconcile_payments`` every minute. It asks CryptoPay about
all pending invoices in batches, credits the paid ones and expires the expired
ones, and expires Telegram invoices that can no longer be paid. Every step
goes through the same idempotent services as the live signals, so a job
racing a webhook or a button credits once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings

from monitoring.metrics import RECONCILIATION_RUNS
from payments.cryptopay import CryptoPayClient, CryptoPayUnavailable, backing_off, db
from payments.services.crediting import Credit
from payments.services.cryptopay import (
    credit_crypto_invoice,
    expire_overdue_payments,
    pending_crypto_invoices,
    stuck_refunds,
)
from shopbot.errors import ShopError

log = logging.getLogger("shopbot.payments")


@dataclass
class ReconcileReport:
    """What one run did; ``cryptopay`` is "ok", "off", "backing_off" or "failing"."""

    checked: int = 0
    credited: list[Credit] = field(default_factory=list)
    expired: int = 0
    flagged: int = 0
    stuck_refunds: list[int] = field(default_factory=list)
    cryptopay: str = "off"


async def reconcile_payments(*, client: CryptoPayClient | None = None) -> ReconcileReport:
    """Credit paid and expire expired CryptoPay invoices; expire overdue Telegram invoices."""
    report = ReconcileReport(expired=await db(expire_overdue_payments), stuck_refunds=await db(stuck_refunds))
    if report.stuck_refunds:
        log.warning("Stars refunds waiting for Telegram (refund them again): %s", report.stuck_refunds)
    if settings.CRYPTO_PAY_TOKEN:
        await reconcile_cryptopay(report, client or CryptoPayClient())
    RECONCILIATION_RUNS.labels(outcome=report.cryptopay).inc()
    return report


async def reconcile_cryptopay(report: ReconcileReport, client: CryptoPayClient) -> None:
    if backing_off():
        report.cryptopay = "backing_off"
        return
    invoice_ids = await db(pending_crypto_invoices)
    try:
        states = await client.get_invoices(invoice_ids) if invoice_ids else []
    except CryptoPayUnavailable:
        report.cryptopay = "failing"
        return
    report.cryptopay = "ok"
    for state in states:
        report.checked += 1
        try:
            credit = await db(
                credit_crypto_invoice,
                invoice_id=state.invoice_id,
                status=state.status,
                amount=state.amount,
                currency=state.currency,
                payload=state.payload,
            )
        except ShopError as error:
            log.warning("invoice %s not reconciled: %s", state.invoice_id, error)
            continue
        report.expired += state.status == "expired" and credit.payment.status == credit.payment.Status.EXPIRED
        report.credited += [credit] if credit.credited else []
        report.flagged += credit.needs_review
