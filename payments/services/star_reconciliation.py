"""The Stars reconciliation: every charge Telegram's ``getStarTransactions`` lists, matched with a payment here.

The face pages through Telegram's transactions (``telegrambot.providers``,
off the ORM thread, after ``start_star_reconciliation`` checked the actor)
and hands them to ``reconcile_stars`` as plain ``StarTransaction`` rows.
Each charge and refund is recorded in its own transaction, through the same
idempotent services as the live signals, so a run racing a
``successful_payment`` or another run changes a payment once:

- a charge of a known payment (by its Telegram charge id) is matched; an
  amount that differs from the invoice is flagged for review;
- a charge the shop has no payment for (a lost ``successful_payment``) is
  credited only when its payload names a payment of this shop still waiting
  to be paid, through ``confirm_telegram_payment``; any other is kept on a new
  payment flagged for review, never credited;
- a refund Telegram made outside the bot is recorded as its
  ``refunded_payment`` message would be (``record_outside_refund``);
- a paid Stars payment whose charge Telegram does not list is flagged.

Every run is written as a ``StarReconciliation``; one that changed something
is reported to staff who chose reconciliation reports.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.timezone import now

from accounts.actors import Actor, actor_customer
from accounts.models import Customer, StaffEvent
from accounts.services import record_audit, require_permission
from accounts.services.staff_notices import notify_staff
from payments.models import Payment, StarReconciliation
from payments.money import STARS, quantize
from payments.services.crediting import Credit, create_payment, flag_for_review
from payments.services.refunds import record_outside_refund
from payments.services.telegram import confirm_telegram_payment, expected_total
from shopbot.errors import ShopError

log = logging.getLogger("shopbot.payments")

PERMISSION = "refund_payments"
NIGHTLY_GAP = timedelta(hours=23)  # a nightly run is due when the last one is older than this
FLAGGED_KEPT = 200  # flagged charges listed in one report
MISSING = "charge found by the Stars reconciliation, no invoice of this shop waiting for it"
UNLISTED = "Telegram does not list this Stars charge"


@dataclass(frozen=True)
class StarTransaction:
    """One move of the bot's Stars: a customer's charge (``incoming``) or a refund to them (not)."""

    id: str  # a charge's Telegram charge id; a refund has the id of the charge it returns
    amount: int  # stars, positive
    date: int  # unix time
    incoming: bool
    telegram_id: int | None  # the customer paying or refunded; None for other partners
    payload: str = ""


@dataclass
class StarReport:
    """What one run found; ``flagged`` are the charges a person must look at."""

    transactions: int = 0
    matched: int = 0
    credited: list[int] = field(default_factory=list)  # payments credited by this run
    refunds: list[int] = field(default_factory=list)  # payments recorded as refunded by this run
    flagged: list[dict[str, Any]] = field(default_factory=list)
    new_flags: int = 0  # of ``flagged``, those this run found

    def flag(self, *, charge: str, payment: Payment | None, problem: str, new: bool) -> None:
        entry = {"charge": charge[:128], "payment": payment.pk if payment else None, "problem": problem[:255]}
        self.flagged.append(entry)
        self.new_flags += new

    @property
    def changed(self) -> bool:
        return bool(self.credited or self.refunds or self.new_flags)


def start_star_reconciliation(*, actor: Actor) -> None:
    """Refuse (audited) a staff member without ``refund_payments`` before Telegram is asked."""
    require_permission(actor=actor, codename=PERMISSION, action="reconcile_stars")


def nightly_due() -> bool:
    """Whether the nightly run is due: none ran in the last ``NIGHTLY_GAP``."""
    since = now() - NIGHTLY_GAP
    return not StarReconciliation.objects.filter(
        trigger=StarReconciliation.Trigger.NIGHTLY, created__gte=since
    ).exists()


def reconcile_stars(
    *, transactions: list[StarTransaction], fetched_at: datetime, actor: Actor | None = None
) -> StarReconciliation:
    """Match Telegram's Stars transactions (all of them, fetched from ``fetched_at``) with the payments here.

    ``actor`` None is the nightly job; a staff member needs ``refund_payments``
    and the run is audited. Replaying the same transactions changes nothing.
    """
    if actor is not None:
        start_star_reconciliation(actor=actor)
    report = StarReport(transactions=len(transactions))
    charges = [item for item in transactions if item.incoming and item.telegram_id is not None]
    for charge in charges:
        match_charge(report, charge)
    for refund in transactions:
        if not refund.incoming and refund.telegram_id is not None:
            match_refund(report, refund)
    flag_unlisted(report, listed={charge.id for charge in charges}, fetched_at=fetched_at)
    return record_report(report, actor=actor)


def stars_payments():
    return Payment.objects.filter(provider=Payment.Provider.STARS)


def match_charge(report: StarReport, charge: StarTransaction) -> None:
    payment = stars_payments().filter(external_id=charge.id[:128]).first()
    if payment is not None:
        report.matched += 1
        check_amount(report, payment, charge)
        return
    waiting = bool(charge.payload) and (
        stars_payments()
        .filter(
            payload=charge.payload[:64],
            external_id__isnull=True,
            status__in=(Payment.Status.PENDING, Payment.Status.EXPIRED),
        )
        .exists()
    )
    try:
        if waiting:
            credit = confirm_telegram_payment(
                telegram_id=charge.telegram_id or 0,
                payload=charge.payload[:64],
                currency=STARS,
                total_amount=charge.amount,
                telegram_charge_id=charge.id,
            )
        else:
            credit = record_missing_charge(charge)
    except ShopError as error:
        log.warning("Stars charge %r not reconciled: %s", charge.id[:128], error)
        report.flag(charge=charge.id, payment=None, problem=str(error), new=True)
        return
    if credit.credited:
        report.credited.append(credit.payment.pk)
    elif credit.needs_review:
        report.flag(charge=charge.id, payment=credit.payment, problem=credit.payment.note, new=True)
    else:
        report.matched += 1


def check_amount(report: StarReport, payment: Payment, charge: StarTransaction) -> None:
    """Flag a matched payment whose invoice total differs from what Telegram charged; list one flagged before."""
    if payment.needs_review:
        report.flag(charge=charge.id, payment=payment, problem=payment.note, new=False)
        return
    if charge.amount == expected_total(payment):
        return
    problem = f"Telegram charged {charge.amount} XTR, invoice was {expected_total(payment)} XTR"
    if mark_for_review(payment_id=payment.pk, problem=problem):
        report.flag(charge=charge.id, payment=payment, problem=problem, new=True)


@transaction.atomic
def mark_for_review(*, payment_id: int, problem: str) -> bool:
    """Flag a payment for review, unless it is already; return whether this call flagged it."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.needs_review:
        return False
    log.warning("payment %s needs review: %s", payment.pk, problem)
    payment.needs_review = True
    payment.note = problem[:255]
    payment.save(update_fields=["needs_review", "note", "updated"])
    return True


