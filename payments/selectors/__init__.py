"""Reads on balances: the ledger of a customer, its totals, referral earnings, ledger drift."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import Customer
from accounts.selectors import Page, paginate
from payments.models import LedgerEntry, ReferralReward
from payments.money import ZERO, money_field


@dataclass(frozen=True)
class LedgerTotals:
    """What a customer put on the balance and spent from it."""

    topped_up: Decimal
    spent: Decimal


@dataclass(frozen=True)
class LedgerDrift:
    """A customer whose balance is not the sum of their ledger."""

    telegram_id: int
    balance: Decimal
    ledger_total: Decimal


def list_ledger(*, telegram_id: int, page: int) -> Page[LedgerEntry]:
    """Return one page of a customer's balance changes of every kind, newest first."""
    queryset = LedgerEntry.objects.filter(customer__telegram_id=telegram_id).order_by("-created", "-id")
    return paginate(queryset, page=page)


def get_ledger_totals(*, telegram_id: int) -> LedgerTotals:
    """Return the sum of top-ups, and the net spent on purchases after refunds."""
    kind = LedgerEntry.Kind
    totals = LedgerEntry.objects.filter(customer__telegram_id=telegram_id).aggregate(
        topped_up=Sum("amount", filter=Q(kind=kind.TOP_UP)),
        purchased=Sum("amount", filter=Q(kind=kind.PURCHASE)),
        refunded=Sum("amount", filter=Q(kind=kind.REFUND)),
    )
    spent = -(totals["purchased"] or ZERO) - (totals["refunded"] or ZERO)
    return LedgerTotals(topped_up=totals["topped_up"] or ZERO, spent=max(spent, ZERO))


def get_referral_earnings(*, telegram_id: int) -> Decimal:
    """Return what ``telegram_id`` has earned from referral rewards."""
    total = ReferralReward.objects.filter(referrer__telegram_id=telegram_id).aggregate(total=Sum("amount"))[
        "total"
    ]
    return total or ZERO


def list_ledger_drift() -> list[LedgerDrift]:
    """Return every customer whose ledger does not sum to their balance (none, if the money rule holds)."""
    drifted = (
        Customer.objects.annotate(
            ledger_total=Coalesce(Sum("ledger__amount"), ZERO, output_field=money_field())
        )
        .exclude(ledger_total=F("balance"))
        .order_by("telegram_id")
        .values_list("telegram_id", "balance", "ledger_total")
    )
    return [LedgerDrift(telegram_id=row[0], balance=row[1], ledger_total=row[2]) for row in drifted]
