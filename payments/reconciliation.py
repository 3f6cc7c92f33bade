"""The reconciliation job's services: finish every payment whose signal went missing.

``runbot`` runs ``telegrambot.providers.reconcile_payments`` every minute:
``start_reconciliation`` expires Telegram invoices that can no longer be paid,
the job asks CryptoPay about all pending invoices in batches (off the ORM
thread), and ``record_invoice_states`` credits the paid ones and expires the
expired ones. Every step goes through the same idempotent services as the
live signals, so a job racing a webhook or a button credits once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import StaffEvent
from accounts.services.staff_notices import notify_staff
from payments.services.crediting import Credit
from payments.services.cryptopay import (
    InvoiceState,
    credit_crypto_invoice,
    expire_overdue_payments,
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


def start_reconciliation() -> ReconcileReport:
    """Expire overdue invoices and list stuck Stars refunds: the part of a run that needs no provider."""
    report = ReconcileReport(expired=expire_overdue_payments(), stuck_refunds=stuck_refunds())
    if report.stuck_refunds:
        log.warning("Stars refunds waiting for Telegram (refund them again): %s", report.stuck_refunds)
    return report


def record_invoice_states(*, report: ReconcileReport, states: list[InvoiceState]) -> ReconcileReport:
    """Credit or expire each invoice as CryptoPay reported it, each in its own transaction; return the report."""
    report.cryptopay = "ok"
    for state in states:
        report.checked += 1
        try:
            credit = credit_crypto_invoice(
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
    return report


@transaction.atomic
def report_to_staff(*, report: ReconcileReport) -> list[int]:
    """Owe staff who chose it the report of a run that found something; return the notices' ids."""
    if not (report.credited or report.expired or report.flagged or report.stuck_refunds):
        return []
    return notify_staff(
        event=StaffEvent.RECONCILIATION,
        params={
            "checked": report.checked,
            "credited": len(report.credited),
            "expired": report.expired,
            "flagged": report.flagged,
            "stuck_refunds": len(report.stuck_refunds),
            "cryptopay": report.cryptopay,
        },
    )
