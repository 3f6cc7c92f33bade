"""Retention: old audit entries, abandoned payments, spent purchase intents and sent staff notices are deleted after RETENTION_DAYS."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils.timezone import now as timezone_now

from accounts.models import AuditEntry, StaffNotice
from catalog.models import PurchaseIntent
from payments.models import Payment

BATCH = 1000


def delete_old_records(*, days: int, now: datetime | None = None) -> dict[str, int]:
    """Delete audit entries, expired or failed payments, purchase intents and sent staff notices older than ``days`` days.

    ``days == 0`` keeps everything. A payment that any ledger entry, purchase
    or referral reward points at is kept whatever its age, so the ledger stays
    whole. Rows go in batches of ``BATCH``, one transaction each, so a large
    first cleanup never holds long locks. Returns how many rows of each kind
    were deleted. A purchase intent (what a confirmation screen showed) is of
    no use once it expired; one a Stars order's payment holds goes with that
    payment.
    """
    if days <= 0:
        return {"audit_entries": 0, "payments": 0, "purchase_intents": 0, "staff_notices": 0}
    cutoff = (now or timezone_now()) - timedelta(days=days)
    payments = Payment.objects.filter(
        status__in=[Payment.Status.EXPIRED, Payment.Status.FAILED],
        created__lt=cutoff,
        ledger_entries__isnull=True,
        purchases__isnull=True,
        referral_reward__isnull=True,
    )
    return {
        "audit_entries": delete_in_batches(AuditEntry.objects.filter(created__lt=cutoff)),
        "payments": delete_in_batches(payments),
        "purchase_intents": delete_in_batches(
            PurchaseIntent.objects.filter(expires_at__lt=cutoff, payment__isnull=True)
        ),
        # Sent staff notifications have done their work; unsent ones wait for the bot whatever their age.
        "staff_notices": delete_in_batches(
            StaffNotice.objects.filter(created__lt=cutoff, sent_at__isnull=False)
        ),
    }


def delete_in_batches(queryset: QuerySet) -> int:
    """Delete the rows of ``queryset`` ``BATCH`` at a time; return how many were deleted."""
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True).distinct()[:BATCH])
        if not ids:
            return deleted
        with transaction.atomic():
            queryset.model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