@transaction.atomic
def record_missing_charge(charge: StarTransaction) -> Credit:
    """Keep a charge no waiting invoice explains on a new payment flagged for review, once per charge id."""
    customer, _created = Customer.objects.get_or_create(telegram_id=charge.telegram_id)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    repeat = stars_payments().filter(external_id=charge.id[:128]).first()
    if repeat is not None:  # another run recorded it first
        return Credit(payment=repeat, credited=False)
    paid = Decimal(charge.amount)
    estimate = quantize(paid / settings.STARS_PER_VALUE) if settings.STARS_PER_VALUE > 0 else quantize(paid)
    payment = create_payment(
        customer=customer,
        provider=Payment.Provider.STARS,
        amount=max(estimate, Decimal("0.01")),
        provider_amount=paid,
        provider_currency=STARS,
    )
    return flag_for_review(payment=payment, customer=customer, charge_id=charge.id, problem=MISSING)


def match_refund(report: StarReport, refund: StarTransaction) -> None:
    payment = stars_payments().filter(external_id=refund.id[:128]).first()
    if payment is None or payment.status == Payment.Status.REFUNDED:
        return  # an unknown charge was flagged with its incoming row
    if payment.status not in (Payment.Status.PAID, Payment.Status.REFUNDING):
        report.flag(
            charge=refund.id, payment=payment, problem="refunded by Telegram, never credited", new=False
        )
        return
    outside = record_outside_refund(telegram_id=refund.telegram_id or 0, charge_id=refund.id)
    if outside is None:
        report.flag(charge=refund.id, payment=payment, problem="refunded to another user", new=True)
    elif outside.changed:
        report.refunds.append(payment.pk)


def flag_unlisted(report: StarReport, *, listed: set[str], fetched_at: datetime) -> None:
    """Flag the paid Stars payments (paid before the fetch) whose charge Telegram does not list."""
    unlisted = (
        stars_payments()
        .filter(
            external_id__isnull=False,
            status__in=(Payment.Status.PAID, Payment.Status.REFUNDING),
            paid_at__lte=fetched_at,
        )
        .exclude(external_id__in=listed)
        .order_by("pk")
    )
    for payment in unlisted:
        if payment.needs_review:
            report.flag(charge=payment.external_id or "", payment=payment, problem=payment.note, new=False)
        elif mark_for_review(payment_id=payment.pk, problem=UNLISTED):
            report.flag(charge=payment.external_id or "", payment=payment, problem=UNLISTED, new=True)


@transaction.atomic
def record_report(report: StarReport, *, actor: Actor | None) -> StarReconciliation:
    """Write the run, audit a staff member's, and owe staff the report of one that changed something."""
    trigger = StarReconciliation.Trigger.STAFF if actor is not None else StarReconciliation.Trigger.NIGHTLY
    row = StarReconciliation.objects.create(
        trigger=trigger,
        actor=actor_customer(actor) if actor is not None else None,
        transactions=report.transactions,
        matched=report.matched,
        credited=len(report.credited),
        refunds=len(report.refunds),
        flagged=report.flagged[:FLAGGED_KEPT],
    )
    counts = {
        "transactions": row.transactions,
        "matched": row.matched,
        "credited": row.credited,
        "refunds": row.refunds,
        "flagged": len(report.flagged),
        "new_flags": report.new_flags,
    }
    if actor is not None:
        record_audit(
            actor=actor, action="reconcile_stars", target=f"star_reconciliation:{row.pk}", details=counts
        )
    if report.changed:
        notify_staff(event=StaffEvent.RECONCILIATION, params={"stars": row.pk, **counts})
    return row
